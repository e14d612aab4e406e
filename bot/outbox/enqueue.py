"""Queue a message to send: the one way out for intros, nudges, DMs and invitations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox.wakeup import queued_in
from storage.repositories import OutboxRepository
from storage.repositories.outbox import FileToSend

# Slack cuts a message's top-level text at 40,000 characters; notifications show far less.
MAX_TEXT = 3_000
# Column lengths of outbox_files; Slack takes alt text up to 1,000 characters.
MAX_FILENAME = 200
MAX_TITLE = 200
MAX_ALT_TEXT = 1_000


@dataclass(frozen=True, slots=True)
class OutboxFile:
    """A file to upload instead of posting a message; the message's text is its comment
    (Slack shows no blocks with a file). `alt_text` describes it for screen readers."""

    filename: str
    title: str
    content: bytes
    alt_text: str


@dataclass(frozen=True, slots=True)
class Message:
    """One message to send. `key` names what it is for and makes it unique for ever:
    ``intro:<group id>``, ``nudge:<group id>:<n>``, ``dm:left-out:<round id>:<user>``...

    Give `channel_id` when the conversation is known, else `open_users`: one user id for a
    DM, several for a group DM (the bot is added by Slack). A reply gives `thread_key`
    instead, the key of the message it answers: it goes out after that one, into its
    conversation's thread, and is withdrawn or fails with it."""

    team_id: str
    key: str
    kind: str
    text: str
    due_at: datetime
    channel_id: str | None = None
    open_users: Sequence[str] = ()
    blocks: list[dict[str, Any]] | None = None
    # What to remember once Slack has the message, e.g. {"group_id": 7} to store the group DM.
    on_sent: dict[str, Any] | None = field(default=None)
    file: OutboxFile | None = None
    thread_key: str | None = None


async def enqueue(session: AsyncSession, message: Message, *, now: datetime) -> bool:
    """Write `message` to the outbox in the caller's transaction; False when its key was queued
    before (nothing changes then). The caller commits, together with the change that causes it."""
    if not message.key or len(message.key) > 200:
        raise ValueError("an outbox key is 1 to 200 characters")
    if message.thread_key is not None and not 0 < len(message.thread_key) <= 200:
        raise ValueError("a thread key is 1 to 200 characters")
    if message.file is not None and not message.file.content:
        raise ValueError("a file to upload needs its bytes")
    queued_in(session)
    return await OutboxRepository(session).add(
        team_id=message.team_id,
        key=message.key,
        kind=message.kind,
        text=message.text[:MAX_TEXT],
        due_at=message.due_at,
        now=now,
        channel_id=message.channel_id,
        open_users=tuple(message.open_users),
        blocks=message.blocks,
        on_sent=message.on_sent,
        thread_key=message.thread_key,
        file=_file(message.file),
    )


def _file(file: OutboxFile | None) -> FileToSend | None:
    if file is None:
        return None
    return FileToSend(
        filename=file.filename[:MAX_FILENAME],
        title=file.title[:MAX_TITLE],
        alt_text=file.alt_text[:MAX_ALT_TEXT],
        content=file.content,
    )
