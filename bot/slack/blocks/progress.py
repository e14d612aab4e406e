"""Modals shown while work finishes after the ack, and the friendly "busy, try again" reply."""

from __future__ import annotations

import copy as deep
from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.slack.blocks.commands import Message
from bot.slack.copy import progress as copy

NOTICE_BLOCK_ID = "peercoach_notice"


def database_busy_message() -> Message:
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": copy.DATABASE_BUSY,
        "blocks": [SectionBlock(text=MarkdownTextObject(text=copy.DATABASE_BUSY)).to_dict()],
    }


def status_modal(title: str, words: str, *, close: str = copy.CLOSE) -> dict[str, Any]:
    """A modal with one line and no submit button: "saving…", "saved", "not allowed"."""
    view = View(
        type="modal",
        title=PlainTextObject(text=title),
        close=PlainTextObject(text=close),
        blocks=[SectionBlock(text=MarkdownTextObject(text=words))],
    )
    return view.to_dict()


def with_notice(view: dict[str, Any], words: str) -> dict[str, Any]:
    """`view` with a notice on top, e.g. the form again, as typed, after a failed save."""
    noticed = deep.deepcopy(view)
    blocks = [b for b in noticed.get("blocks", []) if b.get("block_id") != NOTICE_BLOCK_ID]
    notice = SectionBlock(block_id=NOTICE_BLOCK_ID, text=MarkdownTextObject(text=words))
    noticed["blocks"] = [notice.to_dict(), *blocks]
    return noticed
