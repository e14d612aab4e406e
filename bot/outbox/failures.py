"""What a failed Slack call means for a message: wait and retry, retry with backoff, or give up.

Only error codes leave this module, never a message's text."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError

# A row whose last attempt may have reached Slack carries this prefix in `last_error`: the
# next attempt reads the channel's history for the message before posting anything.
UNCONFIRMED = "unconfirmed:"

# Slack's own word that the request failed on its side and may be tried again.
_TRANSIENT_CODES = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
# Of those, the ones after which Slack may have done the work anyway.
_MAYBE_DONE_CODES = frozenset({"internal_error", "fatal_error", "request_timeout"})
# Errors no retry can fix; listed so that logs and tests can name them. Any other `ok: false`
# answer with HTTP 200 is treated the same way: Slack looked at the call and refused it.
PERMANENT_CODES = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "invalid_blocks_format",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "too_many_users",
        "restricted_action",
        "missing_scope",
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
    }
)


class UploadRefused(Exception):
    """The upload URL answered a POST of a file's bytes with an HTTP error."""

    def __init__(self, status: int, retry_after: float | None = None) -> None:
        super().__init__(f"upload answered HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class Kind(enum.Enum):
    RATE_LIMITED = "rate_limited"  # wait Retry-After; not the row's fault
    TRANSIENT = "transient"  # retry with backoff
    PERMANENT = "permanent"  # give up at once


@dataclass(frozen=True, slots=True)
class Failure:
    kind: Kind
    code: str
    # Whether Slack may have carried the call out although we did not see it succeed.
    maybe_done: bool
    retry_after: float = 0.0


def classify(exc: BaseException) -> Failure:
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = int(getattr(response, "status_code", 200) or 200)
        error = response.get("error") if isinstance(response.data, dict) else None
        code = str(error) if error else f"http_{status}"
        if status == 429 or code == "ratelimited":
            return Failure(Kind.RATE_LIMITED, "ratelimited", False, _retry_after(response))
        if status >= 500:
            return Failure(Kind.TRANSIENT, f"http_{status}", True)
        if code in _TRANSIENT_CODES:
            return Failure(Kind.TRANSIENT, code, code in _MAYBE_DONE_CODES)
        return Failure(Kind.PERMANENT, code, False)
    if isinstance(exc, UploadRefused):
        if exc.status == 429:
            retry_after = 1.0 if exc.retry_after is None else exc.retry_after
            return Failure(Kind.RATE_LIMITED, "ratelimited", False, retry_after)
        if exc.status >= 500:
            return Failure(Kind.TRANSIENT, f"http_{exc.status}", True)
        return Failure(Kind.PERMANENT, f"http_{exc.status}", False)
    if isinstance(exc, TimeoutError):
        return Failure(Kind.TRANSIENT, "timeout", True)
    if isinstance(exc, aiohttp.ClientConnectorError):
        # The connection was never made, so the request never left.
        return Failure(Kind.TRANSIENT, "connection_error", False)
    if isinstance(exc, aiohttp.ClientError | OSError):
        return Failure(Kind.TRANSIENT, "connection_lost", True)
    return Failure(Kind.TRANSIENT, f"unexpected_{type(exc).__name__}", True)


def retry_after_header(value: str | None) -> float | None:
    """Seconds from a Retry-After header in seconds; None when absent or unreadable."""
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _retry_after(response: object) -> float:
    headers = getattr(response, "headers", None) or {}
    raw = None
    for name, value in dict(headers).items():
        if str(name).lower() == "retry-after":
            raw = value
            break
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        return max(float(str(raw)), 0.0) if raw is not None else 1.0
    except ValueError:
        return 1.0
