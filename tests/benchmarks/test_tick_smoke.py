"""The tick benchmark's machinery on a small population: well-formed results, never timings."""

from __future__ import annotations

import io

from benchmarks.tick import (
    NOW,
    PROPOSED_ASKED,
    TIMED_STEPS,
    StepTimes,
    build,
    due_work_queries,
    print_result,
    run,
    run_sqlite,
)
from tests.fixtures.database import _postgres_admin_url

QUESTIONS = "bot.questions.steps:send_weekly"
CHECKINS = "bot.checkins.steps:send_due"


def test_the_population_is_consistent() -> None:
    pop = build(people=2_500, weeks=3)
    assert len(pop.people) == 2_500
    assert len(pop.workspaces) == 2
    person_ids = {row[0] for row in pop.people}
    assert {row[2] for row in pop.memberships} <= person_ids
    assert {row[1] for row in pop.members} <= person_ids
    group_ids = {row[0] for row in pop.groups}
    assert {row[0] for row in pop.members} == group_ids
    # A few mentorships per workspace wait for their mentor; nothing else is proposed.
    proposed = [row for row in pop.groups if row[6] == "proposed"]
    assert len(proposed) == 2 * len(PROPOSED_ASKED)
    # No round's follow-up is done before its time, and past ones are done outside the
    # workspaces with work due now.
    for row in pop.rounds:
        team = row[1]
        for at, done in ((row[7], row[9]), (row[8], row[10])):
            if at > NOW:
                assert done is None
            elif team != "T0000001":  # the second workspace has its work due now
                assert done == at
    assert len({row[0] for row in pop.outbox}) == 2  # pending messages in both workspaces
    # Weekly questions are kept only for running groups of rounds longer than a week, and
    # are due now only in the second workspace.
    rounds = {row[0]: row for row in pop.rounds}
    questions = [row for row in pop.groups if row[12] is not None]
    assert questions
    for row in questions:
        assert row[6] == "active"
        assert rounds[row[2]][3] != "pairs"
        assert (row[12] <= NOW) == (row[1] == "T0000001")
    # One check-in per person and week; this week's is planned for everyone taking part in
    # the first workspace, and due, to remind or still to plan in the second.
    keys = [(row[1], row[2]) for row in pop.checkins]
    assert len(keys) == len(set(keys))
    this_week = max(row[2] for row in pop.checkins)
    current = [row for row in pop.checkins if row[2] == this_week]
    assert all(row[4] > NOW and row[6] is None for row in current if row[0] == "T0000000")
    second = [row for row in current if row[0] == "T0000001"]
    assert any(row[4] <= NOW and row[6] is None for row in second)
    assert any(row[7] is not None and row[7] <= NOW for row in second)


async def test_a_small_run_finds_the_due_work_and_explains_every_query() -> None:
    admin = _postgres_admin_url()
    result = await run(admin, people=2_000, weeks=3, repeat=2)
    assert result.counts["people"] == 2_000
    names = [q.name for q in due_work_queries(NOW)]
    assert [name for name, _ in result.plans] == names
    assert list(result.timing.each) == names
    assert all("actual time" in plan for _, plan in result.plans)
    rows = result.timing.rows
    # Some pauses end today and some people asked for a one-off conversation.
    assert rows["pauses over"] > 0
    assert rows["flash requests"] == 2  # both workspaces
    assert rows["cohorts ended"] == 1  # the first workspace's circle cohort
    assert rows["rounds due"] == 3  # the second workspace's three programmes
    # The second workspace's rounds of the last week reached their mid-point and the pairs
    # round its end; the circles and mentoring rounds run on.
    assert rows["round mid-points due"] == 3
    assert rows["round ends due"] == 1
    assert rows["mentors to ask"] == 2  # one per workspace
    assert rows["mentor answers timed out"] == 2
    # Two pending rows per workspace are due; the claim takes them (and is rolled back).
    assert rows["outbox rows due"] == 4
    # The second workspace's circles and mentorships have this week's question due; a tenth
    # of its people have no check-in planned, and the due ones fill a step's batch.
    assert rows["weekly questions due"] > 0
    assert 0 < rows["check-ins to plan"] < 100
    assert rows["check-ins due"] == rows["check-in reminders due"] == 200
    # Every query of the follow-ups and the outbox uses the schema's indexes.
    plans = dict(result.plans)
    assert "ix_match_groups_proposed" in plans["mentors to ask"]
    assert "ix_match_groups_proposed" in plans["mentor answers timed out"]
    assert "ix_outbox_status_next_attempt_at" in plans["outbox rows due"]
    assert "ix_people_paused_until" in plans["pauses over"]
    assert "ix_people_flash_week" in plans["flash requests"]
    assert "ix_match_groups_question_due" in plans["weekly questions due"]
    assert "ix_checkins_due_unsent" in plans["check-ins due"]
    assert "ix_checkins_remind_due" in plans["check-in reminders due"]
    assert result.timing.best > 0
    _check_steps(result.steps, rows)
    out = io.StringIO()
    print_result(result, out)
    assert "Due work of one tick" in out.getvalue()
    assert "UPDATE outbox" in out.getvalue()  # the claim's update is explained too
    assert "idle median" in out.getvalue()


def _check_steps(steps: dict[str, StepTimes], rows: dict[str, int]) -> None:
    """The busy ticks did exactly the due work the queries found, and the idle ones none."""
    assert list(steps) == list(TIMED_STEPS) == [QUESTIONS, CHECKINS]
    assert steps[QUESTIONS].busy_ticks == 1
    assert steps[QUESTIONS].done == rows["weekly questions due"]
    # Planned, sent and reminded over a few ticks of 200 at most each.
    assert steps[CHECKINS].busy_ticks >= 2
    assert steps[CHECKINS].done > rows["check-ins due"] + rows["check-in reminders due"]
    for times in steps.values():
        assert times.busy_seconds >= times.slowest_busy > 0
        assert times.idle_median >= times.idle_best > 0


async def test_the_same_run_on_sqlite_reads_through_the_same_indexes() -> None:
    result = await run_sqlite(people=2_000, weeks=3, repeat=2)
    assert result.database == "SQLite"
    assert [name for name, _ in result.plans] == [q.name for q in due_work_queries(NOW)]
    rows = result.timing.rows
    assert rows["rounds due"] == 3
    assert rows["round mid-points due"] == 3
    assert rows["weekly questions due"] > 0
    assert rows["check-ins due"] == rows["check-in reminders due"] == 200
    plans = dict(result.plans)
    assert "USING INDEX ix_match_groups_question_due" in plans["weekly questions due"]
    assert "ix_checkins_due_unsent" in plans["check-ins due"]
    assert "ix_checkins_remind_due" in plans["check-in reminders due"]
    _check_steps(result.steps, rows)
