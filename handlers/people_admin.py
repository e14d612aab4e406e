"""`admin eligibility`: show or change who may take part (the admin check is done before)."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.enrolment.service import ensure_workspace
from bot.people import admin
from bot.people.eligibility import (
    EligibilityPolicy,
    GroupUnavailable,
    load_policy,
    save_policy,
    usergroup_members,
)
from bot.process.deps import Deps
from handlers.identify import Reply
from storage.repositories.outbox import OutboxRepository

logger = logging.getLogger(__name__)


async def eligibility_command(
    client: AsyncWebClient,
    deps: Deps,
    team_id: str,
    team_name: str | None,
    words: tuple[str, ...],
    reply: Reply,
) -> None:
    now = deps.clock()
    async with deps.sessions() as session:
        policy = await load_policy(session, team_id)
    try:
        changed = admin.apply(policy, words)
    except admin.BadEligibilityCommand as exc:
        await reply(text=str(exc))
        return
    if changed is not None and changed != policy:
        # Read from Slack before the transaction opens, so no lock waits on the network.
        newly_out = await _newly_excluded(client, policy, changed)
        async with deps.sessions() as session:
            await ensure_workspace(session, team_id, team_name, now=now)
            await save_policy(session, team_id, changed)
            # An invitation queued before the change must not reach someone it now excludes.
            withdrawn = await OutboxRepository(session).cancel_invitations(team_id, newly_out)
            await session.commit()
        if withdrawn:
            logger.info("withdrew %d invitations in %s", withdrawn, team_id)
        policy = changed
    head = ["Saved."] if changed is not None else []
    await reply(text="\n".join([*head, *admin.describe(policy), admin.USAGE]))


async def _newly_excluded(
    client: AsyncWebClient, before: EligibilityPolicy, after: EligibilityPolicy
) -> frozenset[str]:
    """The people the change excludes by name or through a newly chosen user group. Guests
    excluded again are not looked up one by one: their invitations' Join button still refuses
    them kindly."""
    out = after.excluded_user_ids - before.excluded_user_ids
    if after.excluded_usergroup_id and after.excluded_usergroup_id != before.excluded_usergroup_id:
        try:
            out |= await usergroup_members(client, after.excluded_usergroup_id)
        except GroupUnavailable:
            # The setting is saved all the same; the group is read again at every round, at
            # every invitation and at every `find`.
            logger.warning("excluded user group unreadable while withdrawing invitations")
    return out
