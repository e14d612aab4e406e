"""Workspaces: one row per Slack team the app is installed in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Workspace
from storage.repositories._upsert import upsert_returning


class WorkspaceRepository:
    """Reads and writes workspaces. Flushes, never commits: the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team_id: str) -> Workspace | None:
        result = await self._session.scalars(select(Workspace).where(Workspace.team_id == team_id))
        return result.one_or_none()

    async def upsert(
        self,
        team_id: str,
        name: str,
        *,
        enterprise_id: str | None = None,
        now: datetime,
    ) -> Workspace:
        """Create the workspace, or refresh its name and enterprise id if it exists."""
        statement = upsert_returning(
            self._session,
            Workspace,
            values={
                "team_id": team_id,
                "name": name,
                "enterprise_id": enterprise_id,
                "created_at": now,
                "updated_at": now,
            },
            conflict_columns=["team_id"],
            update_columns=["name", "enterprise_id", "updated_at"],
        )
        # populate_existing: a copy already in the session must show the row as written.
        result = await self._session.scalars(
            statement, execution_options={"populate_existing": True}
        )
        return result.one()
