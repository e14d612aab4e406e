"""HR data in the profile: prefilled when someone opens the modal, and (when the admin says
people may not change them) function and level taken from HR when the profile is saved."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.enrolment.profile_form import FromHr, ProfileDefaults, ProfileInput
from bot.people.eligibility import load_policy
from storage.repositories.directory import DirectoryRepository


async def prefill(
    session: AsyncSession,
    team_id: str,
    user_id: str,
    current: ProfileInput | None,
    slack_time_zone: str | None,
) -> tuple[ProfileInput | ProfileDefaults, FromHr | None]:
    """What the profile modal shows, and which fields came from HR (None: nothing did)."""
    entry = await DirectoryRepository(session).get(team_id, user_id)
    if entry is None or (entry.function is None and entry.level is None):
        if current is not None:
            return current, None
        zone = slack_time_zone or (entry.time_zone if entry is not None else None)
        return ProfileDefaults(time_zone=zone), None
    policy = await load_policy(session, team_id)
    locked = not policy.hr_fields_editable
    if current is not None:
        if not locked:
            return current, None
        return (
            replace(
                current,
                function=entry.function or current.function,
                level=entry.level or current.level,
            ),
            FromHr(function=entry.function is not None, level=entry.level is not None, locked=True),
        )
    defaults = ProfileDefaults(
        time_zone=slack_time_zone or entry.time_zone,
        function=entry.function,
        level=entry.level,
    )
    return defaults, FromHr(
        function=entry.function is not None, level=entry.level is not None, locked=locked
    )


async def with_hr_fields(
    session: AsyncSession, team_id: str, user_id: str, profile: ProfileInput
) -> ProfileInput:
    """The profile to save: HR's function and level win when people may not change them."""
    policy = await load_policy(session, team_id)
    if policy.hr_fields_editable:
        return profile
    entry = await DirectoryRepository(session).get(team_id, user_id)
    if entry is None:
        return profile
    return replace(
        profile,
        function=entry.function or profile.function,
        level=entry.level or profile.level,
    )
