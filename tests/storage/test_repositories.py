"""Repositories: idempotent upserts that never touch what the person chose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.domain import Cadence, EnrolmentState
from storage.models import Person, Workspace
from storage.repositories import PersonRepository, WorkspaceRepository
from storage.session import create_sessionmaker

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


async def _count(session: AsyncSession, model: type[Workspace] | type[Person]) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_workspace_get_missing(session: AsyncSession) -> None:
    assert await WorkspaceRepository(session).get("T404") is None


async def test_workspace_upsert_is_idempotent(session: AsyncSession) -> None:
    workspaces = WorkspaceRepository(session)

    created = await workspaces.upsert("T1", "Acme", now=T0)
    assert (created.team_id, created.name, created.enterprise_id) == ("T1", "Acme", None)
    assert created.created_at == T0
    assert created.updated_at == T0

    refreshed = await workspaces.upsert("T1", "Acme Corp", enterprise_id="E1", now=T1)
    assert refreshed is created  # same identity, state refreshed in place
    assert (refreshed.name, refreshed.enterprise_id) == ("Acme Corp", "E1")
    assert refreshed.created_at == T0
    assert refreshed.updated_at == T1
    assert await _count(session, Workspace) == 1

    fetched = await workspaces.get("T1")
    assert fetched is not None
    assert fetched.name == "Acme Corp"


async def test_repositories_do_not_commit(migrated_engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(migrated_engine)
    async with sessions() as session:
        await WorkspaceRepository(session).upsert("T1", "Acme", now=T0)
        await session.rollback()
    async with sessions() as session:
        assert await WorkspaceRepository(session).get("T1") is None


async def test_person_upsert_seen_creates_not_enrolled(session: AsyncSession) -> None:
    await WorkspaceRepository(session).upsert("T1", "Acme", now=T0)
    people = PersonRepository(session)

    person = await people.upsert_seen(
        "T1", "U1", display_name="ada", real_name="Ada Lovelace", time_zone="Europe/London", now=T0
    )
    assert person.enrolment_state is EnrolmentState.NOT_ENROLLED
    assert (person.display_name, person.real_name, person.time_zone) == (
        "ada",
        "Ada Lovelace",
        "Europe/London",
    )
    assert person.goals == []
    assert person.created_at == T0


async def test_person_upsert_seen_refreshes_slack_fields_only(
    migrated_engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(migrated_engine)
    async with sessions() as session:
        await WorkspaceRepository(session).upsert("T1", "Acme", now=T0)
        person = await PersonRepository(session).upsert_seen(
            "T1", "U1", display_name="ada", real_name=None, time_zone=None, now=T0
        )
        # The person fills their profile and enrols.
        person.function = "Engineering"
        person.level = 4
        person.goals = ["Delegate more"]
        person.cadence = Cadence.MONTHLY
        person.enrolment_state = EnrolmentState.ENROLLED
        person.enrolled_at = T0
        await session.commit()

    async with sessions() as session:
        people = PersonRepository(session)
        again = await people.upsert_seen(
            "T1", "U1", display_name="ada.l", real_name="Ada L", time_zone="Asia/Tokyo", now=T1
        )
        await session.commit()
        assert (again.display_name, again.real_name, again.time_zone) == (
            "ada.l",
            "Ada L",
            "Asia/Tokyo",
        )
        assert again.updated_at == T1
        assert again.created_at == T0
        assert again.function == "Engineering"
        assert again.level == 4
        assert again.goals == ["Delegate more"]
        assert again.cadence is Cadence.MONTHLY
        assert again.enrolment_state is EnrolmentState.ENROLLED
        assert again.enrolled_at == T0
        assert await _count(session, Person) == 1


async def test_person_upsert_refreshes_copy_in_session(session: AsyncSession) -> None:
    await WorkspaceRepository(session).upsert("T1", "Acme", now=T0)
    people = PersonRepository(session)
    first = await people.upsert_seen(
        "T1", "U1", display_name="ada", real_name=None, time_zone=None, now=T0
    )
    second = await people.upsert_seen(
        "T1", "U1", display_name="ada.l", real_name=None, time_zone=None, now=T1
    )
    assert second is first
    assert first.display_name == "ada.l"
    fetched = await people.get("T1", "U1")
    assert fetched is first


async def test_person_get_is_scoped_to_workspace(session: AsyncSession) -> None:
    workspaces = WorkspaceRepository(session)
    await workspaces.upsert("T1", "Acme", now=T0)
    await workspaces.upsert("T2", "Other", now=T0)
    people = PersonRepository(session)
    await people.upsert_seen("T1", "U1", display_name="ada", real_name=None, time_zone=None, now=T0)

    assert await people.get("T1", "U1") is not None
    assert await people.get("T2", "U1") is None


async def test_list_by_state(session: AsyncSession) -> None:
    workspaces = WorkspaceRepository(session)
    await workspaces.upsert("T1", "Acme", now=T0)
    await workspaces.upsert("T2", "Other", now=T0)
    people = PersonRepository(session)
    for team_id, user_id in [("T1", "U1"), ("T1", "U2"), ("T1", "U3"), ("T2", "U1")]:
        await people.upsert_seen(
            team_id, user_id, display_name=user_id, real_name=None, time_zone=None, now=T0
        )
    for team_id, user_id in [("T1", "U1"), ("T1", "U3"), ("T2", "U1")]:
        person = await people.get(team_id, user_id)
        assert person is not None
        person.enrolment_state = EnrolmentState.ENROLLED
    await session.flush()

    enrolled = await people.list_by_state("T1", EnrolmentState.ENROLLED)
    assert [p.slack_user_id for p in enrolled] == ["U1", "U3"]
    not_enrolled = await people.list_by_state("T1", EnrolmentState.NOT_ENROLLED)
    assert [p.slack_user_id for p in not_enrolled] == ["U2"]
    assert await people.list_by_state("T1", EnrolmentState.LEFT) == []
