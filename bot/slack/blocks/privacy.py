"""Answers about stored data when there is none to export or forget, or only an HR entry."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.slack.copy import text


def nothing_stored_message() -> dict[str, Any]:
    return _line(text.NOTHING_STORED.format(slash=text.SLASH_COMMAND))


def hr_entry_forgotten_message() -> dict[str, Any]:
    return _line(text.HR_ENTRY_FORGOTTEN)


def _line(line: str) -> dict[str, Any]:
    return {
        "response_type": "ephemeral",
        "text": line,
        "blocks": [SectionBlock(text=MarkdownTextObject(text=line)).to_dict()],
    }
