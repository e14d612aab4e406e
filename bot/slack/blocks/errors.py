"""Block Kit for the apology a user sees when something fails on our side."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.slack.copy import text


def apology_text(error_id: str) -> str:
    return text.APOLOGY.format(error_id=error_id)


def apology_message(error_id: str) -> dict[str, Any]:
    line = apology_text(error_id)
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": line,
        "blocks": [SectionBlock(text=MarkdownTextObject(text=f":warning: {line}")).to_dict()],
    }


def apology_modal(error_id: str) -> dict[str, Any]:
    view = View(
        type="modal",
        title=PlainTextObject(text=text.APOLOGY_MODAL_TITLE),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=apology_text(error_id)))],
    )
    return view.to_dict()
