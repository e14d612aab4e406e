"""Questions over signed requests to the real endpoint: `/peercoach question`, and the admin's
question bank modal (add and retire; validated in the ack; refused to non-admins)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.domain import QuestionSource
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.modal_state import option_for, with_values
from bot.questions import admin_form as form
from bot.slack.copy import questions as copy
from storage.models import Person, Question, QuestionSeen
from tests.e2e.driver import Coach, all_text
from tests.fixtures.app import SIGNING_SECRET, make_settings, running_server

ALICE = "U0ALICE"
ADMIN = "U0ADMIN"
NEW = "What would you try if you knew it could not go wrong?"


@pytest.fixture
async def admin_coach(fake_slack: FakeSlack, database_url: str) -> AsyncIterator[Coach]:
    fake_slack.add_user(ADMIN, name="ada", is_admin=True)
    settings = make_settings(fake_slack, database_url)
    async with running_server(settings) as server:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as sender:
            yield Coach(sender, fake_slack, server)


async def _seen_by(coach: Coach, user: str) -> int:
    async with coach.sessions() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(QuestionSeen)
                .join(Person, Person.id == QuestionSeen.person_id)
                .where(Person.slack_user_id == user)
            )
            or 0
        )


async def test_question_on_demand_counts_as_seen(admin_coach: Coach) -> None:
    answer = await admin_coach.ask("question", ALICE)
    assert "not taking part" in all_text(answer)
    await admin_coach.enrol(ALICE)
    answer = await admin_coach.ask("question", ALICE)
    assert answer["response_type"] == "ephemeral"
    assert "A question for you" in all_text(answer)
    assert await _seen_by(admin_coach, ALICE) == 1
    again = await admin_coach.ask("question", ALICE)
    assert all_text(again) != all_text(answer)
    assert await _seen_by(admin_coach, ALICE) == 2


async def _open_bank(coach: Coach, user: str) -> dict[str, Any]:
    mark = len(coach.fake.calls)
    await coach.command("admin questions", user)
    return await coach.opened_view(user, form.CALLBACK_ID, after=mark)


async def _bank(coach: Coach) -> list[Question]:
    async with coach.sessions() as session:
        return list(
            await session.scalars(
                select(Question)
                .where(Question.team_id == coach.slack.team_id)
                .order_by(Question.id)
            )
        )


async def test_admins_add_and_retire_questions_in_the_modal(admin_coach: Coach) -> None:
    view = await _open_bank(admin_coach, ADMIN)
    assert "questions in use" in all_text(view)
    assert len(view["blocks"]) <= 100
    theme = {"selected_option": option_for(view, form.BLOCK_THEME, "growth")}

    # Checked from the payload alone, in the ack: nothing is saved.
    for text, block in (("Tell me more about it.", form.BLOCK_TEXT), ("Why?", form.BLOCK_TEXT)):
        values = with_values(view, {form.BLOCK_THEME: theme, form.BLOCK_TEXT: {"value": text}})
        sent = await admin_coach.submit(form.CALLBACK_ID, view, values, ADMIN)
        assert sent.json["response_action"] == "errors"
        assert block in sent.json["errors"]
    sent = await admin_coach.submit(form.CALLBACK_ID, view, with_values(view, {}), ADMIN)
    assert sent.json["errors"] == {form.BLOCK_TEXT: copy.ERROR_NOTHING}

    before = [q for q in await _bank(admin_coach) if q.retired_at is None]
    retire = [option_for(view, form.BLOCK_RETIRE, str(q.id)) for q in before[:2]]
    values = with_values(
        view,
        {
            form.BLOCK_THEME: theme,
            form.BLOCK_TEXT: {"value": NEW},
            form.BLOCK_RETIRE: {"selected_options": retire},
        },
    )
    mark = len(admin_coach.fake.calls)
    sent = await admin_coach.submit(form.CALLBACK_ID, view, values, ADMIN)
    assert sent.json["response_action"] == "update"
    updated = await admin_coach.updated_view(sent.payload["view"]["id"], mark)
    assert copy.SAVED_ADDED in all_text(updated)
    assert "Retired 2" in all_text(updated)
    assert NEW in all_text(updated)
    after = await _bank(admin_coach)
    added = [q for q in after if q.text == NEW]
    assert len(added) == 1
    assert added[0].source is QuestionSource.ADMIN
    assert {q.id for q in after if q.retired_at is not None} == {q.id for q in before[:2]}

    # The same question again is refused after the ack, with the form kept as typed.
    again = await _open_bank(admin_coach, ADMIN)
    values = with_values(
        again,
        {form.BLOCK_THEME: theme, form.BLOCK_TEXT: {"value": NEW.upper()}},
    )
    mark = len(admin_coach.fake.calls)
    sent = await admin_coach.submit(form.CALLBACK_ID, again, values, ADMIN)
    updated = await admin_coach.updated_view(sent.payload["view"]["id"], mark)
    assert "in use already" in all_text(updated)
    assert NEW.upper() in all_text(updated)
    assert len(await _bank(admin_coach)) == len(after)


async def test_non_admins_are_refused_the_bank(admin_coach: Coach) -> None:
    answer = await admin_coach.ask("admin questions", ALICE)
    assert "admin" in all_text(answer).lower()
    assert not admin_coach.fake.calls_to("views.open")
    # A submission forged by someone who is not an admin changes nothing.
    view = await _open_bank(admin_coach, ADMIN)
    theme = {"selected_option": option_for(view, form.BLOCK_THEME, "career")}
    values = with_values(view, {form.BLOCK_THEME: theme, form.BLOCK_TEXT: {"value": NEW}})
    count = len(await _bank(admin_coach))
    mark = len(admin_coach.fake.calls)
    sent = await admin_coach.submit(form.CALLBACK_ID, view, values, ALICE)
    updated = await admin_coach.updated_view(sent.payload["view"]["id"], mark)
    assert copy.NOT_ADMIN in all_text(updated)
    assert len(await _bank(admin_coach)) == count
