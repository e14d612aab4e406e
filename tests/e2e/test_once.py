"""Once, and only once: retried events, repeated submissions and replayed clicks."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select

from bot.domain import EnrolmentState
from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.fakes import FakeSlack
from bot.slack.blocks.enrolment import ACTION_CONFIRM_FORGET, ACTION_CONFIRM_LEAVE
from scheduling.context import JobContext, register_context, unregister_context
from scheduling.prune import (
    PRUNE_CLAIMS_FUNC,
    PRUNE_CLAIMS_JOB_ID,
    prune_processed_requests,
)
from storage.models import ProcessedRequest
from tests.e2e.driver import Coach

ALICE = "U0ALICE"
HOME = {"type": "app_home_opened", "user": ALICE, "tab": "home"}


async def test_a_failed_event_is_processed_again_on_slacks_retry(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    fake_slack.script("views.publish", error="internal_error")
    await coach.slack.event(HOME, event_id="Ev0FAILS")
    failed = await fake_slack.wait_for_call("views.publish")
    assert failed.response["ok"] is False
    await coach.server.inflight.drain(10)

    sent = await coach.slack.event(HOME, event_id="Ev0FAILS", retry_num=1)
    assert sent.status == 200
    published = await fake_slack.wait_for_call("views.publish", predicate=lambda c: c is not failed)
    assert published.response["ok"] is True


async def test_a_succeeded_event_is_not_repeated_by_a_retry(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    await coach.slack.event(HOME, event_id="Ev0WORKS")
    await fake_slack.wait_for_call("views.publish")
    await coach.server.inflight.drain(10)
    sent = await coach.slack.event(HOME, event_id="Ev0WORKS", retry_num=1)
    assert sent.status == 200
    # Another event afterwards is processed: the retry above was seen and skipped.
    await coach.slack.event(HOME, event_id="Ev0NEXT")
    await coach.server.inflight.drain(10)
    assert len(fake_slack.calls_to("views.publish")) == 2


async def test_twenty_identical_submissions_save_and_confirm_once(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    view = await coach.open_profile("find", ALICE)
    mark = len(fake_slack.calls)
    payload = coach.slack.view_submission_payload(
        PROFILE_CALLBACK_ID,
        coach.profile_values(view),
        user_id=ALICE,
        private_metadata=view["private_metadata"],
        view=view,
    )
    body = urlencode({"payload": json.dumps(payload)})
    sent = await asyncio.gather(
        *(coach.slack.post_raw(body, "application/x-www-form-urlencoded") for _ in range(20))
    )
    assert {s.status for s in sent} == {200}
    assert all(s.json["response_action"] == "update" for s in sent)
    await coach.server.inflight.drain(20)
    dms = [
        c
        for c in fake_slack.calls[mark:]
        if c.method == "chat.postMessage" and c.args.get("channel") == ALICE
    ]
    assert len(dms) == 1
    saved = [c for c in fake_slack.calls[mark:] if c.method == "views.update"]
    assert len(saved) == 1
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED


async def test_a_replayed_leave_click_does_not_undo_a_rejoin(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    await coach.enrol(ALICE)
    click = coach.slack.block_action_payload(ACTION_CONFIRM_LEAVE, user_id=ALICE)
    body = urlencode({"payload": json.dumps(click)})
    await coach.slack.post_raw(body, "application/x-www-form-urlencoded")
    await coach.server.inflight.drain(10)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.LEFT

    await coach.ask("find", ALICE)
    await coach.server.inflight.drain(10)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED

    # The same click again (same action_ts), as a replay or a late duplicate.
    await coach.slack.post_raw(body, "application/x-www-form-urlencoded")
    await coach.server.inflight.drain(10)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED


async def test_opening_the_profile_after_forget_creates_no_row(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    await coach.enrol(ALICE)
    await coach.slack.block_action(ACTION_CONFIRM_FORGET, user_id=ALICE)
    await coach.server.inflight.drain(10)
    assert await coach.person(ALICE) is None
    workspaces_before = (await coach.row_counts())["workspaces"]

    await coach.open_profile("profile", ALICE)
    await coach.open_profile("find", ALICE)
    await coach.server.inflight.drain(10)
    counts = await coach.row_counts()
    assert counts["people"] == 0
    assert counts["workspaces"] == workspaces_before


async def test_the_prune_job_deletes_claims_older_than_a_week(coach: Coach) -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    async with coach.sessions() as session:
        session.add_all(
            [
                ProcessedRequest(key="event:old", created_at=now - timedelta(days=8)),
                ProcessedRequest(key="event:recent", created_at=now - timedelta(days=6)),
            ]
        )
        await session.commit()
    register_context("test-prune", JobContext(sessions=coach.sessions, clock=lambda: now))
    try:
        assert await prune_processed_requests("test-prune") == 1
    finally:
        unregister_context("test-prune")
    async with coach.sessions() as session:
        keys = set(await session.scalars(select(ProcessedRequest.key)))
    assert keys == {"event:recent"}

    # The running server schedules it hourly, by import path, with the server's id only.
    job = coach.server.scheduler.get_job(PRUNE_CLAIMS_JOB_ID)
    assert job is not None
    assert job.func_ref == PRUNE_CLAIMS_FUNC
    assert job.kwargs == {"context_id": coach.server.job_context_id}
    assert job.trigger.interval == timedelta(hours=1)
    assert job.coalesce is True


async def test_fifty_people_running_find_at_once_all_get_their_modal(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    people = [f"U0LOAD{n:02d}" for n in range(50)]
    for user in people:
        fake_slack.add_user(user, name=user.lower())
    # Every request gets its modal, none is lost or refused. Whether all 50 open within Slack's
    # 3-second trigger life is a matter of speed, measured by `python -m benchmarks.ack` on a
    # quiet machine; here the other test process shares the CPU, so triggers live longer.
    fake_slack.trigger_ttl = 30.0
    sent = await asyncio.gather(*(coach.slack.command("find", user_id=user) for user in people))
    assert {s.status for s in sent} == {200}
    await coach.server.inflight.drain(30)
    opened = [c for c in fake_slack.calls_to("views.open") if c.response.get("ok")]
    assert len(opened) == len(people), [
        c.response.get("error")
        for c in fake_slack.calls_to("views.open")
        if not c.response.get("ok")
    ]
    # Opening the modal wrote nothing.
    assert (await coach.row_counts())["people"] == 0
