"""`peercoach check`: is the configuration usable, the database reachable, the Slack token good?"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.engine import make_url

from bot.app import create_slack_client
from bot.config import Settings
from storage.session import create_engine, database_is_reachable

# What a Slack error code means for the person running `check`.
_SLACK_ERRORS = {
    "invalid_auth": "the token was rejected; check SLACK_BOT_TOKEN",
    "not_authed": "no token was sent; set SLACK_BOT_TOKEN",
    "account_inactive": "the token belongs to a deleted app or user; reinstall the app",
    "token_revoked": "the token was revoked; reinstall the app and copy the new token",
}


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def safe_database_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


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
    client = create_slack_client(settings)
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        code = str(exc.response.get("error", "unknown_error"))
        reason = _SLACK_ERRORS.get(code, f"Slack answered {code}")
        return CheckResult("slack", False, f"auth.test failed: {reason}")
    except (SlackClientError, ClientError, TimeoutError, OSError):
        return CheckResult(
            "slack", False, f"cannot reach Slack at {settings.slack_api_url}; check SLACK_API_URL"
        )
    return CheckResult("slack", True, f"connected to {answer.get('team')} as @{answer.get('user')}")


async def run_checks(settings: Settings) -> list[CheckResult]:
    return [
        CheckResult("configuration", True, "all settings are valid"),
        await check_database(settings),
        await check_slack(settings),
    ]
