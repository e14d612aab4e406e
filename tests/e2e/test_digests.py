"""Admin digests through Slack and back: the scheduled digest with its chart, `admin digest`
on demand, a channel the app is not in, the Nudge and Retry buttons, `admin export`, and every
admin command and button tried by a member, who sees a refusal and no figure.

Rounds, groups and check-ins are written straight to the database; the server's own tick and
outbox dispatcher run on its simulated clock and deliver to the fake Slack over HTTP."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update

from bot.commands.catalogue import CATALOGUE, Audience
from bot.domain import GoalStatus, OutboxStatus, StepDone
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.openai import FakeOpenAI, Reply
from bot.fakes.requests import SentRequest
from bot.process.clock import SimulatedClock
from bot.process.config import Settings
from bot.process.runtime import Server
from bot.programmes import form as programme_form
from bot.slack.blocks import digest as blocks
from bot.slack.blocks.home import ACTION_ADMIN_PROGRAMMES, ACTION_ADMIN_SETTINGS
from bot.slack.blocks.programmes import ACTION_ROUND_NOW_CONFIRM
from bot.slack.copy import digests as copy
from scheduling.tick import run_tick
from storage.models import CheckIn, MatchGroup, OutboxMessage, Person, ProgrammeRow, Round
from storage.session import create_sessionmaker
from tests.bot.groups.factory import World, monday
from tests.e2e.driver import ACK_LIMIT_SECONDS, Coach, all_text
from tests.fixtures.app import SIGNING_SECRET, make_settings

pytestmark = pytest.mark.timeout(120)

# Monday 2 November 2026, 09:00 UTC.
START = datetime(2026, 11, 2, 9, tzinfo=UTC)
WEEK = timedelta(days=7)
ADMIN, MEMBER = "U0ADA", "U0MEMBER"
CHANNEL, CLOSED = "C0DIGEST", "C0CLOSED"
PEOPLE = ("U0AMY", "U0BEN", "U0CAT", "U0DAN", "U0EVE", "U0FAY")
# What people wrote: none of it may reach an admin.
PRIVATE = ("my manager ignores me", "finish the OKR draft", "talk to Sam about salary")


@dataclass
class Setup:
    coach: Coach
    world: World
    clock: SimulatedClock
    server: Server
    people: dict[str, Person]

    async def tick(self) -> None:
        await run_tick(self.server.job_context_id)

    async def delivered(self) -> None:
        """Run the tick, then let the dispatcher send everything due."""
        await self.tick()
        await self.server.dispatcher.dispatch_once()

    async def press(self, action_id: str, user: str, value: str, **where: Any) -> SentRequest:
        payload = self.coach.slack.block_action_payload(
            action_id, user_id=user, value=value, **where
        )
        body = urlencode({"payload": json.dumps(payload)})
        sent = await self.coach.slack.post_raw(body, "application/x-www-form-urlencoded")
        assert sent.status == 200, sent.body
        assert sent.elapsed < ACK_LIMIT_SECONDS
        sent.payload = payload
        return sent


@asynccontextmanager
async def _running(
    fake_slack: FakeSlack, database_url: str, **overrides: Any
) -> AsyncIterator[Setup]:
    fake_slack.add_user(ADMIN, name="ada", is_admin=True)
    fake_slack.add_user(MEMBER, name="mo")
    for user in PEOPLE:
        fake_slack.add_user(user, name=user.lower())
    fake_slack.add_channel(CHANNEL, name="people-team")
    fake_slack.add_channel(CLOSED, name="closed-room", bot_is_member=False)
    for group_dm in ("G0QUIET1", "G0QUIET2"):
        fake_slack.add_channel(group_dm, name=group_dm.lower())
    settings: Settings = make_settings(fake_slack, database_url, **overrides)
    clock = SimulatedClock(START)
    server = Server(settings, host="127.0.0.1", port=0, clock=clock, run_dispatcher=False)
    await server.start()
    try:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as sender:
            sessions = create_sessionmaker(server.engine, clock=clock)
            world = await World(sessions, team_id=fake_slack.team_id).setup()
            people = {
                u: await world.person(u, function=("engineering", "design")[i % 2], level=3)
                for i, u in enumerate(PEOPLE)
            }
            yield Setup(Coach(sender, fake_slack, server), world, clock, server, people)
    finally:
        await server.stop()


@pytest.fixture
async def setup(fake_slack: FakeSlack, database_url: str) -> AsyncIterator[Setup]:
    async with _running(fake_slack, database_url) as running:
        yield running


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
async def llm_setup(
    fake_slack: FakeSlack, database_url: str, fake_openai: FakeOpenAI
) -> AsyncIterator[Setup]:
    overrides = {"OPENAI_API_KEY": fake_openai.api_key, "OPENAI_BASE_URL": fake_openai.base_url}
    async with _running(fake_slack, database_url, **overrides) as running:
        yield running


async def _seed_two_rounds(s: Setup, *, channel: str | None = CHANNEL) -> tuple[Round, Round]:
    """Two weekly rounds of three pairs. Round one: pair 1 met. Round two: pair 1 met by a
    check-in, the others did not; AMY and BEN were quiet both rounds (pair 2 then pair 2)."""
    p = s.people
    first = await s.world.round(START - timedelta(weeks=1))
    second = await s.world.round(START)
    await _met(s, await s.world.pair(first, p["U0CAT"], p["U0DAN"]))
    await s.world.pair(first, p["U0AMY"], p["U0BEN"], channel_id="G0QUIET1")
    await s.world.pair(first, p["U0EVE"], p["U0FAY"])
    await s.world.pair(second, p["U0CAT"], p["U0EVE"])
    await s.world.pair(second, p["U0AMY"], p["U0BEN"], channel_id="G0QUIET2")
    await s.world.pair(second, p["U0DAN"], p["U0FAY"])
    week = monday(START.date())
    for n, user in enumerate(("U0CAT", "U0EVE", "U0DAN", "U0AMY")):
        await _checkin(s, p[user], week, rating=5 - n % 2, met=user == "U0CAT", note=PRIVATE[n % 3])
    async with s.world.sessions() as session:
        await session.execute(
            update(ProgrammeRow)
            .where(ProgrammeRow.id == s.world.programme_id)
            .values(digest_channel_id=channel)
        )
        await session.execute(
            update(Round).where(Round.id == second.id).values(digest_due_at=second.ends_at)
        )
        await session.commit()
    return first, second


async def _met(s: Setup, group: Any) -> None:
    async with s.world.sessions() as session:
        await session.execute(
            update(type(group)).where(type(group).id == group.id).values(met_at=START)
        )
        await session.commit()


async def _checkin(
    s: Setup,
    person: Person,
    week: date,
    *,
    rating: int,
    met: bool,
    note: str,
    shared: bool = False,
) -> None:
    async with s.world.sessions() as session:
        session.add(
            CheckIn(
                team_id=s.world.team_id,
                person_id=person.id,
                week_start=week,
                rating=rating,
                goal_status=GoalStatus.ON_TRACK,
                goal_progress=4,
                met=met,
                note=note,
                note_shared=shared,
                step=PRIVATE[1],
                previous_step_done=StepDone.YES,
                sent_at=START,
                answered_at=START + timedelta(hours=1),
            )
        )
        await session.commit()


async def _failed_row(s: Setup, key: str, text: str, error: str) -> int:
    """A direct message the dispatcher gave up on, as App Home lists it."""
    async with s.world.sessions() as session:
        row = OutboxMessage(
            team_id=s.world.team_id,
            key=key,
            kind="dm",
            channel_id=CLOSED,
            text=text,
            status=OutboxStatus.FAILED,
            due_at=START,
            next_attempt_at=START,
            attempts=8,
            last_error=f"chat.postMessage:{error}",
        )
        session.add(row)
        await session.commit()
        return row.id


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    raw = args["blocks"]
    return list(json.loads(raw) if isinstance(raw, str) else raw)


def _admin_output(fake: FakeSlack) -> str:
    """Everything the app posted to the digest channels, uploaded, or answered admins."""
    parts = [json.dumps(c.args) for c in fake.calls if c.method.startswith(("chat.", "files."))]
    parts += [json.dumps(r.json) for r in fake.responses]
    return "\n".join(parts)


async def test_the_scheduled_digest_and_its_chart_reach_the_channel(setup: Setup) -> None:
    s = setup
    _, second = await _seed_two_rounds(s)
    s.clock.set(second.ends_at + timedelta(minutes=1))
    await s.delivered()
    # The chart waits its turn behind the digest it replies to.
    s.clock.advance(timedelta(seconds=30))
    await s.server.dispatcher.dispatch_once()
    posts = [c for c in s.coach.fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]
    assert len(posts) == 1
    digest = posts[0].args
    words = all_text({"blocks": _blocks(digest)})
    assert "Meeting rate" in words
    assert "1 of 3" in words  # pair 1 of round two met, by a check-in
    completed = s.coach.fake.calls_to("files.completeUploadExternal")
    assert len(completed) == 1
    assert completed[0].args["channel_id"] == CHANNEL
    assert completed[0].args.get("thread_ts")
    uploaded = s.coach.fake.uploaded_files
    assert uploaded[0].content is not None
    assert uploaded[0].content.startswith(b"\x89PNG")
    # Once only: a second tick finds nothing due.
    await s.delivered()
    assert (
        len([c for c in s.coach.fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL])
        == 1
    )
    output = _admin_output(s.coach.fake)
    for private in PRIVATE:
        assert private not in output


async def test_a_closed_channel_sends_the_digest_to_admins_with_how_to_invite(
    setup: Setup,
) -> None:
    s = setup
    _, second = await _seed_two_rounds(s, channel=CLOSED)
    s.clock.set(second.ends_at + timedelta(minutes=1))
    await s.delivered()
    assert not [c for c in s.coach.fake.calls_to("chat.postMessage") if c.args["channel"] == CLOSED]
    im = s.coach.fake.im_channel_id(ADMIN)
    dm = (
        await s.coach.fake.wait_for_call(
            "chat.postMessage", predicate=lambda c: c.args.get("channel") == im
        )
    ).args
    assert "/invite @peercoach" in all_text(dm)
    assert "Meeting rate" in all_text(dm)


async def test_admin_digest_on_demand_and_refusals(setup: Setup) -> None:
    s = setup
    await _seed_two_rounds(s, channel=None)
    answer = await s.coach.ask(f"admin digest <#{CLOSED}|closed-room>", ADMIN)
    assert "/invite @peercoach" in all_text(answer)
    assert not await s.world.outbox("digest:")
    answer = await s.coach.ask("admin digest Nonexistent", ADMIN)
    assert "Programme pairs" in all_text(answer)
    answer = await s.coach.ask(f"admin digest <#{CHANNEL}|people-team>", ADMIN)
    assert f"<#{CHANNEL}>" in all_text(answer)
    rows = await s.world.outbox("digest:ask:")
    assert [r.kind for r in rows] == ["digest", "digest-chart"]
    assert rows[0].channel_id == CHANNEL
    answer = await s.coach.ask(f"admin digest <#{CHANNEL}|people-team>", MEMBER)
    assert "admin" in all_text(answer).lower()
    assert "Meeting rate" not in all_text(answer)
    assert len(await s.world.outbox("digest:ask:")) == 2


async def test_nudge_button_for_admins_only(setup: Setup) -> None:
    s = setup
    _, second = await _seed_two_rounds(s)
    s.clock.set(second.ends_at + timedelta(minutes=1))
    await s.delivered()
    post = next(
        c for c in s.coach.fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL
    )
    buttons = [
        e
        for b in _blocks(post.args)
        for e in ([b.get("accessory")] if b.get("accessory") else [])
        if e.get("action_id") == blocks.ACTION_DIGEST_NUDGE
    ]
    assert len(buttons) == 1  # AMY and BEN: quiet two rounds in a row
    value = buttons[0]["value"]
    refused = await s.press(blocks.ACTION_DIGEST_NUDGE, MEMBER, value, channel_id=CHANNEL)
    answer = await s.coach.fake.wait_for_response(
        predicate=lambda r: r.url == refused.payload["response_url"]
    )
    assert "admin" in all_text(answer.json).lower()
    assert not await s.world.outbox("digest-nudge:")
    sent = await s.press(blocks.ACTION_DIGEST_NUDGE, ADMIN, value, channel_id=CHANNEL)
    answer = await s.coach.fake.wait_for_response(
        predicate=lambda r: r.url == sent.payload["response_url"]
    )
    assert "U0AMY" in all_text(answer.json)
    nudges = await s.world.outbox("digest-nudge:")
    assert len(nudges) == 1
    assert nudges[0].channel_id == "G0QUIET2"
    again = await s.press(blocks.ACTION_DIGEST_NUDGE, ADMIN, value, channel_id=CHANNEL)
    answer = await s.coach.fake.wait_for_response(
        predicate=lambda r: r.url == again.payload["response_url"]
    )
    assert copy.NUDGE_ALREADY in all_text(answer.json)
    assert len(await s.world.outbox("digest-nudge:")) == 1


async def test_retry_button_on_app_home_for_admins_only(setup: Setup) -> None:
    s = setup
    await _seed_two_rounds(s, channel=CLOSED)
    row_id = await _failed_row(s, "dm:test-failed", "private words", "not_in_channel")
    mark = len(s.coach.fake.calls)
    await s.press(blocks.ACTION_OUTBOX_RETRY, MEMBER, str(row_id))
    dm = await s.coach.dm_after(MEMBER, mark)
    assert "admin" in all_text(dm).lower()
    assert (await s.world.reload(OutboxMessage, row_id)).status is OutboxStatus.FAILED
    mark = len(s.coach.fake.calls)
    await s.press(blocks.ACTION_OUTBOX_RETRY, ADMIN, str(row_id))
    home = await s.coach.home_after(ADMIN, mark)
    assert (await s.world.reload(OutboxMessage, row_id)).status is OutboxStatus.PENDING
    assert "private words" not in json.dumps(home)


async def test_admin_home_shows_each_programmes_figures_and_failed_messages(
    setup: Setup,
) -> None:
    s = setup
    await _seed_two_rounds(s)
    await _failed_row(s, "dm:home-failed", "someone's step", "channel_not_found")
    mark = len(s.coach.fake.calls)
    await s.coach.slack.event({"type": "app_home_opened", "user": ADMIN, "tab": "home"})
    home = await s.coach.home_after(ADMIN, mark, containing="How programmes are doing")
    words = json.dumps(home)
    assert "Programme pairs" in words
    assert "Meeting rate" in words
    assert blocks.ACTION_OUTBOX_RETRY in words
    assert "someone's step" not in words
    for private in PRIVATE:
        assert private not in words
    mark = len(s.coach.fake.calls)
    await s.coach.slack.event({"type": "app_home_opened", "user": MEMBER, "tab": "home"})
    home = await s.coach.home_after(MEMBER, mark)
    assert "How programmes are doing" not in json.dumps(home)
    assert blocks.ACTION_OUTBOX_RETRY not in json.dumps(home)


async def test_admin_export_sends_a_csv_of_round_figures(setup: Setup) -> None:
    s = setup
    await _seed_two_rounds(s)
    answer = await s.coach.ask("admin export", MEMBER)
    assert "admin" in all_text(answer).lower()
    assert not s.coach.fake.calls_to("files.getUploadURLExternal")
    answer = await s.coach.ask("admin export", ADMIN)
    assert "CSV" in all_text(answer)
    uploaded = s.coach.fake.uploaded_files
    assert len(uploaded) == 1
    rows = list(csv.DictReader(io.StringIO(uploaded[0].text)))
    assert [r["round_start"] for r in rows] == [
        (START - timedelta(weeks=1)).date().isoformat(),
        START.date().isoformat(),
    ]
    assert rows[1]["groups"] == "3"
    assert rows[1]["groups_met"] == "1"
    assert rows[0]["groups_met"] == "1"
    for private in PRIVATE:
        assert private not in uploaded[0].text


ADMIN_COMMANDS = [spec.name for spec in CATALOGUE if spec.audience is Audience.ADMIN]


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_every_admin_command_refuses_a_member(setup: Setup, command: str) -> None:
    s = setup
    await _seed_two_rounds(s)
    before = await s.coach.row_counts()
    mark = len(s.coach.fake.calls)
    answer = await s.coach.ask(command, MEMBER)
    words = all_text(answer)
    if command == "admin":
        # The list of admin commands: names only, no data.
        assert "Meeting rate" not in words
    else:
        assert "admin" in words.lower()
    assert "Meeting rate" not in words
    assert "%" not in words
    assert not [c for c in s.coach.fake.calls[mark:] if c.method in _WRITES]
    assert await s.coach.row_counts() == before


_WRITES = frozenset(
    {"views.open", "chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal"}
)


# Every button that only admins may use, with a value of the shape it carries.
ADMIN_BUTTONS = [
    (blocks.ACTION_DIGEST_NUDGE, "GROUP:ROUND"),
    (blocks.ACTION_OUTBOX_RETRY, "FAILED"),
    (ACTION_ADMIN_SETTINGS, ""),
    (ACTION_ADMIN_PROGRAMMES, ""),
    (ACTION_ROUND_NOW_CONFIRM, "PROGRAMME"),
    (programme_form.ACTION_NEW, ""),
    (programme_form.ACTION_EDIT, "PROGRAMME"),
]


@pytest.mark.parametrize(("action_id", "shape"), ADMIN_BUTTONS)
async def test_every_admin_button_refuses_a_member(
    setup: Setup, action_id: str, shape: str
) -> None:
    s = setup
    _, second = await _seed_two_rounds(s)
    failed_id = await _failed_row(s, "dm:auth-failed", "x", "not_in_channel")
    async with s.world.sessions() as session:
        group_id = await session.scalar(
            select(MatchGroup.id).where(MatchGroup.round_id == second.id).limit(1)
        )
    value = (
        shape.replace("GROUP", str(group_id))
        .replace("ROUND", str(second.id))
        .replace("FAILED", str(failed_id))
        .replace("PROGRAMME", str(s.world.programme_id))
    )
    before = await s.coach.row_counts()
    mark = len(s.coach.fake.calls)
    marked = len(s.coach.fake.responses)
    sent = await s.press(action_id, MEMBER, value, channel_id=CHANNEL)
    await s.server.inflight.drain(10)
    url = sent.payload["response_url"]
    answers = [r.json for r in s.coach.fake.responses[marked:] if r.url == url]
    dms = [
        c.args
        for c in s.coach.fake.calls[mark:]
        if c.method == "chat.postMessage" and c.args.get("channel") == MEMBER
    ]
    refusal = "\n".join(all_text(m) for m in [*answers, *dms])
    assert "admin" in refusal.lower(), action_id
    shown = json.dumps([*answers, *dms])
    assert "Meeting rate" not in shown
    assert "%" not in shown
    opened = {"views.open", "views.push", "views.update", "views.publish"}
    assert not [c for c in s.coach.fake.calls[mark:] if c.method in opened]
    after = await s.coach.row_counts()
    assert after == before
    assert (await s.world.reload(OutboxMessage, failed_id)).status is OutboxStatus.FAILED


async def _round_row(s: Setup, round_id: int) -> Round:
    return await s.world.reload(Round, round_id)


async def test_a_monthly_round_gets_a_digest_each_week_then_at_its_end_once_each(
    setup: Setup,
) -> None:
    s = setup
    length = timedelta(days=28)
    monthly = await s.world.round(START, length=length)
    await s.world.pair(monthly, s.people["U0AMY"], s.people["U0BEN"])
    async with s.world.sessions() as session:
        await session.execute(
            update(ProgrammeRow)
            .where(ProgrammeRow.id == s.world.programme_id)
            .values(digest_channel_id=CHANNEL)
        )
        await session.execute(
            update(Round).where(Round.id == monthly.id).values(digest_due_at=START + WEEK)
        )
        await session.commit()
    for week in range(1, 6):
        s.clock.set(START + week * WEEK + timedelta(minutes=1))
        # Two ticks at the same moment, as after a restart: one digest.
        await s.tick()
        await s.tick()
    # (The tick also runs the programme's own next rounds; only this round's digests count.)
    keys = [r.key for r in await s.world.outbox(f"digest:{monthly.id}:") if r.kind == "digest"]
    # Weeks 1, 2 and 3, then the end (day 28); day 21 is more than two days before the end.
    assert keys == [f"digest:{monthly.id}:{(START + n * WEEK):%Y%m%dT%H%M}" for n in (1, 2, 3)] + [
        f"digest:{monthly.id}:{(START + length):%Y%m%dT%H%M}"
    ]
    assert (await _round_row(s, monthly.id)).digest_due_at is None


async def test_no_channel_moves_on_and_slack_not_answering_keeps_it_due(setup: Setup) -> None:
    s = setup
    _, second = await _seed_two_rounds(s, channel=None)
    s.clock.set(second.ends_at + timedelta(minutes=1))
    await s.tick()
    assert not await s.world.outbox("digest:")
    assert (await _round_row(s, second.id)).digest_due_at is None
    # With a channel but Slack not answering whether the app is in it: nothing, still due.
    async with s.world.sessions() as session:
        await session.execute(
            update(ProgrammeRow)
            .where(ProgrammeRow.id == s.world.programme_id)
            .values(digest_channel_id=CHANNEL)
        )
        await session.execute(
            update(Round).where(Round.id == second.id).values(digest_due_at=second.ends_at)
        )
        await session.commit()
    s.coach.fake.script("conversations.info", error="internal_error")
    await s.tick()
    assert not await s.world.outbox("digest:")
    assert (await _round_row(s, second.id)).digest_due_at == second.ends_at
    await s.tick()  # Slack answers again
    assert [r.kind for r in await s.world.outbox("digest:")] == ["digest", "digest-chart"]


THEMES = (
    "Several people are learning to hand work over to others.\n"
    "Protecting time for focused work is a common struggle."
)


@pytest.mark.parametrize("sharers", [4, 5])
async def test_themes_come_only_from_five_people_sharing_and_name_nobody(
    llm_setup: Setup, fake_openai: FakeOpenAI, sharers: int
) -> None:
    s = llm_setup
    await _seed_two_rounds(s)
    week = monday(START.date())
    async with s.world.sessions() as session:
        # AMY's note stays private; the others' existing notes are shared.
        await session.execute(
            update(CheckIn)
            .where(CheckIn.person_id == s.people["U0AMY"].id)
            .values(note="amy keeps this to herself")
        )
        for user in ("U0CAT", "U0DAN", "U0EVE")[: sharers - 1]:
            await session.execute(
                update(CheckIn)
                .where(CheckIn.person_id == s.people[user].id)
                .values(note=f"u0amy helped {user.lower()} plan", note_shared=True)
            )
        await session.commit()
    for user in ("U0BEN", "U0FAY")[: max(0, sharers - 3)]:
        await _checkin(
            s, s.people[user], week, rating=4, met=False, note="u0amy listened well", shared=True
        )
    fake_openai.then(Reply(THEMES))
    await s.coach.ask(f"admin digest <#{CHANNEL}|people-team>", ADMIN)
    [digest] = [r for r in await s.world.outbox("digest:ask:") if r.kind == "digest"]
    words = json.dumps(digest.blocks)
    if sharers < 5:
        assert not fake_openai.requests
        assert "Themes" not in words
        return
    assert len(fake_openai.requests) == 1
    assert "Themes from notes shared anonymously" in words
    assert "hand work over to others" in words
    sent = fake_openai.sent_text().lower()
    assert "u0amy" not in sent
    # Only shared notes reach the model: AMY's private note never does.
    assert "keeps this to herself" not in sent
    assert "keeps this to herself" not in words
