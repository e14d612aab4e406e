"""Start-up and `peercoach check` probes: the database, and whether Slack accepts our token."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url

from bot.process.app import create_slack_client
from bot.process.config import Diagnosis, Settings
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


# What to check when the app token is refused: the variable and what it must be able to do.
SOCKET_MODE_TOKEN = "SLACK_APP_TOKEN (an xapp- token with connections:write)"


class SlackTokenRejected(Exception):
    """Slack answered, and said no: retrying will not help, the operator must fix a setting."""


class SlackUnreachable(Exception):
    """Slack did not answer: a network problem or a wrong SLACK_API_URL."""


class Outcome(StrEnum):
    OK = "ok"
    FAIL = "FAIL"
    SKIP = "skip"  # could not be tried: a setting it needs has a problem of its own


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    outcome: Outcome
    detail: str

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def line(self) -> str:
        return f"{self.outcome.value:<4} {self.name}: {self.detail}"


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
        return CheckResult("database", Outcome.OK, f"reachable at {where}")
    return CheckResult("database", Outcome.FAIL, f"cannot connect to {where}; check DATABASE_URL")


async def check_slack(settings: Settings) -> CheckResult:
    try:
        answer = await authenticate(create_slack_client(settings), settings.slack_api_url)
    except (SlackTokenRejected, SlackUnreachable) as exc:
        return CheckResult("slack", Outcome.FAIL, str(exc))
    identity = f"connected to {answer.get('team')} as @{answer.get('user')}"
    return CheckResult("slack", Outcome.OK, identity)


async def open_socket_mode_connection(client: AsyncWebClient, app_token: str, api_url: str) -> None:
    """Ask for a Socket Mode URL once (apps.connections.open), as `serve` does before connecting;
    raise one of the two exceptions above with a one-line explanation."""
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        reason = slack_error_reason(exc, SOCKET_MODE_TOKEN)
        raise SlackTokenRejected(f"apps.connections.open failed: {reason}") from exc
    except SLACK_NETWORK_ERRORS as exc:
        raise SlackUnreachable(
            f"cannot reach Slack at {api_url}; check SLACK_API_URL and the network"
        ) from exc


async def check_socket_mode(settings: Settings) -> CheckResult:
    assert settings.slack_app_token is not None
    try:
        # Slack hands out a URL and forgets it unless it is connected to, so nothing lingers.
        await open_socket_mode_connection(
            create_slack_client(settings),
            settings.slack_app_token.get_secret_value(),
            settings.slack_api_url,
        )
    except (SlackTokenRejected, SlackUnreachable) as exc:
        return CheckResult("socket mode", Outcome.FAIL, str(exc))
    return CheckResult("socket mode", Outcome.OK, "the app token may open connections")


def configuration_results(diagnosis: Diagnosis) -> list[CheckResult]:
    """One line per configuration problem, or one line saying there is none."""
    if not diagnosis.problems:
        return [CheckResult("configuration", Outcome.OK, "all settings are valid")]
    return [CheckResult("configuration", Outcome.FAIL, p) for p in diagnosis.problems]


def _skipped(name: str, variables: Sequence[str]) -> CheckResult:
    return CheckResult(name, Outcome.SKIP, f"fix {' and '.join(variables)} first")


async def run_checks(
    diagnosis: Diagnosis, on_result: Callable[[CheckResult], None] = lambda _: None
) -> list[CheckResult]:
    """Probe what the settings point at: the database, the bot token and, in Socket Mode, the
    app token. A probe whose setting has a problem is reported as skipped, not tried."""
    settings, unusable = diagnosis.settings, diagnosis.unusable
    results: list[CheckResult] = []

    def report(result: CheckResult) -> None:
        results.append(result)
        on_result(result)

    if "DATABASE_URL" in unusable:
        report(_skipped("database", ["DATABASE_URL"]))
    else:
        report(await check_database(settings))
    slack_blockers = [v for v in ("SLACK_BOT_TOKEN", "SLACK_API_URL") if v in unusable]
    if settings.slack_bot_token is None and "SLACK_BOT_TOKEN" not in slack_blockers:
        slack_blockers.insert(0, "SLACK_BOT_TOKEN")
    if slack_blockers:
        report(_skipped("slack", slack_blockers))
    else:
        report(await check_slack(settings))
    socket_blockers = [v for v in ("SLACK_APP_TOKEN", "SLACK_API_URL") if v in unusable]
    if socket_blockers:
        report(_skipped("socket mode", socket_blockers))
    elif settings.socket_mode:
        report(await check_socket_mode(settings))
    return results
