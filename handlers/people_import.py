"""The HR import from Slack: an admin shares a CSV with the bot in a DM.

The file is read through the Web API (`files.info`, then its `url_private_download` with the
bot token), imported exactly as `peercoach people import` does, and answered in the DM. The
bytes live only in this function's memory: nothing is written to disk or the database but the
directory rows. The file itself stays in the admin's Slack, where they can delete it; a bot
token may not delete a file someone else shared (Slack answers `cant_delete_file`).

The matcher takes only DM messages with the `file_share` subtype, so the plain DM listener in
`handlers.events` never sees these and this one never sees text messages.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.people.hr_file import HrFileError
from bot.people.importer import import_people, problems_text
from bot.people.lookup import LookupUnavailable
from bot.process.deps import deps_of
from bot.slack.admins import is_admin
from bot.slack.copy import people as copy
from bot.slack.failures import SLACK_NETWORK_ERRORS
from bot.slack.mrkdwn import escape
from handlers.dedup import already_done, event_key, in_flight_of, record_done
from handlers.identify import identify

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS_SHOWN = 30
DOWNLOAD_TIMEOUT_SECONDS = 30
DRY_RUN_WORDS = ("dry run", "dry-run", "dryrun")


class DownloadFailed(Exception):
    pass


async def _is_file_share_in_dm(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") == "file_share"
        and not event.get("bot_id")
    )


async def _download(client: AsyncWebClient, file_id: str) -> tuple[str, bytes]:
    """(name, bytes) of a file shared with the bot; raises DownloadFailed or ValueError."""
    try:
        info = await client.files_info(file=file_id)
    except (SlackApiError, *SLACK_NETWORK_ERRORS) as exc:
        raise DownloadFailed("files.info") from exc
    meta = info.get("file") or {}
    name = str(meta.get("name") or "")
    if not (name.lower().endswith(".csv") or meta.get("filetype") == "csv"):
        raise ValueError(copy.IMPORT_NOT_CSV)
    if int(meta.get("size") or 0) > MAX_BYTES:
        raise ValueError(copy.IMPORT_TOO_LARGE.format(limit=MAX_BYTES // (1024 * 1024)))
    url = str(meta.get("url_private_download") or meta.get("url_private") or "")
    if not url:
        raise DownloadFailed("no url")
    headers = {"Authorization": f"Bearer {client.token}"}
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_SECONDS)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.get(url, headers=headers) as response,
        ):
            # Without a valid token Slack answers 200 with its sign-in page, not the file.
            if response.status != 200 or response.content_type == "text/html":
                raise DownloadFailed(f"status {response.status}")
            data = await response.content.read(MAX_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DownloadFailed("download") from exc
    if len(data) > MAX_BYTES:
        raise ValueError(copy.IMPORT_TOO_LARGE.format(limit=MAX_BYTES // (1024 * 1024)))
    return name, data


async def on_file_shared(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    deps = deps_of(context)
    key = event_key(body)
    async with in_flight_of(context).hold(key) as first:
        if not first or await already_done(deps, key):
            return
        await _import_from_dm(event, body, client, context)
        await record_done(deps, key)


async def _import_from_dm(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    deps = deps_of(context)
    channel = str(event.get("channel") or "")
    user_id = str(event.get("user") or "")
    team_id = str(body.get("team_id") or context.get("team_id") or "")
    files = [f for f in event.get("files") or [] if isinstance(f, dict) and f.get("id")]
    if not channel or not user_id or not team_id or not files:
        return
    if user_id == context.get("bot_user_id"):
        return  # our own uploads (an export sent to someone's DM) are not imports

    async def say(text: str) -> None:
        try:
            await client.chat_postMessage(channel=channel, text=text)
        except (SlackApiError, *SLACK_NETWORK_ERRORS) as exc:
            logger.warning("people import: could not answer in the DM: %s", type(exc).__name__)

    async def reply(**message: Any) -> None:
        await say(str(message.get("text", "")))

    user = await identify(client, user_id, team_id, reply, deps)
    if user is None:
        return
    if not is_admin(user, deps.admins):
        await say(copy.IMPORT_NOT_ADMIN)
        return
    try:
        name, data = await _download(client, str(files[0]["id"]))
    except ValueError as exc:
        await say(str(exc))
        return
    except DownloadFailed as exc:
        logger.warning("people import: file not read (%s)", exc)
        await say(copy.IMPORT_UNREADABLE)
        return
    text = str(event.get("text") or "").lower()
    dry_run = any(word in text for word in DRY_RUN_WORDS)
    rows = max(0, data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1))
    await say(copy.IMPORT_STARTED.format(rows=f"{rows} row(s)"))
    logger.info("people import from Slack by %s: %d bytes", user_id, len(data))
    try:
        report = await import_people(
            deps.sessions,
            client,
            team_id=team_id,
            team_name=None,
            data=data,
            now=deps.clock(),
            dry_run=dry_run,
        )
    except HrFileError as exc:
        shown = problems_text(exc.problems, MAX_PROBLEMS_SHOWN)
        lines = [copy.IMPORT_PROBLEMS.format(count=len(exc.problems))]
        lines += [f"• {escape(line)}" for line in shown]
        await say("\n".join(lines))
        return
    except LookupUnavailable:
        await say(copy.IMPORT_SLACK_BUSY)
        return
    finally:
        # The only copy we held: gone as soon as the import is done, whatever happened.
        del data
    lines = [escape(line) for line in report.lines()]
    lines.append(copy.IMPORT_DONE_NOTE)
    await say(f"*{escape(name)}*\n" + "\n".join(lines))


def register(app: AsyncApp) -> None:
    app.event("message", matchers=[_is_file_share_in_dm])(on_file_shared)
