"""The outbox's rows: writing a message to send, in the caller's transaction, at most once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import OutboxStatus
from storage.models import OutboxMessage


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        team_id: str,
        key: str,
        kind: str,
        text: str,
        due_at: datetime,
        now: datetime,
        channel_id: str | None = None,
        open_users: Sequence[str] = (),
        blocks: list[dict[str, Any]] | None = None,
        on_sent: dict[str, Any] | None = None,
    ) -> bool:
        """Queue a message unless one with `key` exists; True when this call queued it.

        INSERT ... ON CONFLICT DO NOTHING rather than catching the duplicate, so a message
        already queued never rolls back the caller's transaction (the state change it belongs
        to stands either way)."""
        if channel_id is None and not open_users:
            raise ValueError("a message needs a channel or people to open one with")
        values: dict[str, Any] = {
            "team_id": team_id,
            "key": key,
            "kind": kind,
            "channel_id": channel_id,
            "open_users": list(open_users),
            "text": text,
            "blocks": blocks,
            "on_sent": on_sent,
            "status": OutboxStatus.PENDING,
            "due_at": due_at,
            "next_attempt_at": due_at,
            "attempts": 0,
            "created_at": now,
        }
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(OutboxMessage)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(OutboxMessage.id)
        )
        return (await self._session.scalar(statement)) is not None

    async def by_key(self, key: str) -> OutboxMessage | None:
        found: OutboxMessage | None = await self._session.scalar(
            select(OutboxMessage).where(OutboxMessage.key == key)
        )
        return found
