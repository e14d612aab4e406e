"""Block Kit for answers to `/peercoach`: help, unknown commands, commands not built yet."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.commands.catalogue import CATALOGUE, Audience, CommandSpec, Unknown
from bot.commands.intents import Malformed
from bot.slack.copy import text
from bot.slack.mrkdwn import echo

Message = dict[str, Any]


def _lines(specs: list[CommandSpec]) -> str:
    return "\n".join(f"`{text.SLASH_COMMAND} {s.usage}`  {s.summary}" for s in specs)


def _ephemeral(fallback: str, blocks: list[Block]) -> Message:
    return {
        "response_type": "ephemeral",
        "text": fallback,
        "blocks": [b.to_dict() for b in blocks],
    }


def _catalogue_blocks(*, include_admin: bool) -> list[Block]:
    available = [s for s in CATALOGUE if s.available and s.audience is Audience.EVERYONE]
    soon = [s for s in CATALOGUE if not s.available and s.audience is Audience.EVERYONE]
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(text=f"{text.HELP_AVAILABLE_HEADER}\n{_lines(available)}")
        )
    ]
    if soon:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"{text.HELP_SOON_HEADER}  _{text.HELP_SOON_NOTE}_\n{_lines(soon)}"
                )
            )
        )
    admin = [s for s in CATALOGUE if s.audience is Audience.ADMIN]
    if include_admin and admin:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"{text.HELP_ADMIN_HEADER}\n{_lines(admin)}"))
        )
    return blocks


def help_message() -> Message:
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=text.HELP_INTRO)),
        DividerBlock(),
        *_catalogue_blocks(include_admin=True),
        ContextBlock(elements=[MarkdownTextObject(text=text.HELP_FOOTER)]),
    ]
    return _ephemeral(text.HELP_INTRO, blocks)


def unknown_command_message(unknown: Unknown) -> Message:
    first = text.UNKNOWN_COMMAND.format(slash=text.SLASH_COMMAND, text=echo(unknown.text))
    if unknown.suggestion:
        first += " " + text.DID_YOU_MEAN.format(
            slash=text.SLASH_COMMAND, suggestion=echo(unknown.suggestion)
        )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=first)),
        SectionBlock(text=MarkdownTextObject(text=text.COMMAND_LIST_HEADER)),
        *_catalogue_blocks(include_admin=False),
    ]
    return _ephemeral(first, blocks)


def not_available_message(spec: CommandSpec) -> Message:
    line = text.NOT_AVAILABLE_YET.format(slash=text.SLASH_COMMAND, usage=spec.usage)
    return _ephemeral(line, [SectionBlock(text=MarkdownTextObject(text=line))])


def malformed_command_message(malformed: Malformed) -> Message:
    # What they typed is quoted escaped and cut: it is data, never markup.
    problem = malformed.problem.replace("{got}", echo(malformed.got))
    line = text.MALFORMED_COMMAND.format(
        problem=problem, slash=text.SLASH_COMMAND, example=malformed.example
    )
    usage = text.MALFORMED_USAGE.format(slash=text.SLASH_COMMAND, usage=malformed.spec.usage)
    return _ephemeral(
        line,
        [
            SectionBlock(text=MarkdownTextObject(text=line)),
            ContextBlock(elements=[MarkdownTextObject(text=usage)]),
        ],
    )
