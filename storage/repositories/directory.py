"""The HR directory (one entry per Slack user) and the eligibility settings."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DirectoryEntry, EligibilitySettings
from storage.repositories._team_row import TeamRowRepository


class DirectoryRepository:
    """Reads and writes directory entries. Flushes, never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self, team_id: str) -> list[DirectoryEntry]:
        result = await self._session.scalars(
            select(DirectoryEntry)
            .where(DirectoryEntry.team_id == team_id)
            .order_by(DirectoryEntry.slack_user_id)
        )
        return list(result)

    async def get(self, team_id: str, slack_user_id: str) -> DirectoryEntry | None:
        result = await self._session.scalars(
            select(DirectoryEntry).where(
                DirectoryEntry.team_id == team_id, DirectoryEntry.slack_user_id == slack_user_id
            )
        )
        return result.one_or_none()

    async def managers(self, team_id: str) -> dict[str, str]:
        """Each user id with a manager -> that manager's user id."""
        rows = await self._session.execute(
            select(DirectoryEntry.slack_user_id, DirectoryEntry.manager_slack_id).where(
                DirectoryEntry.team_id == team_id, DirectoryEntry.manager_slack_id.is_not(None)
            )
        )
        return {user: manager for user, manager in rows.tuples() if manager is not None}

    def add(self, entry: DirectoryEntry) -> None:
        self._session.add(entry)

    async def add_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert new entries in one executemany (a first import is thousands of rows)."""
        if rows:
            await self._session.execute(insert(DirectoryEntry), [dict(r) for r in rows])

    async def remove(self, team_id: str, slack_user_ids: Collection[str]) -> None:
        if not slack_user_ids:
            return
        await self._session.execute(
            delete(DirectoryEntry).where(
                DirectoryEntry.team_id == team_id,
                DirectoryEntry.slack_user_id.in_(list(slack_user_ids)),
            )
        )

    async def forget(self, team_id: str, slack_user_id: str) -> None:
        """Delete the person's entry and their id everywhere: the people who reported to them
        now report to their manager, so the reporting-line rule still keeps those people
        apart from the manager above (it errs on the side of keeping people apart)."""
        own = await self.get(team_id, slack_user_id)
        above = own.manager_slack_id if own is not None else None
        if above == slack_user_id:
            above = None
        for entry in await self._session.scalars(
            select(DirectoryEntry).where(
                DirectoryEntry.team_id == team_id,
                DirectoryEntry.manager_slack_id == slack_user_id,
            )
        ):
            entry.manager_slack_id = above if above != entry.slack_user_id else None
        await self.remove(team_id, [slack_user_id])
        await self._session.flush()


class EligibilityRepository(TeamRowRepository[EligibilitySettings]):
    model = EligibilitySettings
