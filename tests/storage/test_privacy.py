"""Export and forget: a person gets back exactly their own data, and forgetting leaves no trace.

The fixture is a small but complete workspace: Ana, Ben and Cleo with profiles, do-not-pair
lists (Ben blocks Ana, Ana blocks Cleo, Cleo blocks someone outside the programme), a pairs
round (Ana + Ben) and a mentorship round (Cleo mentors Ana, and separately Ben), meetings and
check-ins. Ana's free text carries marker strings so that any copy of it can be found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import (
    Cadence,
    EnrolmentState,
    MeetingStatus,
    MemberRole,
    MembershipRole,
    MembershipState,
    ProgrammeMode,
)
from bot.privacy.service import ForgetSummary, export_person, forget_person
from storage.base import Base
from storage.models import (
    AnonymousTally,
    CheckIn,
    DoNotPair,
    MatchGroup,
    MatchMember,
    Meeting,
    Membership,
    Person,
    ProgrammeRow,
    Round,
    Workspace,
)
from storage.repositories import PersonRepository

TEAM = "T0ACME001"
OTHER_TEAM = "T0OTHER02"
ANA, BEN, CLEO = "U0ANA7Q2X", "U0BEN3K8Y", "U0CLEO5MZ"
OUTSIDER = "U0EXT9Z1W"  # never enrolled; Cleo blocks them

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
FORGET_AT = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
EXPORT_AT = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)

ANA_GOALS = [
    "Give clearer feedback to my reports [mk-ana-goal-1]",
    "Delegate the quarterly plan [mk-ana-goal-2]",
]
ANA_NOTES = [
    "Practised the feedback script with Ben [mk-ana-note-1]",
    "Nervous about the planning review [mk-ana-note-2]",
]
BEN_NOTES = ["Hiring loop went well [mk-ben-note-1]", "Too busy this week [mk-ben-note-2]"]
CLEO_NOTE = "Enjoying mentoring [mk-cleo-note-1]"
G1_EXPLANATION = "Ana Okafor and Ben Ito both want to give clearer feedback."
# Written before explanations left levels out: the export shows it without Cleo's level.
G2_EXPLANATION = (
    "Cleo Marsh (level 5) has led teams through planning, which ana.okafor wants to learn."
)
G3_EXPLANATION = "Cleo Marsh has run the hiring loops Ben Ito wants to improve [mk-g3]."
# Everything that identifies Ana or is her free text; none of it may survive a forget.
ANA_MARKERS = (
    ANA,
    "ana.okafor",
    "Ana Okafor",
    "mk-ana-goal-1",
    "mk-ana-goal-2",
    "mk-ana-note-1",
    "mk-ana-note-2",
)


@dataclass(frozen=True)
class Seeded:
    ana: Person
    ben: Person
    cleo: Person
    g1: int  # pairs round: Ana + Ben
    g2: int  # mentorship round: Cleo mentors Ana
    g3: int  # mentorship round: Cleo mentors Ben (Ana not in it)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def _seed(session: AsyncSession, team_id: str = TEAM) -> Seeded:
    session.add(Workspace(team_id=team_id, name="Acme", created_at=T0, updated_at=T0))
    await session.flush()

    def person(slack_user_id: str, display_name: str, real_name: str, **fields: Any) -> Person:
        return Person(
            team_id=team_id,
            slack_user_id=slack_user_id,
            display_name=display_name,
            real_name=real_name,
            enrolment_state=EnrolmentState.ENROLLED,
            enrolled_at=T0,
            profile_completed_at=T0,
            created_at=T0,
            updated_at=T0,
            **fields,
        )

    ben = person(
        BEN,
        "ben.ito",
        "Ben Ito",
        time_zone="Asia/Tokyo",
        function="Sales",
        level=3,
        goals=["Run better hiring loops [mk-ben-goal-1]"],
        goal_tags=["hiring"],
        skills=["negotiation"],
        cadence=Cadence.WEEKLY,
    )
    cleo = person(
        CLEO,
        "cleo.marsh",
        "Cleo Marsh",
        time_zone="America/New_York",
        function="Product",
        level=6,
        goals=["Coach new managers [mk-cleo-goal-1]"],
        goal_tags=["coaching"],
        skills=["planning", "hiring"],
        cadence=Cadence.MONTHLY,
        mentor_capacity=2,
    )
    # Added last so that Ana has the highest id: SQLite may then hand the same id to a new
    # row after she is forgotten, which the enrol-anew test relies on to be meaningful.
    ana = person(
        ANA,
        "ana.okafor",
        "Ana Okafor",
        time_zone="Europe/Berlin",
        function="Engineering",
        level=4,
        goals=list(ANA_GOALS),
        goal_tags=["feedback", "delegation"],
        skills=["python"],
        work_start=time(8, 30),
        work_end=time(17, 0),
        cadence=Cadence.FORTNIGHTLY,
        flash_week=date(2024, 5, 13),
    )
    session.add_all([ben, cleo])
    await session.flush()
    session.add(ana)
    await session.flush()

    def programme(name: str, mode: ProgrammeMode) -> ProgrammeRow:
        return ProgrammeRow(
            team_id=team_id,
            name=name,
            mode=mode,
            cadence=Cadence.WEEKLY,
            weekday=0,
            intro_hour=9,
            group_size=2,
            created_at=T0,
            updated_at=T0,
        )

    peer_pairs = programme("Peer pairs", ProgrammeMode.PAIRS)
    mentoring = programme("Mentoring", ProgrammeMode.MENTORSHIP)
    session.add_all([peer_pairs, mentoring])
    await session.flush()
    session.add_all(
        [
            Membership(
                team_id=team_id,
                programme_id=programme_row.id,
                person_id=member.id,
                role=role,
                state=state,
                joined_at=T0,
                left_at=None if state is MembershipState.ACTIVE else _at(date(2024, 5, 20)),
            )
            for programme_row, member, role, state in [
                (peer_pairs, ana, MembershipRole.PARTICIPANT, MembershipState.LEFT),
                (peer_pairs, ben, MembershipRole.PARTICIPANT, MembershipState.ACTIVE),
                (mentoring, ana, MembershipRole.MENTEE, MembershipState.ACTIVE),
                (mentoring, cleo, MembershipRole.MENTOR, MembershipState.ACTIVE),
            ]
        ]
    )

    session.add_all(
        [
            DoNotPair(team_id=team_id, person_id=ben.id, blocked_user_id=ANA, created_at=T0),
            DoNotPair(team_id=team_id, person_id=ana.id, blocked_user_id=CLEO, created_at=T0),
            DoNotPair(team_id=team_id, person_id=cleo.id, blocked_user_id=OUTSIDER, created_at=T0),
        ]
    )

    pairs = Round(team_id=team_id, mode="pairs", seed=11, scheduled_for=date(2024, 4, 1))
    mentorship = Round(team_id=team_id, mode="mentorship", seed=12, scheduled_for=date(2024, 5, 1))
    session.add_all([pairs, mentorship])
    await session.flush()

    def group(round_: Round, score: float, explanation: str, ended: date | None) -> MatchGroup:
        return MatchGroup(
            team_id=team_id,
            round_id=round_.id,
            score=score,
            breakdown={"function": round(score / 2, 2), "goals": round(score / 2, 2)},
            explanation=explanation,
            created_at=_at(round_.scheduled_for),
            ended_at=None if ended is None else _at(ended),
        )

    g1 = group(pairs, 0.82, G1_EXPLANATION, ended=date(2024, 4, 29))
    g2 = group(mentorship, 0.74, G2_EXPLANATION, ended=None)
    g3 = group(mentorship, 0.66, G3_EXPLANATION, ended=None)
    session.add_all([g1, g2, g3])
    await session.flush()

    session.add_all(
        [
            MatchMember(group_id=g1.id, person_id=ana.id, role=MemberRole.PEER),
            MatchMember(group_id=g1.id, person_id=ben.id, role=MemberRole.PEER),
            MatchMember(group_id=g2.id, person_id=cleo.id, role=MemberRole.MENTOR),
            MatchMember(group_id=g2.id, person_id=ana.id, role=MemberRole.MENTEE),
            MatchMember(group_id=g3.id, person_id=cleo.id, role=MemberRole.MENTOR),
            MatchMember(group_id=g3.id, person_id=ben.id, role=MemberRole.MENTEE),
        ]
    )

    def meeting(group_id: int, due_on: date, status: MeetingStatus, by: Person | None) -> Meeting:
        return Meeting(
            team_id=team_id,
            group_id=group_id,
            due_on=due_on,
            status=status,
            recorded_by=None if by is None else by.id,
            recorded_at=None if by is None else _at(due_on, 15),
        )

    session.add_all(
        [
            meeting(g1.id, date(2024, 4, 8), MeetingStatus.MET, ana),
            meeting(g1.id, date(2024, 4, 22), MeetingStatus.SKIPPED, ben),
            meeting(g2.id, date(2024, 5, 8), MeetingStatus.MET, cleo),
            meeting(g2.id, date(2024, 5, 22), MeetingStatus.PENDING, None),
            meeting(g3.id, date(2024, 5, 15), MeetingStatus.MET, ben),
        ]
    )

    def checkin(who: Person, week: date, rating: int | None, note: str | None) -> CheckIn:
        return CheckIn(
            team_id=team_id,
            person_id=who.id,
            week_start=week,
            rating=rating,
            goal_progress=rating,
            note=note,
            answered_at=None if rating is None else _at(week + timedelta(days=4), 17),
        )

    session.add_all(
        [
            checkin(ana, date(2024, 4, 8), 4, ANA_NOTES[0]),
            checkin(ana, date(2024, 4, 15), 3, ANA_NOTES[1]),
            checkin(ana, date(2024, 4, 22), None, None),  # asked, never answered
            checkin(ben, date(2024, 4, 8), 5, BEN_NOTES[0]),
            checkin(ben, date(2024, 4, 15), 2, BEN_NOTES[1]),
            checkin(cleo, date(2024, 5, 13), 4, CLEO_NOTE),
        ]
    )
    await session.flush()
    return Seeded(ana=ana, ben=ben, cleo=cleo, g1=g1.id, g2=g2.id, g3=g3.id)


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return None


async def _mentions(session: AsyncSession, needles: tuple[str, ...]) -> set[tuple[str, str, str]]:
    """(table, column, needle) for every stored value containing a needle, in every table."""
    hits: set[tuple[str, str, str]] = set()
    for table in Base.metadata.sorted_tables:
        for row in (await session.execute(select(table))).mappings():
            for column, value in row.items():
                text = _as_text(value)
                if text is None:
                    continue
                hits.update((table.name, column, needle) for needle in needles if needle in text)
    return hits


async def _count(session: AsyncSession, model: type[Base]) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def _tallies(session: AsyncSession) -> list[tuple[str, date, int, int, int, int]]:
    result = await session.execute(
        select(
            AnonymousTally.team_id,
            AnonymousTally.month,
            AnonymousTally.people,
            AnonymousTally.matches,
            AnonymousTally.meetings_met,
            AnonymousTally.checkins,
        ).order_by(AnonymousTally.team_id, AnonymousTally.month)
    )
    return list(result.tuples())


async def test_export_contains_what_is_hers_and_nothing_else(session: AsyncSession) -> None:
    seeded = await _seed(session)

    document = await export_person(session, seeded.ana, EXPORT_AT)

    assert json.loads(json.dumps(document)) == document
    assert set(document) == {
        "format",
        "version",
        "exported_at",
        "workspace",
        "person",
        "do_not_pair",
        "hr_directory",
        "programmes",
        "matches",
        "meetings",
        "checkins",
        "questions",
    }
    assert document["hr_directory"] is None
    assert (document["format"], document["version"]) == ("peercoach-export", 1)
    assert document["exported_at"] == "2024-06-01T08:30:00+00:00"
    assert document["workspace"] == TEAM
    assert document["person"] == {
        "slack_user_id": ANA,
        "display_name": "ana.okafor",
        "real_name": "Ana Okafor",
        "time_zone": "Europe/Berlin",
        "function": "Engineering",
        "level": 4,
        "goals": ANA_GOALS,
        "goal_tags": ["feedback", "delegation"],
        "skills": ["python"],
        "work_start": "08:30:00",
        "work_end": "17:00:00",
        "cadence": "fortnightly",
        "mentor_capacity": 0,
        "flash_week": "2024-05-13",
        "enrolment_state": "enrolled",
        "paused_until": None,
        "enrolled_at": "2024-03-01T09:00:00+00:00",
        "left_at": None,
        "profile_completed_at": "2024-03-01T09:00:00+00:00",
        "created_at": "2024-03-01T09:00:00+00:00",
        "updated_at": "2024-03-01T09:00:00+00:00",
    }
    # What she takes part in is her memberships, the one she left included; not other people's.
    assert document["programmes"] == [
        {
            "programme": "Peer pairs",
            "mode": "pairs",
            "role": "participant",
            "state": "left",
            "joined_at": "2024-03-01T09:00:00+00:00",
            "left_at": "2024-05-20T09:00:00+00:00",
        },
        {
            "programme": "Mentoring",
            "mode": "mentorship",
            "role": "mentee",
            "state": "active",
            "joined_at": "2024-03-01T09:00:00+00:00",
            "left_at": None,
        },
    ]
    # Her own list only: that Ben blocked her is his private choice.
    assert document["do_not_pair"] == [CLEO]
    assert document["matches"] == [
        {
            "group_id": seeded.g1,
            "round_date": "2024-04-01",
            "mode": "pairs",
            "role": "peer",
            "partners": [BEN],
            "explanation": G1_EXPLANATION,
            "score": 0.82,
            "created_at": "2024-04-01T09:00:00+00:00",
            "ended_at": "2024-04-29T09:00:00+00:00",
        },
        {
            "group_id": seeded.g2,
            "round_date": "2024-05-01",
            "mode": "mentorship",
            "role": "mentee",
            "partners": [CLEO],
            "explanation": G2_EXPLANATION.replace(" (level 5)", ""),
            "score": 0.74,
            "created_at": "2024-05-01T09:00:00+00:00",
            "ended_at": None,
        },
    ]
    assert document["meetings"] == [
        {
            "group_id": seeded.g1,
            "due_on": "2024-04-08",
            "status": "met",
            "recorded_at": "2024-04-08T15:00:00+00:00",
            "recorded_by_me": True,
        },
        {
            "group_id": seeded.g1,
            "due_on": "2024-04-22",
            "status": "skipped",
            "recorded_at": "2024-04-22T15:00:00+00:00",
            "recorded_by_me": False,
        },
        {
            "group_id": seeded.g2,
            "due_on": "2024-05-08",
            "status": "met",
            "recorded_at": "2024-05-08T15:00:00+00:00",
            "recorded_by_me": False,
        },
        {
            "group_id": seeded.g2,
            "due_on": "2024-05-22",
            "status": "pending",
            "recorded_at": None,
            "recorded_by_me": False,
        },
    ]
    empty = {
        "goal_status": None,
        "met": None,
        "previous_step_done": None,
        "step": None,
        "step_shared": False,
        "note_shared": False,
        "sent_at": None,
    }
    assert document["checkins"] == [
        {
            **empty,
            "week_start": "2024-04-08",
            "rating": 4,
            "goal_progress": 4,
            "note": ANA_NOTES[0],
            "answered_at": "2024-04-12T17:00:00+00:00",
        },
        {
            **empty,
            "week_start": "2024-04-15",
            "rating": 3,
            "goal_progress": 3,
            "note": ANA_NOTES[1],
            "answered_at": "2024-04-19T17:00:00+00:00",
        },
        {
            **empty,
            "week_start": "2024-04-22",
            "rating": None,
            "goal_progress": None,
            "note": None,
            "answered_at": None,
        },
    ]

    text = json.dumps(document)
    for foreign in (*BEN_NOTES, CLEO_NOTE, "mk-ben-goal-1", "mk-cleo-goal-1", "mk-g3"):
        assert foreign not in text  # other people's notes and profiles, a group she was not in
    assert OUTSIDER not in text  # Cleo's list
    assert "2024-05-15" not in text  # the meeting of Cleo and Ben's group

    # The export is stamped with the injected clock, which must say which zone it is in.
    with pytest.raises(ValueError, match="naive"):
        await export_person(session, seeded.ana, datetime(2024, 6, 1, 8, 30))


async def test_forget_leaves_no_trace_and_a_new_enrolment_starts_empty(
    session: AsyncSession,
) -> None:
    seeded = await _seed(session)
    await session.commit()

    # The scan must reach every table the database has, not only the ones the models name.
    database_tables = set(
        await session.run_sync(lambda sync: inspect(sync.connection()).get_table_names())
    )
    assert database_tables - {"alembic_version"} <= set(Base.metadata.tables)
    # It does find her before the forget, so an empty result afterwards means something.
    before = await _mentions(session, ANA_MARKERS)
    assert {table for table, _, _ in before} == {
        "people",
        "do_not_pair",
        "match_groups",
        "checkins",
    }

    summary = await forget_person(session, seeded.ana, FORGET_AT)
    await session.commit()

    assert await _mentions(session, ANA_MARKERS) == set()
    assert summary == ForgetSummary(
        groups=2, meetings_met=2, checkins_answered=2, checkins_deleted=3, do_not_pair_deleted=1
    )
    # June: one person, two groups, two meetings met in them, two answered check-ins.
    assert await _tallies(session) == [(TEAM, date(2024, 6, 1), 1, 2, 2, 2)]

    # She enrols again: a new row, with nothing of the old history attached to it.
    again = await PersonRepository(session).upsert_seen(
        TEAM,
        ANA,
        display_name="ana.okafor",
        real_name="Ana Okafor",
        time_zone="Europe/Berlin",
        now=FORGET_AT + timedelta(days=1),
    )
    again.enrolment_state = EnrolmentState.ENROLLED
    await session.commit()

    document = await export_person(session, again, EXPORT_AT)
    assert document["person"]["goals"] == []
    assert document["person"]["created_at"] == "2024-06-11T12:00:00+00:00"
    assert (
        document["do_not_pair"],
        document["matches"],
        document["meetings"],
        document["checkins"],
    ) == ([], [], [], [])
    # Only the new row knows her; even if the database reused the old id, nothing refers to it.
    assert {table for table, _, _ in await _mentions(session, ANA_MARKERS)} == {"people"}


async def test_forget_keeps_other_peoples_data(session: AsyncSession) -> None:
    seeded = await _seed(session)
    ben_id, cleo_id = seeded.ben.id, seeded.cleo.id
    # Enterprise Grid: the same Slack user in another workspace, blocked there by a colleague.
    # A forget asked for in one workspace leaves the other installation's data alone.
    session.add(Workspace(team_id=OTHER_TEAM, name="Acme EU", created_at=T0, updated_at=T0))
    await session.flush()
    elsewhere = Person(team_id=OTHER_TEAM, slack_user_id=ANA, display_name="ana.okafor")
    colleague = Person(team_id=OTHER_TEAM, slack_user_id="U0DAN6P3Q", display_name="dan")
    session.add_all([elsewhere, colleague])
    await session.flush()
    session.add_all(
        [
            DoNotPair(team_id=OTHER_TEAM, person_id=colleague.id, blocked_user_id=ANA),
            CheckIn(
                team_id=OTHER_TEAM,
                person_id=elsewhere.id,
                week_start=date(2024, 4, 8),
                note="[mk-ana-note-eu]",
            ),
        ]
    )
    await session.commit()

    await forget_person(session, seeded.ana, FORGET_AT)
    await session.commit()
    session.expunge_all()

    people = {
        p.slack_user_id: p
        for p in (await session.scalars(select(Person).where(Person.team_id == TEAM))).all()
    }
    assert set(people) == {BEN, CLEO}
    assert people[BEN].goals == ["Run better hiring loops [mk-ben-goal-1]"]
    assert people[CLEO].skills == ["planning", "hiring"]
    # Off every roster: matching and the messaging jobs start from people rows.
    roster = await PersonRepository(session).list_by_state(TEAM, EnrolmentState.ENROLLED)
    assert [p.slack_user_id for p in roster] == [BEN, CLEO]

    notes = await session.execute(
        select(CheckIn.person_id, CheckIn.note).where(CheckIn.team_id == TEAM)
    )
    assert sorted(notes.tuples()) == sorted(
        [(ben_id, BEN_NOTES[0]), (ben_id, BEN_NOTES[1]), (cleo_id, CLEO_NOTE)]
    )

    # Ben's entry blocking Ana is gone as well: it held her Slack id, and no table may keep
    # it once she asked to be forgotten. Cleo's unrelated entry stays.
    blocks = await session.execute(
        select(DoNotPair.person_id, DoNotPair.blocked_user_id).where(DoNotPair.team_id == TEAM)
    )
    assert list(blocks.tuples()) == [(cleo_id, OUTSIDER)]

    groups = {g.id: g for g in (await session.scalars(select(MatchGroup))).all()}
    assert set(groups) == {seeded.g1, seeded.g2, seeded.g3}
    assert groups[seeded.g1].explanation == ""
    assert groups[seeded.g2].explanation == ""
    assert groups[seeded.g3].explanation == G3_EXPLANATION  # she was not in it
    assert groups[seeded.g1].score == 0.82
    assert groups[seeded.g1].breakdown == {"function": 0.41, "goals": 0.41}

    members = await session.execute(
        select(MatchMember.group_id, MatchMember.person_id, MatchMember.role)
    )
    assert sorted(members.tuples(), key=repr) == sorted(
        [
            (seeded.g1, None, MemberRole.PEER),
            (seeded.g1, ben_id, MemberRole.PEER),
            (seeded.g2, cleo_id, MemberRole.MENTOR),
            (seeded.g2, None, MemberRole.MENTEE),
            (seeded.g3, cleo_id, MemberRole.MENTOR),
            (seeded.g3, ben_id, MemberRole.MENTEE),
        ],
        key=repr,
    )

    meetings = await session.execute(
        select(Meeting.group_id, Meeting.due_on, Meeting.status, Meeting.recorded_by).order_by(
            Meeting.due_on
        )
    )
    assert list(meetings.tuples()) == [
        (seeded.g1, date(2024, 4, 8), MeetingStatus.MET, None),  # Ana had recorded it
        (seeded.g1, date(2024, 4, 22), MeetingStatus.SKIPPED, ben_id),
        (seeded.g2, date(2024, 5, 8), MeetingStatus.MET, cleo_id),
        (seeded.g3, date(2024, 5, 15), MeetingStatus.MET, ben_id),
        (seeded.g2, date(2024, 5, 22), MeetingStatus.PENDING, None),
    ]

    # Ben's export still shows his first group, now without a partner to name.
    document = await export_person(session, people[BEN], EXPORT_AT)
    assert [(m["group_id"], m["partners"]) for m in document["matches"]] == [
        (seeded.g1, []),
        (seeded.g3, [CLEO]),
    ]

    # The other workspace still has its own Ana, her check-in and the block naming her.
    assert await _mentions(session, (ANA, "mk-ana-note-eu")) == {
        ("people", "slack_user_id", ANA),
        ("do_not_pair", "blocked_user_id", ANA),
        ("checkins", "note", "mk-ana-note-eu"),
    }


async def test_forgetting_several_people_adds_up(session: AsyncSession) -> None:
    seeded = await _seed(session)
    newcomer = Person(team_id=TEAM, slack_user_id="U0DEE4R1V", display_name="dee")
    session.add(newcomer)
    await session.commit()

    await forget_person(session, seeded.ana, FORGET_AT)
    await session.commit()
    ben_summary = await forget_person(session, seeded.ben, FORGET_AT + timedelta(days=10))
    newcomer_summary = await forget_person(session, newcomer, FORGET_AT + timedelta(days=11))
    # Still June on this clock, already July in UTC: tallies follow UTC months.
    new_york_evening = datetime(2024, 6, 30, 20, 30, tzinfo=timezone(timedelta(hours=-5)))
    cleo_summary = await forget_person(session, seeded.cleo, new_york_evening)
    await session.commit()

    # Ben: groups 1 and 3, a meeting met in each, two answered check-ins.
    assert ben_summary == ForgetSummary(
        groups=2, meetings_met=2, checkins_answered=2, checkins_deleted=2, do_not_pair_deleted=0
    )
    # Dee had only just been seen: no history at all, yet she still counts as a person.
    assert newcomer_summary == ForgetSummary(
        groups=0, meetings_met=0, checkins_answered=0, checkins_deleted=0, do_not_pair_deleted=0
    )
    # Cleo: groups 2 and 3, a meeting met in each, one check-in; her list held one entry.
    assert cleo_summary == ForgetSummary(
        groups=2, meetings_met=2, checkins_answered=1, checkins_deleted=1, do_not_pair_deleted=1
    )
    # A group counts once for each member forgotten, as does a meeting it held.
    assert await _tallies(session) == [
        (TEAM, date(2024, 6, 1), 3, 4, 4, 4),
        (TEAM, date(2024, 7, 1), 1, 2, 2, 1),
    ]
    # Everyone is gone; the groups and meetings remain as anonymous history.
    assert await _count(session, Person) == 0
    assert await _count(session, CheckIn) == 0
    assert await _count(session, DoNotPair) == 0
    assert await _count(session, MatchMember) == 6
    assert await _count(session, Meeting) == 5


async def test_forget_commits_nothing_itself_and_refuses_a_naive_clock(
    session: AsyncSession,
) -> None:
    seeded = await _seed(session)
    ana_id = seeded.ana.id
    await session.commit()

    with pytest.raises(ValueError, match="naive"):
        await forget_person(session, seeded.ana, datetime(2024, 6, 10, 12, 0))
    await forget_person(session, seeded.ana, FORGET_AT)
    await session.rollback()

    assert await _count(session, AnonymousTally) == 0
    restored = await session.get(Person, ana_id, populate_existing=True)
    assert restored is not None
    assert restored.goals == ANA_GOALS
    checkins = await session.execute(
        select(func.count()).select_from(CheckIn).where(CheckIn.person_id == ana_id)
    )
    assert checkins.scalar_one() == 3
    assert await _count(session, DoNotPair) == 3
