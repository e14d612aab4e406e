"""What the App Home tab and `/peercoach status` show about one person (plain data, no Slack).

The handlers gather this from storage and the programme settings; `bot.slack.blocks.home` and
`bot.slack.blocks.enrolment` only render it, so every rendering can be tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain import EnrolmentState, Programme
from bot.enrolment.profile_form import ProfileInput


@dataclass(frozen=True, slots=True)
class CurrentMatch:
    """One group the person is in right now, seen from their side.

    `kind` is one of "pair", "triad", "circle", "flash", or, in a mentorship, the person's own
    role: "mentor" (they mentor `partner_ids`) or "mentee" (`partner_ids` mentor them).
    """

    partner_ids: tuple[str, ...]  # Slack user ids of the other members; empty if all forgot
    kind: str
    explanation: str  # why the group was formed, in plain words
    since: date


@dataclass(frozen=True, slots=True)
class HomeState:
    user_id: str
    state: EnrolmentState  # NOT_ENROLLED when we have no row
    profile: ProfileInput | None  # None: no profile yet
    programme: Programme | None
    wants_mentor: bool
    mentor_capacity: int
    flash_week: date | None
    paused_until: date | None
    matches: tuple[CurrentMatch, ...]
    next_round: date | None
    is_admin: bool
    settings_summary: str | None  # admins only: a few mrkdwn lines describing the settings
