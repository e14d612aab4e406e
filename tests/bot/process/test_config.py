"""Settings: defaults, normalisation, and one clear line per problem."""

from __future__ import annotations

import pytest

from bot.process.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_SLACK_API_URL,
    ConfigError,
    LogFormat,
    load_settings,
)


def test_defaults_need_nothing() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert settings.port == 3000
    assert settings.admins == frozenset()
    assert settings.log_format is LogFormat.TEXT
    assert not settings.socket_mode
    assert not settings.openai_enabled


def test_values_are_normalised() -> None:
    settings = load_settings(
        _env_file=None,
        DATABASE_URL="postgres://u:p@db:5432/pc",
        SLACK_API_URL="http://127.0.0.1:9000/api",
        PEERCOACH_ADMINS=" U012ABC ,W0ADMIN,",
        PEERCOACH_LOG_LEVEL="debug",
        PEERCOACH_LOG_FORMAT="JSON",
        SLACK_APP_TOKEN="xapp-1-A",
    )
    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/pc"
    assert settings.slack_api_url == "http://127.0.0.1:9000/api/"
    assert settings.admins == {"U012ABC", "W0ADMIN"}
    assert settings.log_level == "DEBUG"
    assert settings.log_format is LogFormat.JSON
    assert settings.socket_mode


def test_tokens_never_show_in_repr_or_logs() -> None:
    settings = load_settings(
        _env_file=None, SLACK_BOT_TOKEN="xoxb-very-secret", SLACK_SIGNING_SECRET="a" * 32
    )
    assert "xoxb-very-secret" not in repr(settings)
    assert "xoxb-very-secret" not in str(settings.model_dump())


def test_http_mode_needs_a_signing_secret_but_socket_mode_does_not() -> None:
    http = load_settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-1")
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        http.require_slack()
    socket = load_settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1")
    socket.require_slack()


def test_several_problems_still_make_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None, SLACK_BOT_TOKEN="nope", PEERCOACH_PORT="0")
    message = str(caught.value)
    assert "\n" not in message
    assert "SLACK_BOT_TOKEN" in message
    assert "PEERCOACH_PORT" in message
