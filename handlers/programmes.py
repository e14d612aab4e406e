"""Programmes from Slack: leaving one of several, invitations and their Join button,
`admin round now` and its confirmation, and the admin's programme list and form.

Every listener acknowledges first. Changes are claimed (handlers/dedup.py) in the transaction
that makes them, so a replayed click or submission does nothing twice.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.intents import AdminInvite, AdminRoundNow, JoinProgramme
from bot.domain import ProgrammeMode
from bot.enrolment import service as enrolment
from bot.people.eligibility import (
    EligibilityPolicy,
    GroupUnavailable,
    excluded,
    load_policy,
    usergroup_members,
)
from bot.process.deps import Deps, deps_of
from bot.programmes import admin
from bot.programmes import form as pf
from bot.programmes.service import get_or_create_programme
from bot.slack.admins import admin_now, is_admin
from bot.slack.blocks.enrolment import (
    left_message,
    not_admin_message,
    not_enrolled_message,
    slack_busy_message,
)
from bot.slack.blocks.home import ACTION_ADMIN_PROGRAMMES
from bot.slack.blocks.programmes import (
    ACTION_INVITE_JOIN,
    ACTION_LEAVE_PROGRAMME,
    ACTION_ROUND_NOW_CANCEL,
    ACTION_ROUND_NOW_CONFIRM,
    LEAVE_ALL,
    invite_not_in_channel_message,
    invite_report_message,
    invite_slack_busy_message,
    join_closed_message,
    left_not_in_message,
    left_one_message,
    programme_form,
    programmes_modal,
    round_now_cancelled_message,
    round_now_closed_message,
    round_now_confirmation,
    round_now_started_message,
    unknown_programme_message,
)
from bot.slack.blocks.progress import status_modal, with_notice
from bot.slack.copy import programmes as copy
from bot.slack.failures import SLACK_NETWORK_ERRORS
from bot.slack.mrkdwn import escape
from bot.slack.users import Eligibility, SlackUnavailable, UnknownUser, fetch_user
from handlers.actions import busy_answered
from handlers.dedup import action_key, claim_in, submission_key
from handlers.flows import start_find
from handlers.home import publish_home
from handlers.identify import Reply, admin_or_refused, identify
from handlers.messages import dm_replier
from handlers.payload import parties, state_values
from handlers.view_calls import replace_view
from storage.session import DATABASE_UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)

# conversations.members pages; Slack recommends no more than 200 per page.
MEMBERS_PAGE = 200
MAX_CHANNEL_MEMBERS = 5_000
_NO_ACCESS = frozenset(
    {"not_in_channel", "channel_not_found", "method_not_supported_for_channel_type"}
)


async def _open(
    client: AsyncWebClient, trigger_id: str, view: dict[str, Any], *, push: bool
) -> bool:
    try:
        if push:
            await client.views_push(trigger_id=trigger_id, view=view)
        else:
            await client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, *SLACK_NETWORK_ERRORS) as exc:
        logger.warning("opening a programme view failed: %r", exc)
        return False
    return True


async def _list_view(deps: Deps, team_id: str, *, notice: str | None = None) -> dict[str, Any]:
    async with deps.sessions() as session:
        listed = await admin.admin_programmes(session, team_id, today=deps.clock().date())
    return programmes_modal(listed, notice=notice)


# ------------------------------------------------------------------------------ commands


async def open_programmes_modal(
    client: AsyncWebClient, trigger_id: str, team_id: str, deps: Deps, *, reply: Reply
) -> None:
    """The admin's programme list. Reads only, then views.open on the command's trigger."""
    view = await _list_view(deps, team_id)
    if not await _open(client, trigger_id, view, push=False):
        await reply(**slack_busy_message())


async def ask_round_now(deps: Deps, team_id: str, intent: AdminRoundNow, reply: Reply) -> None:
    """Name the programme and its active members, with Confirm / Cancel. Changes nothing."""
    async with deps.sessions() as session:
        resolved = await admin.resolve_programme(session, team_id, intent.programme)
        programme = resolved.programme
        if programme is None:
            await reply(**unknown_programme_message(intent.programme or "", resolved.names))
            return
        members = await admin.active_member_count(session, programme)
    await reply(**round_now_confirmation(programme.id, programme.name, members))


async def invite_channel(
    client: AsyncWebClient,
    deps: Deps,
    team_id: str,
    team_name: str | None,
    intent: AdminInvite,
    reply: Reply,
) -> None:
    """Queue one invitation per channel member not in the programme; report counts only."""
    now = deps.clock()
    async with deps.sessions() as session:
        if intent.programme is None:
            await enrolment.ensure_workspace(session, team_id, team_name, now=now)
            programme = await get_or_create_programme(
                session, team_id, ProgrammeMode.PAIRS, now=now
            )
            await session.commit()
        else:
            resolved = await admin.resolve_programme(session, team_id, intent.programme)
            if resolved.programme is None:
                await reply(**unknown_programme_message(intent.programme, resolved.names))
                return
            programme = resolved.programme
    try:
        member_ids = await _channel_members(client, intent.channel_id)
    except SlackApiError as exc:
        error = str(exc.response.get("error", "")) if exc.response is not None else ""
        if error in _NO_ACCESS:
            await reply(**invite_not_in_channel_message(intent.channel_id))
            return
        logger.warning("conversations.members failed: %s", error or type(exc).__name__)
        await reply(**invite_slack_busy_message())
        return
    except SLACK_NETWORK_ERRORS as exc:
        logger.warning("conversations.members failed: %s", type(exc).__name__)
        await reply(**invite_slack_busy_message())
        return
    async with deps.sessions() as session:
        policy = await load_policy(session, team_id)
    allow_guests = not policy.exclude_guests
    candidates = [
        await _candidate(client, team_id, user_id, allow_guests=allow_guests)
        for user_id in member_ids
    ]
    candidates = await _without_excluded(client, policy, candidates)
    async with deps.sessions() as session:
        programme_row = await admin.resolve_programme(session, team_id, programme.name)
        if programme_row.programme is None:
            await reply(**join_closed_message())
            return
        report = await admin.queue_invitations(
            session, programme_row.programme, candidates, now=now
        )
        await session.commit()
    logger.info(
        "queued %d invitations for programme %d (%d skipped)",
        report.invited,
        programme.id,
        sum(report.skipped.values()),
    )
    await reply(
        **invite_report_message(programme.name, intent.channel_id, report.invited, report.skipped)
    )


async def _channel_members(client: AsyncWebClient, channel_id: str) -> list[str]:
    members: list[str] = []
    cursor: str | None = None
    while len(members) < MAX_CHANNEL_MEMBERS:
        response = await client.conversations_members(
            channel=channel_id, limit=MEMBERS_PAGE, cursor=cursor
        )
        members += [str(m) for m in response.get("members") or []]
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    return list(dict.fromkeys(members))


_REFUSALS = {
    Eligibility.DELETED: "deleted",
    Eligibility.BOT: "bot",
    Eligibility.EXTERNAL: "guest",
    Eligibility.RESTRICTED: "guest",
}


async def _without_excluded(
    client: AsyncWebClient, policy: EligibilityPolicy, candidates: list[admin.Candidate]
) -> list[admin.Candidate]:
    """Candidates the eligibility settings exclude, by id or through the excluded user
    group, are not invited (counted apart)."""
    try:
        members = await usergroup_members(client, policy.excluded_usergroup_id)
    except GroupUnavailable:
        # Unknown group members: invite nobody from the group rather than someone excluded.
        return [dataclasses.replace(c, refusal=c.refusal or "unknown") for c in candidates]
    out = excluded(policy, members)
    return [
        dataclasses.replace(c, refusal="excluded") if c.refusal is None and c.user_id in out else c
        for c in candidates
    ]


async def _candidate(
    client: AsyncWebClient, team_id: str, user_id: str, *, allow_guests: bool
) -> admin.Candidate:
    """A channel member, with why they can't be invited: the same rule as `find`, so guests
    are invited only when the eligibility settings let guests take part."""
    try:
        user = await fetch_user(client, user_id)
    except SlackUnavailable:
        return admin.Candidate(user_id, "unknown")
    except UnknownUser:
        return admin.Candidate(user_id, "deleted")
    eligibility = user.eligibility(team_id, allow_guests=allow_guests)
    if eligibility is Eligibility.OK:
        return admin.Candidate(user_id)
    return admin.Candidate(user_id, _REFUSALS.get(eligibility, "guest"))


# ------------------------------------------------------------------------------ leaving


async def on_leave_programme(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    now = deps.clock()
    async with deps.sessions() as session:
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        person = await enrolment.get_person(session, team_id, user_id)
        if person is None or not enrolment.is_taking_part(person):
            await session.rollback()
            await respond(replace_original=True, **not_enrolled_message("leave"))
            return
        if value == LEAVE_ALL:
            await enrolment.leave(session, person, now=now)
            message = left_message()
        elif value.isascii() and value.isdigit():
            outcome = await enrolment.leave_programme(session, person, int(value), now=now)
            if outcome.left is None:
                message = left_not_in_message()
            elif outcome.remaining:
                message = left_one_message(outcome.left, outcome.remaining)
            else:
                message = left_message()
        else:
            await session.rollback()
            return
        await session.commit()
    await respond(replace_original=True, **message)
    await publish_home(client, deps, team_id, user_id)


# ------------------------------------------------------------------------------ invitations


async def on_invite_join(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    """Join from an invitation: the profile modal first for someone new, else join at once."""
    await ack()
    deps = deps_of(context)
    user_id, team_id, team_name = parties(body)
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    if not (value.isascii() and value.isdigit() and len(value) < 12):
        return
    intent = JoinProgramme(int(value))
    user = await identify(client, user_id, team_id, dm_replier(client, user_id), deps)
    if user is None:
        return

    async def replace(**message: Any) -> None:
        await respond(replace_original=True, **message)

    # The same flow as `find`: the invitation's button stands in for the command.
    await start_find(
        client,
        deps,
        team_id=team_id,
        team_name=team_name,
        user=user,
        intent=intent,
        trigger_id=body.get("trigger_id", ""),
        reply=replace,
        claim_key=action_key(body, user_id),
    )
    await publish_home(client, deps, team_id, user_id)


# ------------------------------------------------------------------------------ round now


async def on_round_now_confirm(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    if not (value.isascii() and value.isdigit() and len(value) < 12):
        return
    allowed = await admin_now(client, user_id, deps.admins)
    if allowed is None:
        await respond(replace_original=False, **slack_busy_message())
        return
    if not allowed:
        await respond(replace_original=True, **not_admin_message())
        return
    now = deps.clock()
    async with deps.sessions() as session:
        # A replayed click finds its claim and starts nothing a second time.
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        try:
            programme = await admin.start_round_now(session, team_id, int(value), now=now)
        except admin.ProgrammeGone:
            await session.rollback()
            gone = await admin.get_programme(session, team_id, int(value))
            name = gone.name if gone is not None else ""
            await respond(replace_original=True, **round_now_closed_message(name))
            return
        name = programme.name
        await session.commit()
    logger.info("round of programme %s made due now by an admin", value)
    await respond(replace_original=True, **round_now_started_message(name))


async def on_round_now_cancel(ack: AsyncAck, respond: AsyncRespond) -> None:
    await ack()
    await respond(replace_original=True, **round_now_cancelled_message())


# ------------------------------------------------------------------------------ admin modal


async def on_home_admin_programmes(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    reply = dm_replier(client, user_id)
    user = await identify(client, user_id, team_id, reply, deps)
    if user is None:
        return
    if not is_admin(user, deps.admins):
        await reply(**not_admin_message())
        return
    await open_programmes_modal(client, body.get("trigger_id", ""), team_id, deps, reply=reply)


async def _admin_click(client: AsyncWebClient, body: dict[str, Any], deps: Deps) -> bool:
    user_id, _, _ = parties(body)
    return await admin_or_refused(client, user_id, deps, dm_replier(client, user_id))


async def on_programme_new(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    await ack()
    if not await _admin_click(client, body, deps_of(context)):
        return
    await _open(
        client, body.get("trigger_id", ""), programme_form(None, programme_id=None), push=True
    )


async def on_programme_edit(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    await ack()
    deps = deps_of(context)
    _, team_id, _ = parties(body)
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    if not (value.isascii() and value.isdigit() and len(value) < 12):
        return
    if not await _admin_click(client, body, deps):
        return
    async with deps.sessions() as session:
        found = await admin.get_programme(session, team_id, int(value))
    if found is None or found.closed_at is not None:
        return
    view = programme_form(admin.input_of(found), programme_id=found.id)
    await _open(client, body.get("trigger_id", ""), view, push=True)


async def on_programme_close(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    view_id = (body.get("view") or {}).get("id")
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    if not (value.isascii() and value.isdigit() and len(value) < 12):
        return
    allowed = await admin_now(client, user_id, deps.admins)
    if not allowed:
        words = copy.NOT_ADMIN if allowed is False else copy.NOT_SAVED
        await replace_view(client, view_id, await _list_view(deps, team_id, notice=words))
        return
    now = deps.clock()
    notice: str
    async with deps.sessions() as session:
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        try:
            closed = await admin.close_programme(session, team_id, int(value), now=now)
        except admin.DefaultNotClosable as refused:
            await session.rollback()
            notice = copy.CLOSE_DEFAULT_REFUSED.format(
                name=escape(refused.name), slash="/peercoach"
            )
        except admin.ProgrammeGone:
            await session.rollback()
            return
        else:
            await session.commit()
            notice = copy.CLOSED_NOTICE.format(name=escape(closed.name), count=closed.told)
            logger.info("programme %s closed; %d members told", value, closed.told)
    await replace_view(client, view_id, await _list_view(deps, team_id, notice=notice))


async def on_programme_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    deps = deps_of(context)
    data = pf.parse_submission(state_values(view), today=deps.clock().date())
    if isinstance(data, dict):
        await ack(response_action="errors", errors=data)
        return
    await ack(response_action="update", view=status_modal(copy.LIST_TITLE, copy.SAVING))
    user_id, team_id, team_name = parties(body)
    view_id = view.get("id")
    programme_id = pf.programme_id_from(view.get("private_metadata"))
    again = programme_form(data, programme_id=programme_id)
    allowed = await admin_now(client, user_id, deps.admins)
    if allowed is None:
        await replace_view(client, view_id, with_notice(again, copy.NOT_SAVED))
        return
    if not allowed:
        await replace_view(client, view_id, status_modal(copy.LIST_TITLE, copy.NOT_ADMIN))
        return
    now = deps.clock()
    try:
        async with deps.sessions() as session:
            if not await claim_in(session, submission_key(view), now=now):
                return
            await enrolment.ensure_workspace(session, team_id, team_name, now=now)
            try:
                saved = await admin.save_programme(session, team_id, programme_id, data, now=now)
            except admin.NameTaken:
                await session.rollback()
                await replace_view(client, view_id, with_notice(again, copy.ERROR_NAME_TAKEN))
                return
            except admin.ProgrammeGone:
                await session.rollback()
                await replace_view(client, view_id, status_modal(copy.LIST_TITLE, copy.LEFT_NOT_IN))
                return
            await session.commit()
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        logger.warning("programme not saved: %s", type(exc).__name__)
        await replace_view(client, view_id, with_notice(again, copy.NOT_SAVED))
        return
    words = copy.SAVED.format(name=escape(saved.name))
    if saved.schedule_reset:
        words += " " + copy.SAVED_SCHEDULE_RESET
    await replace_view(client, view_id, status_modal(copy.LIST_TITLE, words, close=copy.DONE))
    root = view.get("root_view_id")
    if root and root != view_id:
        try:
            await replace_view(client, root, await _list_view(deps, team_id))
        except DATABASE_UNAVAILABLE_ERRORS as exc:
            logger.warning("programme list not refreshed: %s", type(exc).__name__)
    logger.info("programme %d saved", saved.programme_id)


def register(app: AsyncApp) -> None:
    app.action(ACTION_LEAVE_PROGRAMME)(busy_answered(on_leave_programme))
    app.action(ACTION_INVITE_JOIN)(busy_answered(on_invite_join))
    app.action(ACTION_ROUND_NOW_CONFIRM)(busy_answered(on_round_now_confirm))
    app.action(ACTION_ROUND_NOW_CANCEL)(on_round_now_cancel)
    app.action(ACTION_ADMIN_PROGRAMMES)(busy_answered(on_home_admin_programmes))
    app.action(pf.ACTION_NEW)(on_programme_new)
    app.action(pf.ACTION_EDIT)(busy_answered(on_programme_edit))
    app.action(pf.ACTION_CLOSE)(busy_answered(on_programme_close))
    app.view(pf.FORM_CALLBACK_ID)(on_programme_submitted)
