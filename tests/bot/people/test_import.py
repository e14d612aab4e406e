"""The HR import against the fake Slack's users.lookupByEmail, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.fakes import FakeSlack
from bot.people.hr_file import HrFileError
from bot.people.importer import import_people
from bot.people.lookup import Pacer, lookup_email
from storage.models import DirectoryEntry, Person
from storage.repositories.directory import DirectoryRepository
from storage.session import create_sessionmaker

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TEAM = "T0PEERCO"

FILE = (
    "email,function,level,title,time_zone,manager_email,department\n"
    "carol@acme.example.com,General management,6,Head,Europe/Berlin,,Ops\n"
    "alice@acme.example.com,Engineering,3,Engineer,Europe/London,carol@acme.example.com,Eng\n"
    "bob@acme.example.com,Sales,2,Rep,America/New_York,alice@acme.example.com,Sales\n"
)


async def _no_wait(_seconds: float) -> None:
    return None


def _pacer() -> Pacer:
    return Pacer(sleep=_no_wait)


@pytest.fixture
async def slack(fake_slack: FakeSlack) -> FakeSlack:
    fake_slack.add_user("U0CAROL", name="carol", real_name="Carol Chen")
    return fake_slack


async def _run(
    engine: AsyncEngine, slack: FakeSlack, text: str, *, dry_run: bool = False
) -> list[str]:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    report = await import_people(
        create_sessionmaker(engine),
        client,
        team_id=TEAM,
        team_name="Acme",
        data=text.encode(),
        now=NOW,
        dry_run=dry_run,
        pacer=_pacer(),
    )
    return report.lines()


async def _entries(engine: AsyncEngine) -> dict[str, DirectoryEntry]:
    async with create_sessionmaker(engine)() as session:
        return {e.slack_user_id: e for e in await DirectoryRepository(session).all(TEAM)}


async def test_import_finds_people_by_email_and_enrols_nobody(
    migrated_engine: AsyncEngine, slack: FakeSlack
) -> None:
    lines = await _run(migrated_engine, slack, FILE)
    assert lines[0].startswith("Imported: 3 rows checked; 3 were added, 0 were updated")
    entries = await _entries(migrated_engine)
    assert entries["U0BOB"].manager_slack_id == "U0ALICE"
    assert entries["U0ALICE"].manager_slack_id == "U0CAROL"
    assert entries["U0CAROL"].manager_slack_id is None
    assert entries["U0ALICE"].function == "engineering"
    assert entries["U0ALICE"].level == 3
    assert len(slack.calls_to("users.lookupByEmail")) == 3
    async with create_sessionmaker(migrated_engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0


async def test_reimport_says_what_changed_and_removes_who_left(
    migrated_engine: AsyncEngine, slack: FakeSlack
) -> None:
    await _run(migrated_engine, slack, FILE)
    second = (
        "email,function,level,title,time_zone,manager_email,department\n"
        "carol@acme.example.com,General management,6,Head,Europe/Berlin,,Ops\n"
        "alice@acme.example.com,Engineering,4,Lead,Europe/London,carol@acme.example.com,Eng\n"
    )
    lines = await _run(migrated_engine, slack, second)
    assert lines == [
        "Imported: 2 rows checked; 0 were added, 1 were updated, 1 unchanged, 1 were removed "
        "(no longer in the file).",
        "  U0ALICE: level, title",
    ]
    entries = await _entries(migrated_engine)
    assert set(entries) == {"U0ALICE", "U0CAROL"}
    assert entries["U0ALICE"].level == 4


async def test_dry_run_reports_and_writes_nothing(
    migrated_engine: AsyncEngine, slack: FakeSlack
) -> None:
    lines = await _run(migrated_engine, slack, FILE, dry_run=True)
    assert lines[0].startswith("Dry run, nothing written: 3 rows checked; 3 would be added")
    assert await _entries(migrated_engine) == {}


async def test_a_bad_file_imports_nothing_and_names_every_row(
    migrated_engine: AsyncEngine, slack: FakeSlack
) -> None:
    await _run(migrated_engine, slack, FILE)
    bad = FILE.replace("Engineering,3", "Engineering,4") + "zed@acme.example.com,Sales,2,,,,\n"
    with pytest.raises(HrFileError) as caught:
        await _run(migrated_engine, slack, bad)
    assert caught.value.problems == (
        "row 5: nobody in this Slack workspace has the email 'zed@acme.example.com'",
    )
    # The first import stands untouched: nothing of the refused file was written.
    assert (await _entries(migrated_engine))["U0ALICE"].level == 3


async def test_lookups_wait_out_slacks_rate_limit(
    migrated_engine: AsyncEngine, slack: FakeSlack
) -> None:
    slack.script("users.lookupByEmail", status=429, retry_after=1)
    lines = await _run(migrated_engine, slack, FILE)
    assert lines[0].startswith("Imported: 3 rows checked; 3 were added")
    assert len(slack.calls_to("users.lookupByEmail")) == 4


async def test_a_429_is_waited_out_for_as_long_as_slack_says(fake_slack: FakeSlack) -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    fake_slack.script("users.lookupByEmail", status=429, retry_after=7)
    client = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)
    found = await lookup_email(client, "alice@acme.example.com", Pacer(sleep=record))
    assert found is not None
    assert found.user_id == "U0ALICE"
    assert 7.0 in waits
