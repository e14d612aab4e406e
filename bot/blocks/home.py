"""Block Kit for the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.copy import text


def home_view() -> dict[str, Any]:
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=text.HOME_TITLE)),
        SectionBlock(text=MarkdownTextObject(text=text.HOME_INTRO)),
        SectionBlock(
            text=MarkdownTextObject(text=text.HOME_HOW_TO_START.format(slash=text.SLASH_COMMAND))
        ),
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"{text.HOME_GOOD_PEER_COACH_TITLE}\n{text.HOME_GOOD_PEER_COACH}"
            )
        ),
    ]
    return View(type="home", blocks=blocks).to_dict()


def dm_reply() -> str:
    return text.DM_REPLY.format(slash=text.SLASH_COMMAND)
