"""What an admin's buttons do: nudge a quiet group from a digest, and send an undelivered
message again from App Home. Both act only within the admin's own workspace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import GroupState
from bot.groups.timing import reminder_due
from bot.outbox import Message, enqueue
from bot.slack.blocks.groups import admin_nudge
from storage.repositories import OutboxRepository
from storage.repositories.groups import GroupRepository

_NUDGE_VALUE = re.compile(r"([0-9]{1,12}):([0-9]{1,12})", re.ASCII)


class NudgeKind(StrEnum):
    SENT = "sent"
    ALREADY = "already"  # nudged from this round's digest before
    GONE = "gone"  # no such group in this workspace, or nobody left in it


@dataclass(frozen=True, slots=True)
class NudgeOutcome:
    kind: NudgeKind
    user_ids: tuple[str, ...] = ()


def parse_nudge(value: str) -> tuple[int, int] | None:
    """The (group id, round id) a Nudge button carries, or None for anything else."""
    match = _NUDGE_VALUE.fullmatch(value)
    return None if match is None else (int(match[1]), int(match[2]))


async def nudge_group(
    session: AsyncSession, team_id: str, group_id: int, round_id: int, *, now: datetime
) -> NudgeOutcome:
    """Queue one nudge to the group (key `digest-nudge:<group>:<round>`, so a digest's button
    nudges a group once however often it is pressed), inside everyone's working day."""
    repository = GroupRepository(session)
    group = await repository.group(group_id)
    if group is None or group.team_id != team_id:
        return NudgeOutcome(NudgeKind.GONE)
    people = [m.person for m in (await repository.members([group_id])).get(group_id, [])]
    present = [p for p in people if p is not None]
    if not present:
        return NudgeOutcome(NudgeKind.GONE)
    user_ids = tuple(p.slack_user_id for p in present)
    message = admin_nudge(group_id, with_buttons=group.state is GroupState.ACTIVE)
    queued = await enqueue(
        session,
        Message(
            team_id=team_id,
            key=f"digest-nudge:{group_id}:{round_id}",
            kind="nudge",
            text=message["text"],
            blocks=message["blocks"],
            due_at=reminder_due(now, [p.time_zone for p in present]),
            channel_id=group.channel_id,
            open_users=() if group.channel_id else user_ids,
        ),
        now=now,
    )
    return NudgeOutcome(NudgeKind.SENT if queued else NudgeKind.ALREADY, user_ids)


async def retry_message(
    session: AsyncSession, team_id: str, message_id: int, *, now: datetime
) -> bool:
    """Send a failed message of this workspace again; False when it is not one."""
    repository = OutboxRepository(session)
    if not await repository.failed_in_team(team_id, message_id):
        return False
    return await repository.retry(message_id, now=now)
