"""A group's buttons, pressed through signed requests to the real endpoint: We met, Skip,
Pause me, Yes / Not this time, the "stay, pause or leave?" DM, and the mentor's answer.

Rounds and groups are written straight to the database, as the round runner leaves them; the
follow-up work runs tick by tick on the server's own simulated clock.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.domain import (
    EnrolmentState,
    GroupState,
    MeetingStatus,
    MemberRole,
    MembershipRole,
    MembershipState,
    OutboxStatus,
)
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.requests import SentRequest
from bot.groups.followups import run_due
from bot.process.clock import SimulatedClock
from bot.process.config import Settings
from bot.process.runtime import Server
from bot.slack.blocks import groups as blocks
from bot.slack.blocks.enrolment import PAUSE_CALLBACK_ID
from bot.slack.copy import groups as copy
from scheduling.context import JobContext
from storage.models import MatchGroup, MatchMember, Meeting, Membership, OutboxMessage, Person
from storage.session import create_sessionmaker
from tests.bot.groups.factory import World
from tests.e2e.driver import ACK_LIMIT_SECONDS, Coach, all_text
from tests.fixtures.app import SIGNING_SECRET

# Monday 2 November 2026, 09:00 UTC.
START = datetime(2026, 11, 2, 9, tzinfo=UTC)
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"


@dataclass
class Setup:
    coach: Coach
    world: World
    jobs: JobContext
    clock: SimulatedClock

    async def tick(self) -> int:
        return await run_due(self.jobs, self.clock())

    async def press(
        self,
        action_id: str,
        user: str,
        value: int | str,
        message: dict[str, Any] | None = None,
    ) -> SentRequest:
        payload = self.payload(action_id, user, value, message)
        return await self.post(payload)

    def payload(
        self,
        action_id: str,
        user: str,
        value: int | str,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        payload = self.coach.slack.block_action_payload(
            action_id, user_id=user, value=str(value), channel_id="G0GROUP"
        )
        if message is not None:
            payload["message"] = {**payload["message"], **message}
        return payload

    async def post(self, payload: dict[str, Any]) -> SentRequest:
        body = urlencode({"payload": json.dumps(payload)})
        sent = await self.coach.slack.post_raw(body, "application/x-www-form-urlencoded")
        assert sent.status == 200, sent.body
        assert sent.elapsed < ACK_LIMIT_SECONDS
        sent.payload = payload
        return sent

    async def answer(self, sent: SentRequest) -> dict[str, Any]:
        url = sent.payload["response_url"]
        response = await self.coach.fake.wait_for_response(predicate=lambda r: r.url == url)
        return dict(response.json)

    def answers_to(self, sent: SentRequest) -> int:
        url = sent.payload["response_url"]
        return sum(1 for r in self.coach.fake.responses if r.url == url)


@pytest.fixture
async def setup(settings: Settings, fake_slack: FakeSlack) -> AsyncIterator[Setup]:
    clock = SimulatedClock(START)
    server = Server(settings, host="127.0.0.1", port=0, clock=clock)
    await server.start()
    try:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as sender:
            sessions = create_sessionmaker(server.engine, clock=clock)
            world = await World(sessions, team_id=fake_slack.team_id).setup()
            yield Setup(
                Coach(sender, fake_slack, server),
                world,
                JobContext(sessions=sessions, clock=clock),
                clock,
            )
    finally:
        await server.stop()


async def _pair(s: Setup) -> tuple[MatchGroup, Person, Person]:
    alice = await s.world.person(ALICE, "Europe/London")
    bob = await s.world.person(BOB, "America/New_York")
    round_ = await s.world.round(START)
    return await s.world.pair(round_, alice, bob), alice, bob


async def _meeting(s: Setup, group_id: int) -> Meeting | None:
    async with s.world.sessions() as session:
        found: Meeting | None = await session.scalar(
            select(Meeting).where(Meeting.group_id == group_id)
        )
        return found


async def _nudge(s: Setup, group_id: int, number: int) -> OutboxMessage | None:
    rows = [m for m in await s.world.outbox("nudge:") if m.key == f"nudge:{group_id}:{number}"]
    return rows[0] if rows else None


async def test_we_met_is_recorded_the_message_updated_and_the_reminder_cancelled(
    setup: Setup,
) -> None:
    s = setup
    group, alice, _ = await _pair(s)
    # Thursday night, London: the reminder is queued for the morning and still pending.
    s.clock.set(START + timedelta(days=3, hours=13))
    assert await s.tick() == 1
    nudge = await _nudge(s, group.id, 1)
    assert nudge is not None
    assert nudge.status is OutboxStatus.PENDING
    assert nudge.due_at > s.clock()

    s.clock.advance(timedelta(minutes=5))
    pressed_at = s.clock()
    sent = await s.press(blocks.ACTION_MET, ALICE, group.id, {"blocks": nudge.blocks})
    answer = await s.answer(sent)
    assert answer["replace_original"] is True
    shown = all_text(answer)
    assert copy.MET_RECORDED.format(user=ALICE) in shown
    # The reminder's words stay, its buttons are gone.
    assert "Halfway through the round" in shown
    for action_id in (blocks.ACTION_MET, blocks.ACTION_SKIP, blocks.ACTION_PAUSE):
        assert action_id not in shown

    meeting = await _meeting(s, group.id)
    assert meeting is not None
    assert meeting.status is MeetingStatus.MET
    assert meeting.recorded_by == alice.id
    assert meeting.recorded_at == pressed_at
    stored = await s.world.reload(MatchGroup, group.id)
    assert stored.met_at == pressed_at
    cancelled = await _nudge(s, group.id, 1)
    assert cancelled is not None
    assert cancelled.status is OutboxStatus.CANCELLED

    # The end of the round asks nothing of a group that met, and nobody is silent.
    s.clock.set(START + timedelta(days=7, minutes=1))
    assert await s.tick() == 1
    assert await _nudge(s, group.id, 2) is None
    assert (await s.world.membership_of(alice)).silent_rounds == 0


async def test_a_replayed_click_changes_nothing_and_a_second_member_sees_who_recorded(
    setup: Setup,
) -> None:
    s = setup
    group, alice, _ = await _pair(s)
    payload = s.payload(blocks.ACTION_MET, ALICE, group.id)
    first = await s.post(payload)
    await s.answer(first)
    recorded = await _meeting(s, group.id)
    assert recorded is not None

    s.clock.advance(timedelta(hours=1))
    await s.post(payload)  # the same click again (same action_ts)
    await s.coach.server.inflight.drain(10)
    assert s.answers_to(first) == 1
    again = await _meeting(s, group.id)
    assert again is not None
    assert (again.recorded_by, again.recorded_at) == (alice.id, recorded.recorded_at)

    other = await s.press(blocks.ACTION_MET, BOB, group.id)
    answer = await s.answer(other)
    assert copy.MET_RECORDED.format(user=ALICE) in all_text(answer)
    still = await _meeting(s, group.id)
    assert still is not None
    assert (still.recorded_by, still.recorded_at) == (alice.id, recorded.recorded_at)


async def test_two_members_pressing_at_once_record_one_meeting(setup: Setup) -> None:
    s = setup
    group, alice, bob = await _pair(s)
    sent = await asyncio.gather(
        s.press(blocks.ACTION_MET, ALICE, group.id), s.press(blocks.ACTION_MET, BOB, group.id)
    )
    answers = [all_text(await s.answer(one)) for one in sent]
    meeting = await _meeting(s, group.id)
    assert meeting is not None
    assert meeting.recorded_by in (alice.id, bob.id)
    recorder = ALICE if meeting.recorded_by == alice.id else BOB
    # Both messages name the same person: whoever was first.
    for shown in answers:
        assert copy.MET_RECORDED.format(user=recorder) in shown


async def test_someone_outside_the_group_is_refused_politely(setup: Setup) -> None:
    s = setup
    group, _, _ = await _pair(s)
    await s.world.person(CAROL)
    sent = await s.press(blocks.ACTION_MET, CAROL, group.id)
    answer = await s.answer(sent)
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    assert answer["text"] == copy.NOT_A_MEMBER
    assert await _meeting(s, group.id) is None
    assert (await s.world.reload(MatchGroup, group.id)).met_at is None


async def test_skip_is_recorded_and_stops_the_reminders(setup: Setup) -> None:
    s = setup
    group, _, bob = await _pair(s)
    sent = await s.press(blocks.ACTION_SKIP, BOB, group.id)
    answer = await s.answer(sent)
    assert copy.SKIPPED_RECORDED.format(user=BOB) in all_text(answer)
    meeting = await _meeting(s, group.id)
    assert meeting is not None
    assert (meeting.status, meeting.recorded_by) == (MeetingStatus.SKIPPED, bob.id)
    s.clock.set(START + timedelta(days=8))
    assert await s.tick() == 2
    assert await s.world.outbox("nudge:") == []
    assert (await s.world.membership_of(bob)).silent_rounds == 0


async def test_pause_me_opens_the_pause_modal_for_the_presser_only(setup: Setup) -> None:
    s = setup
    group, alice, bob = await _pair(s)
    mark = len(s.coach.fake.calls)
    sent = await s.press(blocks.ACTION_PAUSE, ALICE, group.id)
    answer = await s.answer(sent)
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    await s.coach.opened_view(ALICE, PAUSE_CALLBACK_ID, after=mark)
    # A sign of life: the group is not silent, and the others' buttons still work.
    s.clock.set(START + timedelta(days=7, minutes=1))
    assert await s.tick() == 2
    for person in (alice, bob):
        assert (await s.world.membership_of(person)).silent_rounds == 0
    # The end-of-round question still goes: pausing says nothing about meeting.
    assert await _nudge(s, group.id, 2) is not None


async def test_pause_me_still_works_after_the_group_met(setup: Setup) -> None:
    s = setup
    group, alice, _ = await _pair(s)
    await s.answer(await s.press(blocks.ACTION_MET, ALICE, group.id))
    mark = len(s.coach.fake.calls)
    sent = await s.press(blocks.ACTION_PAUSE, BOB, group.id)
    assert (await s.answer(sent))["text"] == copy.PAUSE_OPENED
    await s.coach.opened_view(BOB, PAUSE_CALLBACK_ID, after=mark)
    meeting = await _meeting(s, group.id)
    assert meeting is not None
    assert (meeting.status, meeting.recorded_by) == (MeetingStatus.MET, alice.id)


async def test_an_ended_group_answers_kindly_but_takes_the_end_of_round_answer(
    setup: Setup,
) -> None:
    s = setup
    group, alice, bob = await _pair(s)
    s.clock.set(START + timedelta(days=7, minutes=1))
    assert await s.tick() == 2
    assert (await s.world.membership_of(alice)).silent_rounds == 1
    end = await _nudge(s, group.id, 2)
    assert end is not None

    late = await s.press(blocks.ACTION_MET, ALICE, group.id)
    answer = await s.answer(late)
    assert answer["text"] == copy.GROUP_OVER
    assert await _meeting(s, group.id) is None

    sent = await s.press(blocks.ACTION_NOT_MET, BOB, group.id, {"blocks": end.blocks})
    answer = await s.answer(sent)
    assert answer["replace_original"] is True
    assert copy.NOT_MET_RECORDED.format(user=BOB) in all_text(answer)
    assert blocks.ACTION_MET_YES not in all_text(answer)
    meeting = await _meeting(s, group.id)
    assert meeting is not None
    assert (meeting.status, meeting.recorded_by) == (MeetingStatus.SKIPPED, bob.id)
    # Answering is not silence, even after the end.
    for person in (alice, bob):
        assert (await s.world.membership_of(person)).silent_rounds == 0


async def _on_hold(s: Setup) -> tuple[Membership, Person]:
    group, alice, _ = await _pair(s)
    async with s.world.sessions() as session:
        for membership in await session.scalars(select(Membership)):
            membership.silent_rounds = 2
        await session.commit()
    s.clock.set(START + timedelta(days=7, minutes=1))
    assert await s.tick() == 2
    membership = await s.world.membership_of(alice)
    assert membership.on_hold_since == s.clock()
    ghosts = [g for g in await s.world.outbox("ghost:") if g.open_users == [ALICE]]
    assert [g.key for g in ghosts] == [f"ghost:{membership.id}:{group.round_id}"]
    return membership, alice


async def test_stay_clears_the_hold(setup: Setup) -> None:
    s = setup
    membership, _ = await _on_hold(s)
    sent = await s.press(blocks.ACTION_GHOST_STAY, ALICE, membership.id)
    assert (await s.answer(sent))["text"] == copy.GHOST_STAYED
    stored = await s.world.reload(Membership, membership.id)
    assert (stored.on_hold_since, stored.silent_rounds) == (None, 0)
    assert stored.state is MembershipState.ACTIVE


async def test_pause_pauses_the_person_for_four_weeks(setup: Setup) -> None:
    s = setup
    membership, alice = await _on_hold(s)
    sent = await s.press(blocks.ACTION_GHOST_PAUSE, ALICE, membership.id)
    assert "Paused until" in (await s.answer(sent))["text"]
    person = await s.world.reload(Person, alice.id)
    assert person.enrolment_state is EnrolmentState.PAUSED
    assert person.paused_until == (s.clock() + timedelta(weeks=4)).date()
    stored = await s.world.reload(Membership, membership.id)
    assert (stored.on_hold_since, stored.silent_rounds) == (None, 0)


async def test_leave_leaves_the_programme_and_peercoach_when_nothing_remains(
    setup: Setup,
) -> None:
    s = setup
    membership, alice = await _on_hold(s)
    # Someone else's question cannot be answered for them.
    refused = await s.press(blocks.ACTION_GHOST_LEAVE, BOB, membership.id)
    assert (await s.answer(refused))["text"] == copy.GHOST_NOT_YOURS
    assert (await s.world.reload(Membership, membership.id)).state is MembershipState.ACTIVE

    sent = await s.press(blocks.ACTION_GHOST_LEAVE, ALICE, membership.id)
    assert (await s.answer(sent))["text"] == copy.GHOST_LEFT_ALL
    stored = await s.world.reload(Membership, membership.id)
    assert stored.state is MembershipState.LEFT
    assert stored.left_at == s.clock()
    person = await s.world.reload(Person, alice.id)
    assert person.enrolment_state is EnrolmentState.LEFT


async def _mentorship(s: Setup) -> MatchGroup:
    mentee = await s.world.person(ALICE, "Europe/London", role=MembershipRole.MENTEE)
    mentor = await s.world.person(BOB, "America/New_York", role=MembershipRole.MENTOR)
    await s.world.person(CAROL, "Europe/Berlin", role=MembershipRole.MENTOR)
    round_ = await s.world.round(START, length=timedelta(days=28))
    group = await s.world.group(
        round_,
        [(mentor, MemberRole.MENTOR), (mentee, MemberRole.MENTEE)],
        state=GroupState.PROPOSED,
        fallbacks=(CAROL,),
    )
    assert await s.tick() == 1
    return group


async def test_accept_makes_the_mentorship_active_and_queues_the_intro(setup: Setup) -> None:
    s = setup
    group = await _mentorship(s)
    # Only the mentor asked can accept.
    refused = await s.press(blocks.ACTION_MENTOR_ACCEPT, CAROL, group.id)
    assert (await s.answer(refused))["text"] == copy.MENTOR_NOT_YOURS
    assert (await s.world.reload(MatchGroup, group.id)).state is GroupState.PROPOSED

    sent = await s.press(blocks.ACTION_MENTOR_ACCEPT, BOB, group.id)
    answer = await s.answer(sent)
    assert answer["text"] == copy.MENTOR_ACCEPTED.format(mentee=ALICE)
    stored = await s.world.reload(MatchGroup, group.id)
    assert stored.state is GroupState.ACTIVE
    [intro] = await s.world.outbox("intro:")
    assert intro.key == f"intro:{group.id}"
    assert intro.open_users == [BOB, ALICE]
    assert intro.on_sent == {"group_id": group.id}
    assert stored.intro_at == intro.due_at
    shown = json.dumps(intro.blocks)
    for action_id in (blocks.ACTION_MET, blocks.ACTION_SKIP, blocks.ACTION_PAUSE):
        assert action_id in shown
    # Nothing more is asked of anyone, however long we wait.
    s.clock.advance(timedelta(days=5))
    await s.tick()
    assert len(await s.world.outbox("mentor-ask:")) == 1


async def test_decline_asks_the_next_mentor_and_tells_the_mentee(setup: Setup) -> None:
    s = setup
    group = await _mentorship(s)
    sent = await s.press(blocks.ACTION_MENTOR_DECLINE, BOB, group.id)
    assert (await s.answer(sent))["text"] == copy.MENTOR_DECLINED
    asks = [m.key for m in await s.world.outbox("mentor-ask:")]
    assert asks == [f"mentor-ask:{group.id}:{BOB}", f"mentor-ask:{group.id}:{CAROL}"]
    told = [m.text for m in await s.world.outbox("mentee-wait:")]
    assert told == [copy.MENTEE_WAIT, copy.MENTEE_NEXT]
    async with s.world.sessions() as session:
        mentor = await session.scalar(
            select(Person.slack_user_id)
            .join(MatchMember, MatchMember.person_id == Person.id)
            .where(MatchMember.group_id == group.id, MatchMember.role == MemberRole.MENTOR)
        )
    assert mentor == CAROL
    # Bob's request has moved on: pressing Accept now changes nothing.
    late = await s.press(blocks.ACTION_MENTOR_ACCEPT, BOB, group.id)
    assert (await s.answer(late))["text"] == copy.MENTOR_MOVED_ON
    assert (await s.world.reload(MatchGroup, group.id)).state is GroupState.PROPOSED

    # Carol declines too: nobody is left, and the mentee is told kindly.
    sent = await s.press(blocks.ACTION_MENTOR_DECLINE, CAROL, group.id)
    await s.answer(sent)
    assert (await s.world.reload(MatchGroup, group.id)).state is GroupState.DECLINED
    [none] = await s.world.outbox("mentee-none:")
    assert none.open_users == [ALICE]
