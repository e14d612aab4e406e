"""`/healthz` answers 200 with the database reachable and 503 when it is not."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from bot.process.runtime import Server
from bot.process.server import create_web_app
from storage.session import create_engine
from tests.fixtures.database import aiosqlite_threads_finished


async def test_healthz_is_ok_with_the_database_reachable(server: Server) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{server.bound_port}/healthz") as answer,
    ):
        assert answer.status == 200
        assert (await answer.json()) == {"status": "ok", "database": "ok"}


async def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    engines = [
        # A directory that does not exist: SQLite cannot open the file.
        create_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/peercoach.db"),
        # Nothing listens on port 1.
        create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/test"),
    ]
    for engine in engines:
        web_app = create_web_app(engine, None)
        async with (
            TestServer(web_app, host="127.0.0.1") as test_server,
            aiohttp.ClientSession() as http,
            http.get(test_server.make_url("/healthz")) as answer,
        ):
            assert answer.status == 503
            assert (await answer.json())["database"] == "unreachable"
        await engine.dispose()
    await aiosqlite_threads_finished()
