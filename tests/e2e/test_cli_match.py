"""`peercoach match --dry-run` as a user runs it: a roster file in, groups and reasons out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import MATCH_MODES, cli
from bot.domain import (
    Cadence,
    EnrolmentState,
    MembershipRole,
    MembershipState,
    ProgrammeMode,
)
from bot.matching.model import Mode
from storage.models import Membership, Person, ProgrammeRow, Workspace
from storage.session import create_sessionmaker

HEADER = (
    "id,function,level,time_zone,work_start,work_end,goals,skills,cadence,status,"
    "mentor_capacity,wants_mentor,past_partners,do_not_pair"
)
ROSTER = "\n".join(
    [
        HEADER,
        "ana,engineering,5,Europe/Berlin,09:00,17:00,delegation;hiring,giving-feedback,,,2,no,,",
        "ben,design,2,Europe/London,08:00,16:00,giving-feedback,delegation,,,0,yes,carla,",
        "carla,sales,3,Europe/Paris,09:30,18:00,giving-feedback;negotiation,,,,0,yes,ben,",
        "dan,engineering,1,Europe/Madrid,10:00,18:00,hiring;writing,strategy,,,0,yes,,",
        "eve,people,6,Europe/Berlin,08:00,16:00,strategy,hiring;writing,,,3,no,,",
        "fay,design,4,Europe/Lisbon,09:00,17:00,writing,negotiation,,paused,1,no,,",
        "gus,sales,2,Europe/Rome,09:00,17:00,negotiation,writing,,,0,yes,,ana",
        "hal,support,3,America/Los_Angeles,09:00,17:00,strategy,,,,0,no,,",
    ]
)


def run(*args: str, cwd: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh process, with no Slack, database or peercoach settings but `extra_env`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "PEERCOACH_", "OPENAI_")) and k != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "match", *args],
        cwd=cwd,
        env={**env, **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(ROSTER + "\n", encoding="utf-8")
    return path


def test_a_roster_previews_groups_with_their_reasons(roster_file: Path, tmp_path: Path) -> None:
    result = run(
        "--dry-run", "--roster", str(roster_file), "--seed", "7", "--date", "2025-01-15",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert (
        lines[0] == f"Dry run for 2025-01-15 from roster {roster_file}: nothing is saved or sent."
    )
    assert lines[1].startswith("Mode pairs, seed 7: ")
    assert "Group 1 (" in out
    assert "  why: " in out
    assert "  breakdown: function " in out
    # hal works eight or nine hours away from everyone else: over the default six-hour limit.
    assert "Left out (1)\n  hal: no allowed partner (" in out
    assert "Not matched this round (1)\n  fay: paused" in out
    assert lines[-1] == (
        f"Replay with: peercoach match --dry-run --roster {roster_file} --mode pairs --seed 7 "
        "--date 2025-01-15"
    )
    assert result.stderr == ""


def test_json_is_the_only_output_and_has_the_seed(roster_file: Path, tmp_path: Path) -> None:
    result = run(
        "--dry-run", "--roster", str(roster_file), "--json", "--seed", "11",
        "--date", "2025-07-01", "--max-tz-gap", "10",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["seed"] == 11
    assert document["mode"] == "pairs"
    assert document["version"] == 1
    summary = document["summary"]
    assert summary["eligible"] == 7
    assert summary["unavailable"] == 1
    assert summary["placed"] == sum(len(g["members"]) for g in document["groups"])
    # With a ten-hour limit hal (UTC-7 in July) can meet someone in UTC+1 or +2.
    assert document["left_out"] == []
    assert document["unavailable"] == [
        {"id": "fay", "reason": "paused", "detail": document["unavailable"][0]["detail"]}
    ]
    for group in document["groups"]:
        assert set(group) == {"members", "mentor", "score", "breakdown", "explanation"}
        assert list(group["breakdown"]) == ["function", "level", "hours", "goals", "complement"]
    assert document["input"] == {
        "source": "roster",
        "roster": str(roster_file),
        "team": None,
        "date": "2025-07-01",
        "settings": {
            "max_tz_gap_hours": 10.0,
            "circle_size": 4,
            "mentor_min_level_gap": 2,
            "candidates_per_person": 12,
            "weights": {
                "function": 1.0,
                "level": 1.0,
                "hours": 1.0,
                "goals": 1.0,
                "complement": 1.0,
            },
        },
        "replay": (
            f"peercoach match --dry-run --roster {roster_file} --mode pairs --seed 11 "
            "--date 2025-07-01 --max-tz-gap 10"
        ),
    }


def test_the_same_seed_prints_the_same_preview(roster_file: Path, tmp_path: Path) -> None:
    args = ("--dry-run", "--roster", str(roster_file), "--seed", "123", "--date", "2025-03-03")
    first, second = run(*args, cwd=tmp_path), run(*args, cwd=tmp_path)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


def test_a_random_seed_is_printed_so_the_run_can_be_replayed(
    roster_file: Path, tmp_path: Path
) -> None:
    args = ("--dry-run", "--roster", str(roster_file), "--date", "2025-03-03", "--json")
    first = json.loads(run(*args, cwd=tmp_path).stdout)
    again = run(*args, "--seed", str(first["seed"]), cwd=tmp_path)
    assert json.loads(again.stdout)["groups"] == first["groups"]


def test_a_bad_roster_is_one_line_per_problem_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,function,level,time_zone\n"
        "ana,engineering,3,Europe/Berlin\n"
        "ben,design,senior,Berlin\n"
        "ana,sales,2,\n"
    )
    result = run("--dry-run", "--roster", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}: row 3: level must be a whole number from 1 to 6, got 'senior'",
        f"{path}: row 3: time_zone must be an IANA name such as Europe/Berlin or an offset such "
        "as +05:30 or UTC-8, got 'Berlin' (did you mean 'Europe/Berlin'?)",
        f"{path}: row 4: id 'ana' is already used on row 2; ids must be unique",
    ]


def test_a_missing_roster_file_is_one_line(tmp_path: Path) -> None:
    result = run("--dry-run", "--roster", str(tmp_path / "nope.csv"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{tmp_path}/nope.csv: cannot read the roster: no file at {tmp_path}/nope.csv"
    ]


def test_without_dry_run_it_says_where_real_rounds_start(roster_file: Path, tmp_path: Path) -> None:
    result = run("--roster", str(roster_file), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "peercoach: match only previews a round and needs --dry-run; real rounds are started "
        "from Slack with /peercoach admin round now"
    ]


def test_works_with_no_configuration_at_all(roster_file: Path, tmp_path: Path) -> None:
    # A .env with broken settings proves the roster preview never reads configuration.
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=not-a-token\nDATABASE_URL=mysql://x/y\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "match", "--dry-run", "--roster", str(roster_file)],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Group 1 (" in result.stdout


# -- from the database -----------------------------------------------------------------------

TEAM = "T0PREVIEW"


PARTICIPANT, MENTOR, MENTEE = (
    MembershipRole.PARTICIPANT,
    MembershipRole.MENTOR,
    MembershipRole.MENTEE,
)
ON, PAUSED = EnrolmentState.ENROLLED, EnrolmentState.PAUSED


async def _seed_workspace(engine: AsyncEngine) -> None:
    """Who is in what, by memberships only: Ana is in both pairs programmes, Ben in one, Carla
    too but paused; Dee only in circles; Eve mentors and Finn is mentored; Gus is only in a
    closed pairs programme; Hal left pairs."""
    completed = datetime(2025, 1, 1, tzinfo=UTC)
    async with create_sessionmaker(engine)() as session:
        session.add(Workspace(team_id=TEAM, name="Preview Co"))
        await session.flush()
        programmes = {
            name: ProgrammeRow(
                team_id=TEAM,
                name=name,
                mode=mode,
                cadence=Cadence.WEEKLY,
                weekday=2,
                intro_hour=9,
                group_size=2,
                closed_at=completed if name == "Old pairs" else None,
            )
            for name, mode in [
                ("Peer pairs", ProgrammeMode.PAIRS),
                ("Spring pairs", ProgrammeMode.PAIRS),
                ("Old pairs", ProgrammeMode.PAIRS),
                ("Peer circles", ProgrammeMode.CIRCLES),
                ("Mentoring", ProgrammeMode.MENTORSHIP),
            ]
        }
        session.add_all(programmes.values())
        people = [
            ("U0ANA", "Ana", "engineering", 4, ON, ["Peer pairs", "Spring pairs"], PARTICIPANT),
            ("U0BEN", "Ben", "design", 3, ON, ["Peer pairs"], PARTICIPANT),
            ("U0CAR", "Carla", "sales", 2, PAUSED, ["Spring pairs"], PARTICIPANT),
            ("U0DEE", "Dee", "support", 3, ON, ["Peer circles"], PARTICIPANT),
            ("U0EVE", "Eve", "people", 6, ON, ["Mentoring"], MENTOR),
            ("U0FIN", "Finn", "sales", 2, ON, ["Mentoring"], MENTEE),
            ("U0GUS", "Gus", "design", 3, ON, ["Old pairs"], PARTICIPANT),
            ("U0HAL", "Hal", "engineering", 3, ON, ["Peer pairs"], PARTICIPANT),
        ]  # fmt: skip
        for user_id, name, function, level, state, joined, role in people:
            person = Person(
                team_id=TEAM,
                slack_user_id=user_id,
                display_name=name,
                function=function,
                level=level,
                time_zone="Europe/Berlin",
                goal_tags=["giving-feedback"],
                enrolment_state=state,
                profile_completed_at=completed,
            )
            session.add(person)
            await session.flush()
            for programme in joined:
                left = user_id == "U0HAL"
                session.add(
                    Membership(
                        team_id=TEAM,
                        programme_id=programmes[programme].id,
                        person_id=person.id,
                        role=role,
                        state=MembershipState.LEFT if left else MembershipState.ACTIVE,
                        left_at=completed if left else None,
                    )
                )
        await session.commit()


async def test_a_workspace_is_previewed_from_the_database_without_slack_settings(
    migrated_engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    await _seed_workspace(migrated_engine)

    env = {"DATABASE_URL": database_url}
    result = run(
        "--dry-run", "--team", TEAM, "--seed", "5", "--date", "2025-01-15", cwd=tmp_path, **env
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == (
        f"Dry run for 2025-01-15 from workspace {TEAM} in the database: nothing is saved or sent."
    )
    # Only members of open pairs programmes, Ana once although she is in two.
    assert "  members: Ana (U0ANA), Ben (U0BEN)\n" in out
    assert "Not matched this round (1)\n  Carla (U0CAR): paused" in out
    for outsider in ("U0DEE", "U0EVE", "U0FIN", "U0GUS", "U0HAL"):
        assert outsider not in out
    assert out.splitlines()[-1] == (
        f"Replay with: peercoach match --dry-run --team {TEAM} --mode pairs --seed 5 "
        "--date 2025-01-15"
    )


async def test_the_mentorship_dry_run_reads_roles_from_memberships(
    migrated_engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    await _seed_workspace(migrated_engine)

    result = run(
        "--dry-run", "--team", TEAM, "--mode", "mentorship", "--seed", "5", "--date",
        "2025-01-15", "--json", cwd=tmp_path, DATABASE_URL=database_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [(g["members"], g["mentor"]) for g in document["groups"]] == [
        (["U0EVE", "U0FIN"], "U0EVE")
    ]
    assert document["left_out"] == []


async def test_an_unknown_workspace_is_one_line(
    migrated_engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    result = run("--dry-run", "--team", "T0NOBODY", cwd=tmp_path, DATABASE_URL=database_url)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(
        "peercoach: there is no workspace T0NOBODY in the database at "
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    # No DATABASE_URL: the default is ./peercoach.db, which does not exist here.
    result = run("--dry-run", "--team", TEAM, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "peercoach: there is no database at sqlite+aiosqlite:///./peercoach.db; check DATABASE_URL"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = run(
        "--dry-run", "--team", TEAM, cwd=tmp_path,
        DATABASE_URL="postgresql://postgres:s3cret@127.0.0.1:1/x",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "peercoach: cannot read the database at postgresql+asyncpg://postgres:***@127.0.0.1:1/x; "
        "check DATABASE_URL and run peercoach db upgrade"
    )


# -- options, through click's runner ---------------------------------------------------------


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["match", *args])


def test_the_mode_choices_are_the_engine_modes() -> None:
    assert tuple(mode.value for mode in Mode) == MATCH_MODES


@pytest.mark.parametrize("mode", MATCH_MODES)
def test_every_mode_runs(mode: str, roster_file: Path) -> None:
    result = invoke(
        "--dry-run", "--roster", str(roster_file), "--mode", mode, "--seed", "3",
        "--date", "2025-01-15", "--json", "--circle-size", "3", "--mentor-gap", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["mode"] == mode
    assert document["input"]["settings"]["circle_size"] == 3
    assert document["input"]["settings"]["mentor_min_level_gap"] == 1
    if mode in {"mentorship", "reverse"}:
        assert all(group["mentor"] in group["members"] for group in document["groups"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--circle-size", "7"], "Invalid value for '--circle-size'"),
        (["--mode", "trios"], "Invalid value for '--mode'"),
        (["--date", "15/01/2025"], "Invalid value for '--date'"),
        (["--seed", "-1"], "Invalid value for '--seed'"),
        (["--max-tz-gap", "-2"], "Invalid value for '--max-tz-gap'"),
    ],
)
def test_bad_options_are_usage_errors(args: list[str], message: str, roster_file: Path) -> None:
    result = invoke("--dry-run", "--roster", str(roster_file), *args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_roster_and_a_team_do_not_mix(roster_file: Path) -> None:
    result = invoke("--dry-run", "--roster", str(roster_file), "--team", "T1")
    assert result.exit_code == 2
    assert result.output == (
        "peercoach: --team reads the database; leave it out when you give --roster\n"
    )


def test_without_a_roster_a_team_is_needed() -> None:
    result = invoke("--dry-run")
    assert result.exit_code == 2
    assert result.output == (
        "peercoach: give --roster FILE to preview a CSV, or --team T to preview a workspace's "
        "enrolled people from the database\n"
    )


# -- placing everyone who can be placed ------------------------------------------------------

SEVEN = """\
id,function,level,time_zone,goals,skills,do_not_pair
alice,Engineering,3,Europe/London,giving-feedback;delegation,system-design,
bob,Sales,3,America/New_York,public-speaking,negotiation,
carla,Design,2,Europe/Madrid,giving-feedback,storytelling,
dan,Product,4,Asia/Kolkata,strategy,product-sense,
erin,Marketing,3,Europe/Berlin,delegation,giving-feedback,alice
fred,Finance,2,America/Chicago,time-management,data-literacy,
gina,Support,3,Australia/Sydney,resilience,customer-empathy,
"""


@pytest.mark.parametrize("seed", ["1", "7", "99"])
def test_the_remotest_person_is_placed_when_a_triad_elsewhere_makes_room(
    seed: str, tmp_path: Path
) -> None:
    # gina (Sydney) may only meet dan: dan-gina, one pair and one triad place all seven.
    path = tmp_path / "seven.csv"
    path.write_text(SEVEN, encoding="utf-8")
    args = ("--dry-run", "--roster", str(path), "--date", "2026-12-07", "--seed", seed)
    text = run(*args, cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert f"Mode pairs, seed {seed}: 7 of 7 eligible people placed in 3 groups" in text.stdout
    assert "Left out (0)\n  nobody" in text.stdout
    assert "  members: dan, gina\n" in text.stdout
    document = json.loads(run(*args, "--json", cwd=tmp_path).stdout)
    assert document["left_out"] == []
    assert sorted(len(g["members"]) for g in document["groups"]) == [2, 2, 3]
    assert ["dan", "gina"] in [g["members"] for g in document["groups"]]
