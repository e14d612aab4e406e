"""The tick benchmark's machinery on a small population: well-formed results, never timings."""

from __future__ import annotations

import io

from benchmarks.tick import NOW, PROPOSED_ASKED, build, due_work_queries, print_result, run
from tests.fixtures.database import _postgres_admin_url


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
    # The second workspace's pairs and circles rounds of the last week reached their
    # mid-point and the pairs round its end; the mentoring round runs for another week.
    assert rows["round mid-points due"] == 2
    assert rows["round ends due"] == 1
    assert rows["mentors to ask"] == 2  # one per workspace
    assert rows["mentor answers timed out"] == 2
    # Two pending rows per workspace are due; the claim takes them (and is rolled back).
    assert rows["outbox rows due"] == 4
    # Every query of the follow-ups and the outbox uses the schema's indexes.
    plans = dict(result.plans)
    assert "ix_match_groups_proposed" in plans["mentors to ask"]
    assert "ix_match_groups_proposed" in plans["mentor answers timed out"]
    assert "ix_outbox_status_next_attempt_at" in plans["outbox rows due"]
    assert "ix_people_paused_until" in plans["pauses over"]
    assert "ix_people_flash_week" in plans["flash requests"]
    assert result.timing.best > 0
    out = io.StringIO()
    print_result(result, out)
    assert "Due work of one tick" in out.getvalue()
    assert "UPDATE outbox" in out.getvalue()  # the claim's update is explained too
