"""User text inside mrkdwn: escaped so it stays text, and cut so it fits Slack's limits."""

from __future__ import annotations

from typing import Final

# How much of what someone typed an answer repeats back to them.
ECHO_LIMIT: Final = 200
ELLIPSIS: Final = "…"


def escape(words: str) -> str:
    """Slack's three control characters as entities: "<!channel>" stays text, never a ping."""
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(words: str, limit: int) -> str:
    """`words`, or its first `limit - 1` characters and an ellipsis."""
    return words if len(words) <= limit else words[: limit - 1] + ELLIPSIS


def echo(words: str, limit: int = ECHO_LIMIT) -> str:
    """What someone typed, to quote back inside a code span: short, escaped, and unable to
    close the span (a backtick is shown as a look-alike)."""
    return escape(clip(words, limit)).replace("`", "ˋ")
