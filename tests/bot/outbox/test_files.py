"""Outbox rows that upload a file or answer another row's message in its thread, delivered
over HTTP to the fake Slack from a real database, on a simulated clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.domain import OutboxStatus
from bot.fakes.slack import UPLOAD_ROUTE
from bot.outbox import Dispatcher, Limits, Message, OutboxFile, enqueue
from bot.outbox.client import create_delivery_client
from bot.outbox.pacing import Pacer
from storage.models import OutboxMessageFile
from storage.repositories import OutboxRepository
from tests.bot.outbox.conftest import TEAM, Outbox

ADMINS = "G0ADMINS"
CHART = OutboxFile(
    filename="trend.png",
    title="Trend of the last rounds",
    content=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    alt_text="Line chart of the last 8 rounds.",
)


async def queue_digest(outbox: Outbox, n: int, *, due_in: timedelta = timedelta(0)) -> None:
    """A digest to the admins' channel and its chart, in the digest's thread."""
    await outbox.queue(f"digest:{n}", channel_id=ADMINS, text=f"Digest {n}", due_in=due_in)
    await outbox.queue(f"digest-chart:{n}", thread_key=f"digest:{n}", file=CHART, text=f"Chart {n}")


async def test_a_chart_waits_for_its_digest_then_uploads_once_into_its_thread(
    outbox: Outbox,
) -> None:
    outbox.fake.add_channel(ADMINS, name="admins")
    await queue_digest(outbox, 1)
    await outbox.queue("digest-note:1", thread_key="digest:1", text="A note in the thread")
    dispatcher = outbox.dispatcher()

    # The digest goes out; its replies were claimed with it and wait, uncounted.
    assert await dispatcher.dispatch_once() == 1
    digest = await outbox.row("digest:1")
    assert digest.status is OutboxStatus.SENT
    waiting = await outbox.row("digest-chart:1")
    assert (waiting.status, waiting.attempts, waiting.last_error) == (
        OutboxStatus.PENDING,
        0,
        None,
    )
    assert waiting.next_attempt_at == outbox.clock() + timedelta(seconds=5)
    assert outbox.fake.calls_to("files.getUploadURLExternal") == []

    outbox.clock.advance(timedelta(seconds=5))
    sent = await dispatcher.dispatch_once()
    # The file's share is a message too: a second after the note, in the same channel.
    outbox.clock.advance(timedelta(seconds=1))
    sent += await dispatcher.dispatch_once()
    assert sent == 2
    assert await dispatcher.dispatch_once() == 0

    [ticket] = outbox.fake.calls_to("files.getUploadURLExternal")
    assert ticket.args["filename"] == "trend.png"
    assert int(ticket.args["length"]) == len(CHART.content)
    assert ticket.args["alt_txt"] == CHART.alt_text
    [uploaded] = outbox.fake.uploaded_files
    assert outbox.fake.file_content(uploaded.file_id) == CHART.content
    assert uploaded.title == CHART.title
    assert uploaded.channels == [ADMINS]
    assert uploaded.thread_ts == digest.sent_ts
    assert uploaded.initial_comment == "Chart 1"
    assert len(outbox.fake.calls_to("files.completeUploadExternal")) == 1
    assert outbox.fake.calls_to("files.info") == []

    chart = await outbox.row("digest-chart:1")
    assert (chart.status, chart.sent_channel_id, chart.attempts) == (OutboxStatus.SENT, ADMINS, 1)
    assert (await outbox.file_row("digest-chart:1")).slack_file_id == uploaded.file_id
    [note] = outbox.copies("digest-note:1")
    assert note["thread_ts"] == digest.sent_ts
    assert note["text"] == "A note in the thread"


async def test_a_reply_waits_for_a_later_parent_and_is_withdrawn_with_it(
    outbox: Outbox,
) -> None:
    outbox.fake.add_channel(ADMINS, name="admins")
    await queue_digest(outbox, 2, due_in=timedelta(hours=1))
    dispatcher = outbox.dispatcher()

    assert await dispatcher.dispatch_once() == 0
    chart = await outbox.row("digest-chart:2")
    assert chart.status is OutboxStatus.PENDING
    assert chart.attempts == 0
    # Not asked again before the digest itself is due.
    assert chart.next_attempt_at == (await outbox.row("digest:2")).next_attempt_at

    async with outbox.sessions() as session:
        assert await OutboxRepository(session).cancel("digest:2")
        await session.commit()
    outbox.clock.advance(timedelta(hours=1))
    assert await dispatcher.dispatch_once() == 0

    assert (await outbox.row("digest-chart:2")).status is OutboxStatus.CANCELLED
    assert outbox.fake.calls_to("files.getUploadURLExternal") == []
    assert outbox.fake.messages.get(ADMINS, []) == []


async def test_a_reply_fails_with_its_parent_and_a_retry_of_the_parent_brings_it_back(
    outbox: Outbox,
) -> None:
    await queue_digest(outbox, 3)  # the admins' channel does not exist yet
    dispatcher = outbox.dispatcher()

    await dispatcher.dispatch_once()
    digest = await outbox.row("digest:3")
    assert (digest.status, digest.last_error) == (
        OutboxStatus.FAILED,
        "chat.postMessage:channel_not_found",
    )
    outbox.clock.advance(timedelta(seconds=5))
    await dispatcher.dispatch_once()
    chart = await outbox.row("digest-chart:3")
    assert (chart.status, chart.last_error) == (OutboxStatus.FAILED, "parent_failed")
    assert outbox.fake.calls_to("files.getUploadURLExternal") == []

    outbox.fake.add_channel(ADMINS, name="admins")
    async with outbox.sessions() as session:
        assert await OutboxRepository(session).retry(digest.id, now=outbox.clock())
        await session.commit()
    rearmed = await outbox.row("digest-chart:3")
    assert (rearmed.status, rearmed.attempts) == (OutboxStatus.PENDING, 0)

    assert await outbox.until_settled(dispatcher, step=timedelta(seconds=5)) == 2
    digest = await outbox.row("digest:3")
    [uploaded] = outbox.fake.uploaded_files
    assert (uploaded.channels, uploaded.thread_ts) == ([ADMINS], digest.sent_ts)
    assert (await outbox.row("digest-chart:3")).status is OutboxStatus.SENT


async def test_a_retry_re_arms_only_the_replies_that_failed_with_that_parent(
    outbox: Outbox,
) -> None:
    for n in (4, 9):
        await outbox.queue(f"digest:{n}", channel_id="C0GONE", text=f"Digest {n}")
        await outbox.queue(f"note:{n}", thread_key=f"digest:{n}", text="Reply")
    dispatcher = outbox.dispatcher()
    await outbox.until_settled(dispatcher, step=timedelta(seconds=5))
    assert {r.key: r.last_error for r in await outbox.rows()} == {
        "digest:4": "chat.postMessage:channel_not_found",
        "digest:9": "chat.postMessage:channel_not_found",
        "note:4": "parent_failed",
        "note:9": "parent_failed",
    }

    digest = await outbox.row("digest:4")
    async with outbox.sessions() as session:
        assert await OutboxRepository(session).retry(digest.id, now=outbox.clock())
        await session.commit()
    assert (await outbox.row("note:4")).status is OutboxStatus.PENDING
    assert (await outbox.row("note:9")).status is OutboxStatus.FAILED
    assert (await outbox.row("digest:9")).status is OutboxStatus.FAILED


async def test_a_reply_whose_post_timed_out_is_looked_for_in_its_thread(
    outbox: Outbox,
) -> None:
    outbox.fake.add_channel(ADMINS, name="admins")
    await outbox.queue("digest:10", channel_id=ADMINS, text="Digest 10")
    await outbox.queue("note:10", thread_key="digest:10", text="Reply 10")
    dispatcher = outbox.dispatcher(timeout=1)
    assert await dispatcher.dispatch_once() == 1
    digest = await outbox.row("digest:10")

    # Slack keeps the reply but answers after the client has given up.
    outbox.fake.script("chat.postMessage", delay=1.5)
    mark = len(outbox.fake.calls)
    outbox.clock.advance(timedelta(seconds=5))
    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("note:10")
    assert row.last_error == "unconfirmed:chat.postMessage:timeout"
    await outbox.fake.wait_for_call("chat.postMessage", after=mark)
    [stored] = outbox.copies("note:10")
    assert stored["thread_ts"] == digest.sent_ts

    outbox.clock.advance(row.next_attempt_at - outbox.clock())
    assert await dispatcher.dispatch_once() == 1
    [replies] = outbox.fake.calls_to("conversations.replies")
    assert (replies.args["channel"], replies.args["ts"]) == (ADMINS, digest.sent_ts)
    assert outbox.fake.calls_to("conversations.history") == []
    assert outbox.copies("note:10") == [stored]
    assert (await outbox.row("note:10")).sent_ts == stored["ts"]


async def test_an_upload_completed_after_its_answer_timed_out_is_not_uploaded_again(
    outbox: Outbox,
) -> None:
    outbox.fake.add_channel(ADMINS, name="admins")
    # Slack shares the file but answers after the client has given up.
    outbox.fake.script("files.completeUploadExternal", delay=1.5)
    await outbox.queue("digest-chart:5", channel_id=ADMINS, file=CHART, text="Chart 5")
    dispatcher = outbox.dispatcher(timeout=1)

    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("digest-chart:5")
    assert row.last_error == "unconfirmed:files.completeUploadExternal:timeout"
    [ticket] = outbox.fake.calls_to("files.getUploadURLExternal")
    file_id = str(ticket.response["file_id"])
    assert (await outbox.file_row("digest-chart:5")).slack_file_id == file_id
    await outbox.fake.wait_for_call("files.completeUploadExternal")  # the late answer
    [shared] = outbox.fake.messages[ADMINS]

    outbox.clock.advance(row.next_attempt_at - outbox.clock())
    assert await dispatcher.dispatch_once() == 1

    [info] = outbox.fake.calls_to("files.info")
    assert info.args["file"] == file_id
    assert len(outbox.fake.calls_to("files.getUploadURLExternal")) == 1
    assert len(outbox.fake.uploaded_files) == 1
    assert outbox.fake.messages[ADMINS] == [shared]
    sent = await outbox.row("digest-chart:5")
    assert (sent.status, sent.sent_channel_id, sent.sent_ts) == (
        OutboxStatus.SENT,
        ADMINS,
        shared["ts"],
    )


async def test_an_upload_never_completed_is_started_afresh(outbox: Outbox) -> None:
    outbox.fake.add_channel(ADMINS, name="admins")
    # Slack never answers and never shares; this client has no connection pool of its own,
    # so the bytes go over a short-lived one.
    outbox.fake.script("files.completeUploadExternal", hang=True)
    await outbox.queue("digest-chart:6", channel_id=ADMINS, file=CHART, text="Chart 6")
    dispatcher = Dispatcher(
        outbox.sessions,
        create_delivery_client(outbox.settings, None, timeout=1),
        clock=outbox.clock,
        rng=random.Random(6),
    )

    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("digest-chart:6")
    assert row.last_error == "unconfirmed:files.completeUploadExternal:timeout"
    first = (await outbox.file_row("digest-chart:6")).slack_file_id
    assert outbox.fake.uploaded_files == []

    outbox.clock.advance(row.next_attempt_at - outbox.clock())
    assert await dispatcher.dispatch_once() == 1

    [info] = outbox.fake.calls_to("files.info")
    assert info.args["file"] == first
    assert len(outbox.fake.calls_to("files.getUploadURLExternal")) == 2
    [uploaded] = outbox.fake.uploaded_files
    assert uploaded.file_id != first
    assert outbox.fake.file_content(uploaded.file_id) == CHART.content
    assert (await outbox.file_row("digest-chart:6")).slack_file_id == uploaded.file_id
    assert len(outbox.fake.messages[ADMINS]) == 1


async def test_a_429_on_the_upload_ticket_waits_retry_after(outbox: Outbox) -> None:
    outbox.fake.add_channel(ADMINS, name="admins")
    outbox.fake.script("files.getUploadURLExternal", status=429, retry_after=30)
    await outbox.queue("digest-chart:7", channel_id=ADMINS, file=CHART, text="Chart 7")
    dispatcher = outbox.dispatcher()

    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("digest-chart:7")
    assert row.status is OutboxStatus.PENDING
    assert row.last_error == "files.getUploadURLExternal:ratelimited"
    assert row.next_attempt_at == outbox.clock() + timedelta(seconds=30)
    assert row.attempts == 0

    outbox.clock.advance(timedelta(seconds=29))
    assert await dispatcher.dispatch_once() == 0
    assert len(outbox.fake.calls_to("files.getUploadURLExternal")) == 1
    outbox.clock.advance(timedelta(seconds=1))
    assert await dispatcher.dispatch_once() == 1
    assert len(outbox.fake.calls_to("files.getUploadURLExternal")) == 2
    assert len(outbox.fake.uploaded_files) == 1


async def test_a_permanent_error_on_completion_fails_the_row_with_its_code(
    outbox: Outbox,
) -> None:
    outbox.fake.add_channel(ADMINS, name="admins")
    outbox.fake.script("files.completeUploadExternal", error="not_in_channel")
    await outbox.queue("digest-chart:8", channel_id=ADMINS, file=CHART, text="Chart 8")
    dispatcher = outbox.dispatcher()

    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("digest-chart:8")
    assert (row.status, row.last_error, row.attempts) == (
        OutboxStatus.FAILED,
        "files.completeUploadExternal:not_in_channel",
        1,
    )
    assert outbox.fake.uploaded_files == []
    outbox.clock.advance(timedelta(hours=1))
    assert await dispatcher.dispatch_once() == 0
    assert len(outbox.fake.calls_to("files.completeUploadExternal")) == 1


async def test_the_upload_urls_answers_are_classified_like_slacks(outbox: Outbox) -> None:
    outbox.fake.add_channel(ADMINS, name="admins")
    dispatcher = outbox.dispatcher()
    await outbox.queue("chart:busy", channel_id=ADMINS, file=CHART, text="Chart")

    # A 429: wait Retry-After, not counted.
    outbox.fake.script(UPLOAD_ROUTE, status=429, retry_after=20)
    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("chart:busy")
    assert (row.status, row.last_error, row.attempts) == (
        OutboxStatus.PENDING,
        "upload_url:ratelimited",
        0,
    )
    assert row.next_attempt_at == outbox.clock() + timedelta(seconds=20)

    # A 503: back off and try again; nothing was shared, so nothing to look for.
    outbox.fake.script(UPLOAD_ROUTE, status=503)
    outbox.clock.advance(timedelta(seconds=20))
    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("chart:busy")
    assert (row.status, row.last_error, row.attempts) == (
        OutboxStatus.PENDING,
        "upload_url:http_503",
        1,
    )
    outbox.clock.advance(row.next_attempt_at - outbox.clock())
    assert await dispatcher.dispatch_once() == 1
    assert outbox.fake.calls_to("files.info") == []
    assert len(outbox.fake.calls_to("files.getUploadURLExternal")) == 3
    [uploaded] = outbox.fake.uploaded_files
    assert outbox.fake.file_content(uploaded.file_id) == CHART.content

    # A 4xx: no retry can fix it.
    outbox.fake.script(UPLOAD_ROUTE, status=413)
    await outbox.queue("chart:big", channel_id=ADMINS, file=CHART, text="Chart")
    outbox.clock.advance(timedelta(seconds=1))
    assert await dispatcher.dispatch_once() == 0
    big = await outbox.row("chart:big")
    assert (big.status, big.last_error) == (OutboxStatus.FAILED, "upload_url:http_413")
    assert len(outbox.fake.uploaded_files) == 1


def test_file_methods_have_a_tier_4_budget_and_shares_keep_the_channels_spacing() -> None:
    pacer = Pacer(Limits(files_per_minute=60, files_burst=1, post_interval=1.0))
    now = datetime(2026, 12, 7, tzinfo=UTC)
    second = timedelta(seconds=1)
    assert pacer.reserve(TEAM, "files.getUploadURLExternal", now) == (True, now)
    assert pacer.reserve(TEAM, "files.getUploadURLExternal", now) == (False, now + second)
    assert pacer.reserve(TEAM, "files.info", now) == (True, now)
    # A post and a file share in one channel are a second apart; another channel is free.
    assert pacer.reserve(TEAM, "chat.postMessage", now, channel_id=ADMINS) == (True, now)
    assert pacer.reserve(TEAM, "files.completeUploadExternal", now, channel_id=ADMINS) == (
        False,
        now + second,
    )
    assert pacer.reserve(TEAM, "files.completeUploadExternal", now, channel_id="G0OTHER") == (
        True,
        now,
    )


async def test_a_file_is_written_in_the_callers_transaction_once(outbox: Outbox) -> None:
    message = Message(
        team_id=TEAM,
        key="digest-chart:11",
        kind="digest-chart",
        text="Chart 11",
        due_at=outbox.clock(),
        thread_key="digest:11",
        file=CHART,
    )
    async with outbox.sessions() as session:
        assert await enqueue(session, message, now=outbox.clock())
        await session.rollback()
    async with outbox.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessageFile)) == 0
        assert await enqueue(session, message, now=outbox.clock())
        assert not await enqueue(session, message, now=outbox.clock())
        await session.commit()
    async with outbox.sessions() as session:
        [stored] = (await session.scalars(select(OutboxMessageFile))).all()
    row = await outbox.row("digest-chart:11")
    assert (row.thread_key, stored.message_id) == ("digest:11", row.id)
    assert (stored.filename, stored.title, stored.alt_text, stored.content) == (
        CHART.filename,
        CHART.title,
        CHART.alt_text,
        CHART.content,
    )
    assert stored.slack_file_id is None
