"""Nobody but the person and admins sees someone's level: what peercoach sends to members
about each other (intros, mentor requests, the mentee's note) never names one."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import MembershipRole, ProgrammeMode
from bot.enrolment.profile_form import LEVELS
from bot.fakes import FakeSlack
from bot.outbox import Limits
from bot.outbox.dispatcher import Dispatcher
from bot.rounds.timing import match_time
from scheduling.tick import run_tick
from tests.bot.rounds.world import World, world

WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 12, 7)
TITLES = [title for _level, title, _description in LEVELS]
# "Level 5", "level 5", "levels 2 and 4", "(level 6)": a level named by its number.
NUMBERED = re.compile(r"\blevels? \d", re.IGNORECASE)


@pytest.fixture
async def w(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[World]:
    async with world(database_url, fake_slack, WEDNESDAY, name="levels") as built:
        yield built


async def test_no_member_is_shown_another_members_level(w: World) -> None:
    pairs = await w.programme()
    for user, level in (("U0EARLY", 1), ("U0DEV", 2), ("U0LEAD", 5), ("U0EXEC", 6)):
        await w.member(pairs, await w.person(user, level=level, function=f"F{level}"))
    mentoring = await w.programme(name="Mentoring", mode=ProgrammeMode.MENTORSHIP, is_default=False)
    mentee = await w.person("U0MENTEE", level=1, goals=("Public speaking",))
    await w.member(mentoring, mentee, MembershipRole.MENTEE)
    mentor = await w.person("U0MENTOR", level=6, mentor_capacity=1)
    await w.member(mentoring, mentor, MembershipRole.MENTOR)

    await run_tick(w.context_id)
    w.clock.set(match_time(MONDAY))
    await run_tick(w.context_id)
    # Midday in London: the intros and the mentor's request are due.
    w.clock.set(datetime(2026, 12, 7, 12, tzinfo=UTC))
    await run_tick(w.context_id)
    client = AsyncWebClient(token=w.fake.bot_token, base_url=w.fake.api_url)
    dispatcher = Dispatcher(w.sessions, client, clock=w.clock, limits=Limits(concurrency=8))
    sent = await dispatcher.dispatch_once()

    kinds = {str(m.kind) for m in await w.outbox() if m.sent_at is not None}
    assert {"intro", "mentor-ask"} <= kinds
    posts = w.fake.calls_to("chat.postMessage")
    assert len(posts) == sent >= 3
    shown = [json.dumps([call.args.get("text"), call.args.get("blocks")]) for call in posts]
    assert any("F5" in words and "<@U0EXEC>" in words for words in shown)  # the intro's lines
    assert any("Public speaking" in words for words in shown)  # the mentor's request
    for words in shown:
        for title in TITLES:
            assert title not in words, (title, words)
        assert not NUMBERED.search(words), words
