"""Explanations stored before levels were left out are shown without them."""

from __future__ import annotations

import pytest

from bot.matching.hidden_levels import without_levels


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (
            "different functions, both level 3, 5 working hours in common, ana can help with x",
            "different functions, 5 working hours in common, ana can help with x",
        ),
        (
            "same function, levels 2 and 4, 2.5 working hours in common, no goals in common yet",
            "same function, 2.5 working hours in common, no goals in common yet",
        ),
        (
            "all different functions, levels 2 to 4, 8 working hours in common for everyone",
            "all different functions, 8 working hours in common for everyone",
        ),
        ("2 functions, all level 1", "2 functions"),
        (
            "maya (level 5) can help with hiring, which tom wants to grow; 4 working hours",
            "maya can help with hiring, which tom wants to grow; 4 working hours",
        ),
        (
            "maya (level 6), 2 levels more senior than tom, has room to mentor; none of tom's",
            "maya has room to mentor; none of tom's",
        ),
        (
            "sam (level 2) can help priya (level 5) with working with data; 8 working hours",
            "sam can help priya with working with data; 8 working hours",
        ),
        # Today's wording is left as it is.
        (
            "different functions, 5 working hours in common",
            "different functions, 5 working hours in common",
        ),
    ],
)
def test_old_explanations_lose_their_levels(stored: str, shown: str) -> None:
    assert without_levels(stored) == shown
