"""Where the benchmarks find a PostgreSQL server to create their throw-away databases in."""

from __future__ import annotations

import os

from sqlalchemy import make_url
from sqlalchemy.engine import URL

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def admin_url(raw: str | None) -> URL:
    """`raw`, else PEERCOACH_TEST_POSTGRES_URL, else the local server every machine runs."""
    return make_url(raw or os.environ.get("PEERCOACH_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL)


def asyncpg_dsn(url: URL) -> str:
    """The URL as asyncpg's own `connect` takes it."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
