"""Admins and programmes: the programme modal (create, edit, close), channel invitations with
their Join button, and `admin round now` with its confirmation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.domain import Cadence, MembershipState, OutboxStatus, ProgrammeKind, ProgrammeMode
from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.modal_state import option_for, with_values
from bot.programmes import form as pf
from bot.slack.blocks.home import ACTION_ADMIN_PROGRAMMES
from bot.slack.blocks.programmes import (
    ACTION_INVITE_JOIN,
    ACTION_ROUND_NOW_CANCEL,
    ACTION_ROUND_NOW_CONFIRM,
)
from storage.models import Membership, OutboxMessage, Person, ProgrammeRow
from tests.e2e.driver import Coach, all_text
from tests.fixtures.app import SIGNING_SECRET, make_settings, running_server

ALICE, BOB = "U0ALICE", "U0BOB"
ADMIN = "U0ADMIN"
CAROL, DAN, ERIN, GHOST, ROBOT = "U0CAROL", "U0DAN", "U0ERIN", "U0GHOST", "U0ROBOT"
CHANNEL = "C0ENGINEERING"


@pytest.fixture
async def admin_coach(fake_slack: FakeSlack, database_url: str) -> AsyncIterator[Coach]:
    fake_slack.add_user(ADMIN, name="ada", is_admin=True)
    for user in (CAROL, DAN, ERIN):
        fake_slack.add_user(user, name=user[3:].lower())
    fake_slack.add_user(GHOST, name="ghost", deleted=True)
    fake_slack.add_user(ROBOT, name="robot", is_bot=True)
    settings = make_settings(fake_slack, database_url)
    async with running_server(settings) as server:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as sender:
            yield Coach(sender, fake_slack, server)


async def _programmes(coach: Coach) -> dict[str, ProgrammeRow]:
    async with coach.sessions() as session:
        return {p.name: p for p in await session.scalars(select(ProgrammeRow))}


async def _outbox(coach: Coach, kind: str) -> list[OutboxMessage]:
    async with coach.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.key)
        )
        return list(rows)


async def _click(coach: Coach, action_id: str, user: str, value: str) -> dict[str, Any]:
    sent = await coach.slack.block_action(action_id, user_id=user, value=value)
    assert sent.status == 200
    url = sent.payload["response_url"]
    response = await coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    return dict(response.json)


# ------------------------------------------------------------------------------ programmes


async def _open_list(coach: Coach) -> dict[str, Any]:
    mark = len(coach.fake.calls)
    await coach.command("admin programmes", ADMIN)
    return await coach.opened_view(ADMIN, pf.LIST_CALLBACK_ID, after=mark)


async def _push_form(coach: Coach, action_id: str, value: str, list_view: dict[str, Any]) -> Any:
    mark = len(coach.fake.calls)
    await coach.slack.block_action(action_id, user_id=ADMIN, value=value, view=list_view)
    call = await coach.fake.wait_for_call("views.push", after=mark)
    assert call.response.get("ok"), call.response
    return dict(call.response["view"])


def _form_values(view: dict[str, Any], **fields: str | None) -> dict[str, Any]:
    selects = {
        "mode": pf.BLOCK_MODE,
        "cadence": pf.BLOCK_CADENCE,
        "weekday": pf.BLOCK_WEEKDAY,
        "hour": pf.BLOCK_INTRO_HOUR,
        "size": pf.BLOCK_GROUP_SIZE,
        "kind": pf.BLOCK_KIND,
    }
    changes: dict[str, dict[str, Any]] = {}
    for key, block in selects.items():
        if key in fields:
            changes[block] = {"selected_option": option_for(view, block, str(fields[key]))}
    if "name" in fields:
        changes[pf.BLOCK_NAME] = {"value": fields["name"]}
    if "starts" in fields:
        changes[pf.BLOCK_STARTS] = {"selected_date": fields["starts"]}
    if "ends" in fields:
        changes[pf.BLOCK_ENDS] = {"selected_date": fields["ends"]}
    return with_values(view, changes)


async def test_admin_creates_a_cohort_with_validation_then_edits_and_closes_it(
    admin_coach: Coach,
) -> None:
    coach = admin_coach
    await coach.enrol(ALICE)  # creates the default Peer pairs
    list_view = await _open_list(coach)
    assert "Peer pairs" in json.dumps(list_view)
    assert "(default)" in json.dumps(list_view)

    form = await _push_form(coach, pf.ACTION_NEW, "new", list_view)
    today = datetime.now(UTC).date()
    bad = _form_values(
        form, name="Spring circle", mode="circles", size="2", kind="cohort", starts=None
    )
    sent = await coach.submit(pf.FORM_CALLBACK_ID, form, bad, ADMIN)
    assert sent.json["response_action"] == "errors"
    assert set(sent.json["errors"]) == {pf.BLOCK_GROUP_SIZE, pf.BLOCK_STARTS, pf.BLOCK_ENDS}
    short = _form_values(
        form,
        name="Spring circle",
        mode="circles",
        size="4",
        kind="cohort",
        starts=today.isoformat(),
        ends=(today + timedelta(days=3)).isoformat(),
    )
    sent = await coach.submit(pf.FORM_CALLBACK_ID, form, short, ADMIN)
    assert set(sent.json["errors"]) == {pf.BLOCK_ENDS}
    assert "Spring circle" not in await _programmes(coach)

    starts, ends = today + timedelta(days=7), today + timedelta(weeks=9)
    good = _form_values(
        form,
        name="Spring circle",
        mode="circles",
        cadence="weekly",
        weekday="3",
        hour="10",
        size="4",
        kind="cohort",
        starts=starts.isoformat(),
        ends=ends.isoformat(),
    )
    mark = len(coach.fake.calls)
    sent = await coach.submit(pf.FORM_CALLBACK_ID, form, good, ADMIN)
    assert sent.json["response_action"] == "update"
    saved = await coach.updated_view(form["id"], mark)
    assert "is saved" in all_text(saved)
    cohort = (await _programmes(coach))["Spring circle"]
    assert (cohort.mode, cohort.kind, cohort.group_size) == (
        ProgrammeMode.CIRCLES,
        ProgrammeKind.COHORT,
        4,
    )
    assert (cohort.starts_on, cohort.ends_on, cohort.weekday, cohort.intro_hour) == (
        starts,
        ends,
        3,
        10,
    )

    # The same name twice is refused on save, with the form kept as typed.
    form2 = await _push_form(coach, pf.ACTION_NEW, "new", list_view)
    clash = _form_values(form2, name="spring CIRCLE", mode="pairs", size="2", kind="evergreen")
    mark = len(coach.fake.calls)
    await coach.submit(pf.FORM_CALLBACK_ID, form2, clash, ADMIN)
    again = await coach.updated_view(form2["id"], mark)
    assert "already has this name" in all_text(again)
    assert len(await _programmes(coach)) == 2

    # Editing the schedule clears next_round_at so the scheduler plans afresh.
    async with coach.sessions() as session:
        await session.execute(
            update(ProgrammeRow)
            .where(ProgrammeRow.id == cohort.id)
            .values(next_round_at=datetime.now(UTC) + timedelta(days=3))
        )
        await session.commit()
    edit = await _push_form(coach, pf.ACTION_EDIT, str(cohort.id), list_view)
    assert "Spring circle" in json.dumps(edit)
    changed = _form_values(edit, cadence="fortnightly")
    mark = len(coach.fake.calls)
    await coach.submit(pf.FORM_CALLBACK_ID, edit, changed, ADMIN)
    assert "recalculated" in all_text(await coach.updated_view(edit["id"], mark))
    edited = (await _programmes(coach))["Spring circle"]
    assert edited.cadence is Cadence.FORTNIGHTLY
    assert edited.next_round_at is None
    assert edited.starts_on == starts

    # Members are told by DM through the outbox when it closes.
    await coach.ask("find circle", ALICE)  # the evergreen circles, so she stays in something
    async with coach.sessions() as session:
        alice = await session.scalar(select(Person).where(Person.slack_user_id == ALICE))
        assert alice is not None
        session.add(
            Membership(
                team_id=coach.slack.team_id,
                programme_id=cohort.id,
                person_id=alice.id,
                joined_at=datetime.now(UTC),
            )
        )
        await session.commit()
    mark = len(coach.fake.calls)
    await coach.slack.block_action(
        pf.ACTION_CLOSE, user_id=ADMIN, value=str(cohort.id), view=list_view
    )
    updated = await coach.updated_view(list_view["id"], mark)
    assert "is closed" in all_text(updated)
    closed = (await _programmes(coach))["Spring circle"]
    assert closed.closed_at is not None
    [dm] = await _outbox(coach, "closed")
    assert dm.key == f"closed:{cohort.id}:{ALICE}"
    assert dm.open_users == [ALICE]
    assert "still in" in json.dumps(dm.blocks)
    async with coach.sessions() as session:
        state = await session.scalar(
            select(Membership.state).where(Membership.programme_id == cohort.id)
        )
    assert state is MembershipState.LEFT
    # The default programme has no Close button.
    assert f'"value": "{closed.id}"' not in json.dumps(updated)
    pairs = (await _programmes(coach))["Peer pairs"]
    assert all(
        not (e.get("action_id") == pf.ACTION_CLOSE and e.get("value") == str(pairs.id))
        for b in updated["blocks"]
        for e in b.get("elements", [])
    )


async def test_a_member_cannot_open_or_save_programmes(admin_coach: Coach) -> None:
    answer = await admin_coach.ask("admin programmes", ALICE)
    assert "admin" in all_text(answer).lower()
    assert not admin_coach.fake.calls_to("views.open")


# ------------------------------------------------------------------------------ invitations


async def test_invite_a_channel_queues_one_dm_per_new_person_once(admin_coach: Coach) -> None:
    coach = admin_coach
    await coach.enrol(ALICE)
    coach.fake.add_channel(
        CHANNEL, name="engineering", members=[ALICE, CAROL, DAN, ERIN, GHOST, ROBOT]
    )
    answer = all_text(await coach.ask(f"admin invite <#{CHANNEL}|engineering>", ADMIN))
    assert "3 members" in answer
    assert "1 already in the programme" in answer
    assert "1 bots" in answer
    assert "1 deactivated accounts" in answer
    pairs = (await _programmes(coach))["Peer pairs"]
    invites = await _outbox(coach, "invite")
    assert [row.key for row in invites] == [
        f"invite:{pairs.id}:{user}" for user in sorted((CAROL, DAN, ERIN))
    ]
    assert all(row.open_users == [row.key.rsplit(":", 1)[1]] for row in invites)
    assert ACTION_INVITE_JOIN in json.dumps(invites[0].blocks)

    again = all_text(await coach.ask(f"admin invite <#{CHANNEL}|engineering>", ADMIN))
    assert "No new invitations" in again
    assert "3 invited before" in again
    assert len(await _outbox(coach, "invite")) == 3


async def test_invite_to_a_named_programme_and_unknown_names(admin_coach: Coach) -> None:
    coach = admin_coach
    await coach.enrol(ALICE, text="find circle")
    coach.fake.add_channel(CHANNEL, name="engineering", members=[CAROL])
    unknown = all_text(await coach.ask(f"admin invite <#{CHANNEL}> Book club", ADMIN))
    assert "no open programme called *Book club*" in unknown
    assert "Peer circles" in unknown
    await coach.ask(f"admin invite <#{CHANNEL}> peer circles", ADMIN)
    circles = (await _programmes(coach))["Peer circles"]
    assert [row.key for row in await _outbox(coach, "invite")] == [f"invite:{circles.id}:{CAROL}"]


async def test_invite_from_a_channel_the_bot_is_not_in_says_how_to_add_it(
    admin_coach: Coach,
) -> None:
    admin_coach.fake.add_channel(CHANNEL, name="engineering", members=[CAROL], bot_is_member=False)
    answer = all_text(await admin_coach.ask(f"admin invite <#{CHANNEL}>", ADMIN))
    assert "/invite @peercoach" in answer
    assert await _outbox(admin_coach, "invite") == []
    malformed = await admin_coach.command("admin invite engineering", ADMIN)
    assert "admin invite #" in all_text(malformed.json)


async def test_join_button_opens_the_profile_for_a_newcomer_and_joins_a_known_person(
    admin_coach: Coach,
) -> None:
    coach = admin_coach
    await coach.enrol(ALICE)
    await coach.enrol(BOB, text="find circle")
    circles = (await _programmes(coach))["Peer circles"]

    answer = all_text(await _click(coach, ACTION_INVITE_JOIN, ALICE, str(circles.id)))
    assert "You joined *Peer circles*" in answer
    assert "also still in *Peer pairs*" in answer

    mark = len(coach.fake.calls)
    await coach.slack.block_action(ACTION_INVITE_JOIN, user_id=CAROL, value=str(circles.id))
    view = await coach.opened_view(CAROL, PROFILE_CALLBACK_ID, after=mark)
    mark = len(coach.fake.calls)
    await coach.submit(PROFILE_CALLBACK_ID, view, coach.profile_values(view), CAROL)
    dm = await coach.dm_after(CAROL, mark)
    assert "Peer circles" in all_text(dm)
    async with coach.sessions() as session:
        joined = set(
            await session.scalars(
                select(Person.slack_user_id)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.programme_id == circles.id)
            )
        )
    assert joined == {ALICE, BOB, CAROL}


async def test_join_after_the_programme_closed_changes_nothing(admin_coach: Coach) -> None:
    coach = admin_coach
    await coach.enrol(ALICE)
    await coach.enrol(BOB, text="find circle")
    circles = (await _programmes(coach))["Peer circles"]
    async with coach.sessions() as session:
        await session.execute(
            update(ProgrammeRow)
            .where(ProgrammeRow.id == circles.id)
            .values(closed_at=datetime.now(UTC))
        )
        await session.commit()
    answer = all_text(await _click(coach, ACTION_INVITE_JOIN, ALICE, str(circles.id)))
    assert "has closed" in answer
    async with coach.sessions() as session:
        count = len(
            list(
                await session.scalars(
                    select(Membership).where(Membership.programme_id == circles.id)
                )
            )
        )
    assert count == 1  # only Bob's, from before


# ------------------------------------------------------------------------------ round now


async def test_round_now_asks_first_then_makes_the_round_due_once(admin_coach: Coach) -> None:
    coach = admin_coach
    await coach.enrol(ALICE)
    await coach.enrol(BOB)
    refused = all_text(await coach.ask("admin round now", ALICE))
    assert "admin" in refused.lower()
    assert ACTION_ROUND_NOW_CONFIRM not in refused

    question = all_text(await coach.ask("admin round now", ADMIN))
    assert "Start a round of Peer pairs now?" in question
    assert "2 active members" in question
    pairs = (await _programmes(coach))["Peer pairs"]
    assert pairs.next_round_at is None

    cancelled = all_text(await _click(coach, ACTION_ROUND_NOW_CANCEL, ADMIN, str(pairs.id)))
    assert "no round was started" in cancelled
    assert (await _programmes(coach))["Peer pairs"].next_round_at is None

    # A member who got hold of the button is refused on the click too.
    member = all_text(await _click(coach, ACTION_ROUND_NOW_CONFIRM, ALICE, str(pairs.id)))
    assert "admin" in member.lower()
    assert (await _programmes(coach))["Peer pairs"].next_round_at is None

    payload = coach.slack.block_action_payload(
        ACTION_ROUND_NOW_CONFIRM, user_id=ADMIN, value=str(pairs.id)
    )
    sent = await coach.slack._post_interaction(payload)
    url = sent.payload["response_url"]
    started = await coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    assert "starts within a minute" in all_text(started.json)
    due = (await _programmes(coach))["Peer pairs"].next_round_at
    assert due is not None
    assert abs((due - datetime.now(UTC)).total_seconds()) < 60

    # The same click delivered again does nothing a second time.
    async with coach.sessions() as session:
        await session.execute(update(ProgrammeRow).values(next_round_at=None))
        await session.commit()
    await coach.slack._post_interaction(payload)
    await coach.server.inflight.drain(10)
    assert (await _programmes(coach))["Peer pairs"].next_round_at is None


async def test_round_now_names_a_programme_and_refuses_unknown_ones(admin_coach: Coach) -> None:
    coach = admin_coach
    await coach.enrol(ALICE, text="find circle")
    question = all_text(await coach.ask("admin round now Peer circles", ADMIN))
    assert "Start a round of Peer circles now?" in question
    assert "1 active member" in question
    unknown = all_text(await coach.ask("admin round now Chess", ADMIN))
    assert "no open programme called *Chess*" in unknown


# ------------------------------------------------------------------------------ App Home


async def test_admin_home_shows_programmes_and_undelivered_messages(admin_coach: Coach) -> None:
    coach = admin_coach
    await coach.enrol(ALICE)
    await coach.ask("find circle", ALICE)
    coach.fake.add_channel(CHANNEL, name="engineering", members=[CAROL])
    await coach.ask(f"admin invite <#{CHANNEL}>", ADMIN)
    async with coach.sessions() as session:
        await session.execute(
            update(OutboxMessage).values(status=OutboxStatus.FAILED, last_error="user_not_found")
        )
        await session.commit()
    mark = len(coach.fake.calls)
    await coach.slack.event({"type": "app_home_opened", "user": ADMIN, "tab": "home"})
    home = json.dumps(await coach.home_after(ADMIN, mark), ensure_ascii=False)
    assert "*Peer pairs* (default) · pairs · every week on Mondays · 1 member" in home
    assert "*Peer circles* · circles" in home
    assert "1 message could not be delivered: 1 invite (user_not_found)" in home
    mark = len(coach.fake.calls)
    await coach.slack.event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    member_home = json.dumps(await coach.home_after(ALICE, mark))
    assert "could not be delivered" not in member_home

    mark = len(coach.fake.calls)
    await coach.slack.block_action(
        ACTION_ADMIN_PROGRAMMES, user_id=ADMIN, view={"id": "VH", "type": "home"}
    )
    listed = await coach.opened_view(ADMIN, pf.LIST_CALLBACK_ID, after=mark)
    assert "Peer circles" in json.dumps(listed)
