"""The demo's story: a simulated company joins peercoach and lives through some weeks of it.

The app is the real one (`bot.process.runtime.Server`: handlers, services, the scheduler's
tick steps and the outbox dispatcher) on a fresh SQLite database, talking over HTTP to the
packaged fake Slack. Simulated people act only through signed requests to its endpoint. The
clock is simulated and jumps from one due moment to the next, so weeks pass in seconds.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo.hands import Button, DemoStepFailed, Hands, find_button
from bot.demo.plain import message_text
from bot.demo.population import CheckinStyle, DemoPerson, Part, Population
from bot.demo.transcript import Transcript
from bot.domain import OutboxStatus
from bot.enrolment import profile_form as profile
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.modal_state import option_for
from bot.process.clock import SimulatedClock
from bot.process.config import Settings, load_settings
from bot.process.runtime import Server
from bot.programmes import settings_form
from bot.slack.blocks import checkin as checkin_blocks
from bot.slack.blocks import groups as group_blocks
from bot.slack.blocks.enrolment import ACTION_CONFIRM_LEAVE
from scheduling.tick import run_tick
from storage.models import CheckIn, MatchGroup, OutboxMessage, ProgrammeRow, Round

logger = logging.getLogger("peercoach.demo")

# A Friday: people join; the first round is matched on Monday.
START: Final = datetime(2027, 1, 8, 10, tzinfo=UTC)
FIRST_ROUND: Final = datetime(2027, 1, 11, tzinfo=UTC)
DIGEST_CHANNEL: Final = "C0PEOPLE01"
DIGEST_CHANNEL_NAME: Final = "people-team"
# The longest the clock jumps when nothing is due sooner (weekly questions are found by a tick).
MAX_STEP: Final = timedelta(hours=12)
# Messages to one conversation are paced seconds apart: those go out in the same step.
PACING_WINDOW: Final = timedelta(minutes=1)
MAX_PACED_STEPS: Final = 1000
ANSWER_CHANCE: Final = 0.85

NOTES: Final = (
    "Talking it through helped me see I avoid the hard part of feedback.",
    "We compared how our teams run planning; I will steal their template.",
    "Felt rushed this week, but the question made me stop and think.",
    "I realised I say yes to everything. Trying one no this week.",
    "Good to hear how another team handles conflict.",
    "I practised my presentation opening out loud, which helped.",
)
STEPS: Final = (
    "Ask my lead for feedback on the roadmap review",
    "Block two focus mornings in my calendar",
    "Delegate the weekly report to someone on my team",
    "Prepare three questions for my next one-to-one",
)


@dataclass(frozen=True, slots=True)
class DemoOptions:
    people: int = 40
    weeks: int = 6
    seed: int = 1
    out: Path = Path("peercoach-demo")


@dataclass
class Posted:
    """A message the app sent on its own initiative, as the fake Slack recorded it."""

    key: str
    channel: str
    message: dict[str, Any]
    at: datetime

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    def part(self, n: int) -> str:
        return self.key.split(":")[n]


@dataclass
class Tally:
    """What the simulated people did, and what went wrong, for the summary and the exit code."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


Action = Callable[[], Awaitable[None]]


class Story:
    def __init__(
        self,
        options: DemoOptions,
        population: Population,
        transcript: Transcript,
        *,
        on_time: Callable[[datetime], None] | None = None,
    ) -> None:
        self.options = options
        self.population = population
        self.people = population.by_id()
        self.transcript = transcript
        self.on_time = on_time
        self.rng = random.Random(options.seed * 7919 + 1)
        self.clock = SimulatedClock(START)
        self.fake = FakeSlack(team_name="Acme")
        self.fake.clock = self.clock
        self.tally = Tally()
        self.names = {p.user_id: p.name for p in self.people.values()}
        self.names[self.fake.bot_user_id] = "peercoach"
        self._queue: list[tuple[datetime, int, str, Action]] = []
        self._seq = itertools.count()
        self._seen_calls = 0
        self._plans: dict[str, str] = {}  # group id -> how its round goes
        self.posted: list[Posted] = []
        self.typed: dict[str, list[dict[str, Any]]] = {}  # channel -> what people wrote there
        self.end = FIRST_ROUND + timedelta(weeks=options.weeks)
        self.server: Server | None = None
        self.hands: Hands | None = None

    # ------------------------------------------------------------------ set-up

    def settings(self, database: Path, signing_secret: str) -> Settings:
        # Every value is given, so nothing from the environment or a .env file leaks in: the
        # demo never reaches a real Slack, database or LLM.
        return load_settings(
            SLACK_BOT_TOKEN=self.fake.bot_token,
            SLACK_SIGNING_SECRET=signing_secret,
            SLACK_APP_TOKEN=None,
            SLACK_API_URL=self.fake.api_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{database}",
            PEERCOACH_ADMINS="",
            OPENAI_API_KEY=None,
            OPENAI_BASE_URL=None,
            _env_file=None,
        )

    def _add_workspace(self) -> None:
        admin = self.population.admin
        self.fake.add_user(
            admin.user_id, name=_handle(admin.name), real_name=admin.name, tz=admin.zone,
            is_admin=True,
        )  # fmt: skip
        for person in self.population.people:
            self.fake.add_user(
                person.user_id, name=_handle(person.name), real_name=person.name, tz=person.zone
            )
        self.fake.add_channel(DIGEST_CHANNEL, name=DIGEST_CHANNEL_NAME, members=[admin.user_id])

    async def run(self, database: Path) -> Tally:
        self._add_workspace()
        await self.fake.start()
        secret = secrets.token_hex(16)
        server = Server(
            self.settings(database, secret),
            host="127.0.0.1",
            port=0,
            clock=self.clock,
            run_dispatcher=False,
            tick_seconds=24 * 3600,
        )
        try:
            await server.start()
            self.server = server
            url = f"http://127.0.0.1:{server.bound_port}/slack/events"
            async with SlackRequestSender(url, secret, fake=self.fake) as sender:
                self.hands = Hands(sender, self.fake, server)
                try:
                    await self._join()
                    self._plan_story()
                    await self._live()
                except DemoStepFailed as exc:
                    # Without this step the story cannot go on: say so and stop.
                    self.tally.failures.append(f"the story stopped at {self.clock()}: {exc}")
        finally:
            await server.stop()
            await self.fake.stop()
        return self.tally

    @property
    def _hands(self) -> Hands:
        assert self.hands is not None
        return self.hands

    @property
    def _server(self) -> Server:
        assert self.server is not None
        return self.server

    async def _join(self) -> None:
        self.transcript.heading("Friday: people join")
        admin = self.population.admin
        view = await self._hands.open_modal(
            admin.user_id, "admin settings", settings_form.CALLBACK_ID
        )
        await self._hands.submit(
            admin.user_id,
            view,
            {settings_form.BLOCK_DIGEST_CHANNEL: {"selected_conversation": DIGEST_CHANNEL}},
        )
        self.transcript.event(
            self.clock(), admin.name, f"(admin) set the digest channel to #{DIGEST_CHANNEL_NAME}"
        )
        for person in self.population.people:
            # Circle people join a circle instead of pairs: a pair partner could not also be
            # in their circle (nobody meets the same person twice).
            first = "mentor 2" if person.mentor else "find circle" if person.in_circle else "find"
            await self._enrol(person, first)
            if person.mentee:
                await self._command(person, "find mentor")
            self.clock.advance(timedelta(minutes=3))
        people = self.population.people
        pairs = sum(not (p.mentor or p.in_circle) for p in people)
        self.transcript.note(
            f"{pairs} people joined peer pairs, {sum(p.in_circle for p in people)} a circle; "
            f"{sum(p.mentee for p in people)} of them also asked for a mentor and "
            f"{sum(p.mentor for p in people)} offered to mentor."
        )

    async def _enrol(self, person: DemoPerson, command: str) -> None:
        view = await self._hands.open_modal(person.user_id, command, profile.CALLBACK_ID)
        changes: dict[str, dict[str, Any]] = {
            profile.BLOCK_FUNCTION: {
                "selected_option": option_for(view, profile.BLOCK_FUNCTION, person.function)
            },
            profile.BLOCK_LEVEL: {
                "selected_option": option_for(view, profile.BLOCK_LEVEL, str(person.level))
            },
            profile.BLOCK_TIME_ZONE: {"value": person.zone},
            profile.BLOCK_GOALS[0]: {"value": person.goal},
            profile.BLOCK_GOAL_TAGS: {
                "selected_options": [
                    option_for(view, profile.BLOCK_GOAL_TAGS, t) for t in person.goal_tags
                ]
            },
            profile.BLOCK_SKILLS: {
                "selected_options": [
                    option_for(view, profile.BLOCK_SKILLS, s) for s in person.skills
                ]
            },
        }
        await self._hands.submit(person.user_id, view, changes)
        self.tally.counts["joined"] += 1
        role = "offered to mentor" if person.mentor else "joined"
        self.transcript.event(
            self.clock(),
            person.name,
            f"/peercoach {command}: {role} ({person.function}, level {person.level}, "
            f"{person.zone})",
            f"Goal: {person.goal}",
        )

    async def _command(self, person: DemoPerson, text: str) -> list[dict[str, Any]]:
        answers = await self._hands.command(person.user_id, text)
        body = "\n".join(message_text(a, self.names) for a in answers)
        self.transcript.event(self.clock(), person.name, f"/peercoach {text}", body)
        return answers

    # ------------------------------------------------------------------ the plot

    def _at(self, when: datetime, label: str, action: Action) -> None:
        heapq.heappush(self._queue, (when, next(self._seq), label, action))

    def _plan_story(self) -> None:
        """The one-off moments: a pause, a holiday, someone leaving, questions on demand."""
        pauser = self.population.with_part(Part.PAUSES)
        if pauser is not None:
            self._at(
                FIRST_ROUND + timedelta(days=1, hours=11),
                "pause",
                self._saying(pauser, "pause 2 weeks"),
            )
        # The holiday covers the third round (or the last, in a shorter story); the leaver
        # goes in the middle of the story.
        away = self.population.with_part(Part.AWAY)
        if away is not None:
            before = FIRST_ROUND + timedelta(weeks=min(3, self.options.weeks) - 1, days=-2)
            self._at(before + timedelta(hours=12), "away", lambda: self._away(away, on=True))
            self._at(before + timedelta(weeks=1), "back", lambda: self._away(away, on=False))
        leaver = self.population.with_part(Part.LEAVES)
        if leaver is not None:
            week = self.options.weeks // 2
            self._at(
                FIRST_ROUND + timedelta(weeks=week, days=2, hours=15),
                "leave",
                lambda: self._leave(leaver),
            )
        curious = [p for p in self.population.people if p.checkin_style is not CheckinStyle.NEVER]
        for person in self.rng.sample(curious, min(3, len(curious))):
            when = FIRST_ROUND + timedelta(days=self.rng.randrange(1, 7 * self.options.weeks))
            self._at(when + timedelta(hours=13), "question", self._saying(person, "question"))

    def _saying(self, person: DemoPerson, text: str) -> Action:
        async def say() -> None:
            await self._command(person, text)

        return say

    async def _away(self, person: DemoPerson, *, on: bool) -> None:
        if on:
            self.fake.set_status(person.user_id, "On holiday", ":palm_tree:")
            self.transcript.event(
                self.clock(), person.name, "set their Slack status to 🌴 On holiday"
            )
        else:
            self.fake.set_status(person.user_id, "")
            self.transcript.event(self.clock(), person.name, "is back and cleared their status")

    async def _leave(self, person: DemoPerson) -> None:
        answers = await self._command(person, "leave")
        button = next(
            (b for a in answers if (b := find_button(a, ACTION_CONFIRM_LEAVE)) is not None), None
        )
        if button is None:
            raise DemoStepFailed("leave did not ask for confirmation")
        answered = await self._hands.press(person.user_id, button)
        self.transcript.event(
            self.clock(),
            person.name,
            "pressed Leave",
            "\n".join(message_text(a, self.names) for a in answered),
        )
        self.tally.counts["left"] += 1

    # ------------------------------------------------------------------ the weeks

    async def _live(self) -> None:
        week = -1
        app_due = self.clock()
        while not await self._finished():
            now = self.clock()
            if now >= FIRST_ROUND and (n := (now - FIRST_ROUND).days // 7) != week:
                week = n
                self.transcript.heading(
                    f"Week {week + 1} of {self.options.weeks}"
                    if week < self.options.weeks
                    else "The last round ends (the next one is already matched)"
                )
            # The tick runs when the app has something due; between those moments only the
            # people act (and whatever they cause is delivered at once).
            if now >= app_due:
                await self._tick()
            while self._queue and self._queue[0][0] <= self.clock():
                _, _, label, action = heapq.heappop(self._queue)
                try:
                    await action()
                except DemoStepFailed as exc:
                    self.tally.failures.append(f"{label}: {exc}")
                await self._deliver()
            if self.on_time is not None:
                self.on_time(self.clock())
            app_due = await self._app_due()
            people_due = self._queue[0][0] if self._queue else app_due
            self.clock.set(_next_hour(max(min(app_due, people_due), now + timedelta(minutes=1))))

    async def _finished(self) -> bool:
        """The story ends once each of its rounds has ended and had its digest posted (the
        next round is matched the day before: its first intros may already be out)."""
        if self.clock() < self.end:
            return False
        if self.clock() >= self.end + timedelta(days=2):
            self.tally.failures.append("the last rounds did not end within two days")
            return True
        async with self._server_sessions() as session:
            open_rounds = await session.scalar(
                select(func.count())
                .select_from(Round)
                .where(
                    Round.scheduled_for < self.end.date(),
                    Round.end_done_at.is_(None) | Round.digest_due_at.is_not(None),
                )
            )
        return not open_rounds

    async def _tick(self) -> None:
        done = await run_tick(self._server.job_context_id)
        for step, result in done.items():
            if result < 0:
                self.tally.failures.append(f"tick step {step} failed at {self.clock()}")
        await self._deliver()

    async def _deliver(self) -> None:
        """Send everything due, including messages paced a few seconds apart, then react."""
        dispatcher = self._server.dispatcher
        for _ in range(MAX_PACED_STEPS):
            await dispatcher.dispatch_once()
            paced = await self._next_send()
            if paced is None or paced > self.clock() + PACING_WINDOW:
                break
            # At least a second on: a row the dispatcher left due must not hold the story.
            self.clock.set(max(paced, self.clock() + timedelta(seconds=1)))
        else:
            self.tally.failures.append(f"messages were still going out at {self.clock()}")
        for posted in self._collect():
            await self._react(posted)

    async def _next_send(self) -> datetime | None:
        async with self._server_sessions() as session:
            when = await session.scalar(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.status == OutboxStatus.PENDING
                )
            )
        return None if when is None else _aware(when)

    def _collect(self) -> list[Posted]:
        new: list[Posted] = []
        for call in self.fake.calls[self._seen_calls :]:
            if call.method != "chat.postMessage" or not call.response.get("ok"):
                continue
            metadata = call.args.get("metadata")
            payload = metadata.get("event_payload", {}) if isinstance(metadata, dict) else {}
            key = payload.get("key") if isinstance(payload, dict) else None
            if key:
                message = dict(call.response["message"])
                new.append(Posted(str(key), str(call.response["channel"]), message, self.clock()))
        self._seen_calls = len(self.fake.calls)
        self.posted.extend(new)
        return new

    async def _app_due(self) -> datetime:
        """The next moment the app has something to do, or MAX_STEP from now: the tick also
        finds work by looking (check-ins to plan, weekly questions)."""
        now = self.clock()
        moments: list[Select[Any]] = [
            select(func.min(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.status == OutboxStatus.PENDING
            ),
            select(func.min(ProgrammeRow.next_round_at)).where(ProgrammeRow.closed_at.is_(None)),
            select(func.min(Round.midpoint_at)).where(Round.midpoint_done_at.is_(None)),
            select(func.min(Round.ends_at)).where(Round.end_done_at.is_(None)),
            select(func.min(Round.digest_due_at)),
            select(func.min(CheckIn.due_at)).where(CheckIn.sent_at.is_(None)),
            select(func.min(CheckIn.remind_at)).where(CheckIn.reminded_at.is_(None)),
            select(func.min(MatchGroup.question_due_at)),
        ]
        async with self._server_sessions() as session:
            # One round trip: this runs at every step of the story.
            row = (await session.execute(select(*(m.scalar_subquery() for m in moments)))).one()
        candidates = list(row)
        due = min([_aware(c) for c in candidates if c is not None] + [now + MAX_STEP])
        # Whole hours: what falls due within one hour is handled in one step, as a person
        # reading Slack would see it, and the weeks pass in fewer steps.
        return _next_hour(due)

    def _server_sessions(self) -> AsyncSession:
        return AsyncSession(self._server.engine, expire_on_commit=False)

    # ------------------------------------------------------------------ reactions

    async def _react(self, posted: Posted) -> None:
        text = message_text(posted.message, self.names)
        handler = {
            "intro": self._on_intro,
            "nudge": self._on_nudge,
            "mentor-ask": self._on_mentor_ask,
            "checkin": self._on_checkin,
            "checkin-reminder": self._on_checkin_reminder,
            "ghost": self._on_ghost,
        }.get(posted.kind)
        self.tally.counts[f"sent {posted.kind}"] += 1
        self.transcript.event(
            posted.at,
            "peercoach",
            f"{_KIND_LABELS.get(posted.kind, posted.kind)} → {self._audience(posted.channel)}",
            text,
            panel=posted.kind in ("intro", "digest"),
            style="green" if posted.kind in ("intro", "digest") else "",
        )
        if handler is not None:
            await handler(posted)

    def _audience(self, channel: str) -> str:
        known = self.fake.channels.get(channel, {})
        if known.get("is_im"):
            return "DM " + self.names.get(str(known.get("user")), "someone")
        if channel == DIGEST_CHANNEL:
            return f"#{DIGEST_CHANNEL_NAME}"
        members = [self.names.get(u, u) for u in known.get("members") or []]
        return ", ".join(m for m in members if m != "peercoach") or channel

    def _members(self, channel: str) -> list[DemoPerson]:
        users = self.fake.channels.get(channel, {}).get("members") or []
        return [self.people[u] for u in users if u in self.people]

    def _answerer(self, members: list[DemoPerson]) -> DemoPerson | None:
        active = [m for m in members if m.checkin_style is not CheckinStyle.NEVER]
        return self.rng.choice(active) if active else None

    async def _on_intro(self, posted: Posted) -> None:
        group = posted.part(1)
        members = self._members(posted.channel)
        chance = min((m.meets for m in members), default=0.0)
        if self.rng.random() >= chance:
            self._plans[group] = "not met"
            return
        plan = self.rng.choice(("at once", "after reminder", "when asked"))
        self._plans[group] = plan
        if plan == "at once":
            later = posted.at + timedelta(days=self.rng.randrange(1, 3), hours=2)
            self._press_later(later, posted, group_blocks.ACTION_MET, members, "We met")

    async def _on_nudge(self, posted: Posted) -> None:
        group, number = posted.part(1), posted.part(2)
        plan = self._plans.get(group, "not met")
        members = self._members(posted.channel)
        if number == "1" and plan == "after reminder":
            self._press_later(
                posted.at + timedelta(hours=5), posted, group_blocks.ACTION_MET, members, "We met"
            )
        elif number == "2" and plan in ("when asked", "after reminder"):
            self._press_later(
                posted.at + timedelta(hours=2),
                posted,
                group_blocks.ACTION_MET_YES,
                members,
                "Yes, we met",
            )
        elif number == "2" and plan == "not met" and self.rng.random() < 0.5:
            self._press_later(
                posted.at + timedelta(hours=3),
                posted,
                group_blocks.ACTION_NOT_MET,
                members,
                "No, we did not meet",
            )

    def _press_later(
        self,
        when: datetime,
        posted: Posted,
        action_id: str,
        members: list[DemoPerson],
        label: str,
    ) -> None:
        who = self._answerer(members)
        button = find_button(posted.message, action_id)
        if who is None or button is None:
            return

        async def press() -> None:
            await self._hands.press(
                who.user_id, button, channel=posted.channel, message_ts=posted.message["ts"]
            )
            self.tally.counts[f"pressed {label}"] += 1
            self.transcript.event(self.clock(), who.name, f"pressed {label}")

        self._at(when, f"press {action_id}", press)

    async def _on_mentor_ask(self, posted: Posted) -> None:
        mentor = self.people.get(posted.part(2))
        button = find_button(posted.message, group_blocks.ACTION_MENTOR_ACCEPT)
        if mentor is None or button is None:
            return

        async def accept() -> None:
            await self._hands.press(
                mentor.user_id, button, channel=posted.channel, message_ts=posted.message["ts"]
            )
            self.tally.counts["mentor accepted"] += 1
            self.transcript.event(self.clock(), mentor.name, "accepted the mentee")

        self._at(posted.at + timedelta(hours=3), "mentor accept", accept)

    async def _on_ghost(self, posted: Posted) -> None:
        owner = self.fake.channels.get(posted.channel, {}).get("user")
        person = self.people.get(str(owner))
        button = find_button(posted.message, group_blocks.ACTION_GHOST_STAY)
        if person is None or button is None or person.checkin_style is CheckinStyle.NEVER:
            return  # a ghost does not answer this either

        async def stay() -> None:
            await self._hands.press(
                person.user_id, button, channel=posted.channel, message_ts=posted.message["ts"]
            )
            self.transcript.event(self.clock(), person.name, "pressed Stay")

        self._at(posted.at + timedelta(hours=4), "ghost stay", stay)

    # ------------------------------------------------------------------ check-ins

    async def _on_checkin(self, posted: Posted) -> None:
        owner = self.fake.channels.get(posted.channel, {}).get("user")
        person = self.people.get(str(owner))
        if person is None or person.checkin_style is CheckinStyle.NEVER:
            return
        if self.rng.random() >= ANSWER_CHANCE:
            return  # this week they let it slide; the reminder may bring them back
        self._answer_later(posted, person, posted.at + timedelta(hours=self.rng.randrange(1, 8)))

    async def _on_checkin_reminder(self, posted: Posted) -> None:
        owner = self.fake.channels.get(posted.channel, {}).get("user")
        person = self.people.get(str(owner))
        if person is None or person.checkin_style is CheckinStyle.NEVER:
            return
        if self.rng.random() < 0.5:
            original = next(
                (
                    p
                    for p in reversed(self.posted)
                    if p.kind == "checkin" and p.channel == posted.channel
                ),
                None,
            )
            if original is not None:
                self._answer_later(original, person, posted.at + timedelta(hours=1))

    def _answer_later(self, posted: Posted, person: DemoPerson, when: datetime) -> None:
        rating = self.rng.choice((3, 4, 4, 5, 5, 2))
        goal = self.rng.choice(("on_track", "on_track", "some_progress", "stuck", "achieved"))
        met = self.rng.random() < person.meets
        note = self.rng.choice(NOTES)
        share_note = self.rng.random() < 0.4

        async def answer() -> None:
            if await self._answered(posted):
                return
            style = person.checkin_style
            if style is CheckinStyle.WORDS:
                await self._answer_in_words(person, rating, goal, met, note)
            else:
                await self._answer_in_modal(posted, person, rating, goal, met, note, share_note)
            self.tally.counts[f"check-in answered ({style})"] += 1

        self._at(when, "check-in", answer)

    async def _answered(self, posted: Posted) -> bool:
        button = find_button(posted.message, checkin_blocks.ACTION_OPEN)
        if button is None or button.value is None:
            return True
        async with self._server_sessions() as session:
            row = await session.get(CheckIn, int(button.value))
            return row is None or row.answered_at is not None

    async def _answer_in_words(
        self, person: DemoPerson, rating: int, goal: str, met: bool, note: str
    ) -> None:
        met_words = "we met" if met else "no meeting this week"
        words = f"{rating}, {goal.replace('_', ' ')}, {met_words}. {note}"
        replies = await self._write(person, words)
        # Words the app could not read get one question back; answer just that.
        for _ in range(2):
            asked = message_text(replies[-1], self.names).lower() if replies else ""
            if "1 to 5" in asked:
                replies = await self._write(person, str(rating))
            elif "goal" in asked and "?" in asked:
                replies = await self._write(person, goal.replace("_", " "))
            else:
                break
        self.transcript.event(
            self.clock(),
            person.name,
            "answered the check-in in words (the note stays private)",
            "\n".join(message_text(r, self.names) for r in replies),
        )

    async def _write(self, person: DemoPerson, words: str) -> list[dict[str, Any]]:
        channel = self.fake.im_channel_id(person.user_id)
        self.typed.setdefault(channel, []).append(
            {"type": "message", "user": person.user_id, "text": words, "ts": self._ts()}
        )
        return await self._hands.write(person.user_id, words)

    async def _answer_in_modal(
        self,
        posted: Posted,
        person: DemoPerson,
        rating: int,
        goal: str,
        met: bool,
        note: str,
        share_note: bool,
    ) -> None:
        hands = self._hands
        message = posted.message
        if person.checkin_style is CheckinStyle.BUTTONS:
            previous = find_button(message, checkin_blocks.ACTION_PREVIOUS_PREFIX + "yes")
            if previous is not None:
                done = self.rng.choice(("yes", "partly", "no"))
                pressed = find_button(message, checkin_blocks.ACTION_PREVIOUS_PREFIX + done)
                await self._press_in_dm(person, posted, pressed)
            rate = find_button(message, f"{checkin_blocks.ACTION_RATE_PREFIX}{rating}")
            await self._press_in_dm(person, posted, rate)
        opener = find_button(message, checkin_blocks.ACTION_OPEN)
        if opener is None:
            raise DemoStepFailed("the check-in has no button to open it")
        view = await hands.press_in_modal_opener(person.user_id, opener, checkin_blocks.CALLBACK_ID)
        changes: dict[str, dict[str, Any]] = {
            checkin_blocks.BLOCK_RATING: {
                "selected_option": option_for(view, checkin_blocks.BLOCK_RATING, str(rating))
            },
            checkin_blocks.BLOCK_GOAL: {
                "selected_option": option_for(view, checkin_blocks.BLOCK_GOAL, goal)
            },
            checkin_blocks.BLOCK_MET: {
                "selected_option": option_for(
                    view, checkin_blocks.BLOCK_MET, "yes" if met else "no"
                )
            },
            checkin_blocks.BLOCK_STEP: {"value": self.rng.choice(STEPS)},
            checkin_blocks.BLOCK_NOTE: {"value": note},
        }
        if share_note:
            changes[checkin_blocks.BLOCK_NOTE_SHARE] = {
                "selected_options": [
                    option_for(
                        view, checkin_blocks.BLOCK_NOTE_SHARE, checkin_blocks.NOTE_SHARE_VALUE
                    )
                ]
            }
        await hands.submit(person.user_id, view, changes)
        self.transcript.event(
            self.clock(),
            person.name,
            f"answered the check-in in the form: usefulness {rating}/5, goal "
            f"{goal.replace('_', ' ')}" + (" (note shared anonymously)" if share_note else ""),
        )

    async def _press_in_dm(self, person: DemoPerson, posted: Posted, button: Button | None) -> None:
        if button is None:
            raise DemoStepFailed("a check-in button is missing")
        await self._hands.press(
            person.user_id, button, channel=posted.channel, message_ts=posted.message["ts"]
        )

    def _ts(self) -> str:
        return f"{self.clock().timestamp():.6f}"


_KIND_LABELS: Final = {
    "intro": "intro",
    "nudge": "reminder",
    "checkin": "weekly check-in",
    "checkin-reminder": "check-in reminder",
    "checkin-step": "shared next step",
    "question": "weekly question",
    "digest": "digest",
    "left-out": "not matched this round",
    "skip": "not matched this round",
    "mentor-ask": "mentee request",
    "mentee-wait": "mentor asked",
    "mentee-none": "no mentor this round",
    "ghost": "still there?",
    "pause-over": "pause over",
}


def _handle(name: str) -> str:
    return ".".join(name.lower().split())


def _next_hour(when: datetime) -> datetime:
    hour = when.replace(minute=0, second=0, microsecond=0)
    return hour if hour == when else hour + timedelta(hours=1)


def _aware(when: datetime) -> datetime:
    # SQLite hands back naive datetimes: every stored time is UTC.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
