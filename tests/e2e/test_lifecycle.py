"""Server start and stop: schema upgrade, Slack token checks, and nothing left behind."""

from __future__ import annotations

import asyncio
import logging
import socket

import aiohttp
import pytest
from alembic.script import ScriptDirectory

from bot.fakes import FakeSlack
from bot.process.config import Settings
from bot.process.errors import StartupError
from bot.process.runtime import Server
from storage import migrate
from tests.fixtures.app import make_settings


async def test_start_upgrades_the_schema_and_stop_releases_everything(
    fake_slack: FakeSlack, empty_database_url: str
) -> None:
    loop = asyncio.get_running_loop()
    factory_before = loop.get_task_factory()
    server = Server(make_settings(fake_slack, empty_database_url), host="127.0.0.1", port=0)
    await server.start()
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert await migrate.current_revision(server.engine) == head
    assert server.scheduler.running
    port = server.bound_port
    await server.stop()
    assert not server.scheduler.running
    assert loop.get_task_factory() is factory_before
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz"):
            pass


async def test_a_port_in_use_is_one_clear_error_and_nothing_is_left_running(
    settings: Settings,
) -> None:
    loop = asyncio.get_running_loop()
    factory_before = loop.get_task_factory()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Server(settings, host="127.0.0.1", port=port)
        with pytest.raises(StartupError, match=rf"cannot listen on port {port} \(.+\); set PEER"):
            await server.start()
    assert not server.scheduler.running
    assert loop.get_task_factory() is factory_before


async def test_a_rejected_bot_token_stops_start_up(
    fake_slack: FakeSlack, database_url: str
) -> None:
    settings = make_settings(fake_slack, database_url, SLACK_BOT_TOKEN="xoxb-wrong-token")
    server = Server(settings, host="127.0.0.1", port=0)
    with pytest.raises(StartupError) as caught:
        await server.start()
    assert str(caught.value) == ("auth.test failed: the token was rejected; check SLACK_BOT_TOKEN")


async def test_slack_unreachable_at_start_is_a_warning_not_a_failure(
    fake_slack: FakeSlack, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(fake_slack, database_url, SLACK_API_URL="http://127.0.0.1:1/api/")
    server = Server(settings, host="127.0.0.1", port=0)
    with caplog.at_level(logging.WARNING, logger="peercoach.runtime"):
        await server.start()
    try:
        assert any(
            "cannot reach Slack at http://127.0.0.1:1/api/" in r.message for r in caplog.records
        )
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{server.bound_port}/healthz") as answer,
        ):
            assert answer.status == 200
    finally:
        await server.stop()


async def test_a_rejected_app_token_stops_socket_mode_start_up(
    fake_slack: FakeSlack, database_url: str
) -> None:
    settings = make_settings(
        fake_slack, database_url, SLACK_APP_TOKEN="xapp-1-wrong", SLACK_SIGNING_SECRET=""
    )
    server = Server(settings, host="127.0.0.1", port=0)
    with pytest.raises(
        StartupError, match=r"Socket Mode could not connect: .*check SLACK_APP_TOKEN"
    ):
        await server.start()
    assert not server.scheduler.running
