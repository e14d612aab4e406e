"""The container files and the operator's docs agree with the code: settings, port, health
path, command, links."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import cli
from bot.process.config import Settings, load_settings
from bot.process.server import HEALTH_PATH

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# The docs that tell an operator what to set; every setting they name must exist.
SETTINGS_DOCS = ("deployment.md", "operations.md", "privacy.md")
# What `pip install .` needs from the build context.
PACKAGE_INPUTS = ("pyproject.toml", "README.md", "bot", "handlers", "scheduling", "storage")

_SETTING_NAME = re.compile(r"\b(?:PEERCOACH|SLACK|OPENAI)_[A-Z0-9_]+\b|\bDATABASE_URL\b")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _aliases() -> set[str]:
    return {str(info.alias) for info in Settings.model_fields.values() if info.alias}


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _app_services() -> dict[str, dict[str, Any]]:
    """The compose services built from the Dockerfile: the copies of peercoach."""
    services = _compose()["services"]
    return {name: spec for name, spec in services.items() if "build" in spec}


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return {str(key): str(value) for key, value in environment.items()}


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments out."""
    lines = [
        line
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def _instruction(name: str) -> list[str]:
    return [rest for word, rest in _instructions() if word == name]


def test_compose_runs_two_copies_of_peercoach_on_postgresql() -> None:
    compose = _compose()
    services = _app_services()
    assert "peercoach" in services
    assert len(services) >= 2
    postgres = compose["services"]["postgres"]
    assert str(postgres["image"]).startswith("postgres:16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    # The data lives in a named volume, declared at the top level, not in the container.
    sources = {str(mount).split(":", 1)[0] for mount in postgres["volumes"]}
    assert sources & set(compose["volumes"])
    for spec in services.values():
        assert spec["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert spec["env_file"] == ".env"


def test_compose_sets_only_real_settings() -> None:
    aliases = _aliases()
    for name, spec in _app_services().items():
        environment = _environment(spec)
        assert environment, name
        unknown = set(environment) - aliases
        assert not unknown, f"{name} sets {sorted(unknown)}, which no setting reads"


def test_compose_database_is_postgresql_with_asyncpg() -> None:
    for spec in _app_services().values():
        url = _environment(spec)["DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://")
        assert "@postgres:" in url  # the compose service, not localhost
        assert load_settings(DATABASE_URL=url).database_url == url


def test_compose_publishes_the_port_peercoach_listens_on() -> None:
    port = Settings.model_fields["port"].default
    published: list[str] = []
    for spec in _app_services().values():
        for mapping in spec["ports"]:
            host, _, container = str(mapping).rpartition(":")
            assert container == str(port)
            published.append(host)
    assert len(set(published)) == len(published), "two copies cannot share a host port"


def test_dockerfile_exposes_the_default_port() -> None:
    assert _instruction("EXPOSE") == [str(Settings.model_fields["port"].default)]


def test_dockerfile_healthcheck_asks_the_path_the_server_serves() -> None:
    (healthcheck,) = _instruction("HEALTHCHECK")
    paths = re.findall(r"'(/[\w/.-]*)'", healthcheck)
    assert paths == [HEALTH_PATH]
    assert "urllib.request" in healthcheck
    assert "PEERCOACH_PORT" in healthcheck
    assert "PEERCOACH_PORT" in _aliases()


def test_dockerfile_runs_serve_as_a_user_who_is_not_root() -> None:
    (base,) = _instruction("FROM")
    assert base.startswith("python:3.11-slim")
    users = _instruction("USER")
    assert users
    assert users[-1] not in {"root", "0"}
    (command,) = _instruction("CMD")
    assert command == '["peercoach", "serve"]'
    assert "serve" in cli.commands


def _ignored(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern.removeprefix("**/")) for pattern in patterns)


def test_dockerignore_keeps_secrets_out_and_the_package_in() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for secret in (".env", "peercoach.db", ".git", ".venv"):
        assert _ignored(secret, patterns), secret
    for needed in PACKAGE_INPUTS:
        assert (ROOT / needed).exists(), needed
        assert not _ignored(needed, patterns), needed


def _docs() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


@pytest.mark.parametrize("doc", _docs(), ids=lambda path: path.name)
def test_relative_links_in_docs_point_to_files(doc: Path) -> None:
    text = _FENCE.sub("", doc.read_text(encoding="utf-8"))
    for target in _LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL or an anchor in the same page
        path = target.split("#", 1)[0]
        assert (doc.parent / path).exists(), f"{doc.name} links to missing {target}"


@pytest.mark.parametrize("name", SETTINGS_DOCS)
def test_settings_named_in_docs_exist(name: str) -> None:
    text = (DOCS / name).read_text(encoding="utf-8")
    mentioned = set(_SETTING_NAME.findall(text))
    assert mentioned, f"{name} names no setting at all"
    unknown = mentioned - _aliases()
    assert not unknown, f"{name} names {sorted(unknown)}, which are not settings"
