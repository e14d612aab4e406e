"""Answers about stored data when there is none to export or forget."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.slack.copy import text


def nothing_stored_message() -> dict[str, Any]:
    line = text.NOTHING_STORED.format(slash=text.SLASH_COMMAND)
    return {
        "response_type": "ephemeral",
        "text": line,
        "blocks": [SectionBlock(text=MarkdownTextObject(text=line)).to_dict()],
    }
