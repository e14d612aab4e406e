"""`peercoach serve` as a real process: starts, serves, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from bot.fakes import FakeSlack, SlackRequestSender
from tests.fixtures.app import SIGNING_SECRET


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_healthy(port: int, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            if process.returncode is not None:
                raise AssertionError("peercoach serve exited during start-up")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("peercoach serve did not become healthy")


async def test_sigterm_lets_in_flight_work_finish_then_exits_cleanly(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "PEERCOACH_PORT": str(port),
        "PEERCOACH_LOG_FORMAT": "json",
        # The most talkative level: even here no secret may reach the log.
        "PEERCOACH_LOG_LEVEL": "DEBUG",
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await _wait_healthy(port, process)
        # The listener's Slack call takes 1.5 s: it is still running when SIGTERM arrives.
        fake_slack.script("views.publish", delay=1.5)
        async with SlackRequestSender(
            f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, fake=fake_slack
        ) as slack:
            sent = await slack.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
        assert sent.status == 200
        # Acknowledged; the listener is now inside its 1.5 s Slack call.
        await asyncio.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    log = stderr.decode()
    assert "stop requested" in log
    assert "peercoach stopped" in log
    [publish] = fake_slack.calls_to("views.publish")
    assert publish.status == 200
    assert publish.response["ok"] is True
    assert "did not finish" not in log
    assert fake_slack.bot_token not in log
    # users.info answered with Alice's name and email; the log keeps her id only.
    assert "Alice Adams" not in log
    assert fake_slack.users["U0ALICE"]["profile"]["email"] not in log
