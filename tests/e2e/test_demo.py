"""`peercoach demo` end to end, with a small company: the run succeeds, and its transcript and
database show that each round introduced everyone eligible once, that each round's digest was
posted with its chart, and that no private note or step reached any admin message."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console
from sqlalchemy import select

from bot.cli import cli
from bot.demo.population import generate
from bot.demo.run import DemoResult, run_demo
from bot.demo.story import DIGEST_CHANNEL, FIRST_ROUND, DemoOptions
from bot.domain import MembershipState, OutboxStatus
from storage.models import (
    CheckIn,
    MatchGroup,
    MatchMember,
    Membership,
    OutboxMessage,
    Person,
    Round,
)
from storage.session import create_engine, create_sessionmaker

pytestmark = pytest.mark.timeout(180)

PEOPLE, WEEKS = 12, 2
PNG = b"\x89PNG\r\n\x1a\n"
SEED = 3
MENTORS = {p.user_id for p in generate(PEOPLE, SEED).people if p.mentor}


async def test_a_small_demo_runs_clean_and_keeps_its_promises(tmp_path: Path) -> None:
    """One run, then what it left is read back (one test: a run takes a while, and tests of
    one module may go to different worker processes)."""
    terminal = io.StringIO()
    console = Console(file=terminal, width=120, force_terminal=False)
    options = DemoOptions(people=PEOPLE, weeks=WEEKS, seed=SEED, out=tmp_path)
    result = await run_demo(options, console)
    demo = (result, terminal.getvalue())
    _it_ran_clean_and_wrote_everything_it_names(demo)
    _the_transcript_tells_the_story(demo)
    await _each_round_introduced_everyone_eligible_once(demo)
    await _digests_were_posted_and_no_admin_message_holds_a_private_answer(demo)


async def _rows(database: Path) -> dict[str, Any]:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with create_sessionmaker(engine)() as session:
            return {
                "rounds": list(await session.scalars(select(Round).order_by(Round.id))),
                "groups": list(await session.scalars(select(MatchGroup))),
                "members": list(
                    (
                        await session.execute(
                            select(MatchMember.group_id, Person.slack_user_id).join(
                                Person, Person.id == MatchMember.person_id
                            )
                        )
                    ).tuples()
                ),
                "memberships": list(
                    (
                        await session.execute(
                            select(
                                Membership.programme_id,
                                Person.slack_user_id,
                                Membership.state,
                                Membership.left_at,
                            ).join(Person, Person.id == Membership.person_id)
                        )
                    ).tuples()
                ),
                "outbox": list(await session.scalars(select(OutboxMessage))),
                "checkins": list(await session.scalars(select(CheckIn))),
            }
    finally:
        await engine.dispose()


def _it_ran_clean_and_wrote_everything_it_names(demo: tuple[DemoResult, str]) -> None:
    result, terminal = demo
    assert result.ok, result.failures
    for path in (result.transcript, result.database, result.html, result.log):
        assert path.is_file(), path
        assert str(path) in terminal
    # One digest per round of each of the three programmes, each with its chart.
    assert len(result.charts) == 3 * WEEKS
    for chart in result.charts:
        assert chart.read_bytes().startswith(PNG)
        assert str(chart) in terminal
    assert "Everything in the run worked." in terminal
    assert f"{WEEKS} simulated weeks in " in terminal
    assert "How the programmes went" in terminal


def _the_transcript_tells_the_story(demo: tuple[DemoResult, str]) -> None:
    result, terminal = demo
    transcript = result.transcript.read_text(encoding="utf-8")
    for heading in ("Friday: people join", "Week 1 of 2", "Week 2 of 2"):
        assert heading in transcript
        assert heading in terminal
    # Intros with their reasons, reminders, questions, check-ins, digests as text.
    assert "peercoach: intro → " in transcript
    assert "Why you" in transcript
    assert "A first question to start with" in transcript
    assert "peercoach: reminder → " in transcript
    assert "peercoach: weekly check-in → DM " in transcript
    assert "answered the check-in in words" in transcript
    assert "answered the check-in in the form" in transcript
    assert "pressed We met" in transcript or "pressed Yes, we met" in transcript
    assert "peercoach: digest → #people-team" in transcript
    assert "/peercoach pause 2 weeks" in transcript
    assert "set their Slack status to" in transcript
    assert "pressed Leave" in transcript
    assert "accepted the mentee" in transcript
    # The page shows the recorded conversations, the digest channel first.
    page = result.html.read_text(encoding="utf-8")
    assert page.index("#people-team") < page.index("DM · ")
    assert "charts/" in page


async def _each_round_introduced_everyone_eligible_once(demo: tuple[DemoResult, str]) -> None:
    result, _ = demo
    rows = await _rows(result.database)
    end = FIRST_ROUND.date() + timedelta(weeks=WEEKS)
    ran = [r for r in rows["rounds"] if r.scheduled_for < end]
    assert len(ran) == 3 * WEEKS
    people_in: dict[int, list[str]] = defaultdict(list)
    for group_id, user in rows["members"]:
        people_in[group_id].append(user)
    sent = {m.key for m in rows["outbox"] if m.status is OutboxStatus.SENT}
    told = {
        (m.key.split(":")[1], m.open_users[0])
        for m in rows["outbox"]
        if m.key.split(":")[0] in ("left-out", "skip")
    }
    for round_row in ran:
        groups = [g for g in rows["groups"] if g.round_id == round_row.id]
        placed = Counter(u for g in groups for u in people_in[g.id])
        # Once each; a mentor takes up to the two mentees they offered to.
        assert all(n <= (2 if user in MENTORS else 1) for user, n in placed.items()), placed
        # Each group was introduced exactly once (a mentorship once its mentor accepted).
        for group in groups:
            assert f"intro:{group.id}" in sent
        not_placed = {user for r, user in told if r == str(round_row.id)}
        assert not not_placed & set(placed)
        # Members then: active now, or left after the round was matched.
        members = {
            user
            for programme_id, user, state, left_at in rows["memberships"]
            if programme_id == round_row.programme_id
            and (
                state is MembershipState.ACTIVE
                or (left_at is not None and left_at.date() > round_row.scheduled_for)
            )
        }
        assert set(placed) | not_placed == members, round_row.id


async def _digests_were_posted_and_no_admin_message_holds_a_private_answer(
    demo: tuple[DemoResult, str],
) -> None:
    result, _ = demo
    rows = await _rows(result.database)
    digests = [m for m in rows["outbox"] if m.kind == "digest"]
    assert len(digests) == 3 * WEEKS
    assert {m.status for m in digests} == {OutboxStatus.SENT}
    assert {m.channel_id for m in digests} == {DIGEST_CHANNEL}
    notes = [c.note for c in rows["checkins"] if c.note]
    steps = [c.step for c in rows["checkins"] if c.step]
    assert len(notes) >= 5  # people wrote, so the check below has something to find
    assert steps
    admin_text = "\n".join(
        m.text + json.dumps(m.blocks)
        for m in rows["outbox"]
        if m.channel_id == DIGEST_CHANNEL or "U0ADMIN00" in m.open_users
    )
    assert "Meeting rate" in admin_text or "met" in admin_text
    for private in {*notes, *steps}:
        assert private not in admin_text
    # Nor in anything the app logged.
    log = result.log.read_text(encoding="utf-8")
    for private in {*notes, *steps}:
        assert private not in log


def test_the_demo_command_refuses_bad_options_in_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    answer = runner.invoke(cli, ["demo", "--people", "3", "--out", str(tmp_path)])
    assert answer.exit_code == 2
    assert "--people" in answer.output
    assert "Traceback" not in answer.output
    assert not any(tmp_path.iterdir())
