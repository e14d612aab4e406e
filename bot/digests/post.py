"""Building a digest and queuing it: the figures, the optional themes, the chart, then one
outbox row for the message and one for the chart in its thread, in the caller's transaction.

The slow parts (the LLM, drawing the chart) run before any transaction: `build` reads, then
asks and draws; `queue` only writes."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.digests.chart import Chart, render_trend_chart
from bot.digests.figures import ProgrammeDigest, for_admins
from bot.digests.service import programme_digest
from bot.digests.themes import summarise_themes
from bot.outbox import Message, OutboxFile, enqueue
from bot.programmes.service import load_programme_settings
from bot.questions.drafts import Drafter
from bot.slack.blocks import digest as blocks
from bot.slack.copy import digests as copy
from bot.slack.mrkdwn import escape
from storage.models import ProgrammeRow
from storage.repositories.checkins import CheckInRepository
from storage.repositories.digests import DigestRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Built:
    digest: ProgrammeDigest
    chart: Chart | None


async def digest_channel(session: AsyncSession, programme: ProgrammeRow) -> str | None:
    """Where the programme's digests go: its own channel, else the workspace's."""
    if programme.digest_channel_id:
        return programme.digest_channel_id
    return (await load_programme_settings(session, programme.team_id)).digest_channel_id


async def build(
    sessions: async_sessionmaker[AsyncSession],
    team_id: str,
    programme_id: int,
    *,
    now: datetime,
    round_id: int | None = None,
    drafter: Drafter | None = None,
) -> Built | None:
    """The programme's digest with its themes and chart; None for an unknown programme."""
    async with sessions() as session:
        digest = await programme_digest(session, team_id, programme_id, now=now, round_id=round_id)
        if digest is None:
            return None
        notes: list[str] = []
        names: list[str] = []
        authors = 0
        current = digest.current
        if drafter is not None and current is not None:
            repository = DigestRepository(session)
            people = await repository.round_person_ids(current.round_id)
            # Check-in weeks (Mondays) that overlap the round.
            week_from = current.starts_on - timedelta(days=current.starts_on.weekday())
            week_to = current.ends_on - timedelta(days=1) if current.ends_on else now.date()
            checkins = CheckInRepository(session)
            notes = await checkins.shared_notes(team_id, people, week_from, week_to)
            authors = await checkins.shared_note_authors(team_id, people, week_from, week_to)
            names = await repository.names(team_id)
    if notes:
        themes = await summarise_themes(
            drafter, notes, names=names, ref=f"programme {programme_id}", authors=authors
        )
        if themes:
            digest = dataclasses.replace(digest, themes=themes, theme_notes=len(notes))
    chart: Chart | None = None
    if digest.trend:
        title = copy.CHART_TITLE.format(programme=digest.programme_name, rounds=len(digest.trend))
        # Drawing takes a fraction of a second of CPU: off the event loop.
        shown = [for_admins(r, digest.min_group) for r in digest.trend]
        chart = await asyncio.to_thread(render_trend_chart, shown, title=title)
    return Built(digest, chart)


async def queue(
    session: AsyncSession,
    built: Built,
    *,
    key: str,
    now: datetime,
    channel_id: str | None = None,
    open_users: tuple[str, ...] = (),
    message: blocks.Message | None = None,
) -> bool:
    """Queue the digest (and its chart, in the digest's thread); False when `key` was queued
    before, in which case nothing changes."""
    digest = built.digest
    message = message or blocks.digest_message(digest)
    queued = await enqueue(
        session,
        Message(
            team_id=digest.team_id,
            key=key,
            kind="digest",
            text=message["text"],
            blocks=message["blocks"],
            due_at=now,
            channel_id=channel_id,
            open_users=open_users,
        ),
        now=now,
    )
    if not queued or built.chart is None:
        return queued
    chart = built.chart
    await enqueue(
        session,
        Message(
            team_id=digest.team_id,
            key=f"{key}:chart",
            kind="digest-chart",
            text=copy.CHART_COMMENT.format(programme=escape(digest.programme_name)),
            due_at=now,
            channel_id=channel_id,
            open_users=open_users,
            file=OutboxFile(
                filename=copy.CHART_FILENAME.format(date=now.date().isoformat()),
                title=copy.CHART_TITLE.format(
                    programme=digest.programme_name, rounds=len(digest.trend)
                ),
                content=chart.png,
                alt_text=chart.alt_text,
            ),
            thread_key=key,
        ),
        now=now,
    )
    return True
