"""Tracks work spawned while handling a Slack request, so a shutdown can let it finish.

Bolt acknowledges first and runs the listener in a task it does not keep; without this, SIGTERM
would cut those listeners off half-way through.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

logger = logging.getLogger("peercoach.inflight")

_in_slack_request: ContextVar[bool] = ContextVar("peercoach_in_slack_request", default=False)


class InflightTracker:
    def __init__(self) -> None:
        self._tasks: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: Any = None

    def install(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._previous = self._loop.get_task_factory()
        self._loop.set_task_factory(self._factory)  # type: ignore[arg-type]

    def uninstall(self) -> None:
        if self._loop is not None:
            self._loop.set_task_factory(self._previous)
            self._loop = None

    def _factory(
        self, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any
    ) -> asyncio.Task[Any]:
        if self._previous is not None:
            task: asyncio.Task[Any] = self._previous(loop, coro, **kwargs)
        else:
            task = asyncio.Task(coro, loop=loop, **kwargs)
        # Tasks inherit the creating task's context, so this is true for anything a listener spawns.
        if _in_slack_request.get():
            self._tasks.add(task)
        return task

    @staticmethod
    @contextmanager
    def slack_request() -> Iterator[None]:
        token = _in_slack_request.set(True)
        try:
            yield
        finally:
            _in_slack_request.reset(token)

    async def drain(self, grace_seconds: float) -> None:
        pending = {t for t in self._tasks if not t.done()}
        if not pending:
            return
        _, still = await asyncio.wait(pending, timeout=grace_seconds)
        if still:
            logger.warning("%d listener(s) did not finish within %.0fs", len(still), grace_seconds)
