"""A programme's digest figures against numbers worked out by hand from a small seeded history.

The programme runs four weekly-ish rounds before "now" (Thursday 26 November 2026) and one
planned after it:

    R1  19 Oct - 2 Nov   G11 (p1, p2) We met;  G12 (p3, p4);  G13 (p5, p6) proposed
    R2   2 Nov - 16 Nov  G21 (p1, p3) meeting met;  G22 (p2, p4) meeting skipped;
                         G23 (p5, p6) declined
    R3  16 Nov - 23 Nov  G31 (p1, p2) p2's check-in met;  G32 (p3, p4);  G33 (p13, p14);
                         G34 (p5, p6) meeting met
    R4  23 Nov - 30 Nov  G41 (p1, p7);  G42 (p2, p8) We met;  G43 (p3, p9);
                         G44 (p4, p10) p4's check-in met;  G45 (p5, p11);  G46 (p6, p12);
                         G47 (p13, p14);  G48 (p15, p16, a forgotten member);
                         G49 (p17, p18) proposed
    R5  30 Nov -  7 Dec  no groups yet

Functions: p1-p6 engineering, p7-p12 sales, p13-p16 design. Levels: p1-p9 level 3,
p10-p16 level 4. p16 is paused.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digests.figures import (
    Breakdown,
    Dimension,
    GoalProgress,
    Participants,
    ProgrammeDigest,
    QuietGroup,
    Rate,
)
from bot.digests.service import UnknownRound, programme_digest, programme_digests
from bot.domain import (
    Cadence,
    EnrolmentState,
    GoalStatus,
    GroupState,
    MeetingStatus,
    MemberRole,
    MembershipState,
    ProgrammeMode,
    StepDone,
)
from bot.programmes.service import save_programme_settings
from bot.programmes.settings_form import DEFAULTS
from storage.models import (
    CheckIn,
    MatchGroup,
    MatchMember,
    Meeting,
    Membership,
    Person,
    ProgrammeRow,
    Round,
    Workspace,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
EARLY = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
# Texts only the person (and their circle, for a shared step) may see.
PRIVATE_TEXTS = (
    "NOTE-afraid-of-my-manager",
    "NOTE-thinking-of-leaving",
    "STEP-ask-for-a-raise",
    "STEP-shared-with-circle",
)


@dataclass
class Seeded:
    programme_id: int
    other_team_programme_id: int
    rounds: dict[str, int]
    groups: dict[str, int]


def _at(day: int, month: int = 11, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


async def _seed(session: AsyncSession) -> Seeded:
    session.add_all(
        [Workspace(team_id="T1", name="Acme"), Workspace(team_id="T2", name="Elsewhere")]
    )
    await session.flush()
    programme = ProgrammeRow(
        team_id="T1",
        name="Peer pairs",
        mode=ProgrammeMode.PAIRS,
        cadence=Cadence.WEEKLY,
        weekday=0,
        intro_hour=9,
        group_size=2,
        is_default=True,
    )
    circles = ProgrammeRow(
        team_id="T1",
        name="Zeta circles",
        mode=ProgrammeMode.CIRCLES,
        cadence=Cadence.WEEKLY,
        weekday=0,
        intro_hour=9,
        group_size=4,
    )
    mentors = ProgrammeRow(
        team_id="T1",
        name="Alpha mentoring",
        mode=ProgrammeMode.MENTORSHIP,
        cadence=Cadence.MONTHLY,
        weekday=0,
        intro_hour=9,
        group_size=2,
    )
    closed = ProgrammeRow(
        team_id="T1",
        name="Beta cohort",
        mode=ProgrammeMode.CIRCLES,
        cadence=Cadence.WEEKLY,
        weekday=0,
        intro_hour=9,
        group_size=4,
        closed_at=_at(1),
    )
    elsewhere = ProgrammeRow(
        team_id="T2",
        name="Peer pairs",
        mode=ProgrammeMode.PAIRS,
        cadence=Cadence.WEEKLY,
        weekday=0,
        intro_hour=9,
        group_size=2,
        is_default=True,
    )
    session.add_all([programme, circles, mentors, closed, elsewhere])
    await session.flush()

    people: dict[int, Person] = {}
    for n in range(1, 20):
        function = "engineering" if n <= 6 else "sales" if n <= 12 else "design"
        people[n] = Person(
            team_id="T1",
            slack_user_id=f"U{n:02d}",
            display_name=f"Person {n}",
            function=function if n <= 16 else None,
            level=(3 if n <= 9 else 4) if n <= 16 else None,
            enrolment_state=EnrolmentState.PAUSED if n == 16 else EnrolmentState.ENROLLED,
        )
    session.add_all(people.values())
    await session.flush()

    # Memberships of the pairs programme. p13 and p14 joined the day after R1 started, p15 on
    # its day; p17 joined during R4; p18 left during R4 and p19 during R2.
    joined = {n: EARLY for n in range(1, 20)}
    joined |= {13: _at(20, 10), 14: _at(20, 10), 15: _at(19, 10, hour=15), 17: _at(24)}
    left = {18: _at(25), 19: _at(5)}
    for n, at in joined.items():
        session.add(
            Membership(
                team_id="T1",
                programme_id=programme.id,
                person_id=people[n].id,
                joined_at=at,
                left_at=left.get(n),
                state=MembershipState.LEFT if n in left else MembershipState.ACTIVE,
            )
        )
    # p1 joined the circles during R4: that is not a newcomer of the pairs.
    session.add(
        Membership(team_id="T1", programme_id=circles.id, person_id=people[1].id, joined_at=_at(24))
    )

    spans = {
        "R1": (date(2026, 10, 19), date(2026, 11, 2)),
        "R2": (date(2026, 11, 2), date(2026, 11, 16)),
        "R3": (date(2026, 11, 16), date(2026, 11, 23)),
        "R4": (date(2026, 11, 23), date(2026, 11, 30)),
        "R5": (date(2026, 11, 30), date(2026, 12, 7)),
    }
    rounds = {
        name: Round(
            team_id="T1",
            programme_id=programme.id,
            mode="pairs",
            seed=1,
            scheduled_for=start,
            ends_on=end,
        )
        for name, (start, end) in spans.items()
    }
    # A round of the other team's programme on the same day, with a group that met.
    other_round = Round(
        team_id="T2",
        programme_id=elsewhere.id,
        mode="pairs",
        seed=1,
        scheduled_for=date(2026, 11, 23),
        ends_on=date(2026, 11, 30),
    )
    session.add_all([*rounds.values(), other_round])
    await session.flush()

    layout: dict[str, tuple[str, tuple[int | None, ...], dict[str, Any]]] = {
        "G11": ("R1", (1, 2), {"met_at": _at(22, 10)}),
        "G12": ("R1", (3, 4), {}),
        "G13": ("R1", (5, 6), {"state": GroupState.PROPOSED}),
        "G21": ("R2", (1, 3), {}),
        "G22": ("R2", (2, 4), {}),
        "G23": ("R2", (5, 6), {"state": GroupState.DECLINED}),
        "G31": ("R3", (1, 2), {"state": GroupState.ENDED}),
        "G32": ("R3", (3, 4), {"state": GroupState.ENDED}),
        "G33": ("R3", (13, 14), {"state": GroupState.ENDED}),
        "G34": ("R3", (5, 6), {"state": GroupState.ENDED}),
        "G41": ("R4", (1, 7), {"channel_id": "D41"}),
        "G42": ("R4", (2, 8), {"met_at": _at(24)}),
        "G43": ("R4", (3, 9), {"channel_id": "D43"}),
        "G44": ("R4", (4, 10), {}),
        "G45": ("R4", (5, 11), {}),
        "G46": ("R4", (6, 12), {}),
        "G47": ("R4", (13, 14), {}),
        "G48": ("R4", (15, 16, None), {}),
        "G49": ("R4", (17, 18), {"state": GroupState.PROPOSED}),
    }
    groups: dict[str, MatchGroup] = {}
    for name, (round_name, _, extra) in layout.items():
        groups[name] = MatchGroup(team_id="T1", round_id=rounds[round_name].id, score=1.0, **extra)
    other_group = MatchGroup(team_id="T2", round_id=other_round.id, score=1.0, met_at=_at(24))
    session.add_all([*groups.values(), other_group])
    await session.flush()
    for name, (_, members, _) in layout.items():
        for member in members:
            session.add(
                MatchMember(
                    group_id=groups[name].id,
                    person_id=people[member].id if member is not None else None,
                    role=MemberRole.PEER,
                )
            )
    session.add_all(
        [
            Meeting(
                team_id="T1",
                group_id=groups["G21"].id,
                due_on=date(2026, 11, 9),
                status=MeetingStatus.MET,
            ),
            Meeting(
                team_id="T1",
                group_id=groups["G22"].id,
                due_on=date(2026, 11, 9),
                status=MeetingStatus.SKIPPED,
            ),
            Meeting(
                team_id="T1",
                group_id=groups["G34"].id,
                due_on=date(2026, 11, 23),
                status=MeetingStatus.MET,
            ),
        ]
    )

    def checkin(n: int, week: date, *, answered: bool = True, **values: Any) -> CheckIn:
        sent = values.pop("sent", True)
        return CheckIn(
            team_id="T1",
            person_id=people[n].id,
            week_start=week,
            programme_id=programme.id,
            sent_at=datetime.combine(week, datetime.min.time(), tzinfo=UTC) if sent else None,
            answered_at=datetime.combine(week, datetime.min.time(), tzinfo=UTC)
            if answered
            else None,
            **values,
        )

    oct12, oct19, oct26 = date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26)
    nov16, nov23, nov30 = date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)
    session.add_all(
        [
            # Before R1's window: counts nowhere.
            checkin(1, oct12, rating=1, goal_status=GoalStatus.STUCK),
            # R1 (weeks of 19 and 26 October).
            checkin(1, oct19, rating=3, goal_status=GoalStatus.STUCK, note=PRIVATE_TEXTS[0]),
            checkin(
                1,
                oct26,
                rating=5,
                goal_status=GoalStatus.ACHIEVED,
                previous_step_done=StepDone.YES,
                step=PRIVATE_TEXTS[2],
            ),
            checkin(2, oct19, goal_status=GoalStatus.ON_TRACK, previous_step_done=StepDone.NO),
            checkin(2, oct26, rating=4),
            checkin(3, oct19, answered=False),
            # p5 is only in R1's proposed mentorship; p7 in no R1 group at all.
            checkin(5, oct19, rating=1, goal_status=GoalStatus.STUCK),
            checkin(7, oct19, rating=1),
            # R3 (week of 16 November).
            checkin(
                1,
                nov16,
                rating=4,
                goal_status=GoalStatus.ON_TRACK,
                previous_step_done=StepDone.YES,
                note=PRIVATE_TEXTS[1],
            ),
            checkin(
                2,
                nov16,
                rating=5,
                met=True,
                goal_status=GoalStatus.STUCK,
                previous_step_done=StepDone.PARTLY,
                step=PRIVATE_TEXTS[3],
                step_shared=True,
            ),
            checkin(
                3,
                nov16,
                met=False,
                goal_status=GoalStatus.ACHIEVED,
                previous_step_done=StepDone.NO,
            ),
            checkin(4, nov16, answered=False),
            checkin(13, nov16, rating=2, previous_step_done=StepDone.YES),
            checkin(5, nov16, answered=False, sent=False, due_at=_at(19)),
            # R4 (week of 23 November).
            checkin(4, nov23, rating=3, met=True, goal_status=GoalStatus.SOME_PROGRESS),
            checkin(1, nov23, rating=5, previous_step_done=StepDone.YES),
            checkin(7, nov23, answered=False),
            checkin(9, nov23, previous_step_done=StepDone.NO),
            checkin(13, nov23, rating=4),
            checkin(16, nov23, answered=False),
            # Next week's, planned: outside R4's window.
            checkin(1, nov30, answered=False, sent=False, due_at=_at(3, 12)),
        ]
    )
    await session.flush()
    return Seeded(
        programme_id=programme.id,
        other_team_programme_id=elsewhere.id,
        rounds={name: r.id for name, r in rounds.items()},
        groups={name: g.id for name, g in groups.items()},
    )


async def _digest(session: AsyncSession, seeded: Seeded, **kwargs: Any) -> ProgrammeDigest:
    digest = await programme_digest(session, "T1", seeded.programme_id, now=NOW, **kwargs)
    assert digest is not None
    return digest


async def test_every_figure_of_the_current_round_matches_the_hand_count(
    session: AsyncSession,
) -> None:
    seeded = await _seed(session)
    digest = await _digest(session, seeded)
    assert (digest.team_id, digest.programme_name, digest.mode) == (
        "T1",
        "Peer pairs",
        ProgrammeMode.PAIRS,
    )
    assert digest.min_group == 5  # no settings row: the default
    # R5 starts after today, so the current round is R4 and the one before it R3.
    current = digest.current
    assert current is not None
    assert (current.round_id, current.starts_on, current.ends_on) == (
        seeded.rounds["R4"],
        date(2026, 11, 23),
        date(2026, 11, 30),
    )
    # G41..G48; G49 is a proposed mentorship.
    assert current.groups == 8
    # p1..p16 in G41..G48 plus the forgotten member of G48: 16 + 1.
    assert current.people == 17
    # G42 We met, G44 through p4's check-in of 23 Nov -> 2 of 8.
    assert current.meeting == Rate(2, 8)
    # Week of 23 Nov: p4, p1, p7, p9, p13, p16 sent; p4, p1, p9, p13 answered -> 4 of 6.
    assert current.checkin_response == Rate(4, 6)
    # Ratings 3 (p4), 5 (p1), 4 (p13) -> 12 / 3.
    assert current.ratings == 3
    assert current.usefulness == pytest.approx(4.0)
    # Only p4 gave a goal status: some progress.
    assert current.goals == GoalProgress(some_progress=1)
    assert current.goals.attainment == Rate(0, 1)
    # p1 yes, p9 no -> 1 of 2.
    assert current.steps_kept == Rate(1, 2)
    # Three rounds back is R1 (19 Oct). Memberships begun on or before that day: p1-p12,
    # p15 (that day), p16, p18, p19 = 16; p13 and p14 joined the 20th, p17 in November.
    # Still open at R4's end: all but p18 (left 25 Nov) and p19 (left 5 Nov) -> 14 of 16.
    assert current.retention == Rate(14, 16)
    # Active now: p1-p15 and p17 enrolled = 16; p16 paused; p18 and p19 left. New in R4:
    # p17 (p1's circles membership is another programme). Left in R4: p18.
    assert digest.participants == Participants(active=16, new=1, paused=1, left=1)
    assert digest.themes is None


async def test_earlier_rounds_the_trend_and_previous(session: AsyncSession) -> None:
    seeded = await _seed(session)
    digest = await _digest(session, seeded)
    # Oldest first, ending with the current round; R5 has not started.
    assert [r.round_id for r in digest.trend] == [
        seeded.rounds[n] for n in ("R1", "R2", "R3", "R4")
    ]
    assert digest.previous is not None
    assert digest.previous == digest.trend[2]
    assert digest.current == digest.trend[3]
    r1, r2, r3, _ = digest.trend
    # R1: G11 and G12 (G13 proposed); p1-p4. G11 We met -> 1 of 2.
    assert (r1.groups, r1.people, r1.meeting) == (2, 4, Rate(1, 2))
    # Check-ins of p1-p4 in the weeks of 19 and 26 Oct (p5's and p7's are not theirs, p1's
    # of 12 Oct is before): p1 x2, p2 x2, p3 sent; answered all but p3's -> 4 of 5.
    assert r1.checkin_response == Rate(4, 5)
    # Ratings 3, 5 (p1) and 4 (p2) -> 12 / 3.
    assert r1.ratings == 3
    assert r1.usefulness == pytest.approx(4.0)
    # Latest status each: p1 achieved (26 Oct beats 19 Oct's stuck), p2 on track (its
    # 26 Oct check-in has none).
    assert r1.goals == GoalProgress(on_track=1, achieved=1)
    assert r1.goals.attainment == Rate(1, 2)
    # p1 yes (26 Oct), p2 no -> 1 of 2.
    assert r1.steps_kept == Rate(1, 2)
    assert r1.retention == Rate(0, 0)  # no round three before R1
    # R2: G21 met (meeting row), G22 skipped, G23 declined; no check-ins in its weeks.
    assert (r2.groups, r2.people, r2.meeting) == (2, 4, Rate(1, 2))
    assert (r2.checkin_response, r2.ratings, r2.usefulness) == (Rate(0, 0), 0, None)
    assert (r2.goals, r2.steps_kept, r2.retention) == (GoalProgress(), Rate(0, 0), Rate(0, 0))
    # R3: G31 (p2's check-in said met), G34 (meeting row) of 4; p4's "met" of 23 Nov is
    # R4's week, not R3's -> 2 of 4; people p1-p6, p13, p14 = 8.
    assert (r3.groups, r3.people, r3.meeting) == (4, 8, Rate(2, 4))
    # Week of 16 Nov: p1, p2, p3, p4, p13 sent (p5's only planned); p4 did not answer.
    assert r3.checkin_response == Rate(4, 5)
    # Ratings 4, 5, 2 -> 11 / 3.
    assert r3.ratings == 3
    assert r3.usefulness == pytest.approx(11 / 3)
    assert r3.goals == GoalProgress(on_track=1, stuck=1, achieved=1)
    # p1 yes, p2 partly, p3 no, p13 yes -> 2 of 4.
    assert r3.steps_kept == Rate(2, 4)
    assert r3.retention == Rate(0, 0)


async def test_breakdowns_hide_small_values_and_the_one_that_would_give_them_away(
    session: AsyncSession,
) -> None:
    seeded = await _seed(session)
    digest = await _digest(session, seeded)
    by_function = [b for b in digest.breakdowns if b.dimension is Dimension.FUNCTION]
    by_level = [b for b in digest.breakdowns if b.dimension is Dimension.LEVEL]
    assert by_function == [
        # p1-p6: G42 (p2) and G44 (p4) met -> 2 of 6; p1 and p4 sent and answered -> 2 of 2.
        Breakdown(Dimension.FUNCTION, "Engineering", 6, Rate(2, 6), Rate(2, 2)),
        # p7-p12: G42 (p8), G44 (p10) -> 2 of 6; p7 sent, p9 sent and answered -> 1 of 2.
        Breakdown(Dimension.FUNCTION, "Sales", 6, Rate(2, 6), Rate(1, 2)),
        # p13-p16: 4 < 5, hidden. The forgotten member: 1, hidden. Two hidden: nothing more.
        Breakdown(Dimension.FUNCTION, "Design", None, None, None),
        Breakdown(Dimension.FUNCTION, "Not given", None, None, None),
    ]
    assert by_level == [
        # p1-p9: met p2, p4, p8 -> 3 of 9; p1, p4, p7, p9 sent, all but p7 answered -> 3 of 4.
        Breakdown(Dimension.LEVEL, "3 · Experienced", 9, Rate(3, 9), Rate(3, 4)),
        # Only "Not given" (1) is small; the round's 17 people minus 9 would give it away
        # if level 4 (7) were shown, so level 4 is hidden too.
        Breakdown(Dimension.LEVEL, "4 · Senior", None, None, None),
        Breakdown(Dimension.LEVEL, "Not given", None, None, None),
    ]
    assert all(b.suppressed for b in by_level[1:])

    # With 4 as the minimum, design (4) is shown on its own merits... but "Not given" is then
    # the only hidden function, so the smallest shown one, design, is hidden with it.
    smaller = await _digest(session, seeded, min_group=4)
    assert smaller.min_group == 4
    assert [(b.label, b.people) for b in smaller.breakdowns[:4]] == [
        ("Engineering", 6),
        ("Sales", 6),
        ("Design", None),
        ("Not given", None),
    ]
    # With 1, nothing is hidden: design's p13-p16 met nowhere (G47, G48); p13 and p16 sent,
    # p13 answered -> 1 of 2.
    everyone = await _digest(session, seeded, min_group=1)
    design = next(b for b in everyone.breakdowns if b.label == "Design")
    assert design == Breakdown(Dimension.FUNCTION, "Design", 4, Rate(0, 4), Rate(1, 2))
    not_given = next(
        b for b in everyone.breakdowns if b.label == "Not given" and b.dimension is Dimension.LEVEL
    )
    assert not_given == Breakdown(Dimension.LEVEL, "Not given", 1, Rate(0, 1), Rate(0, 0))


async def test_the_workspace_minimum_comes_from_its_settings(session: AsyncSession) -> None:
    seeded = await _seed(session)
    await save_programme_settings(session, "T1", replace(DEFAULTS, min_aggregate_size=3), now=NOW)
    digest = await _digest(session, seeded)
    assert digest.min_group == 3
    # Design's 4 people now show; "Not given" (1) is the only one hidden, so the smallest
    # shown function, design, goes with it.
    assert [(b.label, b.suppressed) for b in digest.breakdowns[:4]] == [
        ("Engineering", False),
        ("Sales", False),
        ("Design", True),
        ("Not given", True),
    ]


async def test_quiet_groups_did_not_meet_now_nor_in_the_round_before(
    session: AsyncSession,
) -> None:
    seeded = await _seed(session)
    digest = await _digest(session, seeded)
    # Not met in R4: G41 (p1 met in G31), G43 (p3's G32 did not meet), G45 and G46 (p5 and
    # p6 met in G34), G47 (G33 did not meet), G48 (nobody was in R3). Quiet: G43 and G47.
    assert digest.quiet_groups == (
        QuietGroup(seeded.groups["G43"], ("U03", "U09"), "D43", 2),
        QuietGroup(seeded.groups["G47"], ("U13", "U14"), None, 2),
    )


async def test_a_named_round_is_the_current_one(session: AsyncSession) -> None:
    seeded = await _seed(session)
    digest = await _digest(session, seeded, round_id=seeded.rounds["R2"])
    assert digest.current is not None
    assert digest.previous is not None
    assert digest.current.round_id == seeded.rounds["R2"]
    assert digest.previous.round_id == seeded.rounds["R1"]
    assert [r.round_id for r in digest.trend] == [seeded.rounds["R1"], seeded.rounds["R2"]]
    # R2's window, 2-16 Nov: nobody joined; p19 left on the 5th.
    assert digest.participants == Participants(active=16, new=0, paused=1, left=1)
    # G22 (p2, p4) did not meet, and neither did p4's G12 of R1; p2's G11 did -> not quiet.
    assert digest.quiet_groups == ()
    # Breakdowns of R2's people: p1-p4, all engineering and level 3; 4 < 5 hides them.
    assert [(b.dimension, b.label, b.people) for b in digest.breakdowns] == [
        (Dimension.FUNCTION, "Engineering", None),
        (Dimension.LEVEL, "3 · Experienced", None),
    ]

    # The first round has no previous one, and R5 (not started) can be asked for by name.
    first = await _digest(session, seeded, round_id=seeded.rounds["R1"])
    assert first.previous is None
    assert first.trend == (first.current,)
    planned = await _digest(session, seeded, round_id=seeded.rounds["R5"])
    assert planned.current is not None
    assert (planned.current.groups, planned.current.people) == (0, 0)
    # Four rounds back from R5 is R2 (2 Nov): those who joined by then and have not left:
    # p1-p16 and p18, p19 joined; p18 and p19 left -> 16 of 18.
    assert planned.current.retention == Rate(16, 18)

    with pytest.raises(UnknownRound):
        await programme_digest(
            session,
            "T1",
            seeded.programme_id,
            now=NOW,
            round_id=seeded.rounds["R1"] + 10_000,
        )


async def test_before_the_first_round_there_is_no_current_round(session: AsyncSession) -> None:
    seeded = await _seed(session)
    digest = await programme_digest(
        session, "T1", seeded.programme_id, now=datetime(2026, 10, 18, 12, tzinfo=UTC)
    )
    assert digest is not None
    assert (digest.current, digest.previous, digest.trend) == (None, None, ())
    assert (digest.breakdowns, digest.quiet_groups) == ((), ())
    # Memberships as they stand (the seed's states): 16 active enrolled, p16 paused.
    assert digest.participants == Participants(active=16, new=0, paused=1, left=0)


async def test_another_teams_programme_is_not_found(session: AsyncSession) -> None:
    seeded = await _seed(session)
    assert await programme_digest(session, "T1", seeded.other_team_programme_id, now=NOW) is None
    assert await programme_digest(session, "T2", seeded.programme_id, now=NOW) is None
    other = await programme_digest(session, "T2", seeded.other_team_programme_id, now=NOW)
    assert other is not None
    assert other.current is not None
    # Its one group met; none of T1's groups leak in.
    assert (other.current.groups, other.current.people, other.current.meeting) == (
        1,
        0,
        Rate(1, 1),
    )


async def test_every_open_programme_default_first_then_by_name(session: AsyncSession) -> None:
    seeded = await _seed(session)
    digests = await programme_digests(session, "T1", now=NOW)
    # Beta cohort is closed.
    assert [d.programme_name for d in digests] == ["Peer pairs", "Alpha mentoring", "Zeta circles"]
    assert digests[0] == await _digest(session, seeded)
    # The circles programme has no rounds; p1 is its one active member, joined on the 24th.
    assert digests[2].current is None
    assert digests[2].participants == Participants(active=1, new=0, paused=0, left=0)


def _strings(value: object) -> list[str]:
    """Every string anywhere in a digest."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in _strings(getattr(value, f.name))]
    if isinstance(value, (tuple, list)):
        return [s for item in value for s in _strings(item)]
    return []


async def test_no_figure_holds_a_note_or_a_step(session: AsyncSession) -> None:
    seeded = await _seed(session)
    digests = [
        await _digest(session, seeded, min_group=1),
        await _digest(session, seeded, round_id=seeded.rounds["R1"], min_group=1),
        await _digest(session, seeded, round_id=seeded.rounds["R3"], min_group=1),
    ]
    strings = [s for digest in digests for s in _strings(digest)]
    assert "U03" in strings
    assert "Engineering" in strings
    for text in PRIVATE_TEXTS:
        assert not any(text in s or s in text for s in strings if len(s) > 3), text
