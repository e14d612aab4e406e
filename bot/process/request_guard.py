"""Checks every HTTP request from Slack passes before Bolt sees it.

Bolt logs the whole body of a request whose signature fails, and answers a body it cannot
parse with a 500 and a traceback. Here size, timestamp and signature are checked first and the
body parsed once, so a bad request costs one short log line (ids and sizes, never the body)
and a 4xx.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from handlers.wellformed import problem

logger = logging.getLogger("peercoach.requests")

# Slack's payloads are far smaller (a modal's state is tens of kilobytes); anything bigger is
# refused with 413 before it is read.
MAX_BODY_BYTES: Final = 1024 * 1024

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def _refuse(status: int, reason: str, size: int | None) -> web.Response:
    logger.info("refused a request to the Slack endpoint: %s (%s bytes)", reason, size)
    return web.json_response({"error": reason}, status=status)


async def checked_bolt_request(
    request: web.Request, verifier: SignatureVerifier
) -> AsyncBoltRequest | web.Response:
    """The request for Bolt when it is signed and readable; otherwise the 4xx to answer."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return _refuse(413, "request too large", request.content_length)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _refuse(413, "request too large", None)
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    # SignatureVerifier calls int() on the timestamp; anything but digits would raise there.
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return _refuse(401, "invalid request", len(raw))
    if not verifier.is_valid(raw, timestamp, signature):
        return _refuse(401, "invalid request", len(raw))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(400, "malformed request", len(raw))
    # Parsed as Bolt will parse it (its content type is the header up to any ";").
    content_type = request.headers.get("Content-Type", "").split(";")[0] or None
    try:
        parsed = parse_body(text, content_type)
    except ValueError:  # json.JSONDecodeError included
        return _refuse(400, "malformed request", len(raw))
    if not isinstance(parsed, dict):
        return _refuse(400, "malformed request", len(raw))
    reason = problem(parsed)
    if reason is not None:
        return _refuse(400, f"malformed request: {reason}", len(raw))
    try:
        return AsyncBoltRequest(
            body=text,
            query=request.query_string,
            headers=dict(request.headers),
        )
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        # Bolt reads ids out of the payload as it builds the request; fields of the wrong type
        # (a team that is a number, say) fail there.
        return _refuse(400, "malformed request", len(raw))
