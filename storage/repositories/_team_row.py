"""A repository for a table with at most one row per workspace, absent until an admin saves it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import Base
from storage.repositories._upsert import upsert_returning

RowT = TypeVar("RowT", bound=Base)


class TeamRowRepository(Generic[RowT]):
    """`get` and `save` (an upsert) of the one row keyed by `team_id`. Never commits."""

    model: ClassVar[type[Any]]

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team_id: str) -> RowT | None:
        result = await self._session.scalars(select(self.model).filter_by(team_id=team_id))
        row: RowT | None = result.one_or_none()
        return row

    async def save(self, team_id: str, values: Mapping[str, Any]) -> RowT:
        statement = upsert_returning(
            self._session,
            self.model,
            values={"team_id": team_id, **values},
            conflict_columns=["team_id"],
            update_columns=list(values),
        )
        result = await self._session.scalars(
            statement, execution_options={"populate_existing": True}
        )
        row: RowT = result.one()
        return row
