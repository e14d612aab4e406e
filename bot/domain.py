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


class Programme(StrEnum):
    """Which regular programme someone joined with `find` / `find circle`."""

    PAIRS = "pairs"
    CIRCLE = "circle"


class MemberRole(StrEnum):
    PEER = "peer"
    MENTOR = "mentor"
    MENTEE = "mentee"


class MeetingStatus(StrEnum):
    PENDING = "pending"
    MET = "met"
    SKIPPED = "skipped"
