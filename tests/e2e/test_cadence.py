"""Four simulated weeks of the whole cadence, through Slack and back.

Thirty people in four time zones join through signed slash commands and the profile modal; a
dozen also join a circle. The server's own tick and outbox dispatcher then run four weeks on a
simulated clock: rounds are matched, intros, reminders and notes are delivered to the fake Slack
over HTTP, and people answer with the intro's buttons at different moments. One person is away
(Slack status) and one pauses for two weeks.

What must hold: everyone eligible gets exactly one intro per round, or a note saying why not;
nobody is matched with the same person twice; reminders stop once a group has answered and
there are never more than two a round; nothing peercoach sends on its own reaches anyone
between 20:00 and 08:00 their time; and no message is delivered twice.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.domain import MembershipState, OutboxStatus
from bot.fakes import FakeSlack, SlackRequestSender
from bot.process.clock import SimulatedClock
from bot.process.config import Settings
from bot.process.runtime import Server
from scheduling.tick import run_tick
from storage.models import (
    MatchGroup,
    MatchMember,
    Membership,
    OutboxMessage,
    Person,
    ProgrammeRow,
    Round,
)
from tests.e2e.driver import Coach
from tests.fixtures.app import SIGNING_SECRET

pytestmark = pytest.mark.timeout(240)

# A Wednesday: Europe's clocks change on the 25th, America's on 1 November.
START = datetime(2026, 10, 21, 12, 0, tzinfo=UTC)
END = START + timedelta(weeks=4)
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago")
FUNCTIONS = ("engineering", "design", "sales", "finance", "people", "product")
PEOPLE = [f"UCAD{n:02d}" for n in range(30)]
IN_CIRCLES = PEOPLE[:12]
AWAY, PAUSED = PEOPLE[28], PEOPLE[29]
# The longest the simulation waits between two ticks when nothing is due sooner.
MAX_STEP = timedelta(hours=6)


def zone_of(user: str) -> str:
    return ZONES[PEOPLE.index(user) % len(ZONES)]


@dataclass
class Sent:
    """A message peercoach delivered on its own initiative, and when (simulated time)."""

    key: str
    channel: str
    ts: str
    at: datetime


@dataclass
class Simulation:
    coach: Coach
    clock: SimulatedClock
    server: Server
    sent: list[Sent] = field(default_factory=list)
    seen_calls: int = 0
    # When each group pressed what, by group id.
    answered: dict[int, datetime] = field(default_factory=dict)

    @property
    def fake(self) -> FakeSlack:
        return self.coach.fake

    def collect(self) -> list[Sent]:
        """The keyed messages posted since the last look, stamped with the clock's time."""
        new: list[Sent] = []
        for call in self.fake.calls[self.seen_calls :]:
            if call.method != "chat.postMessage" or not call.response.get("ok"):
                continue
            metadata = call.args.get("metadata") or {}
            key = (
                metadata.get("event_payload", {}).get("key") if isinstance(metadata, dict) else None
            )
            if key:
                new.append(
                    Sent(str(key), call.response["channel"], call.response["ts"], self.clock())
                )
        self.seen_calls = len(self.fake.calls)
        self.sent.extend(new)
        return new

    async def press(self, action_id: str, user: str, group_id: int, sent: Sent) -> None:
        payload = self.coach.slack.block_action_payload(
            action_id,
            user_id=user,
            value=str(group_id),
            channel_id=sent.channel,
            message_ts=sent.ts,
        )
        body = urlencode({"payload": json.dumps(payload)})
        answer = await self.coach.slack.post_raw(body, "application/x-www-form-urlencoded")
        assert answer.status == 200, answer.body
        url = payload["response_url"]
        # The click's answer (the message updated) comes after the ack.
        await self.fake.wait_for_response(predicate=lambda r: r.url == url)

    async def next_due(self) -> datetime:
        """The earliest moment anything is due, so the clock jumps from one event to the next."""
        now = self.clock()
        async with self.coach.sessions() as session:
            candidates = [
                await session.scalar(
                    select(func.min(OutboxMessage.next_attempt_at)).where(
                        OutboxMessage.status == OutboxStatus.PENDING
                    )
                ),
                await session.scalar(
                    select(func.min(ProgrammeRow.next_round_at)).where(
                        ProgrammeRow.closed_at.is_(None)
                    )
                ),
                await session.scalar(
                    select(func.min(Round.midpoint_at)).where(Round.midpoint_done_at.is_(None))
                ),
                await session.scalar(
                    select(func.min(Round.ends_at)).where(Round.end_done_at.is_(None))
                ),
            ]
        due = min([c for c in candidates if c is not None] + [now + MAX_STEP])
        return max(due, now + timedelta(minutes=1))


def policy(group_id: int) -> str:
    """How a group answers: at once, after the reminder, or only when asked whether it met."""
    return ("after-question", "at-once", "after-reminder")[group_id % 3]


@pytest.fixture
async def simulation(settings: Settings, fake_slack: FakeSlack) -> AsyncIterator[Simulation]:
    for n, user in enumerate(PEOPLE):
        fake_slack.add_user(user, name=f"cadence{n:02d}", tz=zone_of(user))
    clock = SimulatedClock(START)
    # The test drives the tick and the dispatcher itself, one event at a time.
    server = Server(
        settings,
        host="127.0.0.1",
        port=0,
        clock=clock,
        run_dispatcher=False,
        tick_seconds=24 * 3600,
    )
    await server.start()
    try:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as sender:
            yield Simulation(Coach(sender, fake_slack, server), clock, server)
    finally:
        await server.stop()


async def test_four_weeks_of_rounds_through_slack(simulation: Simulation) -> None:
    sim, coach, fake = simulation, simulation.coach, simulation.fake
    for n, user in enumerate(PEOPLE):
        await coach.enrol(user, function=FUNCTIONS[n % len(FUNCTIONS)], level=str(2 + n % 3))
    for user in IN_CIRCLES:
        answer = await coach.ask("find circle", user)
        assert "circle" in json.dumps(answer).lower()
    assert "pause" in json.dumps(await coach.ask("pause 2 weeks", PAUSED)).lower()
    fake.set_status(AWAY, "Out of office", ":palm_tree:", 0)
    sim.seen_calls = len(fake.calls)

    async with coach.sessions() as session:
        members_of = defaultdict(set)
        for programme_id, user in (
            await session.execute(
                select(Membership.programme_id, Person.slack_user_id)
                .join(Person, Person.id == Membership.person_id)
                .where(Membership.state == MembershipState.ACTIVE)
            )
        ).tuples():
            members_of[programme_id].add(user)
    assert sorted(len(m) for m in members_of.values()) == [len(IN_CIRCLES), len(PEOPLE)]

    group_of_key: dict[str, int] = {}
    while sim.clock() < END:
        await run_tick(sim.server.job_context_id)
        await sim.server.dispatcher.dispatch_once()
        for message in sim.collect():
            kind, _, rest = message.key.partition(":")
            if kind not in ("intro", "nudge"):
                continue
            group_id = int(rest.split(":")[0])
            group_of_key[message.key] = group_id
            if group_id in sim.answered:
                continue
            number = rest.split(":")[1] if kind == "nudge" else "0"
            wanted = {"at-once": "0", "after-reminder": "1", "after-question": "2"}[
                policy(group_id)
            ]
            if number == wanted:
                members = await _members(coach, group_id)
                action = "group_met_yes" if number == "2" else "group_met"
                await sim.press(action, members[0], group_id, message)
                sim.answered[group_id] = sim.clock()
        sim.clock.set(await sim.next_due())

    async with coach.sessions() as session:
        rounds = list(await session.scalars(select(Round).order_by(Round.id)))
        groups = {g.id: g for g in await session.scalars(select(MatchGroup))}
        membership = (
            await session.execute(
                select(MatchMember.group_id, Person.slack_user_id).join(
                    Person, Person.id == MatchMember.person_id
                )
            )
        ).tuples()
        notes = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "dm")))
        unsent = Counter(
            (
                await session.execute(
                    select(OutboxMessage.status).where(
                        OutboxMessage.status != OutboxStatus.SENT,
                        OutboxMessage.due_at < END - timedelta(days=1),
                    )
                )
            ).scalars()
        )
    assert unsent == Counter(), unsent
    people_in: dict[int, list[str]] = defaultdict(list)
    for group_id, user in membership:
        people_in[group_id].append(user)

    # Four weekly rounds of each programme, each stored once.
    assert Counter(r.programme_id for r in rounds) == {p: 4 for p in members_of}

    # Every round: each eligible member in exactly one group, everyone else told why.
    for round_row in rounds:
        placed = Counter(
            user
            for group in groups.values()
            if group.round_id == round_row.id
            for user in people_in[group.id]
        )
        # (a small circle runs out of new partners after a few rounds: then all are told why)
        assert all(count == 1 for count in placed.values())
        told = {
            note.open_users[0]
            for note in notes
            if note.key.split(":")[0] in ("skip", "left-out")
            and note.key.split(":")[1] == str(round_row.id)
        }
        assert not told & set(placed)
        assert told | set(placed) == members_of[round_row.programme_id]
        if round_row.programme_id == max(members_of, key=lambda p: len(members_of[p])):
            assert AWAY in told  # away on every round, and told each time
        paused_round = round_row.scheduled_for < (START + timedelta(weeks=2)).date()
        assert (PAUSED in told) is (paused_round and PAUSED in members_of[round_row.programme_id])

    # Nobody is matched with the same person twice.
    pairs = Counter(
        frozenset(pair)
        for users in people_in.values()
        for pair in itertools.combinations(sorted(users), 2)
    )
    assert max(pairs.values()) == 1

    # Exactly one intro per group, in its own group DM; nothing delivered twice.
    delivered = Counter(message.key for message in sim.sent)
    assert {key: n for key, n in delivered.items() if n > 1} == {}
    intros = {message.key for message in sim.sent if message.key.startswith("intro:")}
    assert intros == {f"intro:{group_id}" for group_id in groups}
    for message in sim.sent:
        if message.key.startswith("intro:"):
            members = set(fake.channels[message.channel]["members"]) - {fake.bot_user_id}
            assert members == set(people_in[group_of_key[message.key]])

    # Reminders stop once a group answered; never more than two a round.
    nudges = Counter(group_of_key[m.key] for m in sim.sent if m.key.startswith("nudge:"))
    for group_id, group in groups.items():
        if group.ended_at is None:
            continue  # the last rounds may still be running when the four weeks end
        expected = {"at-once": 0, "after-reminder": 1, "after-question": 2}[policy(group_id)]
        assert nudges[group_id] == expected, (group_id, policy(group_id))
        assert group_id in sim.answered
    assert max(nudges.values()) <= 2
    assert sum(1 for g in groups.values() if g.ended_at is not None) >= len(groups) // 2

    # Nothing sent on peercoach's own initiative reaches anyone at night.
    for message in sim.sent:
        channel = fake.channels[message.channel]
        readers = (
            [channel["user"]]
            if channel.get("is_im")
            else [u for u in channel["members"] if u != fake.bot_user_id]
        )
        for reader in readers:
            local = message.at.astimezone(ZoneInfo(zone_of(reader)))
            assert 8 <= local.hour < 20, (message.key, reader, local)


async def _members(coach: Coach, group_id: int) -> list[str]:
    async with coach.sessions() as session:
        return sorted(
            (
                await session.execute(
                    select(Person.slack_user_id)
                    .join(MatchMember, MatchMember.person_id == Person.id)
                    .where(MatchMember.group_id == group_id)
                )
            ).scalars()
        )
