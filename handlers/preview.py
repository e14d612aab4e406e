"""The admin match preview: load the workspace's people, run the engine, summarise."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from sqlalchemy import select

from bot.matching import match
from bot.matching.from_database import load_match_input
from bot.matching.model import MatchResult, Mode
from bot.process.deps import Deps
from bot.programmes.service import load_programme_settings
from bot.slack.blocks.preview import match_preview_message
from storage.models import Person

# The programmes a round runs, in the order the preview shows them.
_MODES = (Mode.PAIRS, Mode.CIRCLES, Mode.MENTORSHIP)


async def match_preview(deps: Deps, team_id: str) -> dict[str, Any]:
    today = deps.clock().date()
    # One seed for the whole preview, shown in each summary so the run can be replayed.
    seed = secrets.randbelow(2**31)
    results: list[MatchResult] = []
    async with deps.sessions() as session:
        settings = (await load_programme_settings(session, team_id)).match_settings()
        for mode in _MODES:
            inp = await load_match_input(
                session, team_id=team_id, on=today, settings=settings, mode=mode
            )
            if inp.participants:
                # The engine is CPU-bound; keep the event loop answering Slack meanwhile.
                results.append(await asyncio.to_thread(match, inp, mode, seed))
        rows = await session.execute(
            select(Person.slack_user_id, Person.display_name).where(Person.team_id == team_id)
        )
        names = {user_id: name for user_id, name in rows.tuples()}
    return match_preview_message(
        results, names, weights=settings.weights, team_id=team_id, on=today
    )
