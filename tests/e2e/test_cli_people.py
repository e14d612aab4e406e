"""`peercoach people import` as an admin runs it, against the fake Slack and a real database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.fakes import FakeSlack
from storage.models import DirectoryEntry
from storage.session import create_sessionmaker
from tests.e2e.test_cli import run_cli, slack_env

FILE = (
    "email,function,level,manager_email\n"
    "alice@acme.example.com,Engineering,3,\n"
    "bob@acme.example.com,Sales,2,alice@acme.example.com\n"
)


async def test_import_then_a_bad_file(
    migrated_engine: AsyncEngine, database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(FILE)
    env = slack_env(fake_slack, DATABASE_URL=database_url)

    done = await run_cli("people", "import", str(people), "--team", "T0PEERCO", cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Imported: 2 rows checked; 2 were added")
    async with create_sessionmaker(migrated_engine)() as session:
        rows = {
            e.slack_user_id: e.manager_slack_id
            for e in await session.scalars(select(DirectoryEntry))
        }
    assert rows == {"U0ALICE": None, "U0BOB": "U0ALICE"}

    people.write_text("email;function\nalice@acme.example.com;Engineering\n")
    bad = await run_cli("people", "import", str(people), cwd=tmp_path, **env)
    assert bad.returncode == 1
    assert "separated by ';', not commas" in bad.stderr
    assert "nothing was imported" in bad.stderr
    assert "Traceback" not in bad.stderr


async def test_the_file_is_checked_before_any_setting_is_needed(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("email;function\nalice@acme.example.com;Engineering\n")
    bad = await run_cli("people", "import", str(people), cwd=tmp_path)
    assert bad.returncode == 1
    assert "separated by ';', not commas" in bad.stderr
    assert "configuration error" not in bad.stderr

    # A good file needs the bot token only: nothing here receives Slack's events.
    people.write_text(FILE)
    unset = await run_cli("people", "import", str(people), cwd=tmp_path)
    assert unset.returncode == 2
    assert unset.stderr.strip().splitlines() == [
        "peercoach: configuration error: SLACK_BOT_TOKEN is not set; it should be a bot token "
        "starting with xoxb-"
    ]
