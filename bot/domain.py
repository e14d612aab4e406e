"""The product's vocabulary: the states, cadences, programmes and roles every layer speaks of.

Kept apart from the ORM so services, builders and the matching engine can use them without
importing the database models.
"""

from __future__ import annotations

from enum import StrEnum

MAX_GOALS = 3


class EnrolmentState(StrEnum):
    NOT_ENROLLED = "not_enrolled"
    ENROLLED = "enrolled"
    PAUSED = "paused"
    LEFT = "left"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class MemberRole(StrEnum):
    PEER = "peer"
    MENTOR = "mentor"
    MENTEE = "mentee"


class MeetingStatus(StrEnum):
    PENDING = "pending"
    MET = "met"
    SKIPPED = "skipped"


class ProgrammeMode(StrEnum):
    """How a programme forms its groups (the matching engine's modes)."""

    PAIRS = "pairs"
    CIRCLES = "circles"
    MENTORSHIP = "mentorship"
    REVERSE = "reverse"


class ProgrammeKind(StrEnum):
    EVERGREEN = "evergreen"  # runs until an admin closes it
    COHORT = "cohort"  # runs from a start date to an end date, then sends a retrospective


class MembershipRole(StrEnum):
    PARTICIPANT = "participant"
    MENTOR = "mentor"
    MENTEE = "mentee"


class MembershipState(StrEnum):
    ACTIVE = "active"
    LEFT = "left"


class GroupState(StrEnum):
    PROPOSED = "proposed"  # a mentorship waiting for the mentor's Accept / Decline
    ACTIVE = "active"
    DECLINED = "declined"  # the mentor declined or did not answer in time
    ENDED = "ended"


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its due time (or its next attempt)
    SENDING = "sending"  # claimed by a dispatcher; the outcome of the last attempt is unknown
    SENT = "sent"
    FAILED = "failed"  # gave up after too many attempts; shown to admins with a retry button
    CANCELLED = "cancelled"  # no longer wanted (the group met, the person left)


class GoalStatus(StrEnum):
    """How a person says their goal is going, in a weekly check-in."""

    ON_TRACK = "on_track"
    SOME_PROGRESS = "some_progress"
    STUCK = "stuck"
    ACHIEVED = "achieved"


class StepDone(StrEnum):
    """Whether last week's committed next step happened."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


# The programmes' check-in day when an admin has not chosen one: Thursday (0 = Monday).
DEFAULT_CHECKIN_WEEKDAY = 3
# Check-ins go out on working days only: Monday (0) to Friday (4).
LAST_CHECKIN_WEEKDAY = 4


class QuestionTheme(StrEnum):
    """What a reflective question is about; goal tags map onto these (bot.questions.themes)."""

    GOALS = "goals"
    FEEDBACK = "feedback"
    GROWTH = "growth"
    CAREER = "career"
    LEADERSHIP = "leadership"
    WELLBEING = "wellbeing"
    COLLABORATION = "collaboration"


class QuestionSource(StrEnum):
    CURATED = "curated"  # peercoach's own bank, shared by every workspace
    ADMIN = "admin"  # added by a workspace's admin, for that workspace only
    LLM = "llm"  # drafted for one group from its goal tags and a theme
