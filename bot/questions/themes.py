"""Which question themes suit which coaching goals: a group's shared goal tags pick its themes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from bot.domain import QuestionTheme
from bot.enrolment.goals import GOAL_TAGS

T = QuestionTheme

# Every tag of bot.enrolment.goals.GOAL_TAGS, to the themes whose questions serve it best.
TAG_THEMES: Final[dict[str, tuple[QuestionTheme, ...]]] = {
    "giving-feedback": (T.FEEDBACK,),
    "receiving-feedback": (T.FEEDBACK, T.GROWTH),
    "public-speaking": (T.GROWTH,),
    "presenting": (T.GROWTH, T.CAREER),
    "writing": (T.GROWTH, T.COLLABORATION),
    "storytelling": (T.GROWTH, T.LEADERSHIP),
    "negotiation": (T.COLLABORATION, T.LEADERSHIP),
    "influence": (T.LEADERSHIP, T.COLLABORATION),
    "delegation": (T.LEADERSHIP,),
    "prioritisation": (T.GOALS,),
    "time-management": (T.GOALS, T.WELLBEING),
    "focus": (T.WELLBEING, T.GOALS),
    "first-time-manager": (T.LEADERSHIP, T.FEEDBACK),
    "hiring": (T.LEADERSHIP,),
    "onboarding": (T.COLLABORATION, T.LEADERSHIP),
    "one-to-ones": (T.FEEDBACK, T.LEADERSHIP),
    "career-growth": (T.CAREER, T.GROWTH),
    "promotion": (T.CAREER,),
    "work-life-balance": (T.WELLBEING,),
    "resilience": (T.WELLBEING, T.GROWTH),
    "conflict": (T.COLLABORATION, T.FEEDBACK),
    "difficult-conversations": (T.FEEDBACK, T.LEADERSHIP),
    "stakeholders": (T.COLLABORATION,),
    "cross-team": (T.COLLABORATION,),
    "remote-work": (T.WELLBEING, T.COLLABORATION),
    "meetings": (T.COLLABORATION,),
    "decision-making": (T.LEADERSHIP, T.GOALS),
    "strategy": (T.LEADERSHIP, T.GOALS),
    "product-sense": (T.GROWTH,),
    "data-literacy": (T.GROWTH,),
    "technical-depth": (T.GROWTH, T.CAREER),
    "system-design": (T.GROWTH,),
    "project-management": (T.GOALS, T.COLLABORATION),
    "estimation": (T.GOALS,),
    "customer-empathy": (T.COLLABORATION, T.GROWTH),
    "coaching": (T.LEADERSHIP, T.FEEDBACK),
    "mentoring": (T.LEADERSHIP, T.GROWTH),
    "networking": (T.CAREER, T.COLLABORATION),
    "confidence": (T.GROWTH, T.WELLBEING),
    "creativity": (T.GROWTH,),
}

THEME_NAMES: Final[dict[QuestionTheme, str]] = {
    T.GOALS: "Goals",
    T.FEEDBACK: "Feedback",
    T.GROWTH: "Growth",
    T.CAREER: "Career",
    T.LEADERSHIP: "Leadership",
    T.WELLBEING: "Wellbeing",
    T.COLLABORATION: "Collaboration",
}


def shared_tags(tag_sets: Sequence[Iterable[str]]) -> list[str]:
    """The known goal tags every member chose; failing that, those any member chose.

    Only tags of the shared vocabulary count, so nothing anyone typed freely ever gets here."""
    sets = [{t for t in tags if t in GOAL_TAGS} for tags in tag_sets]
    if not sets:
        return []
    common = set.intersection(*sets)
    chosen = common or set.union(*sets)
    return sorted(chosen)


def themes_for(tags: Iterable[str]) -> list[QuestionTheme]:
    """The themes the tags point to, most pointed-to first (ties in the themes' own order)."""
    votes: dict[QuestionTheme, int] = {}
    for tag in tags:
        for rank, theme in enumerate(TAG_THEMES.get(tag, ())):
            # A tag's first theme counts double: it is the closest fit.
            votes[theme] = votes.get(theme, 0) + (2 if rank == 0 else 1)
    order = list(QuestionTheme)
    return sorted(votes, key=lambda theme: (-votes[theme], order.index(theme)))
