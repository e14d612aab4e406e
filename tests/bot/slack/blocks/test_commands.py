"""The help and admin lists: who sees what, and unbuilt commands always marked as such."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.commands.catalogue import CATALOGUE, Audience, commands_for
from bot.slack.blocks.commands import admin_commands_message, help_message
from bot.slack.copy import text


def _sections(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


def _section_listing(message: dict[str, Any], usage: str) -> str:
    """The one section that lists `/peercoach <usage>`."""
    [section] = [s for s in _sections(message) if f"`{text.SLASH_COMMAND} {usage}`" in s]
    return section


def _valid(message: dict[str, Any]) -> None:
    for raw in message["blocks"]:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()


ADMIN_USAGES = [s.usage for s in CATALOGUE if s.audience is Audience.ADMIN and s.name != "admin"]
MEMBER_USAGES = [s.usage for s in CATALOGUE if s.audience is Audience.EVERYONE]


@pytest.mark.parametrize(
    ("for_admin", "shown", "hidden"),
    [
        (True, MEMBER_USAGES + ADMIN_USAGES, []),
        (False, MEMBER_USAGES, ADMIN_USAGES),
    ],
)
def test_help_shows_admin_commands_only_to_admins(
    for_admin: bool, shown: list[str], hidden: list[str]
) -> None:
    message = help_message(for_admin=for_admin)
    blob = json.dumps(message)
    for usage in shown:
        assert f"{text.SLASH_COMMAND} {usage}`" in blob
    for usage in hidden:
        assert f"{text.SLASH_COMMAND} {usage}`" not in blob
    assert ("For admins" in blob) is for_admin
    _valid(message)


@pytest.mark.parametrize(
    ("message", "audience"),
    [
        (help_message(for_admin=True), Audience.EVERYONE),
        (help_message(for_admin=True), Audience.ADMIN),
        (help_message(for_admin=False), Audience.EVERYONE),
        (admin_commands_message(), Audience.ADMIN),
    ],
)
def test_unbuilt_commands_are_listed_under_a_not_yet_header_and_built_ones_are_not(
    message: dict[str, Any], audience: Audience
) -> None:
    for spec in commands_for(audience, available=False):
        section = _section_listing(message, spec.usage)
        assert text.HELP_SOON_NOTE in section
    for spec in commands_for(audience, available=True):
        section = _section_listing(message, spec.usage)
        assert text.HELP_SOON_NOTE not in section


def test_the_admin_list_says_what_each_admin_command_does() -> None:
    message = admin_commands_message()
    blob = json.dumps(message["blocks"][:-1])  # the footer points at help
    for spec in CATALOGUE:
        listed = f"`{text.SLASH_COMMAND} {spec.usage}`  {spec.summary}"
        if spec.audience is Audience.ADMIN and spec.name != "admin":
            assert json.dumps(listed)[1:-1] in blob
        else:
            assert f"`{text.SLASH_COMMAND} {spec.usage}`" not in blob
    assert _section_listing(message, "admin round now [programme]").startswith(
        text.ADMIN_AVAILABLE_HEADER
    )
    assert _section_listing(message, "admin digest [programme] [#channel]").startswith(
        text.ADMIN_AVAILABLE_HEADER
    )
    assert _section_listing(message, "admin settings").startswith(text.ADMIN_AVAILABLE_HEADER)
    _valid(message)
