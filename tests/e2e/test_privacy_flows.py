"""`/peercoach export` and `/peercoach forget` end to end."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.fakes import FakeSlack
from bot.slack.blocks.enrolment import ACTION_CONFIRM_FORGET
from storage.base import Base
from tests.e2e.driver import Coach, all_text

ALICE, BOB = "U0ALICE", "U0BOB"
SECRET_GOAL = "Stop dreading the quarterly review zq81"


async def test_export_sends_a_json_file_with_everything_stored(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    await coach.enrol(ALICE, goal=SECRET_GOAL)
    answer = await coach.ask("export", ALICE)
    assert "file" in all_text(answer).lower()

    call = await fake_slack.wait_for_call("files.completeUploadExternal")
    assert call.response["ok"]
    # Slack's current upload flow: an upload URL first, then completion into the DM.
    assert fake_slack.calls_to("files.getUploadURLExternal")
    assert not fake_slack.calls_to("files.upload")
    (upload,) = fake_slack.uploaded_files
    assert fake_slack.im_channel_id(ALICE) in upload.channels
    document = json.loads(upload.content.decode())
    assert document["person"]["slack_user_id"] == ALICE
    assert document["person"]["goals"] == [SECRET_GOAL]
    assert document["person"]["level"] == 3
    assert {"matches", "meetings", "checkins", "do_not_pair"} <= set(document)


async def test_export_when_nothing_is_stored(coach: Coach, fake_slack: FakeSlack) -> None:
    answer = await coach.ask("export", BOB)
    assert "nothing" in all_text(answer).lower()
    assert not fake_slack.calls_to("files.getUploadURLExternal")


async def test_forget_asks_then_removes_every_trace(coach: Coach) -> None:
    await coach.enrol(ALICE, goal=SECRET_GOAL)
    await coach.enrol(BOB)
    answer = await coach.ask("forget", ALICE)
    assert ACTION_CONFIRM_FORGET in all_text(answer)
    assert await coach.person(ALICE) is not None  # nothing happens before the confirmation

    sent = await coach.slack.block_action(ACTION_CONFIRM_FORGET, user_id=ALICE)
    url = sent.payload["response_url"]
    response = await coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    assert response.json["replace_original"] is True
    assert await coach.person(ALICE) is None
    assert await coach.person(BOB) is not None

    async with coach.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                flat = json.dumps([str(value) for value in row])
                assert ALICE not in flat, table.name
                assert SECRET_GOAL not in flat, table.name
    counts = await coach.row_counts()
    assert counts["anonymous_tallies"] == 1

    # Never messaged again unless they enrol anew: status treats them as a stranger.
    status = await coach.ask("status", ALICE)
    assert "/peercoach find" in all_text(status)
