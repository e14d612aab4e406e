"""Programmes and memberships in storage: created once on demand, one row per person and
programme kept across leaving and rejoining, and failed deliveries summarised without text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import (
    EnrolmentState,
    MembershipRole,
    MembershipState,
    OutboxStatus,
    ProgrammeMode,
)
from bot.outbox import Message, enqueue
from storage.models import Membership, OutboxMessage, ProgrammeRow
from storage.repositories import (
    PersonRepository,
    ProgrammeDefaults,
    ProgrammeRepository,
    WorkspaceRepository,
)

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


async def _workspace(session: AsyncSession) -> None:
    await WorkspaceRepository(session).upsert("T1", "Acme", now=T0)


async def test_get_or_create_makes_each_default_programme_once(session: AsyncSession) -> None:
    await _workspace(session)
    programmes = ProgrammeRepository(session)
    pairs, created = await programmes.get_or_create("T1", ProgrammeMode.PAIRS, now=T0)
    assert created
    assert (pairs.name, pairs.is_default, pairs.group_size) == ("Peer pairs", True, 2)
    again, created_again = await programmes.get_or_create("T1", ProgrammeMode.PAIRS, now=T0)
    assert (again.id, created_again) == (pairs.id, False)
    circles, _ = await programmes.get_or_create(
        "T1", ProgrammeMode.CIRCLES, now=T0, defaults=ProgrammeDefaults(circle_size=5, weekday=3)
    )
    assert (circles.name, circles.is_default, circles.group_size, circles.weekday) == (
        "Peer circles",
        False,
        5,
        3,
    )
    count = await session.scalar(select(func.count()).select_from(ProgrammeRow))
    assert count == 2


async def test_a_closed_programme_is_not_reused_and_its_name_stays_taken(
    session: AsyncSession,
) -> None:
    await _workspace(session)
    programmes = ProgrammeRepository(session)
    circles, _ = await programmes.get_or_create("T1", ProgrammeMode.CIRCLES, now=T0)
    await programmes.close(circles, now=T0)
    fresh, created = await programmes.get_or_create("T1", ProgrammeMode.CIRCLES, now=T0)
    assert created
    assert fresh.id != circles.id
    assert fresh.name == "Peer circles 2"


async def test_join_leave_and_rejoin_keep_one_row(session: AsyncSession) -> None:
    await _workspace(session)
    person = await PersonRepository(session).upsert_seen(
        "T1", "U1", display_name="u1", real_name=None, time_zone=None, now=T0
    )
    programmes = ProgrammeRepository(session)
    pairs, _ = await programmes.get_or_create("T1", ProgrammeMode.PAIRS, now=T0)
    membership, newly = await programmes.join(pairs, person, MembershipRole.PARTICIPANT, now=T0)
    assert newly
    assert [p.id for _, p in await programmes.active_for_person(person.id)] == [pairs.id]
    await programmes.leave(membership, now=T0 + timedelta(days=1))
    assert await programmes.active_for_person(person.id) == []
    later = T0 + timedelta(days=9)
    rejoined, newly = await programmes.join(pairs, person, MembershipRole.PARTICIPANT, now=later)
    assert newly
    assert rejoined.id == membership.id
    assert (rejoined.state, rejoined.left_at, rejoined.joined_at) == (
        MembershipState.ACTIVE,
        None,
        later,
    )
    _, newly = await programmes.join(pairs, person, MembershipRole.PARTICIPANT, now=later)
    assert not newly
    assert await session.scalar(select(func.count()).select_from(Membership)) == 1
    assert person.enrolment_state is EnrolmentState.NOT_ENROLLED  # the repository only stores


async def test_failed_deliveries_are_counted_by_kind_and_error_code(session: AsyncSession) -> None:
    await _workspace(session)
    for n, (kind, error) in enumerate(
        [("intro", "channel_not_found"), ("intro", "channel_not_found"), ("invite", None)]
    ):
        await enqueue(
            session,
            Message(
                team_id="T1",
                key=f"{kind}:{n}",
                kind=kind,
                text="Hello Ada, secret goal",
                due_at=T0,
                open_users=["U1"],
            ),
            now=T0,
        )
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"{kind}:{n}"))
        assert row is not None
        row.status = OutboxStatus.FAILED
        row.last_error = error
    await enqueue(
        session,
        Message(team_id="T1", key="dm:ok", kind="dm", text="x", due_at=T0, open_users=["U1"]),
        now=T0,
    )
    await session.flush()
    failed = await ProgrammeRepository(session).failed_deliveries("T1")
    assert failed.total == 3
    assert failed.by_kind == (("intro", "channel_not_found", 2), ("invite", "unknown", 1))
    assert "secret" not in repr(failed)
