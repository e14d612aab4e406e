"""FakeSlack's Web API, driven over real HTTP by the real slack_sdk AsyncWebClient."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.fakes import FakeSlack

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}
MODAL = {
    "type": "modal",
    "callback_id": "pair_setup",
    "title": {"type": "plain_text", "text": "Set up"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [SECTION],
}
HOME = {"type": "home", "blocks": [SECTION]}


@pytest.fixture
def client(fake_slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)


async def slack_error(call: Any) -> SlackApiError:
    """Await a client call that must fail and return the SlackApiError."""
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value


# ------------------------------------------------------------------ auth


async def test_auth_test_answers_for_the_bot_token(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    answer = await client.auth_test()
    assert answer["ok"] is True
    assert answer["team_id"] == "T0PEERCO"
    assert answer["team"] == "Acme"
    assert answer["user_id"] == "U0PEERBOT"
    assert answer["bot_id"].startswith("B")
    assert answer["url"] == "https://acme.slack.com/"
    [call] = fake_slack.calls_to("auth.test")
    assert call.token == fake_slack.bot_token
    assert call.status == 200
    assert call.answered


async def test_wrong_or_missing_token_is_refused(fake_slack: FakeSlack) -> None:
    wrong = AsyncWebClient(token="xoxb-not-ours", base_url=fake_slack.api_url)
    error = await slack_error(wrong.auth_test())
    assert error.response["error"] == "invalid_auth"
    assert error.response.status_code == 200

    anonymous = AsyncWebClient(base_url=fake_slack.api_url)
    error = await slack_error(anonymous.auth_test())
    assert error.response["error"] == "not_authed"

    app_token = AsyncWebClient(token=fake_slack.app_token, base_url=fake_slack.api_url)
    error = await slack_error(app_token.auth_test())
    assert error.response["error"] == "not_allowed_token_type"


async def test_token_in_the_form_body_is_accepted(fake_slack: FakeSlack) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{fake_slack.api_url}auth.test", data={"token": fake_slack.bot_token}) as r,
    ):
        body = await r.json()
    assert body["ok"] is True
    assert fake_slack.calls[-1].token == fake_slack.bot_token
    assert "token" not in fake_slack.calls[-1].args


async def test_unknown_method_and_unmodelled_method(client: AsyncWebClient) -> None:
    error = await slack_error(client.api_call("users.teleport"))
    assert error.response.status_code == 200
    assert error.response["error"] == "unknown_method"
    error = await slack_error(client.api_call("emoji.list"))
    assert error.response["error"] == "fake_method_not_implemented"


# ----------------------------------------------------------------- users


async def test_users_info_returns_a_slack_shaped_user(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_user(
        "U0CARLA", name="carla", real_name="Carla Diaz", tz="America/New_York", is_admin=True
    )
    answer = await client.users_info(user="U0CARLA")
    user = answer["user"]
    assert fake_slack.calls_to("users.info")[0].http_method == "GET"
    assert user["id"] == "U0CARLA"
    assert user["team_id"] == "T0PEERCO"
    assert user["tz"] == "America/New_York"
    expected = datetime.now(ZoneInfo("America/New_York")).utcoffset()
    assert expected is not None
    assert user["tz_offset"] == int(expected.total_seconds())
    assert user["tz_label"] in {"Eastern Standard Time", "Eastern Daylight Time"}
    assert user["is_admin"] is True
    assert user["is_owner"] is False
    assert user["is_bot"] is False
    assert user["deleted"] is False
    assert user["profile"]["display_name"] == "carla"
    assert user["profile"]["real_name"] == "Carla Diaz"


async def test_user_without_time_zone_has_no_tz_fields(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_user("U0NOTZ", name="notz", tz=None)
    user = (await client.users_info(user="U0NOTZ"))["user"]
    assert "tz" not in user
    assert "tz_offset" not in user


async def test_users_info_unknown_deleted_and_missing_argument(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    error = await slack_error(client.users_info(user="U0NOBODY"))
    assert error.response["error"] == "user_not_found"

    fake_slack.add_user("U0GONE", name="gone", deleted=True)
    assert (await client.users_info(user="U0GONE"))["user"]["deleted"] is True

    error = await slack_error(client.api_call("users.info", http_verb="GET", params={}))
    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] missing required field: user"
    ]


async def test_users_list_paginates_with_cursor(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    for n in range(5):
        fake_slack.add_user(f"U0MEMBER{n}", name=f"member{n}")
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await client.users_list(limit=3, cursor=cursor)
        pages += 1
        assert len(page["members"]) <= 3
        seen.extend(m["id"] for m in page["members"])
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == list(fake_slack.users)
    # The app's own bot user and Slackbot are members too, as in a real workspace.
    assert {"U0PEERBOT", "USLACKBOT", "U0ALICE", "U0MEMBER4"} <= set(seen)
    assert pages == -(-len(seen) // 3)

    error = await slack_error(client.users_list(cursor="bm9wZQ=="))
    assert error.response["error"] == "invalid_cursor"


# ---------------------------------------------------------- conversations


async def test_conversations_open_im_is_stable_per_user(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    first = await client.conversations_open(users="U0ALICE")
    again = await client.conversations_open(users=["U0ALICE"])
    assert first["channel"]["id"] == again["channel"]["id"] == "D0ALICE"
    assert "already_open" not in first.data
    assert again["already_open"] is True
    full = await client.conversations_open(users="U0ALICE", return_im=True)
    assert full["channel"]["is_im"] is True
    assert full["channel"]["user"] == "U0ALICE"
    bob = await client.conversations_open(users="U0BOB")
    assert bob["channel"]["id"] != first["channel"]["id"]
    by_channel = await client.conversations_open(channel="D0ALICE")
    assert by_channel["channel"]["id"] == "D0ALICE"


async def test_conversations_open_mpim_is_stable_per_user_set(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_user("U0CARLA", name="carla")
    one = await client.conversations_open(users=["U0ALICE", "U0BOB", "U0CARLA"])
    other_order = await client.conversations_open(users="U0CARLA,U0ALICE,U0BOB")
    with_bot = await client.conversations_open(users=["U0BOB", "U0PEERBOT", "U0CARLA", "U0ALICE"])
    assert one["channel"]["id"].startswith("G")
    assert one["channel"]["id"] == other_order["channel"]["id"] == with_bot["channel"]["id"]
    different = await client.conversations_open(users=["U0ALICE", "U0BOB"])
    assert different["channel"]["id"] != one["channel"]["id"]
    full = await client.conversations_open(users=["U0ALICE", "U0BOB"], return_im=True)
    assert full["channel"]["is_mpim"] is True
    assert set(full["channel"]["members"]) == {"U0ALICE", "U0BOB", "U0PEERBOT"}


async def test_conversations_open_refuses_unknown_and_deactivated_users(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_user("U0GONE", name="gone", deleted=True)
    error = await slack_error(client.conversations_open(users="U0NOBODY"))
    assert error.response["error"] == "user_not_found"
    error = await slack_error(client.conversations_open(users=["U0ALICE", "U0GONE"]))
    assert error.response["error"] == "user_disabled"
    many = [f"U0MANY{n}" for n in range(9)]
    for user_id in many:
        fake_slack.add_user(user_id, name=user_id.lower())
    error = await slack_error(client.conversations_open(users=many))
    assert error.response["error"] == "too_many_users"


# ------------------------------------------------------------------ chat


async def test_post_message_then_update_it(fake_slack: FakeSlack, client: AsyncWebClient) -> None:
    first = await client.chat_postMessage(channel="U0ALICE", text="hi", blocks=[SECTION])
    second = await client.chat_postMessage(
        channel="D0ALICE",
        text="again",
        metadata={"event_type": "pairing", "event_payload": {"round": 1}},
    )
    assert first["channel"] == second["channel"] == "D0ALICE"
    assert first["message"]["blocks"] == [SECTION]
    assert first["message"]["bot_id"] == fake_slack.bot_id
    assert float(second["ts"]) > float(first["ts"])
    assert len(first["ts"].split(".")[1]) == 6
    assert second["message"]["metadata"]["event_type"] == "pairing"

    updated = await client.chat_update(channel="D0ALICE", ts=first["ts"], text="edited")
    assert updated["ts"] == first["ts"]
    assert updated["text"] == "edited"
    stored = fake_slack.messages["D0ALICE"]
    assert [m["text"] for m in stored] == ["edited", "again"]
    assert "edited" in stored[0]

    error = await slack_error(client.chat_update(channel="D0ALICE", ts="1.000001", text="x"))
    assert error.response["error"] == "message_not_found"


async def test_post_message_refusals(client: AsyncWebClient) -> None:
    error = await slack_error(client.chat_postMessage(channel="C0NOWHERE", text="hi"))
    assert error.response["error"] == "channel_not_found"
    with pytest.warns(UserWarning, match="text"):
        error = await slack_error(client.chat_postMessage(channel="D0ALICE"))
    assert error.response["error"] == "no_text"
    error = await slack_error(client.api_call("chat.postMessage", json={"text": "no channel"}))
    assert error.response["error"] == "invalid_arguments"
    assert (
        "[ERROR] missing required field: channel"
        in (error.response["response_metadata"]["messages"])
    )


async def test_invalid_blocks_are_refused_with_reasons(client: AsyncWebClient) -> None:
    error = await slack_error(
        client.chat_postMessage(channel="D0ALICE", text="x", blocks=[{"type": "section"}])
    )
    assert error.response["error"] == "invalid_blocks"
    [message] = error.response["response_metadata"]["messages"]
    assert "text or fields" in message
    assert "/blocks/0" in message

    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    error = await slack_error(
        client.chat_postMessage(channel="D0ALICE", text="x", blocks=[SECTION, too_long])
    )
    assert "/blocks/1" in error.response["response_metadata"]["messages"][0]

    error = await slack_error(
        client.chat_postMessage(channel="D0ALICE", text="x", blocks=[SECTION] * 51)
    )
    assert error.response["error"] == "invalid_blocks"

    error = await slack_error(
        client.chat_postMessage(channel="D0ALICE", text="x", blocks=[{"type": "sparkles"}])
    )
    assert error.response["error"] == "invalid_blocks"


async def test_form_encoded_blocks_are_json_decoded(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    import json

    answer = await client.api_call(
        "chat.postMessage",
        data={"channel": "D0ALICE", "text": "form", "blocks": json.dumps([SECTION])},
    )
    assert answer["message"]["blocks"] == [SECTION]
    assert fake_slack.calls_to("chat.postMessage")[0].args["blocks"] == [SECTION]


async def test_post_ephemeral(fake_slack: FakeSlack, client: AsyncWebClient) -> None:
    answer = await client.chat_postEphemeral(channel="D0ALICE", user="U0ALICE", text="psst")
    assert "." in answer["message_ts"]
    assert fake_slack.ephemeral_messages[0]["to_user"] == "U0ALICE"
    assert "D0ALICE" not in fake_slack.messages
    error = await slack_error(
        client.api_call("chat.postEphemeral", json={"channel": "D0ALICE", "text": "x"})
    )
    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] missing required field: user"
    ]


# ------------------------------------------------------------- scripting


async def test_rate_limit_surfaces_as_429_with_retry_after(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.script("chat.postMessage", status=429, retry_after=7)
    error = await slack_error(client.chat_postMessage(channel="D0ALICE", text="hi"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "7"
    assert error.response["error"] == "ratelimited"
    [call] = fake_slack.calls_to("chat.postMessage")
    assert (call.status, call.error) == (429, "ratelimited")
    # The script was used up: the next call goes through.
    assert (await client.chat_postMessage(channel="D0ALICE", text="hi"))["ok"]


async def test_rate_limit_retry_handler_retries_successfully(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slack_sdk adds up to 1 s of jitter to Retry-After; pin it so the test stays fast.
    monkeypatch.setattr(random, "random", lambda: 0.0)
    retrying = AsyncWebClient(
        token=fake_slack.bot_token,
        base_url=fake_slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    fake_slack.script("chat.postMessage", status=429, retry_after=0, times=2)
    answer = await retrying.chat_postMessage(channel="D0ALICE", text="hi")
    assert answer["ok"] is True
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 429, 200]
    assert len(fake_slack.messages["D0ALICE"]) == 1


async def test_server_error_and_scripted_error(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.script("users.info", status=500)
    error = await slack_error(client.users_info(user="U0ALICE"))
    assert error.response.status_code == 500

    fake_slack.script("users.info", error="fatal_error")
    error = await slack_error(client.users_info(user="U0ALICE"))
    assert (error.response.status_code, error.response["error"]) == (200, "fatal_error")

    fake_slack.script("users.info", status=503)
    retrying = AsyncWebClient(
        token=fake_slack.bot_token,
        base_url=fake_slack.api_url,
        retry_handlers=[
            AsyncServerErrorRetryHandler(
                max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
            )
        ],
    )
    assert (await retrying.users_info(user="U0ALICE"))["user"]["id"] == "U0ALICE"
    assert [c.status for c in fake_slack.calls_to("users.info")] == [500, 200, 503, 200]


async def test_delay_then_normal_answer(fake_slack: FakeSlack, client: AsyncWebClient) -> None:
    fake_slack.script("auth.test", delay=0.3)
    started = time.monotonic()
    assert (await client.auth_test())["ok"] is True
    assert time.monotonic() - started >= 0.3


async def test_hang_times_the_client_out_and_stop_is_prompt() -> None:
    fake = FakeSlack()
    await fake.start()
    try:
        fake.script("auth.test", hang=True)
        impatient = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url, timeout=1)
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await impatient.auth_test()
        assert 0.9 <= time.monotonic() - started < 3
        call = await fake.wait_for_call("auth.test", timeout=0.1)
        assert call.hung
        assert not call.answered
    finally:
        started = time.monotonic()
        await fake.stop()
        assert time.monotonic() - started < 2


async def test_wait_for_call_sees_later_calls_and_times_out(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    waiter = asyncio.create_task(
        fake_slack.wait_for_call("chat.postMessage", predicate=lambda c: c.args["text"] == "b")
    )
    await client.chat_postMessage(channel="D0ALICE", text="a")
    await client.chat_postMessage(channel="D0ALICE", text="b")
    call = await waiter
    assert call.args["text"] == "b"
    assert call.response["ok"] is True
    with pytest.raises(TimeoutError, match=r"views\.open"):
        await fake_slack.wait_for_call("views.open", timeout=0.1)


# ----------------------------------------------------------------- views


async def test_views_open_checks_trigger_ids(fake_slack: FakeSlack, client: AsyncWebClient) -> None:
    trigger = fake_slack.new_trigger_id()
    opened = await client.views_open(trigger_id=trigger, view=MODAL)
    view = opened["view"]
    assert view["id"].startswith("V")
    assert view["hash"]
    assert view["callback_id"] == "pair_setup"
    assert view["state"] == {"values": {}}

    error = await slack_error(client.views_open(trigger_id=trigger, view=MODAL))
    assert error.response["error"] == "expired_trigger_id"

    error = await slack_error(client.views_open(trigger_id="123.456.abc", view=MODAL))
    assert error.response["error"] == "invalid_trigger_id"

    fake_slack.trigger_ttl = 0.05
    stale = fake_slack.new_trigger_id()
    await asyncio.sleep(0.1)
    error = await slack_error(client.views_open(trigger_id=stale, view=MODAL))
    assert error.response["error"] == "expired_trigger_id"


async def test_views_open_validates_the_view(fake_slack: FakeSlack, client: AsyncWebClient) -> None:
    bad = {**MODAL, "title": {"type": "plain_text", "text": "x" * 30}}
    error = await slack_error(client.views_open(trigger_id=fake_slack.new_trigger_id(), view=bad))
    assert error.response["error"] == "invalid_arguments"
    assert "title" in error.response["response_metadata"]["messages"][0]

    bad_block = {**MODAL, "blocks": [{"type": "section"}]}
    error = await slack_error(
        client.views_open(trigger_id=fake_slack.new_trigger_id(), view=bad_block)
    )
    assert "/view/blocks/0" in error.response["response_metadata"]["messages"][0]

    error = await slack_error(client.views_open(trigger_id=fake_slack.new_trigger_id(), view=HOME))
    assert error.response["error"] == "invalid_arguments"


async def test_views_publish_and_update(fake_slack: FakeSlack, client: AsyncWebClient) -> None:
    published = await client.views_publish(user_id="U0ALICE", view=HOME)
    home = published["view"]
    assert home["type"] == "home"
    assert fake_slack.home_views["U0ALICE"]["id"] == home["id"]
    again = await client.views_publish(user_id="U0ALICE", view=HOME, hash=home["hash"])
    assert again["view"]["id"] == home["id"]
    assert again["view"]["hash"] != home["hash"]

    error = await slack_error(client.views_publish(user_id="U0ALICE", view=MODAL))
    assert error.response["error"] == "invalid_arguments"
    error = await slack_error(client.views_publish(user_id="U0NOBODY", view=HOME))
    assert error.response["error"] == "user_not_found"

    opened = (await client.views_open(trigger_id=fake_slack.new_trigger_id(), view=MODAL))["view"]
    changed = {**MODAL, "blocks": [SECTION, {"type": "divider"}]}
    updated = await client.views_update(view_id=opened["id"], view=changed, hash=opened["hash"])
    assert updated["view"]["id"] == opened["id"]
    assert len(updated["view"]["blocks"]) == 2

    error = await slack_error(
        client.views_update(view_id=opened["id"], view=changed, hash=opened["hash"])
    )
    assert error.response["error"] == "hash_conflict"
    error = await slack_error(client.views_update(view_id="V0NOPE", view=changed))
    assert error.response["error"] == "not_found"
    error = await slack_error(client.views_update(external_id="nope", view=changed))
    assert error.response["error"] == "not_found"


async def test_views_update_by_external_id(fake_slack: FakeSlack, client: AsyncWebClient) -> None:
    await client.views_open(
        trigger_id=fake_slack.new_trigger_id(), view={**MODAL, "external_id": "setup-1"}
    )
    updated = await client.views_update(external_id="setup-1", view=MODAL)
    assert updated["view"]["external_id"] == "setup-1"


# ---------------------------------------------------------- response_url


async def test_response_url_records_posts_and_expires_after_five(fake_slack: FakeSlack) -> None:
    url = fake_slack.new_response_url()
    webhook = AsyncWebhookClient(url)
    first = await webhook.send(text="working on it", response_type="ephemeral")
    assert first.status_code == 200
    recorded = await fake_slack.wait_for_response()
    assert recorded.url == url
    assert recorded.json == {"text": "working on it", "response_type": "ephemeral"}

    statuses = [(await webhook.send(text=f"update {n}")).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 404]
    assert len(fake_slack.responses) == 6
    assert fake_slack.responses[-1].status == 404

    unknown = AsyncWebhookClient(url.rsplit("/", 1)[0] + "/forged")
    assert (await unknown.send(text="x")).status_code == 404


async def test_replies_are_in_their_thread_not_in_the_channel_history(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_channel("C0ADMINS", name="admins")
    parent = await client.chat_postMessage(channel="C0ADMINS", text="digest")
    for n in range(3):
        await client.chat_postMessage(channel="C0ADMINS", text=f"reply {n}", thread_ts=parent["ts"])
    await client.chat_postMessage(channel="C0ADMINS", text="later")

    history = await client.conversations_history(channel="C0ADMINS")
    assert [m["text"] for m in history["messages"]] == ["later", "digest"]

    first = await client.conversations_replies(channel="C0ADMINS", ts=parent["ts"], limit=2)
    assert [m["text"] for m in first["messages"]] == ["digest", "reply 0"]
    assert first["has_more"] is True
    rest = await client.conversations_replies(
        channel="C0ADMINS",
        ts=parent["ts"],
        limit=2,
        cursor=first["response_metadata"]["next_cursor"],
    )
    assert [m["text"] for m in rest["messages"]] == ["reply 1", "reply 2"]
    assert rest["has_more"] is False

    with pytest.raises(SlackApiError) as missing:
        await client.conversations_replies(channel="C0ADMINS", ts="1.000001")
    assert missing.value.response["error"] == "thread_not_found"
