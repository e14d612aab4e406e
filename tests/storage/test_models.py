"""Constraints the database itself enforces, whatever the code above it does."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Cadence, EnrolmentState
from storage.models import Person, Workspace
from storage.types import utcnow


def _workspace(team_id: str = "T1") -> Workspace:
    return Workspace(team_id=team_id, name=f"Team {team_id}")


def _person(team_id: str = "T1", slack_user_id: str = "U1", **fields: object) -> Person:
    return Person(team_id=team_id, slack_user_id=slack_user_id, display_name="Ada", **fields)


def _bindable(session: AsyncSession, moment: datetime) -> datetime:
    # Raw SQL skips UTCDateTime; SQLite's driver wants the naive UTC form it would have made.
    return moment.replace(tzinfo=None) if session.get_bind().dialect.name == "sqlite" else moment


async def _count_people(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Person))).scalar_one()


async def test_defaults(session: AsyncSession) -> None:
    session.add(_workspace())
    await session.flush()
    session.add(_person())
    await session.commit()
    session.expunge_all()

    person = (await session.scalars(select(Person))).one()
    assert person.enrolment_state is EnrolmentState.NOT_ENROLLED
    assert person.goals == []
    assert person.goal_tags == []
    assert person.skills == []
    assert person.level is None
    assert person.cadence is None
    assert person.created_at.tzinfo is not None


async def test_server_defaults_for_rows_written_in_sql(session: AsyncSession) -> None:
    session.add(_workspace())
    await session.flush()
    await session.execute(
        text(
            "INSERT INTO people (team_id, slack_user_id, display_name, created_at, updated_at) "
            "VALUES ('T1', 'U1', 'Ada', :now, :now)"
        ).bindparams(now=_bindable(session, utcnow()))
    )
    person = (await session.scalars(select(Person))).one()
    assert person.enrolment_state is EnrolmentState.NOT_ENROLLED
    assert person.goals == []


async def test_profile_round_trip(session: AsyncSession) -> None:
    session.add(_workspace())
    await session.flush()
    session.add(
        _person(
            function="Engineering",
            level=3,
            goals=["Delegate more", "Give feedback"],
            goal_tags=["delegation", "feedback"],
            skills=["python"],
            work_start=time(9, 0),
            work_end=time(17, 30),
            cadence=Cadence.FORTNIGHTLY,
            enrolment_state=EnrolmentState.PAUSED,
            paused_until=date(2024, 9, 1),
        )
    )
    await session.commit()
    session.expunge_all()

    person = (await session.scalars(select(Person))).one()
    assert person.goals == ["Delegate more", "Give feedback"]
    assert person.work_start == time(9, 0)
    assert person.work_end == time(17, 30)
    assert person.cadence is Cadence.FORTNIGHTLY
    assert person.enrolment_state is EnrolmentState.PAUSED
    assert person.paused_until == date(2024, 9, 1)
    stored = (await session.execute(text("SELECT enrolment_state, cadence FROM people"))).one()
    assert tuple(stored) == ("paused", "fortnightly")


def test_more_than_three_goals_refused() -> None:
    with pytest.raises(ValueError, match="at most 3 goals"):
        _person(goals=["a", "b", "c", "d"])


async def test_duplicate_person_refused(session: AsyncSession) -> None:
    session.add(_workspace())
    await session.flush()
    session.add(_person())
    await session.commit()

    session.add(_person())
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()
    assert await _count_people(session) == 1


async def test_same_user_id_in_two_workspaces_allowed(session: AsyncSession) -> None:
    session.add_all([_workspace("T1"), _workspace("T2")])
    await session.flush()
    session.add_all([_person("T1", "U1"), _person("T2", "U1")])
    await session.flush()
    assert await _count_people(session) == 2


async def test_duplicate_workspace_refused(session: AsyncSession) -> None:
    session.add(_workspace())
    await session.commit()
    session.add(_workspace())
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_person_needs_a_workspace(session: AsyncSession) -> None:
    session.add(_person("T404"))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_deleting_workspace_deletes_its_people(session: AsyncSession) -> None:
    session.add_all([_workspace("T1"), _workspace("T2")])
    await session.flush()
    session.add_all([_person("T1", "U1"), _person("T1", "U2"), _person("T2", "U1")])
    await session.commit()

    await session.execute(delete(Workspace).where(Workspace.team_id == "T1"))
    await session.commit()

    remaining = (await session.execute(select(Person.team_id, Person.slack_user_id))).all()
    assert [tuple(row) for row in remaining] == [("T2", "U1")]


async def test_orm_delete_cascades_without_loading_people(session: AsyncSession) -> None:
    workspace = _workspace()
    session.add(workspace)
    await session.flush()
    session.add(_person())
    await session.commit()
    session.expunge_all()

    workspace_again = (await session.scalars(select(Workspace))).one()
    await session.delete(workspace_again)
    await session.commit()
    assert await _count_people(session) == 0


@pytest.mark.parametrize("level", [0, 7])
async def test_level_out_of_range_refused(session: AsyncSession, level: int) -> None:
    session.add(_workspace())
    await session.flush()
    session.add(_person(level=level))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_unknown_enrolment_state_refused(session: AsyncSession) -> None:
    # Bypasses the Python enum to prove the database's CHECK constraint is there.
    session.add(_workspace())
    await session.flush()
    with pytest.raises(IntegrityError):
        await session.execute(
            text(
                "INSERT INTO people (team_id, slack_user_id, display_name, enrolment_state,"
                " created_at, updated_at) VALUES ('T1', 'U1', 'Ada', 'graduated', :now, :now)"
            ).bindparams(now=_bindable(session, utcnow()))
        )


async def test_lazy_relationship_raises(session: AsyncSession) -> None:
    session.add(_workspace())
    await session.flush()
    session.add(_person())
    await session.commit()
    session.expunge_all()

    person = (await session.scalars(select(Person))).one()
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = person.workspace
