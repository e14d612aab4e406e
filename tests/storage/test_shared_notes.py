"""The notes people shared anonymously with the programme team: only those, only texts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CheckIn, Person
from storage.repositories import PersonRepository, WorkspaceRepository
from storage.repositories import checkins as checkins_module
from storage.repositories.checkins import CheckInRepository

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
WEEK_1, WEEK_2, WEEK_3 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)


async def _person(session: AsyncSession, team_id: str, user_id: str) -> Person:
    return await PersonRepository(session).upsert_seen(
        team_id, user_id, display_name=user_id.lower(), real_name=None, time_zone=None, now=T0
    )


def _checkin(
    who: Person,
    week: date,
    note: str | None,
    *,
    shared: bool = True,
    answered: bool = True,
) -> CheckIn:
    return CheckIn(
        team_id=who.team_id,
        person_id=who.id,
        week_start=week,
        rating=4,
        note=note,
        note_shared=shared,
        answered_at=T0 + timedelta(days=3) if answered else None,
    )


async def test_only_shared_answered_notes_of_the_people_and_weeks_asked_for(
    session: AsyncSession,
) -> None:
    workspaces = WorkspaceRepository(session)
    await workspaces.upsert("T1", "Acme", now=T0)
    await workspaces.upsert("T2", "Elsewhere", now=T0)
    ana, ben, cai, dee = [await _person(session, "T1", u) for u in ("UANA", "UBEN", "UCAI", "UDEE")]
    other_team = await _person(session, "T2", "UANA")
    session.add_all(
        [
            _checkin(ana, WEEK_1, "shared-ana-1"),
            _checkin(ana, WEEK_2, "private-ana-2", shared=False),
            _checkin(ana, WEEK_3, "shared-ana-3"),
            _checkin(ben, WEEK_1, "shared-ben-1"),
            _checkin(ben, WEEK_2, "   ", shared=True),  # blank: nothing to share
            _checkin(ben, WEEK_3, None, shared=True),
            # Ticked, but the check-in was never answered (an abandoned draft).
            _checkin(cai, WEEK_2, "unanswered-cai-2", answered=False),
            # Shared, but not one of the people asked about.
            _checkin(dee, WEEK_2, "shared-dee-2"),
            # Shared, one of the ids asked about, but another workspace's.
            _checkin(other_team, WEEK_2, "shared-other-team"),
            # Shared, but a week outside the range.
            _checkin(cai, date(2026, 10, 26), "shared-cai-before"),
            _checkin(cai, date(2026, 11, 23), "shared-cai-after"),
        ]
    )
    await session.flush()
    repository = CheckInRepository(session)
    asked = [ana.id, ben.id, cai.id, other_team.id]

    notes = await repository.shared_notes("T1", asked, WEEK_1, WEEK_3)

    assert notes == ["shared-ana-1", "shared-ana-3", "shared-ben-1"]
    assert all(isinstance(note, str) for note in notes)
    assert await repository.shared_note_authors("T1", asked, WEEK_1, WEEK_3) == 2
    # The range is inclusive at both ends, and narrowing it narrows the notes.
    assert await repository.shared_notes("T1", asked, WEEK_3, WEEK_3) == ["shared-ana-3"]
    assert await repository.shared_notes("T2", asked, WEEK_1, WEEK_3) == ["shared-other-team"]
    assert await repository.shared_notes("T1", [], WEEK_1, WEEK_3) == []
    assert await repository.shared_note_authors("T1", [], WEEK_1, WEEK_3) == 0


async def test_long_id_lists_are_read_in_chunks(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await WorkspaceRepository(session).upsert("T1", "Acme", now=T0)
    people = [await _person(session, "T1", f"U{n:03d}") for n in range(7)]
    session.add_all(_checkin(p, WEEK_1, f"note-{n}") for n, p in enumerate(people))
    await session.flush()
    # Chunks of 3 over 7 people (and a repeated id): three queries, every note once.
    monkeypatch.setattr(checkins_module, "CHUNK", 3)
    ids = [p.id for p in people] + [people[0].id]
    repository = CheckInRepository(session)

    assert await repository.shared_notes("T1", ids, WEEK_1, WEEK_1) == [
        f"note-{n}" for n in range(7)
    ]
    assert await repository.shared_note_authors("T1", ids, WEEK_1, WEEK_1) == 7
