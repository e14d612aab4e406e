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

from bot.commands.catalogue import Audience, CommandSpec, Unknown, commands_for
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


def _section(mrkdwn: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=mrkdwn))


def _soon_section(header: str, specs: list[CommandSpec]) -> SectionBlock:
    # Unbuilt commands are always under a header that says so, never mixed with working ones.
    return _section(f"{header}  _{text.HELP_SOON_NOTE}_\n{_lines(specs)}")


def _catalogue_blocks(*, include_admin: bool) -> list[Block]:
    blocks: list[Block] = [
        _section(
            f"{text.HELP_AVAILABLE_HEADER}\n"
            f"{_lines(commands_for(Audience.EVERYONE, available=True))}"
        )
    ]
    soon = commands_for(Audience.EVERYONE, available=False)
    if soon:
        blocks.append(_soon_section(text.HELP_SOON_HEADER, soon))
    if include_admin:
        admin = commands_for(Audience.ADMIN, available=True)
        header = text.HELP_ADMIN_HEADER.format(slash=text.SLASH_COMMAND)
        blocks.append(_section(f"{header}\n{_lines(admin)}"))
        admin_soon = commands_for(Audience.ADMIN, available=False)
        if admin_soon:
            blocks.append(_soon_section(text.HELP_ADMIN_SOON_HEADER, admin_soon))
    return blocks


def help_message(*, for_admin: bool) -> Message:
    """`/peercoach help`: what everyone can do, plus the admin commands for admins only."""
    blocks: list[Block] = [
        _section(text.HELP_INTRO),
        DividerBlock(),
        *_catalogue_blocks(include_admin=for_admin),
        ContextBlock(elements=[MarkdownTextObject(text=text.HELP_FOOTER)]),
    ]
    return _ephemeral(text.HELP_INTRO, blocks)


def admin_commands_message() -> Message:
    """`/peercoach admin`: every admin command with what it does, unbuilt ones marked."""
    blocks: list[Block] = [
        _section(text.ADMIN_INTRO),
        _section(
            f"{text.ADMIN_AVAILABLE_HEADER}\n{_lines(commands_for(Audience.ADMIN, available=True))}"
        ),
    ]
    soon = commands_for(Audience.ADMIN, available=False)
    if soon:
        blocks.append(_soon_section(text.ADMIN_SOON_HEADER, soon))
    footer = text.ADMIN_FOOTER.format(slash=text.SLASH_COMMAND)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return _ephemeral(text.ADMIN_INTRO, blocks)


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
