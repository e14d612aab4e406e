"""Revision 0007 gives the running groups of rounds longer than a week their next weekly
question's due time, and no other group one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, column, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import upgrade
from storage.types import UTCDateTime

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _table(table_name: str, /, **types: Any) -> Any:
    return table(table_name, *(column(key, kind) for key, kind in types.items()))


WORKSPACES = _table(
    "workspaces",
    team_id=String(),
    name=String(),
    created_at=UTCDateTime(),
    updated_at=UTCDateTime(),
)
PROGRAMMES = _table(
    "programmes",
    id=Integer(),
    team_id=String(),
    name=String(),
    mode=String(),
    kind=String(),
    cadence=String(),
    weekday=Integer(),
    intro_hour=Integer(),
    group_size=Integer(),
    is_default=Boolean(),
    created_at=UTCDateTime(),
    updated_at=UTCDateTime(),
)
ROUNDS = _table(
    "rounds",
    id=Integer(),
    team_id=String(),
    programme_id=Integer(),
    mode=String(),
    seed=Integer(),
    scheduled_for=Date(),
    ends_at=UTCDateTime(),
    end_done_at=UTCDateTime(),
    created_at=UTCDateTime(),
)
GROUPS = _table(
    "match_groups",
    id=Integer(),
    team_id=String(),
    round_id=Integer(),
    score=Float(),
    breakdown=JSON(),
    explanation=String(),
    state=String(),
    intro_at=UTCDateTime(),
    created_at=UTCDateTime(),
)
DUE = _table("match_groups", id=Integer(), question_due_at=UTCDateTime())


async def test_running_groups_of_longer_rounds_get_their_next_question_due(
    empty_engine: AsyncEngine,
) -> None:
    await upgrade(empty_engine, "0006")
    async with empty_engine.begin() as connection:
        await connection.execute(
            WORKSPACES.insert(),
            [{"team_id": "T1", "name": "Acme", "created_at": AT, "updated_at": AT}],
        )
        await connection.execute(
            PROGRAMMES.insert(),
            [
                {
                    "id": n,
                    "team_id": "T1",
                    "name": cadence,
                    "mode": "pairs",
                    "kind": "evergreen",
                    "cadence": cadence,
                    "weekday": 0,
                    "intro_hour": 9,
                    "group_size": 2,
                    "is_default": False,
                    "created_at": AT,
                    "updated_at": AT,
                }
                for n, cadence in ((1, "monthly"), (2, "weekly"))
            ],
        )
        rounds = [
            (1, 1, AT + timedelta(days=28), None),  # monthly, running
            (2, 2, AT + timedelta(days=7), None),  # weekly: the intro's question is the week's
            (3, 1, AT - timedelta(days=1), AT - timedelta(days=1)),  # ended
        ]
        await connection.execute(
            ROUNDS.insert(),
            [
                {
                    "id": rid,
                    "team_id": "T1",
                    "programme_id": pid,
                    "mode": "pairs",
                    "seed": 1,
                    "scheduled_for": date(2026, 11, 2) + timedelta(days=rid),
                    "ends_at": ends,
                    "end_done_at": done,
                    "created_at": AT,
                }
                for rid, pid, ends, done in rounds
            ],
        )
        groups = [(1, 1, "active"), (2, 1, "ended"), (3, 2, "active"), (4, 3, "active")]
        await connection.execute(
            GROUPS.insert(),
            [
                {
                    "id": gid,
                    "team_id": "T1",
                    "round_id": rid,
                    "score": 1.0,
                    "breakdown": {},
                    "explanation": "",
                    "state": state,
                    "intro_at": AT,
                    "created_at": AT,
                }
                for gid, rid, state in groups
            ],
        )
    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        due = dict((await connection.execute(select(DUE.c.id, DUE.c.question_due_at))).all())
    assert due == {1: AT + timedelta(days=7), 2: None, 3: None, 4: None}
