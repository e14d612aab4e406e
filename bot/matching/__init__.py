"""Matching engine: pure functions from a roster and a seed to groups that explain themselves."""

from bot.matching.criteria import PairScore, Scorer, overlap_minutes, tz_gap_hours
from bot.matching.engine import match
from bot.matching.model import (
    Criterion,
    Group,
    LeftOut,
    LeftOutReason,
    MatchInput,
    MatchResult,
    MatchSettings,
    Mode,
    Participant,
    Unavailable,
    Weights,
)

__all__ = [
    "Criterion",
    "Group",
    "LeftOut",
    "LeftOutReason",
    "MatchInput",
    "MatchResult",
    "MatchSettings",
    "Mode",
    "PairScore",
    "Participant",
    "Scorer",
    "Unavailable",
    "Weights",
    "match",
    "overlap_minutes",
    "tz_gap_hours",
]
