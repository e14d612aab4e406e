"""Configuration from environment variables and an optional `.env`, validated once at start-up."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./peercoach.db"

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")

# What each variable should look like, for the one-line error a bad value gets.
EXPECTED: dict[str, str] = {
    "SLACK_BOT_TOKEN": "a bot token starting with xoxb-",
    "SLACK_SIGNING_SECRET": "the hex signing secret from your app's Basic Information page",
    "SLACK_APP_TOKEN": "an app-level token starting with xapp- (only for Socket Mode)",
    "SLACK_API_URL": "an http(s) URL such as https://slack.com/api/",
    "DATABASE_URL": (
        "sqlite+aiosqlite:///./peercoach.db or postgresql+asyncpg://user:password@host:5432/db"
    ),
    "PEERCOACH_PORT": "a port number from 1 to 65535",
    "PEERCOACH_ADMINS": "comma-separated Slack user ids such as U012ABCDEF,U034GHIJKL",
    "OPENAI_API_KEY": (
        "an OpenAI API key, with the optional openai package installed "
        '(pip install "peercoach[llm]")'
    ),
    "OPENAI_BASE_URL": "an http(s) URL such as https://api.openai.com/v1",
    "OPENAI_MODEL": "a model name such as gpt-4o-mini",
    "PEERCOACH_LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "PEERCOACH_LOG_FORMAT": "text or json",
}


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class ConfigError(Exception):
    """Missing or malformed settings: every problem found, each fit for one terminal line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(dict.fromkeys(problems))
        super().__init__("; ".join(self.problems))


def _is_http_url(value: str) -> bool:
    return re.match(r"^https?://[^\s/]+(/\S*)?$", value) is not None


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, sqlite:///...) and pick the async drivers."""
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg2://",
        "postgresql+psycopg://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
    )

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, alias="SLACK_API_URL")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    port: int = Field(default=3000, alias="PEERCOACH_PORT", ge=1, le=65535)
    admins: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), alias="PEERCOACH_ADMINS"
    )
    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    openai_model: str = Field(default="gpt-4o-mini", alias="OPENAI_MODEL", min_length=1)
    log_level: str = Field(default="INFO", alias="PEERCOACH_LOG_LEVEL")
    log_format: LogFormat = Field(default=LogFormat.TEXT, alias="PEERCOACH_LOG_FORMAT")

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "openai_api_key",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("openai_api_key")
    @classmethod
    def _openai_installed(cls, value: SecretStr | None) -> SecretStr | None:
        # A key without the optional package would only fail at the first draft, weeks later.
        if value is not None and importlib.util.find_spec("openai") is None:
            raise ValueError("the openai package is not installed")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("not a bot token")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("not an app-level token")
        return value

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[0-9A-Za-z]{16,128}", value.get_secret_value()):
            raise ValueError("not a signing secret")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str) -> str:
        value = value.strip()
        if not _is_http_url(value):
            raise ValueError("not an http(s) URL")
        # slack_sdk appends the method name to the base URL, so it must end with a slash.
        return value if value.endswith("/") else value + "/"

    @field_validator("openai_base_url")
    @classmethod
    def _openai_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not _is_http_url(value.strip()):
            raise ValueError("not an http(s) URL")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        url = normalise_database_url(value.strip())
        if not (url.startswith("sqlite+aiosqlite://") or url.startswith("postgresql+asyncpg://")):
            raise ValueError("unsupported database URL")
        return url

    @field_validator("admins", mode="before")
    @classmethod
    def _admins(cls, value: Any) -> Any:
        if isinstance(value, str):
            ids = [part.strip() for part in value.split(",") if part.strip()]
            bad = [i for i in ids if not _USER_ID.match(i)]
            if bad:
                raise ValueError(f"not Slack user ids: {', '.join(bad)}")
            return frozenset(ids)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> Any:
        if isinstance(value, str):
            level = value.strip().upper()
            if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
                raise ValueError("unknown log level")
            return level
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def openai_enabled(self) -> bool:
        return self.openai_api_key is not None

    def slack_problems(self) -> list[str]:
        """What is missing for `serve` and `check`, which need Slack credentials."""
        problems = []
        if self.slack_bot_token is None:
            problems.append(_missing("SLACK_BOT_TOKEN"))
        if not self.socket_mode and self.slack_signing_secret is None:
            problems.append(
                _missing("SLACK_SIGNING_SECRET")
                + " (or set SLACK_APP_TOKEN to receive events over Socket Mode)"
            )
        return problems

    def require_slack(self) -> None:
        """`serve` needs Slack credentials; `db upgrade` does not."""
        problems = self.slack_problems()
        if problems:
            raise ConfigError(problems)


def _missing(variable: str) -> str:
    return f"{variable} is not set; it should be {EXPECTED[variable]}"


def _variable_for(error: dict[str, Any]) -> str:
    loc = error.get("loc") or ("?",)
    field = str(loc[0])
    info = Settings.model_fields.get(field)
    if info is not None and isinstance(info.alias, str):
        return info.alias
    return field.upper()


def _invalid(exc: ValidationError) -> dict[str, str]:
    """Each malformed variable, mapped to the line that explains it."""
    invalid: dict[str, str] = {}
    for error in exc.errors():
        variable = _variable_for(dict(error))
        invalid[variable] = f"{variable} is invalid; it should be {EXPECTED.get(variable, 'set')}"
    return invalid


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; a ConfigError names every malformed variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(list(_invalid(exc).values())) from None


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Every configuration problem at once, for `peercoach check`.

    `settings` holds the valid values, each malformed one replaced by its default so that the
    other checks can still run; `unusable` names those variables, whose checks are skipped.
    """

    settings: Settings
    problems: tuple[str, ...]
    unusable: frozenset[str]


def diagnose_settings(*, need_slack: bool = True, **overrides: Any) -> Diagnosis:
    """`load_settings` (and `require_slack`), collecting every problem instead of raising."""
    try:
        settings = Settings(**overrides)
        invalid: dict[str, str] = {}
    except ValidationError as exc:
        invalid = _invalid(exc)
        # Init values win over the environment and .env, so the defaults replace the bad ones.
        defaults = {
            info.alias: info.default
            for info in Settings.model_fields.values()
            if info.alias in invalid
        }
        settings = Settings(**{**overrides, **defaults})
    # A malformed token is reported once, as malformed, and not again as missing.
    missing = [
        problem
        for problem in (settings.slack_problems() if need_slack else [])
        if problem.split(" ", 1)[0] not in invalid
    ]
    return Diagnosis(settings, (*invalid.values(), *missing), frozenset(invalid))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
