"""The shared vocabulary of coaching goals and skills.

Profiles store tags from this list (free-text goals are kept beside them for the person's own
use); matching compares tags, and explanations print the phrase. One list serves both "what I
want to get better at" and "what I can help others with", so complementarity is a set overlap.
"""

from __future__ import annotations

from typing import Final

# tag -> phrase that reads after "get better at" / "can help with".
GOAL_TAGS: Final[dict[str, str]] = {
    "giving-feedback": "giving feedback",
    "receiving-feedback": "receiving feedback",
    "public-speaking": "public speaking",
    "presenting": "presenting to senior leaders",
    "writing": "clear writing",
    "storytelling": "storytelling",
    "negotiation": "negotiation",
    "influence": "influencing without authority",
    "delegation": "delegating",
    "prioritisation": "prioritising",
    "time-management": "managing time",
    "focus": "protecting focus time",
    "first-time-manager": "being a first-time manager",
    "hiring": "hiring and interviewing",
    "onboarding": "onboarding new people",
    "one-to-ones": "running good one-to-ones",
    "career-growth": "planning a career step",
    "promotion": "preparing for promotion",
    "work-life-balance": "work-life balance",
    "resilience": "resilience under pressure",
    "conflict": "handling conflict",
    "difficult-conversations": "difficult conversations",
    "stakeholders": "managing stakeholders",
    "cross-team": "working across teams",
    "remote-work": "working remotely",
    "meetings": "running effective meetings",
    "decision-making": "making decisions",
    "strategy": "strategic thinking",
    "product-sense": "product sense",
    "data-literacy": "working with data",
    "technical-depth": "technical depth",
    "system-design": "system design",
    "project-management": "project management",
    "estimation": "estimating work",
    "customer-empathy": "understanding customers",
    "coaching": "coaching others",
    "mentoring": "mentoring",
    "networking": "building a network",
    "confidence": "confidence",
    "creativity": "creative problem solving",
}


def phrase(tag: str) -> str:
    """The readable phrase for a tag; unknown tags (from an older list) read as themselves."""
    return GOAL_TAGS.get(tag, tag.replace("-", " "))
