"""Admin commands: who may use them, the settings modal, and the match preview."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain import MembershipRole, ProgrammeMode
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.modal_state import option_for, with_values
from bot.matching.model import Criterion, LeftOutReason
from bot.programmes.settings_form import (
    ACTION_WEIGHT,
    BLOCK_CIRCLE_SIZE,
    BLOCK_MIN_AGGREGATE,
    WEIGHT_BLOCKS,
)
from bot.programmes.settings_form import CALLBACK_ID as SETTINGS_CALLBACK_ID
from bot.slack.blocks.home import ACTION_ADMIN_SETTINGS
from bot.slack.blocks.programmes import ACTION_LEAVE_PROGRAMME
from storage.models import ProgrammeRow, WorkspaceSettings
from tests.e2e.driver import Coach, all_text
from tests.fixtures.app import SIGNING_SECRET, make_settings, running_server

ALICE, BOB = "U0ALICE", "U0BOB"
ADMIN, OWNER, LISTED = "U0ADMIN", "U0OWNER", "U0LISTED"


@pytest.fixture
async def admin_coach(fake_slack: FakeSlack, database_url: str) -> AsyncIterator[Coach]:
    fake_slack.add_user(ADMIN, name="ada", is_admin=True)
    fake_slack.add_user(OWNER, name="olu", is_owner=True)
    fake_slack.add_user(LISTED, name="lee")
    settings = make_settings(fake_slack, database_url, PEERCOACH_ADMINS=LISTED)
    async with running_server(settings) as server:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as sender:
            yield Coach(sender, fake_slack, server)


async def _settings_row(coach: Coach) -> WorkspaceSettings | None:
    async with coach.sessions() as session:
        return await session.get(WorkspaceSettings, coach.slack.team_id)


@pytest.mark.parametrize(
    "command", ["admin settings", "admin match preview", "admin round now", "admin digest"]
)
async def test_non_admins_are_politely_refused(admin_coach: Coach, command: str) -> None:
    answer = await admin_coach.ask(command, ALICE)
    assert "admin" in all_text(answer).lower()
    assert not admin_coach.fake.calls_to("views.open")
    assert await _settings_row(admin_coach) is None


@pytest.mark.parametrize("user", [ADMIN, OWNER, LISTED])
async def test_admins_owners_and_listed_people_open_settings(admin_coach: Coach, user: str) -> None:
    mark = len(admin_coach.fake.calls)
    await admin_coach.command("admin settings", user)
    view = await admin_coach.opened_view(user, SETTINGS_CALLBACK_ID, after=mark)
    assert view["title"]["text"] == "Matching settings"


async def test_settings_are_validated_inline_then_saved(admin_coach: Coach) -> None:
    mark = len(admin_coach.fake.calls)
    await admin_coach.command("admin settings", ADMIN)
    view = await admin_coach.opened_view(ADMIN, SETTINGS_CALLBACK_ID, after=mark)

    zero = {block: {"value": "0"} for block in WEIGHT_BLOCKS.values()}
    bad = with_values(view, {**zero, BLOCK_MIN_AGGREGATE: {"value": "2"}})
    sent = await admin_coach.submit(SETTINGS_CALLBACK_ID, view, bad, ADMIN)
    assert sent.json["response_action"] == "errors"
    assert BLOCK_MIN_AGGREGATE in sent.json["errors"]
    assert await _settings_row(admin_coach) is None

    good = with_values(
        view,
        {
            BLOCK_CIRCLE_SIZE: {"selected_option": option_for(view, BLOCK_CIRCLE_SIZE, "5")},
            WEIGHT_BLOCKS[Criterion.GOALS]: {"value": "2.5"},
        },
    )
    assert ACTION_WEIGHT in next(iter(good[WEIGHT_BLOCKS[Criterion.GOALS]]))
    mark = len(admin_coach.fake.calls)
    sent = await admin_coach.submit(SETTINGS_CALLBACK_ID, view, good, ADMIN)
    # Acked with a "saving…" view; the admin check and the save come after, then the result.
    assert sent.json["response_action"] == "update"
    result = await admin_coach.updated_view(view["id"], mark)
    assert "saved" in all_text(result).lower()
    row = await _settings_row(admin_coach)
    assert row is not None
    assert row.circle_size == 5
    assert row.weight_goals == 2.5
    assert row.min_aggregate_size == 5
    dm = await admin_coach.dm_after(ADMIN, mark)
    assert "saved" in all_text(dm).lower()


async def test_settings_submitted_by_a_non_admin_are_refused(admin_coach: Coach) -> None:
    mark = len(admin_coach.fake.calls)
    await admin_coach.command("admin settings", ADMIN)
    view = await admin_coach.opened_view(ADMIN, SETTINGS_CALLBACK_ID, after=mark)
    mark = len(admin_coach.fake.calls)
    sent = await admin_coach.submit(SETTINGS_CALLBACK_ID, view, with_values(view, {}), ALICE)
    # The admin check needs users.info, so it comes after the ack: the modal then says no.
    assert sent.json["response_action"] == "update"
    result = await admin_coach.updated_view(view["id"], mark)
    assert "nothing was changed" in all_text(result).lower()
    assert await _settings_row(admin_coach) is None


async def test_home_shows_the_admin_section_only_to_admins(admin_coach: Coach) -> None:
    for user, expected in ((ADMIN, True), (ALICE, False)):
        mark = len(admin_coach.fake.calls)
        await admin_coach.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
        home = await admin_coach.home_after(user, mark)
        assert (ACTION_ADMIN_SETTINGS in str(home)) is expected


async def test_match_preview_summarises_the_next_round(admin_coach: Coach) -> None:
    await admin_coach.enrol(ALICE, function="engineering", level="3")
    await admin_coach.enrol(BOB, function="design", level="3", time_zone="Europe/Paris")
    answer = await admin_coach.ask("admin match preview", ADMIN)
    text = all_text(answer)
    assert "preview" in text.lower()
    assert "alice" in text.lower()
    assert "bob" in text.lower()
    # A preview sends nothing to anyone.
    assert not admin_coach.fake.calls_to("conversations.open")


async def test_match_preview_lists_people_left_out_with_a_reason(admin_coach: Coach) -> None:
    await admin_coach.enrol(ALICE)
    answer = await admin_coach.ask("admin match preview", ADMIN)
    text = all_text(answer).lower()
    assert "alice" in text
    # Alone in the programme, she cannot be placed, and the preview says why.
    assert LeftOutReason.TOO_FEW_PEOPLE.value.replace("_", " ") in text


async def _after_empty_ack(coach: Coach, text: str, user: str) -> dict[str, Any]:
    """The answer to a command whose ack must be empty (it needs Slack or the database)."""
    sent = await coach.command(text, user)
    assert not sent.body, sent.body
    url = sent.payload["response_url"]
    response = await coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    return dict(response.json)


@pytest.mark.parametrize("user", [ADMIN, OWNER, LISTED])
async def test_admin_alone_lists_the_admin_commands(admin_coach: Coach, user: str) -> None:
    answer = await _after_empty_ack(admin_coach, "admin", user)
    text = all_text(answer)
    assert "/peercoach admin settings" in text
    assert "/peercoach admin match preview" in text
    assert "/peercoach admin digest" in text
    assert "/peercoach admin export" in text
    # Every admin command is built: none is listed as coming.
    assert "Not built yet" not in text
    assert "/peercoach find" not in text


async def test_admin_alone_politely_refuses_a_member(admin_coach: Coach) -> None:
    answer = await _after_empty_ack(admin_coach, "admin", ALICE)
    text = all_text(answer)
    assert "admin" in text.lower()
    assert "/peercoach admin settings" not in text


async def _help_and_follow_up(coach: Coach, user: str) -> tuple[str, str]:
    """The help in the ack, and the admin commands that follow it (empty if none do)."""
    mark = len(coach.fake.responses)
    sent = await coach.command("help", user)
    await coach.server.inflight.drain(10)  # users.info and any follow-up have happened
    url = sent.payload["response_url"]
    follow_up = [r.json for r in coach.fake.responses[mark:] if r.url == url]
    return all_text(sent.json), "\n".join(all_text(message) for message in follow_up)


@pytest.mark.parametrize(("user", "admin"), [(ADMIN, True), (OWNER, True), (ALICE, False)])
async def test_help_answers_at_once_and_admins_get_their_commands_after(
    admin_coach: Coach, user: str, admin: bool
) -> None:
    help_text, follow_up = await _help_and_follow_up(admin_coach, user)
    assert "/peercoach find" in help_text
    assert "/peercoach checkin" in help_text
    # Every member command is built, so nothing is listed as coming.
    assert "Coming soon" not in help_text
    # Whether someone is a workspace admin needs Slack, so it never shapes the ack.
    assert "/peercoach admin settings" not in help_text
    assert ("/peercoach admin settings" in follow_up) is admin
    assert ("/peercoach admin round now" in follow_up) is admin
    assert ("/peercoach admin digest" in follow_up) is admin
    assert admin_coach.fake.calls_to("users.info")


async def test_a_listed_admin_gets_the_whole_help_in_the_ack_without_a_call_to_slack(
    admin_coach: Coach,
) -> None:
    help_text, follow_up = await _help_and_follow_up(admin_coach, LISTED)
    assert "/peercoach find" in help_text
    assert "/peercoach admin settings" in help_text
    assert not follow_up
    assert not admin_coach.fake.calls_to("users.info")


async def test_help_is_acked_before_slack_answers_who_is_an_admin(admin_coach: Coach) -> None:
    admin_coach.fake.script("users.info", delay=1.5)
    sent = await admin_coach.command("help", ADMIN)
    assert "/peercoach find" in all_text(sent.json)
    # The ack came back while users.info was still unanswered: an ordering, not a speed.
    assert not any(call.answered for call in admin_coach.fake.calls_to("users.info"))
    url = sent.payload["response_url"]
    response = await admin_coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    assert "/peercoach admin settings" in all_text(response.json)


async def test_help_stands_alone_when_slack_cannot_say_who_is_an_admin(
    admin_coach: Coach,
) -> None:
    admin_coach.fake.script("users.info", status=500, times=5)
    help_text, follow_up = await _help_and_follow_up(admin_coach, ADMIN)
    assert "/peercoach find" in help_text
    assert not follow_up


async def test_match_preview_reads_as_a_report_to_an_admin(admin_coach: Coach) -> None:
    await admin_coach.enrol(ALICE, function="engineering", level="3")
    await admin_coach.enrol(BOB, function="design", level="3", time_zone="Europe/Paris")
    answer = await admin_coach.ask("admin match preview", ADMIN)
    sections = [b["text"]["text"] for b in answer["blocks"] if b["type"] in ("section", "header")]
    contexts = [
        e["text"] for b in answer["blocks"] if b["type"] == "context" for e in b["elements"]
    ]
    body = "\n".join(sections + contexts)
    assert not re.search(r"\b(you|your)\b", body, re.IGNORECASE)
    assert re.search(r"\(score \d+\.\d out of 5\)", body)
    assert "seed" not in "\n".join(sections)
    [replay] = [c for c in contexts if "--seed" in c]
    team = admin_coach.fake.team_id
    assert re.search(rf"peercoach match --dry-run --team {team} --mode pairs --seed \d+ ", replay)


def _preview_sections(answer: dict[str, Any]) -> dict[str, str]:
    """The preview's text per mode: each programme's section ends with its replay command."""
    sections: dict[str, str] = {}
    current: list[str] = []
    for block in answer["blocks"]:
        if block["type"] == "divider":
            current = []
        elif block["type"] == "section":
            current.append(block["text"]["text"])
        elif block["type"] == "context" and current:
            [element] = block["elements"]
            mode = re.search(r"--mode (\w+)", element["text"])
            if mode is not None:
                sections[mode.group(1)] = "\n".join(current)
    return sections


async def test_match_preview_counts_each_mode_from_its_programme_members(
    admin_coach: Coach,
) -> None:
    carol, dan, eve = "U0CAROL", "U0DAN", "U0EVE"
    for user, name in [(carol, "carol"), (dan, "dan"), (eve, "eve")]:
        admin_coach.fake.add_user(user, name=name)
    await admin_coach.enrol(ALICE, level="3")  # pairs
    await admin_coach.enrol(BOB, text="find circle", level="3")  # circles only
    await admin_coach.enrol(carol, level="3")  # pairs, and circles until she leaves them
    await admin_coach.ask("find circle", carol)
    await admin_coach.enrol(dan, level="2")  # pairs, and mentored
    await admin_coach.ask("find mentor", dan)
    await admin_coach.enrol(eve, level="6")  # pairs, and mentors
    await admin_coach.ask("mentor 2", eve)

    async with admin_coach.sessions() as session:
        circles = await session.scalar(
            select(ProgrammeRow.id).where(ProgrammeRow.mode == ProgrammeMode.CIRCLES)
        )
    assert await admin_coach.memberships(carol) == {
        (ProgrammeMode.PAIRS, MembershipRole.PARTICIPANT),
        (ProgrammeMode.CIRCLES, MembershipRole.PARTICIPANT),
    }
    await admin_coach.ask("leave", carol)
    sent = await admin_coach.slack.block_action(
        ACTION_LEAVE_PROGRAMME, user_id=carol, value=str(circles)
    )
    url = sent.payload["response_url"]
    await admin_coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    assert await admin_coach.memberships(carol) == {
        (ProgrammeMode.PAIRS, MembershipRole.PARTICIPANT)
    }

    answer = await admin_coach.ask("admin match preview", ADMIN)
    sections = {mode: text.lower() for mode, text in _preview_sections(answer).items()}
    assert set(sections) == {"pairs", "circles", "mentorship"}
    everyone = {"alice", "bob", "carol", "dan", "eve"}

    def named(section: str) -> set[str]:
        return {name for name in everyone if re.search(rf"\b{name}\b", section)}

    assert named(sections["pairs"]) == {"alice", "carol", "dan", "eve"}
    assert named(sections["circles"]) == {"bob"}
    assert named(sections["mentorship"]) == {"dan", "eve"}
