"""Someone's Slack account was deactivated: they leave every programme, and each group they
are in now hears it once, kindly, so nobody waits for a reply that cannot come."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import GroupState
from bot.enrolment import service as enrolment
from bot.outbox import Message, enqueue
from bot.slack.copy import people as copy
from storage.models import MatchGroup, MatchMember
from storage.repositories import PersonRepository
from storage.repositories.groups import GroupRepository

CURRENT_STATES = (GroupState.ACTIVE, GroupState.PROPOSED)


def notice_key(group_id: int, user_id: str) -> str:
    return f"deactivated:{group_id}:{user_id}"


async def on_deactivated(
    session: AsyncSession, team_id: str, user_id: str, *, now: datetime
) -> int:
    """Leave every programme and queue one notice per current group (in the caller's
    transaction); returns how many notices were queued now (0 when this was known already)."""
    person = await PersonRepository(session).get(team_id, user_id)
    if person is None:
        return 0
    group_ids = list(
        await session.scalars(
            select(MatchGroup.id)
            .join(MatchMember, MatchMember.group_id == MatchGroup.id)
            .where(
                MatchMember.person_id == person.id,
                MatchGroup.state.in_(CURRENT_STATES),
                MatchGroup.ended_at.is_(None),
            )
            .order_by(MatchGroup.id)
        )
    )
    repo = GroupRepository(session)
    members = await repo.members(group_ids)
    queued = 0
    for group_id in group_ids:
        group = await repo.group(group_id)
        assert group is not None
        others = [
            m.person.slack_user_id
            for m in members[group_id]
            if m.person is not None and m.person.id != person.id
        ]
        if not others and group.channel_id is None:
            continue
        added = await enqueue(
            session,
            Message(
                team_id=team_id,
                key=notice_key(group_id, user_id),
                kind="deactivated",
                text=copy.PARTNER_DEACTIVATED.format(user=user_id),
                due_at=now,
                channel_id=group.channel_id,
                open_users=[] if group.channel_id else others,
            ),
            now=now,
        )
        queued += int(added)
    if enrolment.is_taking_part(person) or await enrolment.active_programmes(session, person):
        await enrolment.leave(session, person, now=now)
    return queued
