"""Waking the dispatchers of this process when a transaction that queued messages commits,
so a message due now goes out at once instead of at the next poll."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_FLAG = "peercoach_outbox_queued"
_WAKERS: set[Callable[[], None]] = set()


def queued_in(session: AsyncSession) -> None:
    """Remember that `session`'s transaction queued a message."""
    session.sync_session.info[_FLAG] = True


def add_waker(wake: Callable[[], None]) -> None:
    _WAKERS.add(wake)


def remove_waker(wake: Callable[[], None]) -> None:
    _WAKERS.discard(wake)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        for wake in list(_WAKERS):
            wake()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)
