"""`/peercoach admin match preview`: what the next round would look like, before it goes out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.matching.model import MatchResult, Weights
from bot.matching.report import score_scale, summary_lines
from bot.slack.copy import text
from bot.slack.mrkdwn import escape

_SECTION_LIMIT = 3000
_MESSAGE_BLOCK_LIMIT = 50


def _chunks(lines: Sequence[str]) -> list[str]:
    """Lines packed into section texts that stay within Slack's 3,000-character limit."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line[: _SECTION_LIMIT - 1]
        if current and len(current) + 1 + len(line) > _SECTION_LIMIT:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def match_preview_message(
    results: Sequence[MatchResult],
    names: Mapping[str, str],
    *,
    weights: Weights,
    team_id: str,
    on: date,
) -> dict[str, Any]:
    """The admin's report on the next round: one section per programme, each with the
    command that replays it (the seed appears there and only there)."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=text.PREVIEW_TITLE)),
        ContextBlock(elements=[MarkdownTextObject(text=text.PREVIEW_NOTE)]),
    ]
    if not results:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text.PREVIEW_NOBODY)))
    for result in results:
        blocks.append(DividerBlock())
        # The report is plain text holding display names: escaped, it stays text in mrkdwn.
        lines = summary_lines(result, names, scale=score_scale(result.mode, weights))
        for chunk in _chunks([escape(line) for line in lines]):
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
        replay = text.PREVIEW_REPLAY.format(
            team=team_id, mode=result.mode.value, seed=result.seed, date=on.isoformat()
        )
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=replay)]))
    if len(blocks) > _MESSAGE_BLOCK_LIMIT:
        blocks = blocks[: _MESSAGE_BLOCK_LIMIT - 1]
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text.PREVIEW_TRUNCATED)]))
    return {
        "response_type": "ephemeral",
        "text": text.PREVIEW_TITLE,
        "blocks": [block.to_dict() for block in blocks],
    }
