"""What the App Home tab and `/peercoach status` show about one person (plain data, no Slack).

The handlers gather this from storage and the programme settings; `bot.slack.blocks.home` and
`bot.slack.blocks.enrolment` only render it, so every rendering can be tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain import Cadence, EnrolmentState, MembershipRole, ProgrammeKind, ProgrammeMode
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
    programme_id: int | None = None  # the programme whose round formed the group, if known


@dataclass(frozen=True, slots=True)
class ProgrammeStatus:
    """One programme the person is an active member of."""

    programme_id: int
    name: str  # typed by an admin: escape before showing
    mode: ProgrammeMode
    role: MembershipRole
    cadence: Cadence
    weekday: int  # 0 = Monday
    next_round: date | None  # None: no round planned (a cohort that has ended)
    matches: tuple[CurrentMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class AdminProgramme:
    """One line of the admin section: a programme, its size and its next round."""

    programme_id: int
    name: str
    mode: ProgrammeMode
    kind: ProgrammeKind
    cadence: Cadence
    weekday: int
    members: int
    next_round: date | None
    starts_on: date | None = None
    ends_on: date | None = None
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class FailedSummary:
    """Messages that could not be delivered: a total, and counts by kind and error code."""

    total: int
    by_kind: tuple[tuple[str, str, int], ...] = ()
    # The newest ones, each with a Retry button: (outbox id, kind, error code, when).
    recent: tuple[tuple[int, str, str, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class HomeState:
    user_id: str
    state: EnrolmentState  # NOT_ENROLLED when we have no row
    profile: ProfileInput | None  # None: no profile yet
    programmes: tuple[ProgrammeStatus, ...]
    mentor_capacity: int
    flash_week: date | None
    paused_until: date | None
    matches: tuple[CurrentMatch, ...]  # groups not tied to one of `programmes` (flash, older)
    next_round: date | None  # the earliest next round among the person's programmes
    is_admin: bool
    settings_summary: str | None  # admins only: a few mrkdwn lines describing the settings
    admin_programmes: tuple[AdminProgramme, ...] = field(default=())
    failed: FailedSummary | None = None  # admins only; None when nothing failed
