"""The fake Slack's delivery side: conversations.history, rate limits and seeded faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.fakes import FakeSlack
from bot.process.clock import SimulatedClock


def _client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.bot_token, base_url=fake.api_url, retry_handlers=[])


def _meta(key: str) -> dict[str, object]:
    return {"event_type": "peercoach_outbox", "event_payload": {"key": key}}


async def test_history_is_newest_first_bounded_paged_and_hides_metadata_unless_asked(
    fake_slack: FakeSlack,
) -> None:
    clock = SimulatedClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    fake_slack.clock = clock
    client = _client(fake_slack)
    channel = (await client.conversations_open(users="U0ALICE,U0BOB"))["channel"]["id"]
    stamps = []
    for n in range(5):
        posted = await client.chat_postMessage(
            channel=channel, text=f"m{n}", metadata=_meta(f"k{n}")
        )
        stamps.append(posted["ts"])
        clock.advance(timedelta(minutes=1))
    assert stamps == sorted(stamps, key=float)
    assert float(stamps[0]) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC).timestamp()

    page = await client.conversations_history(channel=channel, oldest=stamps[1], limit=2)
    assert [m["text"] for m in page["messages"]] == ["m4", "m3"]
    assert all("metadata" not in m for m in page["messages"])
    assert page["has_more"] is True
    rest = await client.conversations_history(
        channel=channel,
        oldest=stamps[1],
        limit=2,
        cursor=page["response_metadata"]["next_cursor"],
        include_all_metadata=True,
    )
    # `oldest` is exclusive unless `inclusive` is set.
    assert [m["text"] for m in rest["messages"]] == ["m2"]
    assert rest["messages"][0]["metadata"] == _meta("k2")
    assert rest["has_more"] is False
    inclusive = await client.conversations_history(
        channel=channel, oldest=stamps[1], latest=stamps[2], inclusive=True
    )
    assert [m["text"] for m in inclusive["messages"]] == ["m2", "m1"]
    with pytest.raises(SlackApiError) as missing:
        await client.conversations_history(channel="C0NOWHERE")
    assert missing.value.response["error"] == "channel_not_found"


async def test_limits_answer_429_with_retry_after_in_scaled_time(fake_slack: FakeSlack) -> None:
    now = [0.0]
    fake_slack.enforce_limits(tier3_per_min=60, tier3_burst=2, now=lambda: now[0])
    client = _client(fake_slack)
    await client.conversations_open(users="U0ALICE")
    await client.conversations_open(users="U0BOB")
    with pytest.raises(SlackApiError) as limited:
        await client.conversations_open(users="U0ALICE")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "1"
    now[0] = 1.0
    await client.conversations_open(users="U0ALICE")

    # One post a second per channel; other channels are not held up.
    await client.chat_postMessage(channel="U0ALICE", text="one")
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="U0ALICE", text="two")
    await client.chat_postMessage(channel="U0BOB", text="elsewhere")
    now[0] = 2.0
    await client.chat_postMessage(channel="U0ALICE", text="two")
    assert [m["text"] for m in fake_slack.messages["D0ALICE"]] == ["one", "two"]
    assert [f[:2] for f in fake_slack.faults] == [
        ("conversations.open", 429),
        ("chat.postMessage", 429),
    ]


async def test_chaos_is_seeded_and_a_lost_answer_still_posts(fake_slack: FakeSlack) -> None:
    client = _client(fake_slack)

    async def run(seed: int) -> list[tuple[str, int, bool]]:
        fake_slack.faults.clear()
        fake_slack.chaos(rate=0.5, seed=seed, methods=("chat.postMessage",))
        answers: list[tuple[int, str | None]] = []
        for n in range(40):
            try:
                await client.chat_postMessage(channel="U0ALICE", text=f"{seed}:{n}")
                answers.append((200, None))
            except SlackApiError as exc:
                answers.append((exc.response.status_code, exc.response.headers.get("Retry-After")))
        assert {status for status, _ in answers} == {200, 429, 500}
        assert {int(str(r)) for s, r in answers if s == 429} <= {1, 2, 3}
        return list(fake_slack.faults)

    first = await run(7)
    assert first == await run(7)
    assert {status for _, status, _ in first} == {429, 500}
    lost = [f for f in first if f[2]]
    assert lost
    stored = [m for m in fake_slack.messages["D0ALICE"] if m["text"].startswith("7:")]
    # Each run: successes plus lost answers are stored, the other faults are not.
    assert len(stored) == 2 * (40 - len(first) + len(lost))
    fake_slack.chaos(rate=0, seed=7)
    await client.chat_postMessage(channel="U0ALICE", text="calm")
