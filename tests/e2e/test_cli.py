"""The `peercoach` command line as a user runs it: exit codes and one-line explanations."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.fakes import FakeSlack
from tests.fixtures.app import SIGNING_SECRET


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


async def run_cli(*args: str, cwd: Path, **env: str) -> Result:
    """Run the CLI without blocking the event loop that serves the fake Slack."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PEERCOACH_"))}
    base.pop("DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env={**base, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Result(process.returncode, out.decode(), err.decode())


def slack_env(fake_slack: FakeSlack, **overrides: str) -> dict[str, str]:
    """The settings of a working Slack app pointed at the fake, with some changed."""
    env = {
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
    }
    return {**env, **overrides}


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-a-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "PEERCOACH_PORT": "http"},
            "PEERCOACH_PORT",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "DATABASE_URL": "mysql://x"},
            "DATABASE_URL",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "PEERCOACH_ADMINS": "alice"},
            "PEERCOACH_ADMINS",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_API_URL": "slack"},
            "SLACK_API_URL",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_APP_TOKEN": "xapp-1",
                "PEERCOACH_LOG_FORMAT": "xml",
            },
            "PEERCOACH_LOG_FORMAT",
        ),
    ],
)
async def test_a_bad_setting_is_one_line_and_exit_code_2(
    env: dict[str, str], variable: str, tmp_path: Path
) -> None:
    result = await run_cli("serve", cwd=tmp_path, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


async def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=not-a-bot-token\n")
    result = await run_cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "FAIL configuration: SLACK_BOT_TOKEN is invalid" in result.stdout


async def test_db_upgrade_creates_the_schema(empty_database_url: str, tmp_path: Path) -> None:
    result = await run_cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=empty_database_url)
    assert result.returncode == 0, result.stderr
    assert "is at revision" in result.stdout
    again = await run_cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=empty_database_url)
    assert again.returncode == 0
    assert again.stdout == result.stdout


async def test_db_upgrade_with_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = await run_cli(
        "db", "upgrade", cwd=tmp_path, DATABASE_URL="postgresql://postgres:s3cret@127.0.0.1:1/x"
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "peercoach: cannot use the database at postgresql+asyncpg://postgres:***@127.0.0.1:1/x; "
        "check DATABASE_URL"
    )


async def test_check_passes_against_a_working_slack_and_database(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    result = await run_cli(
        "check",
        cwd=tmp_path,
        **slack_env(fake_slack, DATABASE_URL=database_url),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   database: reachable" in result.stdout
    assert f"ok   slack: connected to {fake_slack.team_name}" in result.stdout
    assert fake_slack.calls_to("auth.test")


async def test_check_explains_each_failure_in_one_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    result = await run_cli(
        "check",
        cwd=tmp_path,
        **slack_env(
            fake_slack,
            SLACK_BOT_TOKEN="xoxb-revoked-or-wrong",
            DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/test",
        ),
    )
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("ok   configuration")
    assert lines[1].startswith("FAIL database: cannot connect to")
    assert lines[2] == "FAIL slack: auth.test failed: the token was rejected; check SLACK_BOT_TOKEN"
    assert "Traceback" not in result.stderr


async def test_check_says_when_slack_cannot_be_reached(tmp_path: Path) -> None:
    result = await run_cli(
        "check",
        cwd=tmp_path,
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL="http://127.0.0.1:1/api/",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/p.db",
    )
    assert result.returncode == 1
    assert "FAIL slack: cannot reach Slack at http://127.0.0.1:1/api/" in result.stdout


async def test_serve_with_an_unreachable_database_is_one_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    result = await run_cli(
        "serve",
        cwd=tmp_path,
        **slack_env(fake_slack, DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/test"),
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "peercoach: cannot use the database at postgresql+asyncpg://postgres@127.0.0.1:1/test; "
        "check DATABASE_URL"
    )
    assert "Traceback" not in result.stderr


async def test_serve_with_a_rejected_token_is_one_line(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    result = await run_cli(
        "serve",
        cwd=tmp_path,
        **slack_env(fake_slack, SLACK_BOT_TOKEN="xoxb-wrong", DATABASE_URL=database_url),
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "peercoach: auth.test failed: the token was rejected; check SLACK_BOT_TOKEN"
    )
    assert "Traceback" not in result.stderr


async def test_check_reports_every_configuration_problem_in_one_run(tmp_path: Path) -> None:
    result = await run_cli(
        "check",
        cwd=tmp_path,
        SLACK_BOT_TOKEN="xoxp-a-user-token",
        PEERCOACH_PORT="http",
        PEERCOACH_ADMINS="alice",
        DATABASE_URL="mysql://x",
    )
    assert result.returncode == 2
    lines = result.stdout.strip().splitlines()
    problems = [line for line in lines if line.startswith("FAIL configuration: ")]
    for variable in (
        "SLACK_BOT_TOKEN is invalid",
        "PEERCOACH_PORT is invalid",
        "PEERCOACH_ADMINS is invalid",
        "DATABASE_URL is invalid",
        "SLACK_SIGNING_SECRET is not set",
    ):
        assert sum(variable in line for line in problems) == 1, result.stdout
    assert "skip database: fix DATABASE_URL first" in lines
    assert "skip slack: fix SLACK_BOT_TOKEN first" in lines
    assert "Traceback" not in result.stderr


async def test_check_verifies_the_app_token_in_socket_mode(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    result = await run_cli(
        "check",
        cwd=tmp_path,
        **slack_env(fake_slack, SLACK_APP_TOKEN=fake_slack.app_token, DATABASE_URL=database_url),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   socket mode: the app token may open connections" in result.stdout
    assert fake_slack.calls_to("apps.connections.open")


async def test_check_reports_a_rejected_app_token(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    result = await run_cli(
        "check",
        cwd=tmp_path,
        **slack_env(fake_slack, SLACK_APP_TOKEN="xapp-1-revoked", DATABASE_URL=database_url),
    )
    assert result.returncode == 1
    assert result.stdout.strip().splitlines()[-1] == (
        "FAIL socket mode: apps.connections.open failed: the token was rejected; check "
        "SLACK_APP_TOKEN (an xapp- token with connections:write)"
    )
    assert "ok   slack: connected" in result.stdout
    assert "Traceback" not in result.stderr


async def test_serve_names_every_missing_setting_in_its_one_line(tmp_path: Path) -> None:
    result = await run_cli("serve", cwd=tmp_path, PEERCOACH_PORT="0")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    for variable in ("PEERCOACH_PORT", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        assert variable in line
