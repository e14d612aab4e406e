"""Who may take part: the workspace's eligibility settings and the checks that apply them.

Bots and deactivated accounts never take part (`bot.slack.users.SlackUser.eligibility`);
guests are left out unless an admin lets them in; an admin may also exclude people by id or
every member of one Slack user group (service accounts, executives who asked). The same
checks run when someone asks to join and when a round is matched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.slack.failures import SLACK_NETWORK_ERRORS
from bot.slack.users import Eligibility, SlackUser
from storage.repositories.directory import EligibilityRepository

logger = logging.getLogger(__name__)

MAX_EXCLUDED = 500


@dataclass(frozen=True, slots=True)
class EligibilityPolicy:
    exclude_guests: bool = True
    same_manager_apart: bool = True
    hr_fields_editable: bool = True
    excluded_user_ids: frozenset[str] = field(default_factory=frozenset)
    excluded_usergroup_id: str | None = None


async def load_policy(session: AsyncSession, team_id: str) -> EligibilityPolicy:
    row = await EligibilityRepository(session).get(team_id)
    if row is None:
        return EligibilityPolicy()
    return EligibilityPolicy(
        exclude_guests=row.exclude_guests,
        same_manager_apart=row.same_manager_apart,
        hr_fields_editable=row.hr_fields_editable,
        excluded_user_ids=frozenset(row.excluded_user_ids),
        excluded_usergroup_id=row.excluded_usergroup_id,
    )


async def save_policy(session: AsyncSession, team_id: str, policy: EligibilityPolicy) -> None:
    await EligibilityRepository(session).save(
        team_id,
        {
            "exclude_guests": policy.exclude_guests,
            "same_manager_apart": policy.same_manager_apart,
            "hr_fields_editable": policy.hr_fields_editable,
            "excluded_user_ids": sorted(policy.excluded_user_ids)[:MAX_EXCLUDED],
            "excluded_usergroup_id": policy.excluded_usergroup_id,
        },
    )


class GroupUnavailable(Exception):
    """Slack did not list the excluded user group's members just now."""


async def usergroup_members(client: AsyncWebClient, usergroup_id: str | None) -> frozenset[str]:
    """Members of the excluded user group (`usergroups.users.list`); empty when none is set
    or the group no longer exists. Raises `GroupUnavailable` when Slack does not answer, so
    nobody excluded slips in because of a timeout."""
    if not usergroup_id:
        return frozenset()
    try:
        response = await client.usergroups_users_list(usergroup=usergroup_id)
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if error in ("no_such_subteam", "subteam_not_found"):
            logger.warning("excluded user group %s does not exist", usergroup_id)
            return frozenset()
        raise GroupUnavailable(str(error)) from exc
    except SLACK_NETWORK_ERRORS as exc:
        raise GroupUnavailable("network") from exc
    return frozenset(str(u) for u in response.get("users") or [])


def excluded(policy: EligibilityPolicy, group_members: Iterable[str]) -> frozenset[str]:
    return policy.excluded_user_ids | frozenset(group_members)


def refusal(
    user: SlackUser, team_id: str, policy: EligibilityPolicy, out: frozenset[str]
) -> str | None:
    """Why the user may not take part ("deleted", "bot", "external", "restricted",
    "excluded"), or None when they may."""
    eligibility = user.eligibility(team_id, allow_guests=not policy.exclude_guests)
    if eligibility is not Eligibility.OK:
        return eligibility.value
    if user.id in out:
        return "excluded"
    return None
