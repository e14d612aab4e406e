"""Due work besides rounds: pauses that end by themselves, and `find flash` requests.

Each function takes the session maker and "now" and is safe to run again or from a second
runner: every change is a conditional update, and every message has its own outbox key.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import MembershipRole
from bot.enrolment.service import week_start
from bot.matching.engine import match
from bot.matching.from_database import load_programme_input
from bot.matching.model import Mode
from bot.outbox import Message, enqueue
from bot.rounds.service import store_groups
from bot.rounds.timing import daytime_from
from bot.slack.copy import rounds as copy
from bot.slack.copy.text import SLASH_COMMAND
from storage.models import Person, ProgrammeRow, Round
from storage.repositories.rounds import RoundRepository

logger = logging.getLogger(__name__)

# Requests are matched up to the end of the week after the one they were made in, so one made
# on a Sunday still meets Monday's askers.
FLASH_WEEKS_OPEN = 2
FLASH_INTRO_HOUR = 10
FLASH_MODE = "flash"


async def end_pauses(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Everyone whose pause has reached its end date is enrolled again and told so."""
    today = now.date()
    ended = 0
    async with sessions() as session:
        repo = RoundRepository(session)
        for person in await repo.pauses_over(today):
            until = person.paused_until
            if until is None or not await repo.end_pause(person.id, today, now):
                continue
            await enqueue(
                session,
                Message(
                    team_id=person.team_id,
                    key=f"pause-over:{person.id}:{until.isoformat()}",
                    kind="dm",
                    text=copy.PAUSE_OVER.format(slash=SLASH_COMMAND),
                    due_at=daytime_from(person.time_zone, now),
                    open_users=[person.slack_user_id],
                ),
                now=now,
            )
            ended += 1
        await session.commit()
    if ended:
        logger.info("%d pauses ended", ended)
    return ended


def flash_seed(team_id: str, day: date) -> int:
    digest = hashlib.sha256(f"flash:{team_id}:{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


async def match_flash(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Once a day per workspace, pair the people who asked for a one-off conversation.

    The day's batch is a round of mode "flash" dated today; someone left over waits for the
    next day's batch, and a request nobody could be matched with by the end of the following
    week is closed with a note."""
    today = now.date()
    oldest_open = week_start(today) - timedelta(weeks=FLASH_WEEKS_OPEN - 1)
    async with sessions() as session:
        teams = await RoundRepository(session).flash_teams(today)
        await session.close()
    groups = 0
    for team_id in teams:
        await _close_stale_flash(sessions, team_id, oldest_open, now)
        groups += await _flash_batch(sessions, team_id, today, oldest_open, now)
    return groups


async def _close_stale_flash(
    sessions: async_sessionmaker[AsyncSession], team_id: str, oldest_open: date, now: datetime
) -> None:
    async with sessions() as session:
        repo = RoundRepository(session)
        for person in await repo.stale_flash_requests(team_id, oldest_open):
            week = person.flash_week
            if week is None or not await repo.claim_flash([person.id], week):
                continue
            if week < oldest_open:
                await enqueue(
                    session,
                    Message(
                        team_id=team_id,
                        key=f"flash-none:{person.id}:{week.isoformat()}",
                        kind="dm",
                        text=copy.FLASH_NOBODY.format(slash=SLASH_COMMAND),
                        due_at=daytime_from(person.time_zone, now),
                        open_users=[person.slack_user_id],
                    ),
                    now=now,
                )
        await session.commit()


async def _flash_batch(
    sessions: async_sessionmaker[AsyncSession],
    team_id: str,
    today: date,
    oldest_open: date,
    now: datetime,
) -> int:
    try:
        async with sessions() as session:
            done = await session.scalar(
                select(Round.id).where(
                    Round.programme_id.is_(None),
                    Round.scheduled_for == today,
                    Round.team_id == team_id,
                    Round.mode == FLASH_MODE,
                )
            )
            if done is not None:
                return 0
            requests = [
                p
                for p in await RoundRepository(session).flash_requests(team_id, today)
                if p.flash_week is not None and p.flash_week >= oldest_open
            ]
            if len(requests) < 2:
                return 0
            intro_hour = await session.scalar(
                select(ProgrammeRow.intro_hour).where(
                    ProgrammeRow.team_id == team_id, ProgrammeRow.is_default.is_(True)
                )
            )
            seed = flash_seed(team_id, today)
            inp = await load_programme_input(
                session,
                team_id=team_id,
                members=[(p, MembershipRole.PARTICIPANT) for p in requests],
                on=today,
                mode=Mode.PAIRS,
            )
            result = match(inp, Mode.PAIRS, seed)
            if not result.groups:
                return 0
            people: dict[str, Person] = {p.slack_user_id: p for p in requests}
            placed = [people[m].id for g in result.groups for m in g.members]
            repo = RoundRepository(session)
            # Each request is claimed by exactly one batch; a second runner's claim fails.
            if not await repo.claim_flash(placed, today):
                await session.rollback()
                return 0
            round_row = await repo.add_round(
                team_id=team_id,
                programme_id=None,
                mode=FLASH_MODE,
                seed=seed,
                scheduled_for=today,
                ends_on=today + timedelta(days=7),
                midpoint_at=None,
                ends_at=None,
                now=now,
            )
            await store_groups(
                session,
                team_id=team_id,
                round_row=round_row,
                result=result,
                inp=inp,
                people=people,
                programme_name=copy.FLASH_PROGRAMME,
                intro_hour=FLASH_INTRO_HOUR if intro_hour is None else intro_hour,
                proposed=False,
                now=now,
                flash=True,
            )
            await session.commit()
    except (IntegrityError, OperationalError):
        logger.info("flash batch of %s on %s not stored here", team_id, today.isoformat())
        return 0
    logger.info(
        "flash round %s: seed %s, %d pairs, %d waiting",
        round_row.id,
        seed,
        len(result.groups),
        len(result.left_out),
    )
    return len(result.groups)
