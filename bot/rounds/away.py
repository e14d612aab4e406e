"""Who Slack says is away or deactivated, read in bulk with `users.list` before a round.

`users.list` is Tier 2 (about 20 calls a minute) and pages 200 people at a time, so one round of
a few thousand people costs a handful of calls instead of one `users.info` per person. A Slack
failure never blocks a round: whoever could not be read counts as "not known to be away".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.failures import SLACK_NETWORK_ERRORS

logger = logging.getLogger(__name__)

PAGE_SIZE: Final = 200
MAX_PAGES: Final = 500

# Slack's own "Vacationing" and "Out sick" statuses, and the usual ways people say they're off.
AWAY_EMOJI: Final = frozenset(
    {
        ":palm_tree:",
        ":face_with_thermometer:",
        ":no_entry:",
        ":no_entry_sign:",
        ":beach_with_umbrella:",
        ":desert_island:",
        ":sick:",
        ":mask:",
        ":thermometer:",
        ":hospital:",
        ":baby_bottle:",
        ":luggage:",
    }
)
AWAY_WORDS: Final = re.compile(
    r"\b(out of (the )?office|ooo|o\.o\.o|vacation|vacationing|holidays?|on leave|"
    r"parental leave|maternity|paternity|sick|pto|annual leave|time off|off work|sabbatical|"
    r"away until|back on)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SlackStatus:
    text: str
    emoji: str
    expiration: int  # Unix time; 0 when the status does not expire

    def is_away(self, at: datetime) -> bool:
        if self.expiration and self.expiration <= at.timestamp():
            return False
        return self.emoji in AWAY_EMOJI or bool(AWAY_WORDS.search(self.text))


@dataclass(frozen=True, slots=True)
class Directory:
    """What `users.list` said about the people we asked about; `complete` is False when Slack
    failed part way (everyone not read is then simply not known to be away)."""

    statuses: dict[str, SlackStatus] = field(default_factory=dict)
    deactivated: frozenset[str] = frozenset()
    complete: bool = True
    guests: frozenset[str] = frozenset()  # is_restricted or is_ultra_restricted

    def away(self, user_id: str, at: datetime) -> bool:
        status = self.statuses.get(user_id)
        return status is not None and status.is_away(at)


def _status(user: dict[str, Any]) -> SlackStatus:
    profile = user.get("profile") or {}
    try:
        expiration = int(profile.get("status_expiration") or 0)
    except (TypeError, ValueError):
        expiration = 0
    return SlackStatus(
        text=str(profile.get("status_text") or ""),
        emoji=str(profile.get("status_emoji") or ""),
        expiration=expiration,
    )


async def read_directory(
    client: AsyncWebClient | None, wanted: Iterable[str] | None = None
) -> Directory:
    """Statuses and deactivations of `wanted` (None: everyone), paging through `users.list`."""
    want = None if wanted is None else set(wanted)
    if client is None or want == set():
        return Directory(complete=client is not None)
    statuses: dict[str, SlackStatus] = {}
    deactivated: set[str] = set()
    guests: set[str] = set()
    cursor: str | None = None
    try:
        for _ in range(MAX_PAGES):
            kwargs: dict[str, Any] = {"limit": PAGE_SIZE}
            if cursor:
                kwargs["cursor"] = cursor
            response = await client.users_list(**kwargs)
            for user in response.get("members") or []:
                user_id = str(user.get("id", ""))
                if want is not None and user_id not in want:
                    continue
                if user.get("deleted"):
                    deactivated.add(user_id)
                if user.get("is_restricted") or user.get("is_ultra_restricted"):
                    guests.add(user_id)
                statuses[user_id] = _status(user)
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        logger.warning("users.list failed (%s); statuses unknown for this round", error)
        return Directory(statuses, frozenset(deactivated), complete=False, guests=frozenset(guests))
    except SLACK_NETWORK_ERRORS as exc:
        logger.warning("users.list did not answer (%r); statuses unknown for this round", exc)
        return Directory(statuses, frozenset(deactivated), complete=False, guests=frozenset(guests))
    return Directory(statuses, frozenset(deactivated), guests=frozenset(guests))
