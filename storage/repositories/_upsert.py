"""INSERT ... ON CONFLICT DO UPDATE for both supported databases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from storage.base import Base

ModelT = TypeVar("ModelT", bound=Base)


def upsert_returning(
    session: AsyncSession,
    model: type[ModelT],
    *,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
    update_columns: Sequence[str],
) -> ReturningInsert[tuple[ModelT]]:
    """An upsert that returns the row, as inserted or as updated.

    One statement instead of select-then-insert, so two concurrent events for the same key
    cannot both try to insert it.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg_statement = postgresql.insert(model).values(**values)
        return pg_statement.on_conflict_do_update(
            index_elements=list(conflict_columns),
            set_={column: pg_statement.excluded[column] for column in update_columns},
        ).returning(model)
    if dialect == "sqlite":
        lite_statement = sqlite.insert(model).values(**values)
        return lite_statement.on_conflict_do_update(
            index_elements=list(conflict_columns),
            set_={column: lite_statement.excluded[column] for column in update_columns},
        ).returning(model)
    raise NotImplementedError(f"upsert is not implemented for {dialect}")
