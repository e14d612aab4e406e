"""Start-up and `peercoach check` probes: the database, and whether Slack accepts our token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url

from bot.process.app import create_slack_client
from bot.process.config import Settings
from bot.slack.failures import SLACK_NETWORK_ERRORS
from storage.session import create_engine, database_is_reachable

# What a Slack error code means for the person running peercoach.
_SLACK_ERRORS = {
    "invalid_auth": "the token was rejected",
    "not_authed": "no token was sent",
    "account_inactive": "the token belongs to a deleted app or user; reinstall the app",
    "token_revoked": "the token was revoked; reinstall the app and copy the new token",
    "not_allowed_token_type": "that is the wrong kind of token",
}


class SlackTokenRejected(Exception):
    """Slack answered, and said no: retrying will not help, the operator must fix a setting."""


class SlackUnreachable(Exception):
    """Slack did not answer: a network problem or a wrong SLACK_API_URL."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def safe_database_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def slack_error_reason(exc: SlackApiError, variable: str) -> str:
    code = str(exc.response.get("error", "unknown_error"))
    reason = _SLACK_ERRORS.get(code, f"Slack answered {code}")
    return f"{reason}; check {variable}"


async def authenticate(client: AsyncWebClient, api_url: str) -> dict[str, Any]:
    """Call auth.test; raise one of the two exceptions above with a one-line explanation."""
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        raise SlackTokenRejected(
            f"auth.test failed: {slack_error_reason(exc, 'SLACK_BOT_TOKEN')}"
        ) from exc
    except SLACK_NETWORK_ERRORS as exc:
        raise SlackUnreachable(
            f"cannot reach Slack at {api_url}; check SLACK_API_URL and the network"
        ) from exc
    return dict(answer.data) if isinstance(answer.data, dict) else {}


async def check_database(settings: Settings) -> CheckResult:
    engine = create_engine(settings.database_url)
    try:
        reachable = await database_is_reachable(engine)
    finally:
        await engine.dispose()
    where = safe_database_url(settings.database_url)
    if reachable:
        return CheckResult("database", True, f"reachable at {where}")
    return CheckResult("database", False, f"cannot connect to {where}; check DATABASE_URL")


async def check_slack(settings: Settings) -> CheckResult:
    try:
        answer = await authenticate(create_slack_client(settings), settings.slack_api_url)
    except (SlackTokenRejected, SlackUnreachable) as exc:
        return CheckResult("slack", False, str(exc))
    return CheckResult("slack", True, f"connected to {answer.get('team')} as @{answer.get('user')}")


async def run_checks(settings: Settings) -> list[CheckResult]:
    return [
        CheckResult("configuration", True, "all settings are valid"),
        await check_database(settings),
        await check_slack(settings),
    ]
