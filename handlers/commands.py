"""`/peercoach`: parse the text, answer in the acknowledgement."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.blocks.commands import help_message, not_available_message, unknown_command_message
from bot.commands import HELP, Parsed, parse
from bot.copy.text import SLASH_COMMAND


async def on_peercoach(ack: AsyncAck, command: dict[str, Any]) -> None:
    parsed = parse(command.get("text") or "")
    if not isinstance(parsed, Parsed):
        await ack(**unknown_command_message(parsed))
    elif parsed.spec is HELP:
        await ack(**help_message())
    else:
        await ack(**not_available_message(parsed.spec))


def register(app: AsyncApp) -> None:
    app.command(SLASH_COMMAND)(on_peercoach)
