"""The dispatcher over HTTP against the fake Slack and a real database, on a simulated clock."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text

from bot.domain import OutboxStatus
from bot.outbox import METADATA_EVENT, Limits
from bot.outbox.pacing import Pacer
from storage.repositories import OutboxRepository
from storage.session import create_engine, create_sessionmaker
from tests.bot.outbox.conftest import PEOPLE, TEAM, Outbox

ALICE, BOB = "U0ALICE", "U0BOB"


async def test_an_intro_opens_the_group_dm_posts_once_and_stores_the_conversation(
    outbox: Outbox,
) -> None:
    group_id = await outbox.group()
    await outbox.queue("intro:1", open_users=[ALICE, BOB], on_sent={"group_id": group_id})
    await outbox.queue("intro:later", open_users=[ALICE, PEOPLE[0]], due_in=timedelta(hours=1))
    dispatcher = outbox.dispatcher()

    assert await dispatcher.dispatch_once() == 1
    assert await dispatcher.dispatch_once() == 0

    mpim = outbox.fake.mpim_channel_id([ALICE, BOB])
    [opened] = outbox.fake.calls_to("conversations.open")
    assert set(str(opened.args["users"]).split(",")) == {ALICE, BOB}
    [posted] = outbox.fake.calls_to("chat.postMessage")
    assert posted.args["channel"] == mpim
    assert posted.args["metadata"] == {
        "event_type": METADATA_EVENT,
        "event_payload": {"key": "intro:1"},
    }
    [message] = outbox.fake.messages[mpim]
    assert message["text"] == "Hello from intro:1"
    row = await outbox.row("intro:1")
    assert row.status is OutboxStatus.SENT
    assert (row.sent_channel_id, row.sent_ts, row.sent_at) == (mpim, message["ts"], outbox.clock())
    assert row.attempts == 1
    assert row.claimed_by is None
    assert row.last_error is None
    assert await outbox.group_channel(group_id) == mpim
    # Not yet due: untouched until the clock gets there.
    assert (await outbox.row("intro:later")).status is OutboxStatus.PENDING
    outbox.clock.advance(timedelta(hours=1))
    assert await dispatcher.dispatch_once() == 1


async def test_a_429_pauses_the_method_for_retry_after_across_rows(outbox: Outbox) -> None:
    outbox.fake.script("chat.postMessage", status=429, retry_after=30)
    await outbox.queue("dm:a", channel_id=outbox.fake.im_channel_id(ALICE))
    dispatcher = outbox.dispatcher()

    assert await dispatcher.dispatch_once() == 0
    assert len(outbox.fake.calls_to("chat.postMessage")) == 1
    row = await outbox.row("dm:a")
    assert row.status is OutboxStatus.PENDING
    assert row.last_error == "chat.postMessage:ratelimited"
    assert row.next_attempt_at == outbox.clock() + timedelta(seconds=30)

    # Another row, another channel: the method is paused for the whole workspace.
    await outbox.queue("dm:b", channel_id=outbox.fake.im_channel_id(BOB))
    outbox.clock.advance(timedelta(seconds=29))
    assert await dispatcher.dispatch_once() == 0
    assert len(outbox.fake.calls_to("chat.postMessage")) == 1
    assert (await outbox.row("dm:b")).next_attempt_at == row.next_attempt_at

    outbox.clock.advance(timedelta(seconds=1))
    assert await dispatcher.dispatch_once() == 2
    assert len(outbox.fake.calls_to("chat.postMessage")) == 3
    # Waiting for a rate limit is not a failed attempt.
    assert (await outbox.row("dm:a")).attempts == 1


async def test_a_permanent_error_fails_at_once_and_an_admin_retry_sends_it(
    outbox: Outbox,
) -> None:
    outbox.fake.users[PEOPLE[1]]["deleted"] = True
    await outbox.queue("intro:gone", open_users=[ALICE, PEOPLE[1]], text="Private words")
    dispatcher = outbox.dispatcher()

    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("intro:gone")
    assert row.status is OutboxStatus.FAILED
    assert row.last_error == "conversations.open:user_disabled"
    assert row.attempts == 1
    outbox.clock.advance(timedelta(hours=1))
    assert await dispatcher.dispatch_once() == 0
    assert len(outbox.fake.calls_to("conversations.open")) == 1

    async with outbox.sessions() as session:
        failed = await OutboxRepository(session).failed(TEAM)
        assert [f.key for f in failed] == ["intro:gone"]
        assert await OutboxRepository(session).failed("T0OTHER") == []
        outbox.fake.users[PEOPLE[1]]["deleted"] = False
        assert await OutboxRepository(session).retry(row.id, now=outbox.clock())
        assert not await OutboxRepository(session).retry(row.id, now=outbox.clock())
        await session.commit()

    assert await dispatcher.dispatch_once() == 1
    assert len(outbox.copies("intro:gone")) == 1
    assert (await outbox.row("intro:gone")).status is OutboxStatus.SENT


async def test_server_errors_back_off_check_history_and_fail_after_the_last_attempt(
    outbox: Outbox,
) -> None:
    outbox.fake.script("chat.postMessage", status=503, times=10)
    await outbox.queue("dm:flaky", channel_id=outbox.fake.im_channel_id(ALICE))
    dispatcher = outbox.dispatcher(limits=Limits(max_attempts=3, backoff_base=10))

    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("dm:flaky")
    assert row.last_error == "unconfirmed:chat.postMessage:http_503"
    waited = row.next_attempt_at - outbox.clock()
    assert timedelta(seconds=5) <= waited <= timedelta(seconds=10)
    outbox.clock.advance(waited - timedelta(seconds=1))
    assert await dispatcher.dispatch_once() == 0
    assert len(outbox.fake.calls_to("chat.postMessage")) == 1

    outbox.clock.advance(timedelta(seconds=1))
    await dispatcher.dispatch_once()
    second = await outbox.row("dm:flaky")
    assert timedelta(seconds=10) <= second.next_attempt_at - outbox.clock() <= timedelta(seconds=20)
    outbox.clock.advance(timedelta(seconds=20))
    await dispatcher.dispatch_once()

    final = await outbox.row("dm:flaky")
    assert final.status is OutboxStatus.FAILED
    assert final.attempts == 3
    assert final.last_error == "unconfirmed:chat.postMessage:http_503"
    # The outcome of each 503 was unknown, so each later attempt read the history first.
    methods = [c.method for c in outbox.fake.calls if c.method != "auth.test"]
    assert methods == [
        "chat.postMessage",
        "conversations.history",
        "chat.postMessage",
        "conversations.history",
        "chat.postMessage",
    ]
    history = outbox.fake.calls_to("conversations.history")[0]
    assert history.args["channel"] == outbox.fake.im_channel_id(ALICE)
    assert str(history.args["include_all_metadata"]).lower() in {"1", "true"}


async def test_a_message_accepted_with_its_answer_lost_is_found_not_posted_again(
    outbox: Outbox,
) -> None:
    group_id = await outbox.group()
    await outbox.queue("intro:lost", open_users=[ALICE, BOB], on_sent={"group_id": group_id})
    outbox.fake.chaos(
        rate=1.0, seed=1, statuses=(500,), methods=("chat.postMessage",), lost_share=1.0
    )
    dispatcher = outbox.dispatcher()

    assert await dispatcher.dispatch_once() == 0
    [stored] = outbox.copies("intro:lost")
    outbox.fake.chaos(rate=0, seed=1)
    outbox.clock.advance(timedelta(minutes=15))

    assert await dispatcher.dispatch_once() == 1
    assert outbox.copies("intro:lost") == [stored]
    assert len(outbox.fake.calls_to("chat.postMessage")) == 1
    assert len(outbox.fake.calls_to("conversations.history")) == 1
    # The conversation was remembered, not opened a second time.
    assert len(outbox.fake.calls_to("conversations.open")) == 1
    row = await outbox.row("intro:lost")
    assert (row.status, row.sent_ts) == (OutboxStatus.SENT, stored["ts"])
    assert await outbox.group_channel(group_id) == outbox.fake.mpim_channel_id([ALICE, BOB])


async def test_a_post_that_times_out_after_slack_took_it_is_not_posted_again(
    outbox: Outbox,
) -> None:
    # Slack stores the message but answers after the client has given up.
    outbox.fake.script("chat.postMessage", delay=1.5)
    await outbox.queue("dm:slow", channel_id=outbox.fake.im_channel_id(ALICE))
    dispatcher = outbox.dispatcher(timeout=1)

    assert await dispatcher.dispatch_once() == 0
    row = await outbox.row("dm:slow")
    assert row.last_error == "unconfirmed:chat.postMessage:timeout"
    await outbox.fake.wait_for_call("chat.postMessage")  # the slow answer, after the timeout
    [stored] = outbox.copies("dm:slow")

    outbox.clock.advance(row.next_attempt_at - outbox.clock())
    assert await dispatcher.dispatch_once() == 1
    assert outbox.copies("dm:slow") == [stored]
    assert (await outbox.row("dm:slow")).sent_ts == stored["ts"]


async def test_a_dm_addressed_to_a_user_id_is_checked_in_that_dm(outbox: Outbox) -> None:
    await outbox.queue("dm:user", channel_id=ALICE)
    outbox.fake.chaos(
        rate=1.0, seed=1, statuses=(500,), methods=("chat.postMessage",), lost_share=1.0
    )
    dispatcher = outbox.dispatcher()
    assert await dispatcher.dispatch_once() == 0
    outbox.fake.chaos(rate=0, seed=1)
    outbox.clock.advance(timedelta(minutes=15))

    assert await dispatcher.dispatch_once() == 1
    [history] = outbox.fake.calls_to("conversations.history")
    assert history.args["channel"] == outbox.fake.im_channel_id(ALICE)
    assert len(outbox.copies("dm:user")) == 1
    assert (await outbox.row("dm:user")).sent_channel_id == outbox.fake.im_channel_id(ALICE)


async def _crash_mid_send(outbox: Outbox, key: str, *, posted: bool) -> None:
    """A dispatcher claims `key`, maybe posts it, and dies before recording anything."""
    async with outbox.sessions() as session:
        [claimed] = await OutboxRepository(session).claim(
            owner="dead", now=outbox.clock(), lease=timedelta(seconds=90), limit=1
        )
        await session.commit()
    assert claimed.message.key == key
    if posted:
        client = AsyncWebClient(token=outbox.fake.bot_token, base_url=outbox.fake.api_url)
        opened = await client.conversations_open(users=[ALICE, BOB])
        await client.chat_postMessage(
            channel=opened["channel"]["id"],
            text="Hello",
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}},
        )


async def test_a_row_left_sending_by_a_crash_is_checked_in_history_and_not_resent(
    outbox: Outbox,
) -> None:
    await outbox.queue("intro:crash", open_users=[ALICE, BOB])
    await _crash_mid_send(outbox, "intro:crash", posted=True)
    dispatcher = outbox.dispatcher()

    # Still leased to the dead dispatcher: nobody touches it.
    outbox.clock.advance(timedelta(seconds=89))
    assert await dispatcher.dispatch_once() == 0
    assert outbox.fake.calls_to("conversations.history") == []

    outbox.clock.advance(timedelta(seconds=1))
    assert await dispatcher.dispatch_once() == 1
    assert len(outbox.copies("intro:crash")) == 1
    assert len(outbox.fake.calls_to("chat.postMessage")) == 1
    row = await outbox.row("intro:crash")
    assert row.status is OutboxStatus.SENT
    assert row.sent_ts == outbox.copies("intro:crash")[0]["ts"]
    assert row.attempts == 2


async def test_a_crash_before_posting_is_checked_then_posted_once(outbox: Outbox) -> None:
    await outbox.queue("intro:early", open_users=[ALICE, BOB])
    await _crash_mid_send(outbox, "intro:early", posted=False)
    outbox.clock.advance(timedelta(minutes=2))

    assert await outbox.dispatcher().dispatch_once() == 1
    assert len(outbox.fake.calls_to("conversations.history")) == 1
    assert len(outbox.copies("intro:early")) == 1


async def test_thirty_percent_of_calls_failing_still_delivers_every_message_once(
    outbox: Outbox,
) -> None:
    keys = []
    for n in range(0, 40, 2):
        keys.append(f"intro:{n}")
        await outbox.queue(keys[-1], open_users=[PEOPLE[n], PEOPLE[n + 1]])
    for n in range(20):
        keys.append(f"dm:{n}")
        await outbox.queue(keys[-1], channel_id=outbox.fake.im_channel_id(PEOPLE[40 + n]))
    outbox.fake.chaos(rate=0.3, seed=20261207, statuses=(429, 500))
    # Generous attempts: this is about never sending twice, not about giving up.
    dispatcher = outbox.dispatcher(limits=Limits(max_attempts=30))

    sent = await outbox.until_settled(dispatcher)

    copies = Counter(
        (m.get("metadata") or {}).get("event_payload", {}).get("key")
        for messages in outbox.fake.messages.values()
        for m in messages
    )
    assert {key: copies[key] for key in keys} == dict.fromkeys(keys, 1)
    assert sent == len(keys)
    assert all(r.status is OutboxStatus.SENT for r in await outbox.rows())
    faults = Counter((method, status, lost) for method, status, lost in outbox.fake.faults)
    assert faults[("chat.postMessage", 500, True)] > 0, "no lost answer exercised the history"
    assert sum(n for (_, status, _), n in faults.items() if status == 429) > 0
    assert outbox.fake.calls_to("conversations.history")


async def test_two_dispatchers_on_one_database_send_each_message_once(
    outbox: Outbox, database_url: str
) -> None:
    keys = []
    for n in range(40):
        keys.append(f"dm:{n}")
        await outbox.queue(keys[-1], channel_id=outbox.fake.im_channel_id(PEOPLE[n]))
    # Each post takes a moment, so each dispatcher claims while the other is sending.
    outbox.fake.script("chat.postMessage", delay=0.02, times=len(keys))
    other_engine = create_engine(database_url)
    try:
        async with other_engine.connect() as connection:  # connected before the race starts
            await connection.execute(text("SELECT 1"))
        limits = Limits(concurrency=4)
        first = outbox.dispatcher(limits=limits, owner="first")
        second = outbox.dispatcher(
            create_sessionmaker(other_engine, clock=outbox.clock), limits=limits, owner="second"
        )
        counts = await asyncio.gather(first.dispatch_once(), second.dispatch_once())
    finally:
        await other_engine.dispose()

    assert sum(counts) == len(keys)
    assert all(count > 0 for count in counts), counts
    assert [len(outbox.copies(key)) for key in keys] == [1] * len(keys)
    assert len(outbox.fake.calls_to("chat.postMessage")) == len(keys)


async def test_one_channel_gets_at_most_one_post_a_second(outbox: Outbox) -> None:
    alice = outbox.fake.im_channel_id(ALICE)
    for n in range(3):
        await outbox.queue(f"dm:alice:{n}", channel_id=alice)
    await outbox.queue("dm:bob", channel_id=outbox.fake.im_channel_id(BOB))
    dispatcher = outbox.dispatcher()

    assert await dispatcher.dispatch_once() == 2  # one per channel
    outbox.clock.advance(timedelta(milliseconds=500))
    assert await dispatcher.dispatch_once() == 0
    outbox.clock.advance(timedelta(milliseconds=500))
    assert await dispatcher.dispatch_once() == 1
    outbox.clock.advance(timedelta(seconds=1))
    assert await dispatcher.dispatch_once() == 1

    posts = [c for c in outbox.fake.calls_to("chat.postMessage") if c.args["channel"] == alice]
    times = [c.clock_at for c in posts]
    assert len(times) == 3
    assert None not in times
    gaps = [b - a for a, b in itertools.pairwise(times)]  # type: ignore[operator]
    assert all(gap >= timedelta(seconds=1) for gap in gaps), gaps
    # Waiting one's turn does not count as an attempt.
    assert [(await outbox.row(f"dm:alice:{n}")).attempts for n in range(3)] == [1, 1, 1]


async def test_group_dms_are_opened_within_the_tier_3_budget(outbox: Outbox) -> None:
    for n in range(0, 8, 2):
        await outbox.queue(f"intro:{n}", open_users=[PEOPLE[n], PEOPLE[n + 1]])
    dispatcher = outbox.dispatcher(limits=Limits(open_per_minute=60, open_burst=2))

    assert await dispatcher.dispatch_once() == 2
    assert await dispatcher.dispatch_once() == 0
    outbox.clock.advance(timedelta(seconds=1))
    assert await dispatcher.dispatch_once() == 1
    outbox.clock.advance(timedelta(seconds=1))
    assert await dispatcher.dispatch_once() == 1
    assert len(outbox.fake.calls_to("conversations.open")) == 4


def test_the_pacer_reserves_turns_and_refuses_beyond_the_wait() -> None:
    from datetime import UTC, datetime

    pacer = Pacer(Limits(open_per_minute=60, open_burst=2, post_interval=1.0))
    now = datetime(2026, 12, 7, tzinfo=UTC)
    second = timedelta(seconds=1)
    assert pacer.reserve(TEAM, "conversations.open", now) == (True, now)
    assert pacer.reserve(TEAM, "conversations.open", now) == (True, now)
    assert pacer.reserve(TEAM, "conversations.open", now) == (False, now + second)
    assert pacer.reserve(TEAM, "conversations.open", now, max_wait=5) == (True, now + second)
    assert pacer.reserve(TEAM, "conversations.open", now, max_wait=5) == (True, now + 2 * second)
    # Another workspace has its own budget.
    assert pacer.reserve("T0OTHER", "conversations.open", now) == (True, now)
    # Posts: spaced per channel, none for a paused method.
    assert pacer.reserve(TEAM, "chat.postMessage", now, channel_id="D1") == (True, now)
    assert pacer.reserve(TEAM, "chat.postMessage", now, channel_id="D1") == (False, now + second)
    assert pacer.reserve(TEAM, "chat.postMessage", now, channel_id="D2") == (True, now)
    pacer.pause(TEAM, "chat.postMessage", now + 30 * second)
    assert pacer.reserve(TEAM, "chat.postMessage", now, channel_id="D3") == (
        False,
        now + 30 * second,
    )
    assert pacer.reserve(TEAM, "chat.postMessage", now + 30 * second, channel_id="D3") == (
        True,
        now + 30 * second,
    )


async def test_stopping_hands_back_rows_still_waiting_for_their_turn(outbox: Outbox) -> None:
    for n in range(0, 6, 2):
        await outbox.queue(f"intro:{n}", open_users=[PEOPLE[n], PEOPLE[n + 1]])
    # One open a second: the loop holds the second and third rows until their turns.
    dispatcher = outbox.dispatcher(limits=Limits(open_per_minute=60, open_burst=1))
    dispatcher.start()
    await outbox.fake.wait_for_call("chat.postMessage")
    await dispatcher.stop(grace=5)

    rows = {row.key: row for row in await outbox.rows()}
    assert rows["intro:0"].status is OutboxStatus.SENT
    for key in ("intro:2", "intro:4"):
        assert rows[key].status is OutboxStatus.PENDING
        assert rows[key].claimed_by is None
        assert rows[key].attempts == 0
    assert len(outbox.fake.calls_to("conversations.open")) == 1
