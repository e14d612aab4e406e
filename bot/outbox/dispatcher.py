"""The dispatcher: claims due outbox rows and delivers each one to Slack exactly once.

One attempt at a row:
1. find the conversation: the row's channel, or `conversations.open` with its people (the
   answer is remembered: opening the same people again gives the same conversation);
2. when an earlier attempt may have reached Slack (a timeout, a 5xx, a lease that ran out
   while its sender was mid-send), read the conversation's history (a reply: its thread's)
   for a message carrying the row's key in its metadata; if it is there, the row is sent and
   nothing is posted again;
3. post with `chat.postMessage`, the key in `metadata`;
4. mark the row sent, in one transaction with its `on_sent` effects.

A reply (`thread_key`) waits for the message it answers and goes into its thread, in its
conversation; it is withdrawn with it and fails with it. A row with a file uploads it
instead of posting (`files.getUploadURLExternal`, the bytes to the upload URL,
`files.completeUploadExternal` with the text as its comment). Slack's id for the file is
stored before the upload is completed, so an attempt whose outcome is unknown asks
`files.info` whether the file was shared in the conversation before uploading again.

Every Slack call first takes its turn from the pacer. A 429 pauses that method for the whole
workspace for `Retry-After`; 5xx, timeouts and lost connections are retried with exponential
backoff and jitter; errors no retry can fix fail the row at once, as does running out of
attempts. Logs carry row ids, keys' kinds and error codes, never text.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import OutboxStatus
from bot.outbox.effects import Delivered, apply_on_sent
from bot.outbox.failures import (
    UNCONFIRMED,
    Failure,
    Kind,
    UploadRefused,
    classify,
    retry_after_header,
)
from bot.outbox.pacing import (
    COMPLETE_METHOD,
    FILE_INFO_METHOD,
    HISTORY_METHOD,
    OPEN_METHOD,
    POST_METHOD,
    REPLIES_METHOD,
    UPLOAD_BYTES,
    UPLOAD_URL_METHOD,
    Limits,
    Pacer,
)
from bot.outbox.wakeup import add_waker, remove_waker
from bot.process.deps import Clock
from storage.models import OutboxMessage, OutboxMessageFile
from storage.repositories import OutboxRepository
from storage.repositories.outbox import PARENT_FAILED

logger = logging.getLogger(__name__)

# Messages carry {"event_type": METADATA_EVENT, "event_payload": {"key": <outbox key>}}.
METADATA_EVENT = "peercoach_outbox"
HISTORY_PAGE = 200
HISTORY_MAX_PAGES = 10
# Opened conversations remembered per process; beyond this the oldest are forgotten.
OPENED_CACHE_SIZE = 50_000

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _File:
    filename: str
    title: str
    alt_text: str
    content: bytes
    slack_file_id: str | None

    @classmethod
    def of(cls, row: OutboxMessageFile) -> _File:
        return cls(
            filename=row.filename,
            title=row.title,
            alt_text=row.alt_text,
            content=row.content,
            slack_file_id=row.slack_file_id,
        )


@dataclass(frozen=True, slots=True)
class _Row:
    """What an attempt needs of a claimed row, read once so no lazy load happens later."""

    id: int
    team_id: str
    key: str
    kind: str
    channel_id: str | None
    open_users: tuple[str, ...]
    text: str
    blocks: list[Any] | None
    on_sent: dict[str, Any] | None
    attempts: int
    due_at: datetime
    unconfirmed: bool
    taken_over: bool
    claimed_until: datetime
    thread_key: str | None
    file: _File | None

    @classmethod
    def of(cls, row: OutboxMessage, *, taken_over: bool, file: OutboxMessageFile | None) -> _Row:
        assert row.claimed_until is not None
        channel_id, open_users = row.channel_id, tuple(row.open_users or ())
        if channel_id and channel_id[0] in "UW" and not open_users:
            # A user id: Slack posts to the bot's DM with them, but reads history only by the
            # DM's own id, which conversations.open gives.
            open_users = (channel_id,)
            channel_id = None
        return cls(
            id=row.id,
            team_id=row.team_id,
            key=row.key,
            kind=row.kind,
            channel_id=channel_id,
            open_users=open_users,
            text=row.text,
            blocks=row.blocks,
            on_sent=row.on_sent,
            attempts=row.attempts,
            due_at=row.due_at,
            unconfirmed=taken_over or (row.last_error or "").startswith(UNCONFIRMED),
            taken_over=taken_over,
            claimed_until=row.claimed_until,
            thread_key=row.thread_key,
            file=_File.of(file) if file is not None else None,
        )


class _Settled(Exception):
    """The attempt is over and the row is recorded (put back, failed or sent)."""


class Dispatcher:
    """Delivers outbox rows. `clock` is the process's clock; `sleep` waits that many seconds
    of it: real seconds in production, simulated ones in the fan-out benchmark."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        client: AsyncWebClient,
        *,
        clock: Clock,
        limits: Limits | None = None,
        owner: str | None = None,
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.clock = clock
        self.limits = limits or Limits()
        self.owner = owner or f"dispatcher-{uuid.uuid4().hex[:12]}"
        self.pacer = Pacer(self.limits)
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._opened: OrderedDict[tuple[str, tuple[str, ...]], str] = OrderedDict()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[bool]] = set()

    # ------------------------------------------------------------------ running

    async def dispatch_once(self) -> int:
        """Claim and deliver everything due now, waiting for nothing: a row whose turn is
        later is put back until then. Returns how many messages were sent."""
        sent = 0
        while True:
            rows = await self._claim(self.limits.concurrency)
            if not rows:
                return sent
            results = await asyncio.gather(*(self._deliver(row, max_wait=0.0) for row in rows))
            sent += sum(results)

    def start(self) -> None:
        """Run the dispatch loop in the background until `stop`."""
        if self._loop_task is None:
            self._stopping.clear()
            add_waker(self.wake)
            self._loop_task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    @property
    def sending(self) -> int:
        """Rows the running loop holds at the moment (waiting for their turn or in flight)."""
        return len(self._inflight)

    @property
    def woken(self) -> bool:
        """Whether the loop has been told to look for work and has not done so yet. With
        `sending`, lets a driver of simulated time see that everything waits for the clock."""
        return self._wake.is_set()

    def wake(self) -> None:
        """Look for due rows now rather than at the next poll."""
        self._wake.set()

    async def stop(self, grace: float) -> None:
        """Stop claiming; let sends in progress finish for up to `grace` real seconds, then
        cancel the rest (their rows' leases run out and another attempt settles them)."""
        self._stopping.set()
        self._wake.set()
        remove_waker(self.wake)
        task, self._loop_task = self._loop_task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except TimeoutError:
            logger.warning(
                "outbox: %d sends still running after %.0f s", len(self._inflight), grace
            )
            for pending in list(self._inflight):
                pending.cancel()
            task.cancel()
        finally:
            await asyncio.gather(task, *self._inflight, return_exceptions=True)

    async def _run(self) -> None:
        logger.info("outbox dispatcher %s started", self.owner)
        # Slots are refilled a few at a time: one claim for several rows, not one per row.
        refill = max(1, self.limits.concurrency // 4)
        while not self._stopping.is_set():
            # Cleared before looking, not before sleeping: a wake-up that arrives while the
            # claim runs (a commit it could not see yet) must not be lost until the next poll.
            self._wake.clear()
            free = self.limits.concurrency - len(self._inflight)
            claimed: list[_Row] = []
            if free >= refill:
                try:
                    claimed = await self._claim(free)
                except Exception:
                    logger.exception("outbox: claiming due messages failed")
            for row in claimed:
                task = asyncio.create_task(self._deliver(row, max_wait=self.limits.max_wait))
                self._inflight.add(task)
                task.add_done_callback(self._finished)
            if claimed and len(claimed) == free:
                continue  # all taken: more may be due, claim again at once
            await self._idle()
        # Stopping: no new claims; what is in flight finishes.
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        logger.info("outbox dispatcher %s stopped", self.owner)

    def _finished(self, task: asyncio.Task[bool]) -> None:
        self._inflight.discard(task)
        self._wake.set()

    async def _idle(self) -> None:
        """Wait for a wake-up (perhaps one that came during the last claim) or the next poll."""
        sleeper = asyncio.ensure_future(self._sleep(self.limits.poll_interval))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    # ---------------------------------------------------------------- claiming

    async def _claim(self, limit: int) -> list[_Row]:
        now = self.clock()
        async with self.sessions() as session:
            repository = OutboxRepository(session)
            claimed = await repository.claim(
                owner=self.owner,
                now=now,
                lease=timedelta(seconds=self.limits.lease),
                limit=limit,
            )
            files = await repository.files_of([c.message.id for c in claimed])
            snapshot = [
                _Row.of(c.message, taken_over=c.taken_over, file=files.get(c.message.id))
                for c in claimed
            ]
            await session.commit()
        return snapshot

    # ---------------------------------------------------------------- delivery

    async def _deliver(self, row: _Row, *, max_wait: float) -> bool:
        try:
            return await self._attempt(row, max_wait)
        except _Settled:
            return False
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("outbox %s: unexpected failure", row.id)
            try:
                await self._failed(row, "dispatch", _unexpected(), unconfirmed=True)
            except _Settled:
                pass
            except Exception:
                logger.exception("outbox %s: could not record the failure", row.id)
            return False

    async def _attempt(self, row: _Row, max_wait: float) -> bool:
        unconfirmed = row.unconfirmed
        thread_ts: str | None = None
        channel: str | None
        if row.thread_key is not None:
            channel, thread_ts = await self._parent(row)
        else:
            channel = row.channel_id or self._opened_channel(row)
        if channel is None:
            await self._turn(row, OPEN_METHOD, None, max_wait, unconfirmed)
            try:
                async with self._deadline():
                    opened = await self.client.conversations_open(users=",".join(row.open_users))
            except Exception as exc:
                await self._failed(row, OPEN_METHOD, classify(exc), unconfirmed=unconfirmed)
            channel = str(opened["channel"]["id"])
            self._remember(row, channel)

        if row.file is not None:
            return await self._upload(row, row.file, channel, thread_ts, max_wait)

        if unconfirmed:
            # A reply lives in its thread, which the channel's history does not show.
            method = HISTORY_METHOD if thread_ts is None else REPLIES_METHOD
            await self._turn(row, method, None, max_wait, unconfirmed)
            try:
                async with self._deadline():
                    found = await self._find_posted(row, channel, thread_ts)
            except Exception as exc:
                await self._failed(row, method, classify(exc), unconfirmed=True)
            if found is not None:
                logger.info("outbox %s: found in the conversation; not posting again", row.id)
                return await self._record_sent(row, channel, found)

        await self._turn(row, POST_METHOD, channel, max_wait, unconfirmed=False)
        if self.clock() > row.claimed_until - timedelta(seconds=self.limits.lease_margin):
            # Too close to the end of the lease: another dispatcher may take the row over
            # while this post is in flight. Put it back rather than race it.
            await self._put_back(row, self.clock(), "lease_short", count=False, unconfirmed=False)
        try:
            async with self._deadline():
                posted = await self.client.chat_postMessage(
                    channel=channel,
                    text=row.text,
                    blocks=row.blocks or None,
                    thread_ts=thread_ts,
                    metadata={"event_type": METADATA_EVENT, "event_payload": {"key": row.key}},
                )
        except Exception as exc:
            failure = classify(exc)
            await self._failed(row, POST_METHOD, failure, unconfirmed=failure.maybe_done)
        return await self._record_sent(
            row, str(posted.get("channel") or channel), str(posted["ts"])
        )

    async def _parent(self, row: _Row) -> tuple[str, str | None]:
        """The conversation and thread of the message `row` answers, once it is out; until
        then the row waits, and it is withdrawn or fails with that message."""
        assert row.thread_key is not None
        async with self.sessions() as session:
            parent = await OutboxRepository(session).by_key(row.thread_key)
            if parent is None:
                state = None
            else:
                state = (
                    parent.status,
                    parent.sent_channel_id,
                    parent.sent_ts,
                    parent.next_attempt_at,
                )
        if state is None:
            await self._give_up(row, "parent_missing")
        status, sent_channel, sent_ts, next_attempt_at = state
        if status is OutboxStatus.SENT and sent_channel is not None:
            return sent_channel, sent_ts
        if status is OutboxStatus.CANCELLED:
            async with self.sessions() as session:
                await OutboxRepository(session).cancel_claimed(row.id, owner=self.owner)
                await session.commit()
            logger.info("outbox %s: withdrawn with the message it answers", row.id)
            raise _Settled
        if status is OutboxStatus.FAILED:
            await self._give_up(row, PARENT_FAILED)
        # Not out yet: look again a little later; waiting is not a failed attempt.
        at = self.clock() + timedelta(seconds=self.limits.parent_wait)
        if status is OutboxStatus.PENDING:
            at = max(at, next_attempt_at)
        await self._put_back(row, at, None, count=False, unconfirmed=row.unconfirmed)

    async def _upload(
        self, row: _Row, file: _File, channel: str, thread_ts: str | None, max_wait: float
    ) -> bool:
        """Upload the row's file into `channel` (in `thread_ts`), the row's text its comment."""
        if row.unconfirmed and file.slack_file_id is not None:
            await self._turn(row, FILE_INFO_METHOD, None, max_wait, unconfirmed=True)
            try:
                async with self._deadline():
                    found = await self._find_shared(file.slack_file_id, channel)
            except Exception as exc:
                await self._failed(row, FILE_INFO_METHOD, classify(exc), unconfirmed=True)
            if found is not None:
                logger.info("outbox %s: file found in the conversation; not uploading", row.id)
                return await self._record_sent(row, channel, found or None)
        # Past this point nothing of an earlier attempt can be in the conversation: until
        # completion, a failure leaves nothing anyone sees. The share's turn in the channel
        # comes first, so that a row put back to wait for it has not uploaded in vain.
        await self._turn(row, COMPLETE_METHOD, channel, max_wait, unconfirmed=False)
        await self._turn(row, UPLOAD_URL_METHOD, None, max_wait, unconfirmed=False)
        try:
            async with self._deadline():
                ticket = await self.client.files_getUploadURLExternal(
                    filename=file.filename,
                    length=len(file.content),
                    alt_txt=file.alt_text or None,
                )
        except Exception as exc:
            await self._failed(row, UPLOAD_URL_METHOD, classify(exc), unconfirmed=False)
        file_id, upload_url = str(ticket["file_id"]), str(ticket["upload_url"])
        async with self.sessions() as session:
            held = await OutboxRepository(session).record_file_id(
                row.id, owner=self.owner, file_id=file_id
            )
            await session.commit()
        if not held:
            logger.warning("outbox %s: lost the lease before uploading", row.id)
            raise _Settled

        await self._turn(row, UPLOAD_BYTES, None, max_wait, unconfirmed=False)
        try:
            async with self._deadline():
                await self._post_bytes(upload_url, file.content)
        except Exception as exc:
            await self._failed(row, UPLOAD_BYTES, classify(exc), unconfirmed=False)

        if self.clock() > row.claimed_until - timedelta(seconds=self.limits.lease_margin):
            await self._put_back(row, self.clock(), "lease_short", count=False, unconfirmed=False)
        try:
            async with self._deadline():
                await self.client.files_completeUploadExternal(
                    files=[{"id": file_id, "title": file.title}],
                    channel_id=channel,
                    initial_comment=row.text,
                    thread_ts=thread_ts,
                )
        except Exception as exc:
            failure = classify(exc)
            await self._failed(row, COMPLETE_METHOD, failure, unconfirmed=failure.maybe_done)
        return await self._record_sent(row, channel, None)

    async def _find_shared(self, file_id: str, channel: str) -> str | None:
        """The ts of the message that shared `file_id` in `channel` ("" when Slack names
        none), or None when it is not shared there."""
        try:
            answer = await self.client.files_info(file=file_id)
        except SlackApiError as exc:
            if isinstance(exc.response.data, dict) and exc.response.get("error") in (
                "file_not_found",
                "file_deleted",
            ):
                return None
            raise
        shares = (answer.get("file") or {}).get("shares") or {}
        for visibility in ("public", "private"):
            entries = (shares.get(visibility) or {}).get(channel)
            if entries:
                return str(entries[0].get("ts") or "")
        return None

    async def _post_bytes(self, url: str, content: bytes) -> None:
        """POST a file's bytes to its upload URL, on the client's connection pool if it has
        one; an HTTP error is raised as `UploadRefused`."""
        http = self.client.session
        if http is not None and not http.closed:
            await self._post_with(http, url, content)
            return
        async with aiohttp.ClientSession() as own:
            await self._post_with(own, url, content)

    @staticmethod
    async def _post_with(http: aiohttp.ClientSession, url: str, content: bytes) -> None:
        async with http.post(
            url, data=content, headers={"Content-Type": "application/octet-stream"}
        ) as response:
            await response.read()
            if response.status >= 400:
                raise UploadRefused(
                    response.status, retry_after_header(response.headers.get("Retry-After"))
                )

    def _deadline(self) -> asyncio.Timeout:
        """The client's timeout, enforced here: slack_sdk applies it only to sessions it opens
        itself, not to the shared connection pool the dispatcher is given."""
        return asyncio.timeout(self.client.timeout)

    async def _turn(
        self,
        row: _Row,
        method: str,
        channel: str | None,
        max_wait: float,
        unconfirmed: bool,
    ) -> None:
        """Wait for this call's turn, or put the row back until it comes."""
        while True:
            now = self.clock()
            granted, at = self.pacer.reserve(
                row.team_id, method, now, channel_id=channel, max_wait=max_wait
            )
            if not granted:
                await self._put_back(row, at, None, count=False, unconfirmed=unconfirmed)
            if at <= now:
                return
            if not await self._pause((at - now).total_seconds()):
                # Stopping: hand the row back rather than hold the stop up or leave it leased.
                await self._put_back(row, at, None, count=False, unconfirmed=unconfirmed)
            # A 429 elsewhere may have paused the method while this one waited.
            if self.pacer.paused_until(row.team_id, method, self.clock()) is None:
                return

    async def _pause(self, seconds: float) -> bool:
        """Wait `seconds` of the clock; False when a stop came first."""
        if self._stopping.is_set():
            return False
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        stopper = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()
        return not self._stopping.is_set()

    async def _find_posted(self, row: _Row, channel: str, thread_ts: str | None) -> str | None:
        """The ts of a message in `channel` (in the thread of `thread_ts`, when given)
        carrying the row's key, if there is one."""
        oldest = f"{(row.due_at - timedelta(seconds=self.limits.history_margin)).timestamp():.6f}"
        cursor: str | None = None
        for _ in range(HISTORY_MAX_PAGES):
            if thread_ts is None:
                page = await self.client.conversations_history(
                    channel=channel,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                )
            else:
                page = await self.client.conversations_replies(
                    channel=channel,
                    ts=thread_ts,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                )
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == row.key:
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or cursor is None:
                return None
        # Too much history to be sure: treat like any other answer we did not get.
        raise TimeoutError("history too long to search")

    # --------------------------------------------------------------- recording

    async def _record_sent(self, row: _Row, channel: str, ts: str | None) -> bool:
        now = self.clock()
        async with self.sessions() as session:
            marked = await OutboxRepository(session).mark_sent(
                row.id, owner=self.owner, channel_id=channel, ts=ts, now=now
            )
            if marked:
                delivered = Delivered(
                    message_id=row.id,
                    team_id=row.team_id,
                    key=row.key,
                    channel_id=channel,
                    ts=ts,
                    at=now,
                )
                await apply_on_sent(session, row.on_sent, delivered)
            await session.commit()
        if not marked:
            # Another dispatcher took the row over after our lease ran out; its history
            # check will find this message.
            logger.warning("outbox %s: sent after losing the lease", row.id)
        return marked

    async def _failed(
        self, row: _Row, method: str, failure: Failure, *, unconfirmed: bool
    ) -> NoReturn:
        now = self.clock()
        code = f"{method}:{failure.code}"
        if failure.kind is Kind.RATE_LIMITED:
            until = now + timedelta(seconds=failure.retry_after)
            self.pacer.pause(row.team_id, method, until)
            logger.info(
                "outbox %s: %s rate limited for %.0f s", row.id, method, failure.retry_after
            )
            await self._put_back(row, until, code, count=False, unconfirmed=unconfirmed)
        if failure.kind is Kind.PERMANENT or row.attempts >= self.limits.max_attempts:
            await self._give_up(row, (UNCONFIRMED if unconfirmed else "") + code)
        delay = min(self.limits.backoff_base * 2 ** (row.attempts - 1), self.limits.backoff_cap)
        delay *= self._rng.uniform(0.5, 1.0)
        logger.info("outbox %s: %s; next attempt in %.0f s", row.id, code, delay)
        await self._put_back(
            row, now + timedelta(seconds=delay), code, count=True, unconfirmed=unconfirmed
        )

    async def _give_up(self, row: _Row, error: str) -> NoReturn:
        async with self.sessions() as session:
            await OutboxRepository(session).fail(row.id, owner=self.owner, error=error)
            await session.commit()
        logger.warning("outbox %s: failed after %d attempts: %s", row.id, row.attempts, error)
        raise _Settled

    async def _put_back(
        self,
        row: _Row,
        at: datetime,
        error: str | None,
        *,
        count: bool,
        unconfirmed: bool,
    ) -> NoReturn:
        """Back to pending until `at`. `error` None keeps the row's last error, except that a
        row taken over from an expired lease is marked unconfirmed for its next attempt."""
        if error is not None:
            error = (UNCONFIRMED if unconfirmed else "") + error
        elif unconfirmed and row.taken_over:
            error = UNCONFIRMED + "lease_expired"
        # Never due again within this dispatch_once: a simulated clock may not move at all.
        at = max(at, self.clock() + timedelta(microseconds=1))
        async with self.sessions() as session:
            await OutboxRepository(session).release(
                row.id, owner=self.owner, next_attempt_at=at, error=error, count_attempt=count
            )
            await session.commit()
        raise _Settled

    # ------------------------------------------------------- opened conversations

    def _opened_channel(self, row: _Row) -> str | None:
        key = (row.team_id, tuple(sorted(row.open_users)))
        channel = self._opened.get(key)
        if channel is not None:
            self._opened.move_to_end(key)
        return channel

    def _remember(self, row: _Row, channel: str) -> None:
        self._opened[(row.team_id, tuple(sorted(row.open_users)))] = channel
        while len(self._opened) > OPENED_CACHE_SIZE:
            self._opened.popitem(last=False)


def _unexpected() -> Failure:
    return Failure(Kind.TRANSIENT, "unexpected", True)
