"""The outbox's rows: writing a message to send, in the caller's transaction, at most once;
claiming due rows for a dispatcher; recording what became of each attempt."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import OutboxStatus
from storage.models import OutboxMessage, OutboxMessageFile

# Keep in step with OutboxMessage.last_error's column length.
MAX_ERROR = 200
# The error of a reply whose parent message failed; retrying the parent re-arms it.
PARENT_FAILED = "parent_failed"
# People per statement when invitations are withdrawn: one LIKE each, well under any
# database's limit on bound parameters.
INVITE_CANCEL_BATCH = 100


class Claimed(NamedTuple):
    message: OutboxMessage
    # Taken over from a sender whose lease ran out: it may have posted before it died.
    taken_over: bool


class FileToSend(NamedTuple):
    """A file to upload with a row, as `add` takes it."""

    filename: str
    title: str
    alt_text: str
    content: bytes


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        team_id: str,
        key: str,
        kind: str,
        text: str,
        due_at: datetime,
        now: datetime,
        channel_id: str | None = None,
        open_users: Sequence[str] = (),
        blocks: list[dict[str, Any]] | None = None,
        on_sent: dict[str, Any] | None = None,
        thread_key: str | None = None,
        file: FileToSend | None = None,
    ) -> bool:
        """Queue a message unless one with `key` exists; True when this call queued it.
        With `thread_key` it goes into the thread of that row's message, in its conversation;
        with `file` it uploads the file, the text as its comment.

        INSERT ... ON CONFLICT DO NOTHING rather than catching the duplicate, so a message
        already queued never rolls back the caller's transaction (the state change it belongs
        to stands either way)."""
        if channel_id is None and not open_users and thread_key is None:
            raise ValueError("a message needs a channel, people to open one with or a thread")
        values: dict[str, Any] = {
            "team_id": team_id,
            "key": key,
            "kind": kind,
            "channel_id": channel_id,
            "open_users": list(open_users),
            "text": text,
            "blocks": blocks,
            "on_sent": on_sent,
            "status": OutboxStatus.PENDING,
            "due_at": due_at,
            "next_attempt_at": due_at,
            "attempts": 0,
            "created_at": now,
            "thread_key": thread_key,
        }
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(OutboxMessage)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(OutboxMessage.id)
        )
        message_id = await self._session.scalar(statement)
        if message_id is None:
            return False
        if file is not None:
            self._session.add(
                OutboxMessageFile(
                    message_id=message_id,
                    filename=file.filename,
                    title=file.title,
                    alt_text=file.alt_text,
                    content=file.content,
                )
            )
            await self._session.flush()
        return True

    async def files_of(self, message_ids: Collection[int]) -> dict[int, OutboxMessageFile]:
        """The files of these rows, by row id; rows without a file are left out."""
        if not message_ids:
            return {}
        rows = await self._session.scalars(
            select(OutboxMessageFile).where(OutboxMessageFile.message_id.in_(message_ids))
        )
        return {row.message_id: row for row in rows.all()}

    async def record_file_id(self, message_id: int, *, owner: str, file_id: str) -> bool:
        """Remember the id Slack gave the row's file, while `owner` still holds the row;
        False when it no longer does."""
        held = select(OutboxMessage.id).where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_by == owner,
        )
        statement = (
            update(OutboxMessageFile)
            .where(OutboxMessageFile.message_id.in_(held.scalar_subquery()))
            .values(slack_file_id=file_id)
            .returning(OutboxMessageFile.id)
            .execution_options(synchronize_session=False)
        )
        return (await self._session.scalar(statement)) is not None

    async def by_key(self, key: str) -> OutboxMessage | None:
        found: OutboxMessage | None = await self._session.scalar(
            select(OutboxMessage).where(OutboxMessage.key == key)
        )
        return found

    async def claim(
        self, *, owner: str, now: datetime, lease: timedelta, limit: int
    ) -> list[Claimed]:
        """Take up to `limit` rows that are due for `owner`: pending rows whose next attempt
        is due, then rows whose sender's lease ran out (it died mid-send). Each comes back
        `sending`, leased to `owner` until ``now + lease``, its attempts counted.

        The UPDATE repeats the condition that selected the rows, so two dispatchers never
        both take a row: on PostgreSQL the select locks what it picks and skips rows another
        transaction has locked (``FOR UPDATE SKIP LOCKED``); on SQLite, which runs one writer
        at a time, a row another process claimed in between no longer matches.
        The caller commits, which makes the claim visible and releases the locks."""
        if limit <= 0:
            return []
        expired = and_(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_until <= now,
        )
        due = and_(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        claimed: list[Claimed] = []
        # Expired leases first: they have waited longest, and their outcome needs settling.
        for condition, order in ((expired, OutboxMessage.claimed_until), (due, None)):
            wanted = limit - len(claimed)
            if wanted <= 0:
                break
            query = select(OutboxMessage.id).where(condition)
            # ix_outbox_status_next_attempt_at serves both: equality on status, then the range.
            query = query.order_by(order if order is not None else OutboxMessage.next_attempt_at)
            query = query.order_by(OutboxMessage.id).limit(wanted)
            ids: Any
            if self._dialect == "postgresql":
                # Two statements, not UPDATE ... WHERE id IN (SELECT ... SKIP LOCKED):
                # PostgreSQL may run such a sub-select again for each row, each run skipping
                # the rows the last one just claimed, so the LIMIT would not hold.
                ids = list(
                    (await self._session.scalars(query.with_for_update(skip_locked=True))).all()
                )
                if not ids:
                    continue
            else:
                # Look before taking the write lock: in write-ahead-log mode a read never
                # waits, so a poll that finds nothing due never queues behind (or holds up)
                # the app's own writes on SQLite's one connection.
                if await self._session.scalar(query.limit(1)) is None:
                    continue
                # One statement: SQLite runs the sub-select once, under the write lock, so a
                # second process waits and then sees what this one left.
                ids = query.scalar_subquery()
            statement = (
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), condition)
                .values(
                    status=OutboxStatus.SENDING,
                    claimed_by=owner,
                    claimed_until=now + lease,
                    attempts=OutboxMessage.attempts + 1,
                )
                .returning(OutboxMessage)
                .execution_options(synchronize_session=False, populate_existing=True)
            )
            taken_over = condition is expired
            rows = (await self._session.scalars(statement)).all()
            claimed.extend(Claimed(row, taken_over) for row in rows)
        return claimed

    async def mark_sent(
        self, message_id: int, *, owner: str, channel_id: str, ts: str | None, now: datetime
    ) -> bool:
        """Record that Slack has the message; False when `owner` no longer holds the row.
        `ts` is None for a file whose message Slack has not named yet (it shares files
        asynchronously)."""
        return await self._settle(
            message_id,
            owner,
            status=OutboxStatus.SENT,
            sent_channel_id=channel_id,
            sent_ts=ts,
            sent_at=now,
        )

    async def release(
        self,
        message_id: int,
        *,
        owner: str,
        next_attempt_at: datetime,
        error: str | None,
        count_attempt: bool = True,
    ) -> bool:
        """Put a claimed row back to pending until `next_attempt_at`.

        `count_attempt=False` when the row never reached Slack for reasons of our own pacing
        or of Slack's rate limit: waiting one's turn is not a failed attempt."""
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING,
            "next_attempt_at": next_attempt_at,
            "last_error": error[:MAX_ERROR] if error is not None else None,
        }
        if error is None:
            values.pop("last_error")
        if not count_attempt:
            values["attempts"] = OutboxMessage.attempts - 1
        return await self._settle(message_id, owner, **values)

    async def fail(self, message_id: int, *, owner: str, error: str) -> bool:
        """Give up on a claimed row; admins see it with `error` and may retry it."""
        return await self._settle(
            message_id, owner, status=OutboxStatus.FAILED, last_error=error[:MAX_ERROR]
        )

    async def cancel_claimed(self, message_id: int, *, owner: str) -> bool:
        """Withdraw a claimed row (the message it answers was withdrawn)."""
        return await self._settle(message_id, owner, status=OutboxStatus.CANCELLED)

    async def _settle(self, message_id: int, owner: str, **values: Any) -> bool:
        statement = (
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_by == owner,
            )
            .values(claimed_by=None, claimed_until=None, **values)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        return (await self._session.scalar(statement)) is not None

    async def failed(self, team_id: str) -> list[OutboxMessage]:
        """The team's messages that could not be delivered, newest first."""
        rows = await self._session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.team_id == team_id, OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.next_attempt_at.desc(), OutboxMessage.id.desc())
            .execution_options(populate_existing=True)
        )
        return list(rows.all())

    async def recent_failed(
        self, team_id: str, *, limit: int
    ) -> list[tuple[int, str, str, datetime]]:
        """The team's newest undelivered messages as (id, kind, error code, when): never
        their text, which may quote what someone wrote."""
        rows = await self._session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.kind,
                OutboxMessage.last_error,
                OutboxMessage.next_attempt_at,
            )
            .where(OutboxMessage.team_id == team_id, OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.next_attempt_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
        return [(i, kind, error or "", at) for i, kind, error, at in rows.all()]

    async def failed_in_team(self, team_id: str, message_id: int) -> bool:
        """Whether `message_id` is a failed message of this team (an admin may retry only
        their own workspace's)."""
        found = await self._session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.id == message_id,
                OutboxMessage.team_id == team_id,
                OutboxMessage.status == OutboxStatus.FAILED,
            )
        )
        return found is not None

    async def retry(self, message_id: int, *, now: datetime) -> bool:
        """Send a failed message again from now, with a fresh count of attempts. `last_error`
        stays until the next attempt replaces it: when it says an earlier post may have
        reached Slack, the channel is checked before anything is posted again.

        The replies that failed because this message had failed come back with it."""
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED)
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
            .returning(OutboxMessage.key)
            .execution_options(synchronize_session=False)
        )
        key = await self._session.scalar(statement)
        if key is None:
            return False
        await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.thread_key == key,
                OutboxMessage.status == OutboxStatus.FAILED,
                OutboxMessage.last_error == PARENT_FAILED,
            )
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        return True

    async def cancel(self, key: str) -> bool:
        """Withdraw a message that has not gone out yet (the group met, the person left)."""
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.key == key, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.CANCELLED)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        return (await self._session.scalar(statement)) is not None

    async def cancel_invitations(self, team_id: str, user_ids: Collection[str]) -> int:
        """Withdraw the invitations not yet sent to these people, in every programme (keys
        `invite:<programme>:<user>`); how many were withdrawn."""
        withdrawn = 0
        ordered = sorted(user_ids)
        for start in range(0, len(ordered), INVITE_CANCEL_BATCH):
            batch = ordered[start : start + INVITE_CANCEL_BATCH]
            statement = (
                update(OutboxMessage)
                .where(
                    OutboxMessage.team_id == team_id,
                    OutboxMessage.kind == "invite",
                    OutboxMessage.status == OutboxStatus.PENDING,
                    or_(*(OutboxMessage.key.like(f"invite:%:{user_id}") for user_id in batch)),
                )
                .values(status=OutboxStatus.CANCELLED)
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            )
            withdrawn += len(list(await self._session.scalars(statement)))
        return withdrawn

    async def next_due(self) -> datetime | None:
        """When the earliest pending row falls due, to know how long a dispatcher may sleep."""
        found: datetime | None = await self._session.scalar(
            select(OutboxMessage.next_attempt_at)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .order_by(OutboxMessage.next_attempt_at)
            .limit(1)
        )
        return found

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name
