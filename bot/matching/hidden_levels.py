"""Explanations stored before they stopped naming levels, read without the levels.

The engine's explanations no longer name a level (members read them, and only the person and
admins see someone's level), but groups formed earlier keep their old text in the database.
Whatever shows a stored explanation to a member passes it through `without_levels`.
"""

from __future__ import annotations

import re
from typing import Final

# The phrases the engine used to write, each with the separator before it.
_LEVEL_PHRASES: Final = (
    # mentorship without a covered goal: "maya, 2 levels more senior than tom, has room"
    re.compile(r",\s*\d+ levels? more senior than \S+?,"),
    # "maya (level 5) can help", "priya (level 5) with"
    re.compile(r" \(level \d+\)"),
    # pairs and circles: "both level 3", "all level 3", "levels 2 and 4", "levels 1 to 3"
    re.compile(r",\s*(?:both |all )?levels? \d+(?: (?:and|to) \d+)?(?=,|$)"),
)


def without_levels(explanation: str) -> str:
    text = explanation
    for phrase in _LEVEL_PHRASES:
        text = phrase.sub("", text)
    return text
