"""FakeSlack's external file upload flow, driven by slack_sdk's own files_upload_v2."""

from __future__ import annotations

import json
import random
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.fakes import FakeSlack

EXPORT = json.dumps(
    {"user": "Zoë Ångström", "notes": ["café ☕", "日本語", "emoji 🎉"], "rounds": 3},
    ensure_ascii=False,
    indent=2,
)


@pytest.fixture
def client(fake_slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)


async def slack_error(call: Any) -> SlackApiError:
    """Await a client call that must fail and return the SlackApiError."""
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value


async def open_dm(client: AsyncWebClient, user_id: str) -> str:
    answer = await client.conversations_open(users=user_id)
    return str(answer["channel"]["id"])


async def upload_url(client: AsyncWebClient, data: bytes, filename: str = "x.json") -> Any:
    return await client.files_getUploadURLExternal(filename=filename, length=len(data))


async def post_bytes(url: str, data: bytes | aiohttp.FormData) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http, http.post(url, data=data) as response:
        return response.status, response.content_type, await response.text()


# ------------------------------------------------------------ happy path


async def test_export_reaches_the_dm_byte_exact(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    dm = await open_dm(client, "U0ALICE")
    answer = await client.files_upload_v2(
        channel=dm,
        content=EXPORT,
        filename="peercoach-export.json",
        title="Your peercoach data",
        initial_comment="Here is everything peercoach stores about you.",
    )

    assert answer["ok"] is True
    [shown] = answer["files"]
    assert answer["file"] == shown  # slack_sdk copies a single file to "file"
    file_id = shown["id"]
    assert file_id.startswith("F")
    assert shown["name"] == "peercoach-export.json"
    assert shown["title"] == "Your peercoach data"
    assert shown["size"] == len(EXPORT.encode())
    # Slack shares asynchronously: the immediate answer carries no shares yet.
    assert shown["shares"] == {}
    assert shown["ims"] == []

    assert fake_slack.file_content(file_id) == EXPORT.encode("utf-8")
    [record] = fake_slack.uploaded_files
    assert record.file_id == file_id
    assert record.filename == "peercoach-export.json"
    assert record.title == "Your peercoach data"
    assert record.channels == [dm]
    assert record.initial_comment == "Here is everything peercoach stores about you."
    assert json.loads(record.text)["notes"][1] == "日本語"

    message = fake_slack.messages[dm][-1]
    assert message["text"] == "Here is everything peercoach stores about you."
    assert message["bot_id"] == fake_slack.bot_id
    assert message["ts"] == record.message_ts[dm]
    [attached] = message["files"]
    assert attached["id"] == file_id
    assert (attached["filetype"], attached["pretty_type"]) == ("json", "JSON")
    assert attached["mimetype"] == "application/json"
    assert attached["ims"] == [dm]
    assert attached["shares"]["private"][dm][0]["ts"] == message["ts"]
    assert attached["is_public"] is False

    # The declared length counts bytes, not characters.
    url_call = fake_slack.calls_to("files.getUploadURLExternal")[0]
    assert int(url_call.args["length"]) == len(EXPORT.encode()) > len(EXPORT)
    complete = await fake_slack.wait_for_call("files.completeUploadExternal", timeout=1)
    assert complete.ok
    assert complete.args["files"] == [{"id": file_id, "title": "Your peercoach data"}]
    assert complete.args["channel_id"] == dm


async def test_sharing_into_a_channel_thread_and_by_user_id(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_channel("C0PAIRS", name="pairs")
    parent = await client.chat_postMessage(channel="C0PAIRS", text="this week's pairs")
    await client.files_upload_v2(
        channel="C0PAIRS",
        content=b"\x00\xffbinary",
        filename="pairs.bin",
        thread_ts=parent["ts"],
    )
    reply = fake_slack.messages["C0PAIRS"][-1]
    assert reply["thread_ts"] == parent["ts"]
    assert reply["text"] == ""
    [attached] = reply["files"]
    assert attached["title"] == "pairs.bin"  # slack_sdk defaults the title to the filename
    assert attached["filetype"] == "binary"
    assert attached["channels"] == ["C0PAIRS"]
    assert attached["is_public"] is True
    assert fake_slack.file_content(attached["id"]) == b"\x00\xffbinary"

    # `channels` takes user ids too; the file lands in the bot's DM with that user.
    await client.files_upload_v2(channels=["U0BOB"], content="hi", filename="hi.txt")
    assert fake_slack.messages["D0BOB"][-1]["files"][0]["filetype"] == "text"


async def test_files_info_shows_where_the_apps_upload_was_shared(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_channel("G0ADMINS", name="admins")
    parent = await client.chat_postMessage(channel="G0ADMINS", text="digest")
    data = b"\x89PNG chart"
    ticket = await upload_url(client, data, filename="trend.png")
    file_id = str(ticket["file_id"])

    # Ticket issued, not completed: the file exists and is shared nowhere.
    pending = await client.files_info(file=file_id)
    assert pending["file"]["shares"] == {}
    assert pending["file"]["channels"] == pending["file"]["groups"] == []

    assert (await post_bytes(str(ticket["upload_url"]), data))[0] == 200
    await client.files_completeUploadExternal(
        files=[{"id": file_id, "title": "Trend"}],
        channel_id="G0ADMINS",
        initial_comment="The trend",
        thread_ts=parent["ts"],
    )
    shared = (await client.files_info(file=file_id))["file"]
    [share] = shared["shares"]["private"]["G0ADMINS"]
    assert share["ts"] == fake_slack.messages["G0ADMINS"][-1]["ts"]
    assert share["thread_ts"] == parent["ts"]
    assert shared["groups"] == ["G0ADMINS"]
    assert shared["title"] == "Trend"

    missing = await slack_error(client.files_info(file="F0NOTHERE"))
    assert missing.response["error"] == "file_not_found"


async def test_without_a_channel_the_file_stays_private(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    answer = await client.files_upload_v2(content="private", filename="p.txt")
    [record] = fake_slack.uploaded_files
    assert record.file_id == answer["file"]["id"]
    assert record.channels == []
    assert fake_slack.messages == {}


async def test_upload_url_takes_raw_bytes_or_multipart(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    data = "naïve ☃".encode()
    ticket = await upload_url(client, data)
    assert ticket["upload_url"].startswith(f"{fake_slack.base_url}/upload/v1/")
    form = aiohttp.FormData()
    form.add_field("file", data, filename="x.json", content_type="application/json")
    status, content_type, body = await post_bytes(ticket["upload_url"], form)
    assert (status, content_type, body) == (200, "text/plain", f"OK - {len(data)}")
    answer = await client.files_completeUploadExternal(
        files=[{"id": ticket["file_id"], "title": "multipart"}]
    )
    assert answer["files"][0]["title"] == "multipart"
    assert fake_slack.file_content(ticket["file_id"]) == data

    # Unknown tokens, and a ticket already completed, are gone.
    status, _, _ = await post_bytes(f"{fake_slack.base_url}/upload/v1/nope", data)
    assert status == 404
    status, _, _ = await post_bytes(ticket["upload_url"], data)
    assert status == 404


async def test_json_body_with_a_files_list_is_accepted(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    ticket = await upload_url(client, b"{}")
    await post_bytes(ticket["upload_url"], b"{}")
    answer = await client.api_call(
        "files.completeUploadExternal",
        json={"files": [{"id": ticket["file_id"]}], "channels": "U0ALICE"},
    )
    assert answer["files"][0]["title"] == "x.json"  # no title: Slack uses the filename
    assert fake_slack.messages["D0ALICE"][-1]["files"][0]["id"] == ticket["file_id"]


# ---------------------------------------------------------------- refusals


async def test_unknown_channel_is_refused_and_the_upload_can_be_retried(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    error = await slack_error(
        client.files_upload_v2(channel="C0NOWHERE", content="x", filename="x.txt")
    )
    assert error.response["error"] == "channel_not_found"
    assert fake_slack.uploaded_files == []
    assert fake_slack.messages == {}

    file_id = fake_slack.calls_to("files.getUploadURLExternal")[0].response["file_id"]
    answer = await client.files_completeUploadExternal(
        files=[{"id": file_id, "title": "x"}], channel_id="D0ALICE"
    )
    assert answer["ok"] is True
    assert fake_slack.uploaded_files[0].channels == ["D0ALICE"]


async def test_completing_without_the_bytes_is_file_not_found(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    ticket = await upload_url(client, b"abc")
    error = await slack_error(
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="D0ALICE")
    )
    assert error.response["error"] == "file_not_found"

    error = await slack_error(client.files_completeUploadExternal(files=[{"id": "F0NEVER"}]))
    assert error.response["error"] == "file_not_found"

    await post_bytes(ticket["upload_url"], b"abc")
    await client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}])
    # Slack lets an upload be completed only once.
    error = await slack_error(
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}])
    )
    assert error.response["error"] == "file_not_found"
    assert "D0ALICE" not in fake_slack.messages


async def test_bytes_differing_from_the_declared_length_are_refused(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    ticket = await upload_url(client, b"12345")
    status, _, body = await post_bytes(ticket["upload_url"], b"123")
    assert (status, body) == (200, "OK - 3")
    error = await slack_error(
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}])
    )
    assert error.response["error"] == "invalid_arguments"
    assert "declared length 5" in error.response["response_metadata"]["messages"][0]
    assert fake_slack.uploaded_files == []
    with pytest.raises(KeyError):
        fake_slack.file_content(ticket["file_id"])


async def test_get_upload_url_validates_its_arguments(client: AsyncWebClient) -> None:
    error = await slack_error(client.api_call("files.getUploadURLExternal", json={"length": 3}))
    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] missing required field: filename"
    ]
    for bad in ("three", "-4", "1.5"):
        error = await slack_error(
            client.api_call("files.getUploadURLExternal", params={"filename": "a", "length": bad})
        )
        assert error.response["error"] == "invalid_arguments", bad
    error = await slack_error(client.files_getUploadURLExternal(filename="a", length=0))
    assert error.response["error"] == "missing_argument"
    error = await slack_error(
        client.files_getUploadURLExternal(filename="a", length=1, alt_txt="x" * 1001)
    )
    assert error.response["error"] == "alt_txt_too_large"
    error = await slack_error(
        client.files_getUploadURLExternal(filename="a", length=2_000_000, snippet_type="python")
    )
    assert error.response["error"] == "snippet_too_large"


async def test_complete_validates_files_and_channels(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    error = await slack_error(
        client.api_call("files.completeUploadExternal", params={"files": "not json"})
    )
    assert error.response["error"] == "invalid_arguments"
    error = await slack_error(
        client.api_call("files.completeUploadExternal", json={"files": [{"title": "no id"}]})
    )
    assert error.response["error"] == "invalid_arguments"

    fake_slack.add_channel("C0ONE", name="one")
    fake_slack.add_channel("C0TWO", name="two")
    ticket = await upload_url(client, b"x")
    await post_bytes(ticket["upload_url"], b"x")
    error = await slack_error(
        client.files_completeUploadExternal(
            files=[{"id": ticket["file_id"]}], channels=["C0ONE", "C0TWO"], thread_ts="1.000001"
        )
    )
    assert error.response["error"] == "invalid_arguments"
    error = await slack_error(
        client.files_completeUploadExternal(
            files=[{"id": ticket["file_id"]}], channels=[f"C{i}" for i in range(101)]
        )
    )
    assert error.response["error"] == "channels_limit_exceeded"
    # Both channels get one message each, and the file lists both shares.
    await client.files_completeUploadExternal(
        files=[{"id": ticket["file_id"]}], channels=["C0ONE", "C0TWO"]
    )
    one, two = fake_slack.messages["C0ONE"][-1], fake_slack.messages["C0TWO"][-1]
    assert one["ts"] != two["ts"]
    assert one["files"][0]["channels"] == ["C0ONE", "C0TWO"]
    assert set(one["files"][0]["shares"]["public"]) == {"C0ONE", "C0TWO"}


async def test_retired_files_upload_is_refused(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    with pytest.warns(UserWarning, match="files_upload_v2"):
        error = await slack_error(
            client.files_upload(channels="D0ALICE", content="old way", filename="old.txt")
        )
    assert (error.response.status_code, error.response["error"]) == (200, "method_deprecated")
    assert fake_slack.messages == {}
    assert fake_slack.uploaded_files == []


# --------------------------------------------------------------- scripting


async def test_scripted_500_on_complete_surfaces_as_slack_api_error(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.script("files.completeUploadExternal", status=500)
    error = await slack_error(
        client.files_upload_v2(channel="D0ALICE", content=EXPORT, filename="peercoach-export.json")
    )
    assert error.response.status_code == 500
    assert error.response["error"] == "internal_error"
    assert fake_slack.uploaded_files == []
    assert fake_slack.messages == {}
    call = await fake_slack.wait_for_call("files.completeUploadExternal", timeout=1)
    assert (call.status, call.error) == (500, "internal_error")

    # The script is used up and the bytes are still there: completing again works.
    file_id = call.args["files"][0]["id"]
    await client.files_completeUploadExternal(files=[{"id": file_id}], channel_id="D0ALICE")
    assert fake_slack.file_content(file_id) == EXPORT.encode()


async def test_rate_limited_get_upload_url_is_retried_by_the_client(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slack_sdk adds up to 1 s of jitter to Retry-After; pin it so the test stays fast.
    monkeypatch.setattr(random, "random", lambda: 0.0)
    retrying = AsyncWebClient(
        token=fake_slack.bot_token,
        base_url=fake_slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake_slack.script("files.getUploadURLExternal", status=429, retry_after=0)
    answer = await retrying.files_upload_v2(channel="D0ALICE", content="x", filename="x.txt")
    assert answer["ok"] is True
    assert [c.status for c in fake_slack.calls_to("files.getUploadURLExternal")] == [429, 200]
