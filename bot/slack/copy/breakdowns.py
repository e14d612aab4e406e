"""Labels of a digest's breakdowns by function and level."""

from __future__ import annotations

from typing import Final

# The breakdown row of people who gave no function or level (and of forgotten people).
NOT_GIVEN: Final = "Not given"
