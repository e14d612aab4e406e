"""Keys of Slack deliveries already handled: the first claim wins, a retry finds it taken."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedRequest


class ProcessedRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, key: str, *, now: datetime) -> bool:
        """True if this is the first time `key` is seen.

        Meant for a session of its own: a duplicate rolls that session back. The unique key,
        not a prior SELECT, decides, so two copies racing on the same delivery cannot both win.
        """
        try:
            self._session.add(ProcessedRequest(key=key, created_at=now))
            await self._session.flush()
        except IntegrityError:
            await self._session.rollback()
            return False
        return True

    async def forget_older_than(self, cutoff: datetime) -> int:
        result = await self._session.execute(
            delete(ProcessedRequest).where(ProcessedRequest.created_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)
