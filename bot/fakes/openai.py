"""A fake OpenAI API on 127.0.0.1: `POST /v1/chat/completions` over real HTTP.

Tests point the unchanged `openai` client at `FakeOpenAI.base_url` (OPENAI_BASE_URL). Each
request takes the next scripted behaviour (or the default one): a reply with given content,
an HTTP error, or silence (the request is held until the server stops, so the client's own
time limit is what ends it). Every request body is recorded, so tests can check exactly what
was sent.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

GOOD_QUESTION = "What would make your next conversation with your team feel worth having?"
# Replies a model might give that peercoach must not send.
JUNK: dict[str, str] = {
    "several": "What went well this week?\nWhat would you change?\nWho helped you?",
    "no_question_mark": "Tell me about a moment this week when you felt proud of your work.",
    "too_long": "What " + "really " * 40 + "matters to you this week?",
    "two_in_one": "What went well? And what would you do differently next time?",
}


@dataclass(frozen=True, slots=True)
class Reply:
    content: str


@dataclass(frozen=True, slots=True)
class Failure:
    status: int = 500
    message: str = "The server had an error while processing your request."


@dataclass(frozen=True, slots=True)
class Silence:
    """Never answer: the request is held until the server stops."""


Behaviour = Reply | Failure | Silence


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    path: str
    body: dict[str, Any]
    raw: str
    authorization: str


@dataclass
class FakeOpenAI:
    host: str = "127.0.0.1"
    port: int = 0
    api_key: str = "sk-fake-test-key"
    default: Behaviour = field(default_factory=lambda: Reply(GOOD_QUESTION))
    requests: list[RecordedRequest] = field(default_factory=list)
    _script: deque[Behaviour] = field(default_factory=deque)
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def then(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests, in order; the default follows."""
        self._script.extend(behaviours)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("FakeOpenAI is not started")
        return f"http://{self.host}:{self.port}/v1"

    def sent_text(self) -> str:
        """Every recorded request body, as sent, joined: for "this never reached the model"."""
        return "\n".join(r.raw for r in self.requests)

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        raw = await request.text()
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, "We could not parse the JSON body of your request.")
        if not isinstance(body, dict):
            return _error(400, "The request body must be a JSON object.")
        self.requests.append(
            RecordedRequest(
                path=request.path,
                body=body,
                raw=raw,
                authorization=request.headers.get("Authorization", ""),
            )
        )
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", kind="invalid_request_error")
        if not isinstance(body.get("model"), str) or not isinstance(body.get("messages"), list):
            return _error(400, "'model' and 'messages' are required.")
        behaviour = self._script.popleft() if self._script else self.default
        if isinstance(behaviour, Silence):
            await self._stopping.wait()
            return web.Response(status=503)
        if isinstance(behaviour, Failure):
            return _error(behaviour.status, behaviour.message, kind="server_error")
        return web.json_response(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": behaviour.content},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {"prompt_tokens": 40, "completion_tokens": 20, "total_tokens": 60},
            }
        )


def _error(status: int, message: str, *, kind: str = "invalid_request_error") -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": kind, "param": None, "code": None}},
        status=status,
    )
