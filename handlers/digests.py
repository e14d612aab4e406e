"""Admin digests from Slack: `admin digest [programme] [#channel]`, `admin export`, the Nudge
button of a digest's quiet groups and the Retry button of an undelivered message on App Home.

Every listener acknowledges first; each button checks admin rights with Slack at the time of
the click (a digest in a channel is seen by members too), and a refusal shows no figure."""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.intents import AdminDigest
from bot.digests import actions, export
from bot.digests.post import Built, build, digest_channel, queue
from bot.process.deps import Deps, deps_of
from bot.programmes import admin
from bot.slack.blocks import digest as blocks
from bot.slack.blocks.enrolment import slack_busy_message
from bot.slack.blocks.programmes import unknown_programme_message
from bot.slack.channels import ChannelAccess, channel_access
from bot.slack.copy import digests as copy
from bot.slack.copy import text
from bot.slack.failures import SLACK_NETWORK_ERRORS
from bot.slack.mrkdwn import escape
from handlers.actions import busy_answered
from handlers.dedup import action_key, claim_in
from handlers.home import publish_home
from handlers.identify import Reply, admin_or_refused
from handlers.messages import dm_replier
from handlers.payload import action_value, parties
from storage.models import ProgrammeRow

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------- commands


async def digest_command(
    client: AsyncWebClient,
    deps: Deps,
    team_id: str,
    user_id: str,
    intent: AdminDigest,
    reply: Reply,
    *,
    claim_key: str | None,
) -> None:
    """Queue the digest of one programme (or of every open one) to the channel named, the
    programme's own, or the admin's DM; "invite me" when the app cannot post there."""
    now = deps.clock()
    async with deps.sessions() as session:
        programmes: list[ProgrammeRow]
        if intent.programme is None:
            programmes = list(await admin.open_programmes(session, team_id))
        else:
            resolved = await admin.resolve_programme(session, team_id, intent.programme)
            if resolved.programme is None:
                await reply(**unknown_programme_message(intent.programme, resolved.names))
                return
            programmes = [resolved.programme]
        if not programmes:
            await reply(**blocks.notice(copy.NO_PROGRAMMES.format(slash=text.SLASH_COMMAND)))
            return
        targets = {p.id: intent.channel_id or await digest_channel(session, p) for p in programmes}
    for target in sorted({c for c in targets.values() if c is not None}):
        access = await channel_access(client, target)
        if access is ChannelAccess.UNKNOWN:
            await reply(**blocks.notice(copy.SLACK_BUSY))
            return
        if access is ChannelAccess.NOT_MEMBER:
            await reply(
                **blocks.notice(
                    copy.NOT_IN_CHANNEL.format(channel=target, slash=text.SLASH_COMMAND)
                )
            )
            return
    built: list[tuple[Built, str | None]] = []
    for programme in programmes:
        one = await build(deps.sessions, team_id, programme.id, now=now, drafter=deps.drafter)
        if one is not None:
            built.append((one, targets[programme.id]))
    stamp = f"{now:%Y%m%dT%H%M%S}"
    async with deps.sessions() as session:
        if not await claim_in(session, claim_key, now=now):
            return
        for one, channel in built:
            key = f"digest:ask:{one.digest.programme_id}:{user_id}:{stamp}"
            if channel is None:
                await queue(session, one, key=key, now=now, open_users=(user_id,))
            else:
                await queue(session, one, key=key, now=now, channel_id=channel)
        await session.commit()
    logger.info("%d digests queued on request in %s", len(built), team_id)
    await reply(**blocks.notice(_queued_words(built)))


def _queued_words(built: list[tuple[Built, str | None]]) -> str:
    channels = {channel for _, channel in built}
    slash = text.SLASH_COMMAND
    if len(built) == 1:
        one, channel = built[0]
        name = escape(one.digest.programme_name)
        if channel is None:
            return copy.QUEUED_DM.format(programme=name, slash=slash)
        return copy.QUEUED.format(programme=name, channel=channel)
    if channels == {None}:
        return copy.QUEUED_DM_MANY.format(count=len(built), slash=slash)
    if len(channels) == 1:
        return copy.QUEUED_MANY.format(count=len(built), channel=next(iter(channels)))
    return copy.QUEUED_SPREAD.format(count=len(built))


async def export_command(
    client: AsyncWebClient, deps: Deps, team_id: str, user_id: str, reply: Reply
) -> None:
    """Every programme's per-round figures as a CSV in the admin's DM."""
    now = deps.clock()
    async with deps.sessions() as session:
        table = await export.figures_table(session, team_id, now=now)
    if not table.rows:
        await reply(**blocks.notice(copy.EXPORT_EMPTY))
        return
    try:
        opened = await client.conversations_open(users=user_id)
        await client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=table.csv(),
            filename=copy.EXPORT_FILENAME.format(date=now.date().isoformat()),
            title=copy.EXPORT_TITLE,
            initial_comment=copy.EXPORT_COMMENT,
        )
    except (SlackApiError, *SLACK_NETWORK_ERRORS) as exc:
        logger.warning("sending the figures CSV failed: %s", type(exc).__name__)
        await reply(**slack_busy_message())
        return
    await reply(**blocks.notice(copy.EXPORT_SENT))


# -------------------------------------------------------------------------------- buttons


async def on_nudge(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    parsed = actions.parse_nudge(action_value(body))
    if not await admin_or_refused(
        client, user_id, deps, functools.partial(respond, replace_original=False)
    ):
        return
    if parsed is None:
        return
    group_id, round_id = parsed
    now = deps.clock()
    async with deps.sessions() as session:
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        outcome = await actions.nudge_group(session, team_id, group_id, round_id, now=now)
        await session.commit()
    logger.info("admin nudge for group %s: %s", group_id, outcome.kind)
    words = {
        actions.NudgeKind.SENT: copy.NUDGE_SENT.format(users=blocks.mentions(outcome.user_ids)),
        actions.NudgeKind.ALREADY: copy.NUDGE_ALREADY,
        actions.NudgeKind.GONE: copy.NUDGE_GONE,
    }[outcome.kind]
    await respond(**blocks.ephemeral(words))


async def on_retry(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    value = action_value(body)
    if not await admin_or_refused(client, user_id, deps, dm_replier(client, user_id)):
        return
    if not (value.isascii() and value.isdigit() and len(value) < 12):
        return
    now = deps.clock()
    async with deps.sessions() as session:
        retried = await actions.retry_message(session, team_id, int(value), now=now)
        await session.commit()
    logger.info("outbox %s retried by an admin: %s", value, retried)
    await publish_home(client, deps, team_id, user_id, admin=True)


def register(app: AsyncApp) -> None:
    app.action(blocks.ACTION_DIGEST_NUDGE)(busy_answered(on_nudge))
    app.action(blocks.ACTION_OUTBOX_RETRY)(busy_answered(on_retry))
