"""Flows started both by a command and by an App Home button."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.intents import FIND_COMMANDS, Find, FindKind, JoinProgramme, OfferMentoring
from bot.enrolment import service as enrolment
from bot.people import profile as people_profile
from bot.people.eligibility import (
    EligibilityPolicy,
    GroupUnavailable,
    excluded,
    load_policy,
    refusal,
    usergroup_members,
)
from bot.process.deps import Deps
from bot.slack.blocks.enrolment import (
    flash_message,
    joined_message,
    mentor_offer_message,
    refusal_message,
    slack_busy_message,
)
from bot.slack.blocks.profile import profile_summary
from bot.slack.blocks.programmes import invite_joined_message, join_closed_message
from bot.slack.users import SlackUser
from handlers.dedup import claim_in, record_done
from handlers.identify import Reply
from handlers.modals import open_profile_modal

JoinIntent = Find | OfferMentoring | JoinProgramme


def intent_key(intent: JoinIntent) -> str:
    """How the intent travels through the profile modal's private_metadata."""
    if isinstance(intent, OfferMentoring):
        return f"mentor:{intent.capacity}"
    if isinstance(intent, JoinProgramme):
        return f"programme:{intent.programme_id}"
    return FIND_COMMANDS[intent.kind]


def intent_from_key(key: str) -> JoinIntent | None:
    for kind, name in FIND_COMMANDS.items():
        if key == name:
            return Find(kind)
    prefix, _, argument = key.partition(":")
    if prefix == "mentor" and argument in ("1", "2", "3"):
        return OfferMentoring(int(argument))
    if prefix == "programme" and argument.isascii() and argument.isdigit() and len(argument) < 12:
        return JoinProgramme(int(argument))
    return None


def joined_reply(
    intent: JoinIntent, outcome: enrolment.JoinOutcome, summary: str
) -> dict[str, Any]:
    if isinstance(intent, JoinProgramme):
        return invite_joined_message(outcome.programme_name or "", also_in=outcome.also_in)
    if isinstance(intent, OfferMentoring):
        return mentor_offer_message(
            intent.capacity,
            next_round=outcome.next_round,
            resumed=outcome.resumed,
            also_in=outcome.also_in,
        )
    if intent.kind is FindKind.FLASH and outcome.flash_week is not None:
        return flash_message(outcome.flash_week, resumed=outcome.resumed)
    return joined_message(
        intent.kind,
        next_round=outcome.next_round,
        profile_summary=summary,
        first_time=outcome.first_time,
        resumed=outcome.resumed,
        returned=outcome.returned,
        programme_name=outcome.programme_name,
        added=outcome.added,
        also_in=outcome.also_in,
    )


async def start_find(
    client: AsyncWebClient,
    deps: Deps,
    *,
    team_id: str,
    team_name: str | None,
    user: SlackUser,
    intent: JoinIntent,
    trigger_id: str,
    reply: Reply,
    claim_key: str | None,
) -> None:
    """Join with a profile, or open the profile modal first; saving it completes the join.

    Only reads happen before views.open (the trigger expires 3 s after the click), and no row
    is written for someone who has not submitted a profile yet.
    """
    async with deps.sessions() as session:
        policy = await load_policy(session, team_id)
        person = await enrolment.get_person(session, team_id, user.id)
        profile = await enrolment.profile_of(session, person)
        shown, from_hr = await people_profile.prefill(
            session, team_id, user.id, profile, user.time_zone
        )
    if await _refused(client, team_id, user, policy, reply):
        return
    if profile is None:
        if await open_profile_modal(
            client,
            trigger_id,
            user,
            None,
            intent=intent_key(intent),
            reply=reply,
            prefilled=shown,
            from_hr=from_hr,
        ):
            await record_done(deps, claim_key)
        return
    now = deps.clock()
    async with deps.sessions() as session:
        # The claim first: it takes SQLite's write lock before the reads below.
        if not await claim_in(session, claim_key, now=now):
            return
        await enrolment.ensure_workspace(session, team_id, team_name, now=now)
        person = await enrolment.see_person(session, team_id, user, now=now)
        try:
            outcome = await enrolment.join(session, person, intent, now=now)
        except enrolment.ProgrammeClosed:
            await session.rollback()
            await reply(**join_closed_message())
            return
        await session.commit()
    await reply(**joined_reply(intent, outcome, profile_summary(profile)))


async def _refused(
    client: AsyncWebClient, team_id: str, user: SlackUser, policy: EligibilityPolicy, reply: Reply
) -> bool:
    """Tell someone the eligibility settings keep out why, kindly; True when they were told."""
    try:
        members = await usergroup_members(client, policy.excluded_usergroup_id)
    except GroupUnavailable:
        await reply(**slack_busy_message())
        return True
    reason = refusal(user, team_id, policy, excluded(policy, members))
    if reason is None:
        return False
    await reply(**refusal_message(reason))
    return True


async def open_profile_editor(
    client: AsyncWebClient,
    deps: Deps,
    *,
    team_id: str,
    user: SlackUser,
    trigger_id: str,
    reply: Reply,
) -> None:
    """The profile modal, prefilled with the saved profile (or Slack's defaults). Reads only."""
    async with deps.sessions() as session:
        person = await enrolment.get_person(session, team_id, user.id)
        profile = await enrolment.profile_of(session, person)
        shown, from_hr = await people_profile.prefill(
            session, team_id, user.id, profile, user.time_zone
        )
    await open_profile_modal(
        client,
        trigger_id,
        user,
        profile,
        intent="profile",
        reply=reply,
        prefilled=shown,
        from_hr=from_hr,
    )
