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


async def _start_up_log(process: asyncio.subprocess.Process) -> tuple[bool, str]:
    """Read the log until the server says it is up (True) or the process ends (False)."""
    assert process.stderr is not None
    lines: list[str] = []
    while True:
        line = (await asyncio.wait_for(process.stderr.readline(), timeout=30)).decode()
        if not line:
            return False, "".join(lines)
        lines.append(line)
        if "peercoach is up on port" in line:
            return True, "".join(lines)


async def _serve(env: dict[str, str], cwd: Path) -> tuple[asyncio.subprocess.Process, int, str]:
    """`peercoach serve` on a free port, its port and its start-up log.

    A port free a moment ago may be taken by another test running in parallel before the
    server binds it; the server then exits with a clear error and is started on another.
    """
    for _ in range(5):
        port = _free_port()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            cwd=cwd,
            env={**env, "PEERCOACH_PORT": str(port)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=1 << 20,
        )
        try:
            up, log = await _start_up_log(process)
        except BaseException:
            process.kill()
            await process.wait()
            raise
        if up:
            return process, port, log
        await process.wait()
        if f"cannot listen on port {port}" not in log:
            raise AssertionError(f"peercoach serve exited during start-up:\n{log}")
    raise AssertionError("peercoach serve found no free port in five tries")


async def test_sigterm_lets_in_flight_work_finish_then_exits_cleanly(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "PEERCOACH_LOG_FORMAT": "json",
        # The most talkative level: even here no secret may reach the log.
        "PEERCOACH_LOG_LEVEL": "DEBUG",
    }
    env.pop("SLACK_APP_TOKEN", None)
    process, port, start_up_log = await _serve(env, tmp_path)
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as answer,
        ):
            assert answer.status == 200
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
    log = start_up_log + stderr.decode()
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
