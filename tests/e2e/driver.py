"""A test driver that uses peercoach the way a person does: slash commands, modals, buttons.

Everything goes over the wire: signed requests to the app's real endpoint, the app's answers
through the fake Slack's response_url and Web API, and the database read back directly.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.domain import MembershipRole, MembershipState, ProgrammeMode
from bot.enrolment.profile_form import (
    BLOCK_FUNCTION,
    BLOCK_GOAL_TAGS,
    BLOCK_GOALS,
    BLOCK_LEVEL,
    BLOCK_TIME_ZONE,
)
from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.modal_state import option_for, with_values
from bot.fakes.requests import SentRequest
from bot.fakes.slack import RecordedCall
from bot.process.runtime import Server
from storage.base import Base
from storage.models import Membership, Person, ProgrammeRow

ACK_LIMIT_SECONDS = 3.0


def all_text(message: dict[str, Any]) -> str:
    return "\n".join([str(message.get("text", "")), json.dumps(message.get("blocks", []))])


class Coach:
    def __init__(self, slack: SlackRequestSender, fake: FakeSlack, server: Server) -> None:
        self.slack = slack
        self.fake = fake
        self.server = server
        self.sessions = async_sessionmaker(server.engine, expire_on_commit=False)

    # ------------------------------------------------------------------ commands

    async def command(self, text: str, user: str, **overrides: Any) -> SentRequest:
        sent = await self.slack.command(text, user_id=user, **overrides)
        assert sent.status == 200, sent.body
        assert sent.elapsed < ACK_LIMIT_SECONDS
        return sent

    async def ask(self, text: str, user: str, **overrides: Any) -> dict[str, Any]:
        """The answer to a command, whether it came in the ack or later via response_url."""
        sent = await self.command(text, user, **overrides)
        if sent.body:
            return dict(sent.json)
        url = sent.payload["response_url"]
        response = await self.fake.wait_for_response(predicate=lambda r: r.url == url)
        return dict(response.json)

    async def send_twice(self, text: str, user: str) -> tuple[SentRequest, SentRequest]:
        """The same signed command delivered twice, as when Slack retries it."""
        payload = self.slack.command_payload(text, user_id=user)
        body = urlencode(payload)
        first = await self.slack.post_raw(body, "application/x-www-form-urlencoded")
        second = await self.slack.post_raw(body, "application/x-www-form-urlencoded")
        return first, second

    # ------------------------------------------------------------------ modals

    async def opened_view(self, user: str, callback_id: str, *, after: int = 0) -> dict[str, Any]:
        call = await self.fake.wait_for_call(
            "views.open", predicate=lambda c: _callback(c) == callback_id, after=after
        )
        assert call.response.get("ok"), call.response
        return dict(call.response["view"])

    async def open_profile(self, text: str, user: str) -> dict[str, Any]:
        mark = len(self.fake.calls)
        await self.command(text, user)
        return await self.opened_view(user, PROFILE_CALLBACK_ID, after=mark)

    def profile_values(
        self,
        view: dict[str, Any],
        *,
        function: str = "engineering",
        level: str = "3",
        goal: str = "Give clearer feedback to my team",
        tags: tuple[str, ...] = ("giving-feedback",),
        time_zone: str | None = None,
        **changes: dict[str, Any],
    ) -> dict[str, Any]:
        fields: dict[str, dict[str, Any]] = {
            BLOCK_FUNCTION: {"selected_option": option_for(view, BLOCK_FUNCTION, function)},
            BLOCK_LEVEL: {"selected_option": option_for(view, BLOCK_LEVEL, level)},
            BLOCK_GOALS[0]: {"value": goal},
            BLOCK_GOAL_TAGS: {
                "selected_options": [option_for(view, BLOCK_GOAL_TAGS, t) for t in tags]
            },
        }
        if time_zone is not None:
            fields[BLOCK_TIME_ZONE] = {"value": time_zone}
        fields.update(changes)
        return with_values(view, fields)

    async def submit(
        self, callback_id: str, view: dict[str, Any], values: dict[str, Any], user: str
    ) -> SentRequest:
        sent = await self.slack.view_submission(
            callback_id,
            values,
            user_id=user,
            private_metadata=view.get("private_metadata", ""),
            view=view,
        )
        assert sent.status == 200, sent.body
        assert sent.elapsed < ACK_LIMIT_SECONDS
        return sent

    async def enrol(self, user: str, text: str = "find", **profile: Any) -> dict[str, Any]:
        """Run `find` (or another joining command) and fill in the profile modal."""
        view = await self.open_profile(text, user)
        mark = len(self.fake.calls)
        sent = await self.submit(
            PROFILE_CALLBACK_ID, view, self.profile_values(view, **profile), user
        )
        # The ack swaps in a "saving…" view; the result follows with views.update and a DM.
        assert sent.json["response_action"] == "update", sent.body
        return await self.dm_after(user, mark)

    async def updated_view(self, view_id: str, mark: int) -> dict[str, Any]:
        """The view the app put in place of modal `view_id` (views.update) after `mark`."""
        call = await self.fake.wait_for_call(
            "views.update", predicate=lambda c: c.args.get("view_id") == view_id, after=mark
        )
        assert call.response.get("ok"), call.response
        return dict(call.response["view"])

    async def dm_after(self, user: str, mark: int) -> dict[str, Any]:
        call = await self.fake.wait_for_call(
            "chat.postMessage", predicate=lambda c: c.args.get("channel") == user, after=mark
        )
        return dict(call.args)

    async def home_after(self, user: str, mark: int, containing: str = "") -> dict[str, Any]:
        """The first App Home published for `user` after `mark` that contains `containing`
        (earlier flows may still be publishing theirs)."""
        call = await self.fake.wait_for_call(
            "views.publish",
            predicate=lambda c: (
                c.args.get("user_id") == user and containing in json.dumps(c.args.get("view"))
            ),
            after=mark,
        )
        view = call.args["view"]
        return json.loads(view) if isinstance(view, str) else dict(view)

    # ------------------------------------------------------------------ database

    async def person(self, user: str) -> Person | None:
        async with self.sessions() as session:
            result = await session.scalars(select(Person).where(Person.slack_user_id == user))
            return result.one_or_none()

    async def memberships(self, user: str) -> set[tuple[ProgrammeMode, MembershipRole]]:
        """The modes of the programmes `user` is an active member of, with their role."""
        async with self.sessions() as session:
            result = await session.execute(
                select(ProgrammeRow.mode, Membership.role)
                .join(Membership, Membership.programme_id == ProgrammeRow.id)
                .join(Person, Person.id == Membership.person_id)
                .where(Person.slack_user_id == user, Membership.state == MembershipState.ACTIVE)
            )
            return set(result.tuples())

    async def row_counts(self) -> dict[str, int]:
        """Rows per table, leaving out the curated question bank every database starts with."""
        async with self.sessions() as session:
            counts: dict[str, int] = {}
            for table in Base.metadata.sorted_tables:
                query = select(func.count()).select_from(table)
                if table.name == "questions":
                    query = query.where(table.c.team_id.is_not(None))
                counts[table.name] = int(await session.scalar(query) or 0)
            return counts


def _callback(call: RecordedCall) -> str | None:
    view = call.args.get("view")
    if isinstance(view, str):
        view = json.loads(view)
    return view.get("callback_id") if isinstance(view, dict) else None
