"""A person's own data: export everything we hold about them, or forget them.

Export gives back only what is theirs to see: their profile, their own do-not-pair list, the
groups they were in (with the partners they were introduced to), those groups' meetings,
their own check-ins and the reflective questions they were sent. It never shows another
person's check-ins or do-not-pair list; in particular it never reveals that somebody else
blocked them.

Forget deletes their personal data and free text and keeps only anonymous monthly counts.
Someone who never joined may still have an entry from an HR import: they can export it and
have it deleted too (`export_directory_only`, `forget_directory_only`).
Both functions flush and never commit: the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching.hidden_levels import without_levels
from storage.models import DirectoryEntry, Person
from storage.repositories import PrivacyRepository, ProgrammeRepository
from storage.repositories.checkins import CheckInRepository
from storage.repositories.directory import DirectoryRepository
from storage.repositories.questions import QuestionRepository

EXPORT_FORMAT: Final = "peercoach-export"
EXPORT_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class ForgetSummary:
    """What a forget removed, all of it the person's own.

    Rows other people held about them (do-not-pair entries naming them) are removed too but
    deliberately not counted here: the summary may be shown to the person, and a count would
    tell them that somebody had blocked them.
    """

    groups: int  # groups they were in, now without them and without an explanation
    meetings_met: int  # meetings marked met in those groups
    checkins_answered: int
    checkins_deleted: int  # answered or not
    do_not_pair_deleted: int  # entries of their own list


async def export_person(session: AsyncSession, person: Person, now: datetime) -> dict[str, Any]:
    """Everything stored about `person`, as a dict that `json.dumps` accepts as is.

    Datetimes are ISO 8601 in UTC, dates and times ISO. `now` is the export's timestamp.
    """
    repository = PrivacyRepository(session)
    memberships = await repository.memberships(person.id)
    group_ids = [membership.group.id for membership in memberships]
    partners = await repository.partners(person.id, group_ids)
    meetings = await repository.meetings(group_ids)
    checkins = await repository.checkins(person.id)
    questions = await QuestionRepository(session).sent_to(person.id)

    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _datetime(_aware(now)),
        "workspace": person.team_id,
        "person": _profile(person),
        "do_not_pair": await repository.blocked_user_ids(person.id),
        # What the HR import says about them (null when it says nothing).
        "hr_directory": _directory(
            await DirectoryRepository(session).get(person.team_id, person.slack_user_id)
        ),
        # The programmes they joined, left ones included: name, role and dates.
        "programmes": [
            {
                "programme": programme.name,
                "mode": programme.mode.value,
                "role": membership.role.value,
                "state": membership.state.value,
                "joined_at": _datetime(membership.joined_at),
                "left_at": _datetime(membership.left_at),
            }
            for membership, programme in await ProgrammeRepository(session).all_for_person(
                person.id
            )
        ],
        "matches": [
            {
                # group_id ties a match to its meetings below; it is an internal number only.
                "group_id": membership.group.id,
                "round_date": _date(membership.round.scheduled_for),
                "mode": membership.round.mode,
                "role": membership.member.role.value,
                "partners": partners[membership.group.id],
                # Groups formed before explanations left levels out keep the old text.
                "explanation": without_levels(membership.group.explanation),
                "score": membership.group.score,
                "created_at": _datetime(membership.group.created_at),
                "ended_at": _datetime(membership.group.ended_at),
            }
            for membership in memberships
        ],
        "meetings": [
            {
                "group_id": meeting.group_id,
                "due_on": _date(meeting.due_on),
                "status": meeting.status.value,
                "recorded_at": _datetime(meeting.recorded_at),
                # Whether they pressed the button, not who else did: only a yes/no about them.
                "recorded_by_me": meeting.recorded_by == person.id,
            }
            for meeting in meetings
        ],
        "checkins": [
            {
                "week_start": _date(checkin.week_start),
                "rating": checkin.rating,
                "goal_status": None if checkin.goal_status is None else checkin.goal_status.value,
                "goal_progress": checkin.goal_progress,
                "met": checkin.met,
                "previous_step_done": (
                    None if checkin.previous_step_done is None else checkin.previous_step_done.value
                ),
                "step": checkin.step,
                "step_shared": checkin.step_shared,
                "note": checkin.note,
                "note_shared": checkin.note_shared,
                "sent_at": _datetime(checkin.sent_at),
                "answered_at": _datetime(checkin.answered_at),
            }
            for checkin in checkins
        ],
        # The reflective questions they were sent: in a group's intro, its weekly question,
        # or on asking.
        "questions": [
            {
                "question": question.text,
                "theme": question.theme.value,
                "group_id": seen.group_id,
                "sent_at": _datetime(seen.seen_at),
            }
            for seen, question in questions
        ],
    }


async def export_directory_only(
    session: AsyncSession, team_id: str, slack_user_id: str, now: datetime
) -> dict[str, Any] | None:
    """The export of someone who never joined but whom an HR import lists: the document has
    the same shape as `export_person`'s, with only the HR entry filled in. None when peercoach
    holds nothing about them."""
    entry = await DirectoryRepository(session).get(team_id, slack_user_id)
    if entry is None:
        return None
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _datetime(_aware(now)),
        "workspace": team_id,
        "person": None,
        "do_not_pair": [],
        "hr_directory": _directory(entry),
        "programmes": [],
        "matches": [],
        "meetings": [],
        "checkins": [],
        "questions": [],
    }


async def forget_directory_only(session: AsyncSession, team_id: str, slack_user_id: str) -> bool:
    """Delete the HR entry of someone who never joined, and their id as anyone's manager;
    False when there was none. Nothing else names them: without a `people` row they have no
    groups, check-ins or lists."""
    repository = DirectoryRepository(session)
    if await repository.get(team_id, slack_user_id) is None:
        return False
    await repository.forget(team_id, slack_user_id)
    return True


async def forget_person(session: AsyncSession, person: Person, now: datetime) -> ForgetSummary:
    """Delete `person` and everything that identifies them; keep anonymous counts.

    Their counts are added to the workspace's tally for the month of `now`. Their check-ins,
    their do-not-pair list and their `people` row are deleted; the groups they were in stay
    (the other members' history depends on them) but lose the person and the explanation
    text, which was written from their profile and may name them. Without a `people` row
    they are on no roster, so they are never matched or messaged again; enrolling anew
    creates a new row with an empty history.
    """
    now = _aware(now)
    repository = PrivacyRepository(session)
    group_ids = await repository.group_ids(person.id)
    meetings_met = await repository.count_meetings_met(group_ids)
    checkins_answered = await repository.count_answered_checkins(person.id)

    # Counted before anything is deleted, in the same transaction, so the tally matches
    # exactly what is removed.
    await repository.add_to_tally(
        person.team_id,
        now.astimezone(UTC).date().replace(day=1),
        people=1,
        matches=len(group_ids),
        meetings_met=meetings_met,
        checkins=checkins_answered,
    )

    # The outbox keeps what was sent, and check-in messages quote the person's steps.
    await CheckInRepository(session).delete_messages(person.id)
    checkins_deleted = await repository.delete_checkins(person.id)
    # Which questions they were sent: the cascade would remove these too, but a database
    # without foreign keys enforced must not keep them either.
    await QuestionRepository(session).delete_seen(person.id)
    do_not_pair_deleted = await repository.delete_own_do_not_pair(person.id)
    # Other people's entries blocking this Slack id go too: no table may keep their id after
    # they asked to be forgotten, and a row naming them would also show they had been here.
    # The cost is that the block no longer applies if they enrol again; the people who had
    # blocked them can add it back, and telling them would itself give the person away.
    await repository.delete_do_not_pair_naming(person.team_id, person.slack_user_id)
    # HR data about them goes too, and their id as anyone's manager.
    await DirectoryRepository(session).forget(person.team_id, person.slack_user_id)
    # Score and breakdown stay: they are numbers per criterion and identify nobody.
    await repository.blank_explanations(group_ids)
    await repository.detach_memberships(person.id)
    await repository.detach_meeting_records(person.id)
    # Their programme memberships go with the row (memberships.person_id ON DELETE CASCADE).
    await repository.delete_person(person)

    return ForgetSummary(
        groups=len(group_ids),
        meetings_met=meetings_met,
        checkins_answered=checkins_answered,
        checkins_deleted=checkins_deleted,
        do_not_pair_deleted=do_not_pair_deleted,
    )


def _directory(entry: DirectoryEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "email": entry.email,
        "function": entry.function,
        "level": entry.level,
        "title": entry.title,
        "location": entry.location,
        "time_zone": entry.time_zone,
        "manager": entry.manager_slack_id,
        "department": entry.department,
        "start_date": _date(entry.start_date),
        "imported_at": _datetime(entry.imported_at),
        "updated_at": _datetime(entry.updated_at),
    }


def _profile(person: Person) -> dict[str, Any]:
    return {
        "slack_user_id": person.slack_user_id,
        "display_name": person.display_name,
        "real_name": person.real_name,
        "time_zone": person.time_zone,
        "function": person.function,
        "level": person.level,
        "goals": list(person.goals),
        "goal_tags": list(person.goal_tags),
        "skills": list(person.skills),
        "work_start": _time(person.work_start),
        "work_end": _time(person.work_end),
        "cadence": None if person.cadence is None else person.cadence.value,
        "mentor_capacity": person.mentor_capacity,
        "flash_week": _date(person.flash_week),
        "enrolment_state": person.enrolment_state.value,
        "paused_until": _date(person.paused_until),
        "enrolled_at": _datetime(person.enrolled_at),
        "left_at": _datetime(person.left_at),
        "profile_completed_at": _datetime(person.profile_completed_at),
        "created_at": _datetime(person.created_at),
        "updated_at": _datetime(person.updated_at),
    }


def _aware(moment: datetime) -> datetime:
    # The month of a tally and the export's timestamp must not depend on the host's zone.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r} refused; pass an aware datetime")
    return moment


def _datetime(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _time(moment: time | None) -> str | None:
    return None if moment is None else moment.isoformat()
