"""The tick benchmark's machinery on a small population: well-formed results, never timings."""

from __future__ import annotations

import io

from benchmarks.tick import NOW, build, due_work_queries, print_result, run
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


async def test_a_small_run_finds_the_due_work_and_explains_every_query() -> None:
    admin = _postgres_admin_url()
    result = await run(admin, people=2_000, weeks=3, repeat=2, proposed_indexes=True)
    assert result.counts["people"] == 2_000
    names = [q.name for q in due_work_queries(NOW)]
    assert [name for name, _ in result.plans] == names
    assert all("actual time" in plan for _, plan in result.plans)
    # Some pauses end today and some people asked for a one-off conversation.
    assert result.timing.rows["pauses over"] > 0
    assert result.timing.rows["flash requests"] == 2  # both workspaces
    assert result.timing.rows["cohorts ended"] == 1  # the first workspace's circle cohort
    assert result.timing.rows["rounds due"] == 3  # the second workspace's three programmes
    assert result.timing.best > 0
    assert result.plans_with_indexes is not None
    out = io.StringIO()
    print_result(result, out)
    assert "Due work of one tick" in out.getvalue()
