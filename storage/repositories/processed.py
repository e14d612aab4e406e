"""Keys of Slack deliveries already handled: the first claim wins, a retry finds it taken."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedRequest


class ProcessedRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, key: str, *, now: datetime) -> bool:
        """True if this is the first time `key` is seen; the claim commits with the caller's work.

        Call it first in the transaction: on SQLite the insert takes the write lock before any
        read, so two writers queue instead of failing on a lock upgrade. The unique key, not a
        prior SELECT, decides, so two copies racing on the same delivery cannot both win (on
        PostgreSQL the second waits for the first to commit or roll back). A duplicate rolls
        the whole session back.
        """
        try:
            self._session.add(ProcessedRequest(key=key, created_at=now))
            await self._session.flush()
        except IntegrityError:
            await self._session.rollback()
            return False
        return True

    async def is_claimed(self, key: str) -> bool:
        found = await self._session.scalar(
            select(ProcessedRequest.key).where(ProcessedRequest.key == key)
        )
        return found is not None

    async def forget_older_than(self, cutoff: datetime) -> int:
        result = await self._session.execute(
            delete(ProcessedRequest).where(ProcessedRequest.created_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)
