"""A peercoach server in a process of its own, for tests that kill it or run two copies.

Settings come from the environment as in production; the clock starts at `--start` and runs
`--speed` times faster than real time, so a process can be killed in the middle of a round.
It prints ``ready <port>`` once it is serving, and stops cleanly on SIGTERM.

    python -m tests.e2e.app_process --start 2026-12-07T08:59:58+00:00 --tick-seconds 0.5
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import datetime

from bot.outbox import Limits
from bot.process.clock import ScaledClock
from bot.process.config import load_settings
from bot.process.logs import configure_logging
from bot.process.runtime import Server


async def serve(args: argparse.Namespace) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, sys.stderr)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    server = Server(
        settings,
        host="127.0.0.1",
        port=0,
        clock=ScaledClock(datetime.fromisoformat(args.start), args.speed),
        tick_seconds=args.tick_seconds,
        # A short lease and short retry delays, so a killed copy's rows are taken over within
        # seconds; group DMs opened faster than Slack allows, since pacing is not what these
        # processes are run to test.
        outbox_limits=Limits(
            lease=args.lease_seconds,
            lease_margin=1.0,
            max_wait=2.0,
            poll_interval=0.2,
            open_per_minute=600.0,
            backoff_base=1.0,
        ),
    )
    await server.start()
    print(f"ready {server.bound_port}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", required=True)
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--tick-seconds", type=float, default=0.3)
    parser.add_argument("--lease-seconds", type=float, default=5.0)
    asyncio.run(serve(parser.parse_args()))
    sys.exit(0)


if __name__ == "__main__":
    main()
