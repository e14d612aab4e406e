"""Programme settings: one row per workspace, absent until an admin saves them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WorkspaceSettings
from storage.repositories._upsert import upsert_returning


class SettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team_id: str) -> WorkspaceSettings | None:
        result = await self._session.scalars(
            select(WorkspaceSettings).where(WorkspaceSettings.team_id == team_id)
        )
        return result.one_or_none()

    async def save(self, team_id: str, values: Mapping[str, Any]) -> WorkspaceSettings:
        statement = upsert_returning(
            self._session,
            WorkspaceSettings,
            values={"team_id": team_id, **values},
            conflict_columns=["team_id"],
            update_columns=list(values),
        )
        result = await self._session.scalars(
            statement, execution_options={"populate_existing": True}
        )
        return result.one()
