"""Programmes and memberships from Slack: joining several, status and Home, leaving one or all,
and people moved into programmes by revision 0003."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

from sqlalchemy import select

from bot.domain import (
    Cadence,
    EnrolmentState,
    MembershipRole,
    MembershipState,
    ProgrammeMode,
)
from bot.slack.blocks.enrolment import ACTION_CONFIRM_LEAVE
from bot.slack.blocks.programmes import ACTION_LEAVE_PROGRAMME, LEAVE_ALL
from storage.models import Membership, Person, ProgrammeRow, Workspace
from tests.e2e.driver import Coach, all_text

ALICE, BOB = "U0ALICE", "U0BOB"


async def memberships(coach: Coach, user: str) -> dict[str, tuple[str, str]]:
    """programme name -> (role, state) for `user`."""
    async with coach.sessions() as session:
        rows = await session.execute(
            select(ProgrammeRow.name, Membership.role, Membership.state)
            .join(Membership, Membership.programme_id == ProgrammeRow.id)
            .join(Person, Person.id == Membership.person_id)
            .where(Person.slack_user_id == user)
        )
        return {name: (role.value, state.value) for name, role, state in rows.tuples()}


async def test_find_then_find_circle_keeps_both_and_says_so(coach: Coach) -> None:
    joined = await coach.enrol(ALICE)
    assert "Peer pairs" in all_text(joined)
    answer = await coach.ask("find circle", ALICE)
    text = all_text(answer)
    assert "You joined *Peer circles*" in text
    assert "also still in *Peer pairs*" in text
    assert await memberships(coach, ALICE) == {
        "Peer pairs": ("participant", "active"),
        "Peer circles": ("participant", "active"),
    }
    # Asking again changes nothing and says so.
    again = all_text(await coach.ask("find circle", ALICE))
    assert "already in *Peer circles*" in again
    assert len(await memberships(coach, ALICE)) == 2

    status = json.loads(json.dumps(await coach.ask("status", ALICE)))
    status_text = all_text(status)
    assert "*Peer pairs* \\u00b7 pairs" in status_text
    assert "*Peer circles* \\u00b7 circles" in status_text
    assert "Next round:" in status_text

    mark = len(coach.fake.calls)
    await coach.slack.event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    home = json.dumps(await coach.home_after(ALICE, mark, containing="Peer circles"))
    assert "Peer pairs" in home


async def test_find_mentor_and_mentor_join_the_mentoring_programme(coach: Coach) -> None:
    await coach.enrol(ALICE, text="find mentor")
    await coach.enrol(BOB, text="mentor 2", level="5")
    assert await memberships(coach, ALICE) == {"Mentoring": ("mentee", "active")}
    assert await memberships(coach, BOB) == {"Mentoring": ("mentor", "active")}
    bob = await coach.person(BOB)
    assert bob is not None
    assert bob.mentor_capacity == 2  # a profile value, not a membership
    answer = all_text(await coach.ask("find", BOB))
    assert "also still in *Mentoring*" in answer
    assert set(await memberships(coach, BOB)) == {"Mentoring", "Peer pairs"}


async def _click(coach: Coach, action_id: str, user: str, value: str) -> dict[str, object]:
    sent = await coach.slack.block_action(action_id, user_id=user, value=value)
    assert sent.status == 200
    url = sent.payload["response_url"]
    response = await coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    return dict(response.json)


async def _programme_id(coach: Coach, name: str) -> int:
    async with coach.sessions() as session:
        found = await session.scalar(select(ProgrammeRow.id).where(ProgrammeRow.name == name))
        assert found is not None
        return int(found)


async def test_leave_with_two_programmes_asks_which_then_leave_one_then_all(
    coach: Coach,
) -> None:
    await coach.enrol(ALICE)
    await coach.ask("find circle", ALICE)
    question = all_text(await coach.ask("leave", ALICE))
    assert ACTION_LEAVE_PROGRAMME in question
    assert "Which programme" in question
    assert LEAVE_ALL in question

    circles = await _programme_id(coach, "Peer circles")
    left = all_text(await _click(coach, ACTION_LEAVE_PROGRAMME, ALICE, str(circles)))
    assert "You left *Peer circles*" in left
    assert "still in *Peer pairs*" in left
    assert await memberships(coach, ALICE) == {
        "Peer pairs": ("participant", "active"),
        "Peer circles": ("participant", "left"),
    }
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED

    # With one programme left, `leave` asks to confirm leaving peercoach, as before.
    single = all_text(await coach.ask("leave", ALICE))
    assert ACTION_CONFIRM_LEAVE in single
    assert ACTION_LEAVE_PROGRAMME not in single

    await coach.ask("find circle", ALICE)  # rejoining reuses the kept membership
    assert await memberships(coach, ALICE) == {
        "Peer pairs": ("participant", "active"),
        "Peer circles": ("participant", "active"),
    }
    await coach.ask("leave", ALICE)
    everything = all_text(await _click(coach, ACTION_LEAVE_PROGRAMME, ALICE, LEAVE_ALL))
    assert "You left peercoach" in everything
    assert await memberships(coach, ALICE) == {
        "Peer pairs": ("participant", "left"),
        "Peer circles": ("participant", "left"),
    }
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.LEFT
    assert person.level == 3  # history and profile stay

    back = all_text(await coach.ask("find", ALICE))
    assert "Welcome back to peercoach" in back
    assert (await memberships(coach, ALICE))["Peer pairs"] == ("participant", "active")


async def test_leaving_the_last_programme_leaves_peercoach(coach: Coach) -> None:
    await coach.enrol(ALICE, text="find circle")
    await coach.ask("find", ALICE)
    pairs = await _programme_id(coach, "Peer pairs")
    circles = await _programme_id(coach, "Peer circles")
    await coach.ask("leave", ALICE)
    await _click(coach, ACTION_LEAVE_PROGRAMME, ALICE, str(pairs))
    await coach.ask("leave", ALICE)  # one left: the plain confirmation
    answer = all_text(await _click(coach, ACTION_LEAVE_PROGRAMME, ALICE, str(circles)))
    assert "You left peercoach" in answer
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.LEFT


async def test_pause_covers_every_programme(coach: Coach) -> None:
    await coach.enrol(ALICE)
    await coach.ask("find circle", ALICE)
    await coach.ask("pause 2 weeks", ALICE)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.PAUSED
    status = all_text(await coach.ask("status", ALICE))
    assert "Paused until" in status
    assert "Peer pairs" in status
    assert "Peer circles" in status
    # Memberships stay active: the pause belongs to the person.
    assert {state for _, state in (await memberships(coach, ALICE)).values()} == {"active"}


async def test_people_moved_by_revision_0003_keep_working(coach: Coach) -> None:
    """Someone enrolled before programmes existed, as 0003 leaves them: a default programme,
    one membership, the old column still set."""
    now = datetime.now(UTC)
    team = coach.slack.team_id
    async with coach.sessions() as session:
        session.add(Workspace(team_id=team, name="Acme", created_at=now, updated_at=now))
        await session.flush()
        programme = ProgrammeRow(
            team_id=team,
            name="Peer pairs",
            mode=ProgrammeMode.PAIRS,
            cadence=Cadence.FORTNIGHTLY,
            weekday=2,
            intro_hour=9,
            group_size=2,
            is_default=True,
            created_at=now,
            updated_at=now,
        )
        person = Person(
            team_id=team,
            slack_user_id=ALICE,
            display_name="alice",
            function="engineering",
            level=3,
            time_zone="Europe/London",
            work_start=time(9),
            work_end=time(17),
            goals=["Grow"],
            goal_tags=[],
            skills=[],
            cadence=Cadence.WEEKLY,
            profile_completed_at=now,
            enrolment_state=EnrolmentState.ENROLLED,
            enrolled_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add_all([programme, person])
        await session.flush()
        session.add(
            Membership(
                team_id=team,
                programme_id=programme.id,
                person_id=person.id,
                role=MembershipRole.PARTICIPANT,
                state=MembershipState.ACTIVE,
                joined_at=now,
            )
        )
        await session.commit()

    status = all_text(await coach.ask("status", ALICE))
    assert "every 2 weeks on Wednesdays" in status
    answer = all_text(await coach.ask("find", ALICE))
    assert "already in *Peer pairs*" in answer
    await coach.ask("find circle", ALICE)
    assert await memberships(coach, ALICE) == {
        "Peer pairs": ("participant", "active"),
        "Peer circles": ("participant", "active"),
    }
    async with coach.sessions() as session:
        programmes = list(await session.scalars(select(ProgrammeRow.name)))
    assert sorted(programmes) == ["Peer circles", "Peer pairs"]


async def test_export_lists_memberships_and_forget_deletes_them(coach: Coach) -> None:
    await coach.enrol(ALICE)
    await coach.ask("find circle", ALICE)
    await coach.ask("export", ALICE)
    [upload] = coach.fake.uploaded_files
    document = json.loads(upload.text)
    assert {(p["programme"], p["state"]) for p in document["programmes"]} == {
        ("Peer pairs", "active"),
        ("Peer circles", "active"),
    }
    await coach.ask("forget", ALICE)
    sent = await coach.slack.block_action("confirm_forget", user_id=ALICE)
    url = sent.payload["response_url"]
    await coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    async with coach.sessions() as session:
        left = list(await session.scalars(select(Membership)))
    assert left == []
    assert await coach.person(ALICE) is None
