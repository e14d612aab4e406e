"""The confirmation an admin gets after saving programme settings."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.programmes.settings_form import ProgrammeSettings, describe
from bot.slack.copy import text


def settings_saved_message(settings: ProgrammeSettings) -> dict[str, Any]:
    body = f"{text.SETTINGS_SAVED}\n{describe(settings)}"
    return {
        "text": text.SETTINGS_SAVED,
        "blocks": [SectionBlock(text=MarkdownTextObject(text=body[:3000])).to_dict()],
    }
