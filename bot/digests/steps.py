"""The scheduled digests: a tick step that posts each programme's digest when one of its rounds
has one due (`rounds.digest_due_at`: weekly inside long rounds, then at the round's end).

Each due moment is claimed by a conditional update that moves `digest_due_at` on, in the
transaction that queues the digest under a key naming the round and the moment, so a second
tick, a second process or a restart never posts it twice, and a crash before the commit
leaves it due for the next tick.

A programme without a digest channel gets none (its figures stay on the admins' App Home).
When the app is not a member of the channel, the admins get the digest by DM with a note on
how to invite the app, so nothing is lost."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digests.post import Built, build, digest_channel, queue
from bot.digests.timing import next_digest_due
from bot.slack.admins import workspace_admins
from bot.slack.blocks import digest as blocks
from bot.slack.channels import ChannelAccess, channel_access
from scheduling.context import JobContext
from storage.models import ProgrammeRow, Round

logger = logging.getLogger(__name__)

# Rounds with a digest due handled per tick; the rest wait for the next tick.
ROUNDS_PER_TICK: Final = 20
# Admins a digest goes to by DM when its channel is closed to the app.
MAX_DM_ADMINS: Final = 10


def digest_key(round_id: int, due_at: datetime) -> str:
    return f"digest:{round_id}:{due_at:%Y%m%dT%H%M}"


async def _claim(session: AsyncSession, round_row: Round, due_at: datetime) -> bool:
    """Move the round's digest on to its next moment; False when another runner did."""
    following = None
    if round_row.ends_at is not None and round_row.midpoint_at is not None:
        # Rounds keep their mid-point and end; the start is the same distance before the middle.
        start = round_row.midpoint_at - (round_row.ends_at - round_row.midpoint_at)
        following = next_digest_due(start, round_row.ends_at, due_at)
    claimed = await session.scalar(
        update(Round)
        .where(Round.id == round_row.id, Round.digest_due_at == due_at)
        .values(digest_due_at=following)
        .returning(Round.id)
        .execution_options(synchronize_session=False)
    )
    return claimed is not None


async def post_due(context: JobContext, now: datetime) -> int:
    """Queue every digest due by `now` (up to ROUNDS_PER_TICK); how many were queued."""
    async with context.sessions() as session:
        due = list(
            (
                await session.execute(
                    select(Round, ProgrammeRow)
                    .join(ProgrammeRow, ProgrammeRow.id == Round.programme_id)
                    .where(Round.digest_due_at.is_not(None), Round.digest_due_at <= now)
                    .order_by(Round.digest_due_at, Round.id)
                    .limit(ROUNDS_PER_TICK)
                )
            )
            .tuples()
            .all()
        )
        channels = {r.id: await digest_channel(session, p) for r, p in due}
    posted = 0
    for round_row, programme in due:
        due_at = round_row.digest_due_at
        assert due_at is not None
        channel = channels[round_row.id]
        try:
            posted += await _post_one(context, round_row, programme, channel, due_at, now)
        except Exception:
            # One programme's failure must not hold up the others; the next tick tries again.
            logger.exception("digest for round %s failed", round_row.id)
    return posted


async def _post_one(
    context: JobContext,
    round_row: Round,
    programme: ProgrammeRow,
    channel: str | None,
    due_at: datetime,
    now: datetime,
) -> int:
    if channel is None or programme.closed_at is not None:
        async with context.sessions() as session:
            await _claim(session, round_row, due_at)
            await session.commit()
        return 0
    access = ChannelAccess.MEMBER
    if context.slack is not None:
        access = await channel_access(context.slack, channel)
    if access is ChannelAccess.UNKNOWN:
        return 0  # Slack did not answer: the digest stays due for the next tick
    built = await build(
        context.sessions,
        programme.team_id,
        programme.id,
        now=now,
        round_id=round_row.id,
        drafter=context.drafter,
    )
    if built is None:
        return 0
    key = digest_key(round_row.id, due_at)
    admins: list[str] = []
    if access is ChannelAccess.NOT_MEMBER:
        found = await _admins(context)
        if found is None:
            return 0  # Slack did not say who the admins are: stays due for the next tick
        admins = found
    async with context.sessions() as session:
        if not await _claim(session, round_row, due_at):
            await session.rollback()
            return 0
        if access is ChannelAccess.MEMBER:
            await queue(session, built, key=key, now=now, channel_id=channel)
        else:
            await _queue_to_admins(session, built, key, channel, admins, now=now)
        await session.commit()
    logger.info("digest queued for programme %s round %s", programme.id, round_row.id)
    return 1


async def _admins(context: JobContext) -> list[str] | None:
    configured = sorted(context.admins)
    if configured or context.slack is None:
        return configured[:MAX_DM_ADMINS]
    return await workspace_admins(context.slack, limit=MAX_DM_ADMINS)


async def _queue_to_admins(
    session: AsyncSession,
    built: Built,
    key: str,
    channel: str,
    admins: list[str],
    *,
    now: datetime,
) -> None:
    if not admins:
        logger.warning("digest %s: channel closed to the app and no admin to tell", key)
        return
    message = blocks.undelivered_message(built.digest, channel)
    for admin in admins:
        await queue(
            session,
            built,
            key=f"{key}:dm:{admin}",
            now=now,
            open_users=(admin,),
            message=message,
        )
