"""People data and eligibility through Slack: the DM import, refusals, HR prefill, deactivation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.domain import EnrolmentState, OutboxStatus
from bot.enrolment.profile_form import BLOCK_FUNCTION, BLOCK_LEVEL
from bot.enrolment.service import ensure_workspace
from bot.fakes import FakeSlack
from bot.outbox import Message, enqueue
from storage.models import DirectoryEntry, OutboxMessage
from storage.repositories.directory import EligibilityRepository
from tests.e2e.driver import Coach, all_text

ADMIN, ALICE, BOB, GUEST = "U0ADMIN", "U0ALICE", "U0BOB", "U0GUEST"
NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)

GOOD = (
    "email,function,level,manager_email\n"
    "ada@acme.example.com,General management,6,\n"
    "alice@acme.example.com,Engineering,4,ada@acme.example.com\n"
)


def _share(fake: FakeSlack, user: str, name: str, content: bytes) -> dict[str, Any]:
    shared = fake.share_file_with_bot(user, name, content)
    return {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "channel": fake.im_channel_id(user),
        "user": user,
        "text": "",
        "files": [{"id": shared["id"]}],
    }


async def _answer(coach: Coach, user: str, containing: str) -> str:
    channel = coach.fake.im_channel_id(user)
    call = await coach.fake.wait_for_call(
        "chat.postMessage",
        predicate=lambda c: (
            c.args.get("channel") == channel and containing in str(c.args.get("text"))
        ),
    )
    return str(call.args["text"])


async def test_an_admin_imports_by_sharing_a_csv_with_the_bot(coach: Coach) -> None:
    fake = coach.fake
    fake.add_user(ADMIN, name="ada", is_admin=True)
    bad = _share(fake, ADMIN, "people.csv", b"email;level\nalice@acme.example.com;3\n")
    assert (await coach.slack.event(bad)).status == 200
    problems = await _answer(coach, ADMIN, "didn't import anything")
    assert "separated by ';', not commas" in problems

    good = _share(fake, ADMIN, "people v2.csv", GOOD.encode())
    assert (await coach.slack.event(good)).status == 200
    done = await _answer(coach, ADMIN, "Imported")
    assert "2 were added" in done
    assert "didn't keep a copy" in done
    async with coach.sessions() as session:
        entries = {e.slack_user_id: e for e in await session.scalars(select(DirectoryEntry))}
    assert entries[ALICE].manager_slack_id == ADMIN
    assert entries[ALICE].level == 4
    assert len(fake.file_downloads) == 2


async def test_a_member_who_shares_a_file_is_refused_and_it_is_not_read(coach: Coach) -> None:
    event = _share(coach.fake, ALICE, "people.csv", GOOD.encode())
    assert (await coach.slack.event(event)).status == 200
    refusal = await _answer(coach, ALICE, "Only workspace admins")
    assert "haven't read it" in refusal
    assert coach.fake.file_downloads == []
    assert coach.fake.calls_to("files.info") == []


async def test_people_the_settings_keep_out_are_told_kindly_and_never_joined(
    coach: Coach,
) -> None:
    fake = coach.fake
    fake.add_user(GUEST, name="gus", is_restricted=True)
    fake.add_usergroup("S0EXEC", [BOB])
    async with coach.sessions() as session:
        await ensure_workspace(session, fake.team_id, "Acme", now=NOW)
        await EligibilityRepository(session).save(
            fake.team_id, {"excluded_user_ids": [ALICE], "excluded_usergroup_id": "S0EXEC"}
        )
        await session.commit()
    for user, words in ((ALICE, "doesn't take part"), (BOB, "doesn't take part"), (GUEST, "guest")):
        answer = all_text(await coach.ask("find", user))
        assert words in answer, (user, answer)
        assert await coach.person(user) is None
    assert coach.fake.calls_to("views.open") == []


async def test_hr_data_prefills_the_profile_and_says_so(coach: Coach) -> None:
    async with coach.sessions() as session:
        await ensure_workspace(session, coach.fake.team_id, "Acme", now=NOW)
        session.add(
            DirectoryEntry(
                team_id=coach.fake.team_id, slack_user_id=ALICE, function="design", level=5
            )
        )
        await session.commit()
    view = await coach.open_profile("find", ALICE)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[BLOCK_FUNCTION]["element"]["initial_option"]["value"] == "design"
    assert blocks[BLOCK_LEVEL]["element"]["initial_option"]["value"] == "5"
    assert "From HR" in blocks[BLOCK_FUNCTION]["hint"]["text"]


async def test_a_deactivated_account_leaves_peercoach(coach: Coach) -> None:
    await coach.enrol(ALICE)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED
    event = {"type": "user_change", "user": {"id": ALICE, "deleted": True}}
    assert (await coach.slack.event(event)).status == 200
    await coach.server.inflight.drain(10)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.LEFT


async def test_an_admin_changes_eligibility_with_a_command(coach: Coach) -> None:
    coach.fake.add_user(ADMIN, name="ada", is_admin=True)
    answer = all_text(await coach.ask("admin eligibility exclude <@U0BOB|bob>", ADMIN))
    assert "Saved." in answer
    assert "<@U0BOB>" in answer
    refused = all_text(await coach.ask("find", BOB))
    assert "doesn't take part" in refused
    member = all_text(await coach.ask("admin eligibility guests allow", ALICE))
    assert "Saved." not in member


async def test_the_preview_counts_pairs_kept_apart_without_naming_them(coach: Coach) -> None:
    coach.fake.add_user(ADMIN, name="ada", is_admin=True)
    await coach.enrol(ALICE)
    await coach.enrol(BOB)
    async with coach.sessions() as session:
        session.add_all(
            [
                DirectoryEntry(
                    team_id=coach.fake.team_id, slack_user_id=user, manager_slack_id="U0BOSS"
                )
                for user in (ALICE, BOB)
            ]
        )
        await session.commit()
    answer = all_text(await coach.ask("admin match preview", ADMIN))
    assert "Reporting lines kept 1 pair apart." in answer
    assert "U0BOSS" not in answer


async def test_the_bots_own_file_in_a_dm_is_not_an_import(coach: Coach) -> None:
    fake = coach.fake
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "channel": fake.im_channel_id(ALICE),
        "user": fake.bot_user_id,
        "files": [{"id": "F0EXPORT"}],
    }
    assert (await coach.slack.event(event)).status == 200
    await coach.server.inflight.drain(10)
    assert fake.calls_to("files.info") == []
    assert fake.calls_to("chat.postMessage") == []


async def test_an_invitation_skips_people_the_settings_exclude(coach: Coach) -> None:
    fake = coach.fake
    fake.add_user(ADMIN, name="ada", is_admin=True)
    fake.add_channel("C0ENG", name="engineering", members=[ALICE, BOB])
    await coach.ask("admin eligibility exclude <@U0BOB>", ADMIN)
    answer = all_text(await coach.ask("admin invite <#C0ENG|engineering>", ADMIN))
    assert "1 excluded by the eligibility settings" in answer
    async with coach.sessions() as session:
        keys = list(await session.scalars(select(OutboxMessage.key)))
    assert [k.rsplit(":", 1)[1] for k in keys if k.startswith("invite:")] == [ALICE]


async def _hr_only(coach: Coach, user: str) -> None:
    """An HR entry for `user`, who never joined, and one for someone reporting to them."""
    async with coach.sessions() as session:
        await ensure_workspace(session, coach.fake.team_id, "Acme", now=NOW)
        session.add_all(
            [
                DirectoryEntry(
                    team_id=coach.fake.team_id,
                    slack_user_id=user,
                    function="design",
                    level=5,
                    manager_slack_id="U0BOSS",
                ),
                DirectoryEntry(
                    team_id=coach.fake.team_id, slack_user_id=BOB, manager_slack_id=user
                ),
            ]
        )
        await session.commit()


async def test_someone_who_never_joined_exports_their_hr_entry(coach: Coach) -> None:
    await _hr_only(coach, ALICE)
    answer = all_text(await coach.ask("export", ALICE))
    assert "nothing" not in answer.lower()
    (upload,) = coach.fake.uploaded_files
    assert coach.fake.im_channel_id(ALICE) in upload.channels
    document = json.loads(upload.content.decode())
    assert document["person"] is None
    assert document["hr_directory"]["level"] == 5
    assert document["hr_directory"]["manager"] == "U0BOSS"
    assert document["matches"] == []


async def test_forget_deletes_the_hr_entry_of_someone_who_never_joined(coach: Coach) -> None:
    await _hr_only(coach, ALICE)
    answer = all_text(await coach.ask("forget", ALICE))
    assert "deleted that entry" in answer
    async with coach.sessions() as session:
        entries = {e.slack_user_id: e for e in await session.scalars(select(DirectoryEntry))}
    assert ALICE not in entries
    # Their reports now report to the manager above, so no row keeps Alice's id.
    assert entries[BOB].manager_slack_id == "U0BOSS"
    again = all_text(await coach.ask("forget", ALICE))
    assert "holds nothing about you" in again


async def _invited(coach: Coach) -> list[str]:
    async with coach.sessions() as session:
        keys = await session.scalars(
            select(OutboxMessage.key).where(OutboxMessage.kind == "invite")
        )
        return sorted(k.rsplit(":", 1)[1] for k in keys)


async def test_invitations_follow_every_eligibility_setting(coach: Coach) -> None:
    fake = coach.fake
    fake.add_user(ADMIN, name="ada", is_admin=True)
    fake.add_user(GUEST, name="gus", is_restricted=True)
    fake.add_user("U0GUEST2", name="sol", is_ultra_restricted=True)
    fake.add_user("U0EXEC", name="eve")
    fake.add_usergroup("S0EXEC", ["U0EXEC"])
    fake.add_channel("C0ENG", name="engineering", members=[ALICE, BOB, GUEST, "U0GUEST2", "U0EXEC"])
    await coach.ask("admin eligibility exclude <@U0BOB>", ADMIN)
    await coach.ask("admin eligibility group <!subteam^S0EXEC|execs>", ADMIN)
    answer = all_text(await coach.ask("admin invite <#C0ENG|engineering>", ADMIN))
    assert "2 excluded by the eligibility settings" in answer
    assert await _invited(coach) == [ALICE]  # guests are excluded by default

    await coach.ask("admin eligibility guests allow", ADMIN)
    await coach.ask("admin invite <#C0ENG|engineering>", ADMIN)
    assert await _invited(coach) == sorted([ALICE, GUEST, "U0GUEST2"])


async def test_excluding_someone_withdraws_the_invitation_not_yet_sent(coach: Coach) -> None:
    fake = coach.fake
    fake.add_user(ADMIN, name="ada", is_admin=True)
    fake.add_user("U0EXEC", name="eve")
    fake.add_usergroup("S0EXEC", ["U0EXEC"])
    async with coach.sessions() as session:
        await ensure_workspace(session, fake.team_id, "Acme", now=NOW)
        for user in (ALICE, BOB, "U0EXEC"):
            # Queued for later (the dispatcher paces invitations), so still waiting to go.
            message = Message(
                team_id=fake.team_id,
                key=f"invite:1:{user}",
                kind="invite",
                text="Join?",
                due_at=datetime(2100, 1, 4, 9, tzinfo=UTC),
                open_users=[user],
            )
            assert await enqueue(session, message, now=NOW)
        await session.commit()
    await coach.ask("admin eligibility exclude <@U0BOB>", ADMIN)
    await coach.ask("admin eligibility group <!subteam^S0EXEC|execs>", ADMIN)
    async with coach.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invite"))
        status = {row.key.rsplit(":", 1)[1]: row.status for row in rows}
    assert status == {
        ALICE: OutboxStatus.PENDING,
        BOB: OutboxStatus.CANCELLED,
        "U0EXEC": OutboxStatus.CANCELLED,
    }
