"""`respond()` over the app's one connection pool.

Bolt's own `respond` opens a new HTTP session, and a new connection, for every reply. Under a
burst that per-reply set-up is most of what the app does after its acks, so replies here share
the pool the Web API client uses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient


class PooledRespond(AsyncRespond):
    def __init__(self, *, response_url: str, http: aiohttp.ClientSession) -> None:
        super().__init__(response_url=response_url)
        self._http = http

    async def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", **fields: Any
    ) -> WebhookResponse:
        message = dict(text) if isinstance(text, dict) else {"text": text, **fields}
        client = AsyncWebhookClient(url=str(self.response_url), session=self._http)
        return await client.send_dict(_build_message(**message))


def pooled_respond_middleware(http: aiohttp.ClientSession) -> Callable[..., Awaitable[Any]]:
    async def attach(context: dict[str, Any], next: Callable[[], Awaitable[Any]]) -> Any:
        url = context.get("response_url")  # Bolt's own reading of the payload
        if isinstance(url, str) and url:
            context["respond"] = PooledRespond(response_url=url, http=http)
        return await next()

    return attach
