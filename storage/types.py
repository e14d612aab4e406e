"""Column types shared by the models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator

# The execution option under which a session's engine carries the process's clock, so that
# column defaults ("created_at", "updated_at") read the same injected "now" as everything else.
CLOCK_OPTION = "peercoach_clock"


def utcnow() -> datetime:
    """The current time as an aware UTC datetime, the only kind the database accepts."""
    return datetime.now(UTC)


def clock_now(context: Any) -> datetime:
    """A column default: the injected clock's "now" when the engine carries one, else the
    system's. SQLAlchemy passes the statement's execution context to a one-argument default."""
    clock: Callable[[], datetime] | None = None
    if context is not None:
        clock = context.execution_options.get(CLOCK_OPTION)
    return clock() if clock is not None else utcnow()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored and returned as aware UTC.

    Naive datetimes are refused rather than guessed at: a silently wrong time zone would
    shift every scheduled round and check-in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} refused; pass an aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite stores text without an offset; everything in it is UTC by construction.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # Only SQLite hands back naive values, and it only ever holds UTC.
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
