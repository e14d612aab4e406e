"""Who is asking: `users.info`, read into plain values, and whether they can take part."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.failures import SLACK_NETWORK_ERRORS
from bot.slack.mrkdwn import clip

logger = logging.getLogger(__name__)


class SlackUnavailable(Exception):
    """Slack did not give an answer we can use right now (rate limit, 5xx, timeout)."""


class Eligibility(StrEnum):
    OK = "ok"
    DELETED = "deleted"  # deactivated or deleted account
    BOT = "bot"
    EXTERNAL = "external"  # a Slack Connect guest from another organisation
    RESTRICTED = "restricted"  # a guest (multi- or single-channel), unless guests may join


@dataclass(frozen=True, slots=True)
class SlackUser:
    id: str
    team_id: str
    display_name: str
    real_name: str | None
    time_zone: str | None
    is_admin: bool
    is_owner: bool
    deleted: bool
    is_bot: bool
    is_stranger: bool
    is_ultra_restricted: bool
    is_restricted: bool = False

    @property
    def is_guest(self) -> bool:
        return self.is_restricted or self.is_ultra_restricted

    def eligibility(self, home_team_id: str, *, allow_guests: bool = False) -> Eligibility:
        """Bots, deactivated and external accounts never take part; guests only when the
        workspace's eligibility settings let them (they are excluded by default)."""
        if self.deleted:
            return Eligibility.DELETED
        if self.is_bot or self.id == "USLACKBOT":
            return Eligibility.BOT
        if self.is_stranger or self.team_id != home_team_id:
            return Eligibility.EXTERNAL
        if self.is_guest and not allow_guests:
            return Eligibility.RESTRICTED
        return Eligibility.OK


# The widths of the people columns these are stored in; Slack's own limits are tighter, but
# what users.info returns is not ours to trust.
NAME_MAX_LENGTH = 255
ZONE_MAX_LENGTH = 64


class UnknownUser(Exception):
    """Slack says this user does not exist (any more)."""


def _from_payload(user: dict[str, Any]) -> SlackUser:
    profile = user.get("profile") or {}
    display = profile.get("display_name") or user.get("real_name") or user.get("name") or user["id"]
    real = user.get("real_name") or profile.get("real_name")
    tz = user.get("tz")
    return SlackUser(
        id=str(user["id"]),
        team_id=str(user.get("team_id") or profile.get("team") or ""),
        display_name=clip(str(display), NAME_MAX_LENGTH),
        real_name=clip(str(real), NAME_MAX_LENGTH) if real else None,
        # Slack reports no zone as null or as a bare offset label; only an IANA name is usable.
        time_zone=tz if isinstance(tz, str) and "/" in tz and len(tz) <= ZONE_MAX_LENGTH else None,
        is_admin=bool(user.get("is_admin")),
        is_owner=bool(user.get("is_owner") or user.get("is_primary_owner")),
        deleted=bool(user.get("deleted")),
        is_bot=bool(user.get("is_bot") or user.get("is_app_user")),
        is_stranger=bool(user.get("is_stranger")),
        is_ultra_restricted=bool(user.get("is_ultra_restricted")),
        is_restricted=bool(user.get("is_restricted")),
    )


async def fetch_user(client: AsyncWebClient, user_id: str) -> SlackUser:
    """`users.info`, with Slack's failures turned into the two outcomes callers handle."""
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if error in ("user_not_found", "user_not_visible"):
            raise UnknownUser(user_id) from exc
        logger.warning("users.info for %s failed: %s", user_id, error or exc.response.status_code)
        raise SlackUnavailable(str(error)) from exc
    except SLACK_NETWORK_ERRORS as exc:
        logger.warning("users.info for %s did not answer: %r", user_id, exc)
        raise SlackUnavailable("network") from exc
    return _from_payload(response["user"])
