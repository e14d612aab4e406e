"""Migrations: up from nothing, down to nothing, up again, and in step with the models."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import (
    current_revision,
    downgrade,
    schema_differences,
    upgrade,
)

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
APP_TABLES = {
    "workspaces",
    "people",
    "workspace_settings",
    "do_not_pair",
    "rounds",
    "match_groups",
    "match_members",
    "meetings",
    "checkins",
    "anonymous_tallies",
    "processed_requests",
    "programmes",
    "memberships",
    "outbox",
}
HEAD = "0003"


async def _tables(engine: AsyncEngine) -> set[str]:
    def names(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async with engine.connect() as connection:
        return await connection.run_sync(names)


async def test_upgrade_downgrade_upgrade(empty_engine: AsyncEngine) -> None:
    assert await current_revision(empty_engine) is None
    assert await _tables(empty_engine) == set()

    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == HEAD
    assert await _tables(empty_engine) == APP_TABLES | {"alembic_version"}

    await downgrade(empty_engine)
    assert await current_revision(empty_engine) is None
    assert await _tables(empty_engine) == {"alembic_version"}

    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == HEAD
    assert await _tables(empty_engine) == APP_TABLES | {"alembic_version"}


async def test_models_match_migrations(migrated_engine: AsyncEngine) -> None:
    assert await schema_differences(migrated_engine) == []


async def test_constraint_names_are_stable(migrated_engine: AsyncEngine) -> None:
    def constraints(connection: Connection) -> dict[str, set[str | None]]:
        inspector = inspect(connection)
        return {
            "unique": {c["name"] for c in inspector.get_unique_constraints("people")}
            | {c["name"] for c in inspector.get_unique_constraints("workspaces")},
            "foreign": {c["name"] for c in inspector.get_foreign_keys("people")},
            "check": {c["name"] for c in inspector.get_check_constraints("people")},
        }

    async with migrated_engine.connect() as connection:
        found = await connection.run_sync(constraints)

    assert found["unique"] == {"uq_people_team_id_slack_user_id", "uq_workspaces_team_id"}
    assert found["foreign"] == {"fk_people_team_id_workspaces"}
    assert found["check"] == {
        "ck_people_cadence",
        "ck_people_enrolment_state",
        "ck_people_level_range",
        "ck_people_mentor_capacity_range",
        "ck_people_programme",
    }


async def test_upgrade_inside_running_event_loop(empty_engine: AsyncEngine) -> None:
    # The app migrates at start-up from within its loop; Alembic must not start another.
    loop = asyncio.get_running_loop()
    await upgrade(empty_engine)
    assert asyncio.get_running_loop() is loop
    assert await current_revision(empty_engine) == HEAD
    # The loop is still usable for other work afterwards.
    assert await asyncio.wait_for(asyncio.sleep(0, result="ok"), timeout=1) == "ok"


async def test_alembic_command_line(empty_engine: AsyncEngine, empty_database_url: str) -> None:
    # What a developer runs: alembic.ini at the root, DATABASE_URL overriding its default URL.
    environment = {**os.environ, "DATABASE_URL": empty_database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "alembic",
        "upgrade",
        "head",
        cwd=REPOSITORY_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    assert await current_revision(empty_engine) == HEAD


async def test_enrolled_people_keep_their_place(empty_engine: AsyncEngine) -> None:
    """0003 turns each person's one programme choice into memberships: nobody enrolled is lost."""
    await upgrade(empty_engine, "0002")
    rows = [
        # slack id, state, programme, wants a mentor, mentor capacity
        ("UPAIRS", "enrolled", "pairs", False, 0),
        ("UCIRCLE", "paused", "circle", False, 0),
        ("UMENTEE", "enrolled", "pairs", True, 0),
        ("UMENTOR", "enrolled", None, False, 2),
        ("ULEFT", "left", "pairs", False, 0),
        ("UNEVER", "not_enrolled", None, False, 0),
    ]
    async with empty_engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO workspaces (team_id, name, created_at, updated_at) "
                "VALUES ('T1', 'Acme', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for user, state, programme, wants, capacity in rows:
            await connection.execute(
                text(
                    "INSERT INTO people (team_id, slack_user_id, display_name, goals, goal_tags,"
                    " skills, programme, wants_mentor, mentor_capacity, enrolment_state,"
                    " created_at, updated_at) VALUES ('T1', :user, :user, '[]', '[]', '[]',"
                    " :programme, :wants, :capacity, :state, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                ),
                {
                    "user": user,
                    "programme": programme,
                    "wants": wants,
                    "capacity": capacity,
                    "state": state,
                },
            )
    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        programmes = {
            row.name: (row.mode, bool(row.is_default))
            for row in await connection.execute(
                text("SELECT name, mode, is_default FROM programmes WHERE team_id = 'T1'")
            )
        }
        memberships = sorted(
            tuple(row)
            for row in await connection.execute(
                text(
                    "SELECT p.slack_user_id, g.mode, m.role, m.state FROM memberships m"
                    " JOIN people p ON p.id = m.person_id"
                    " JOIN programmes g ON g.id = m.programme_id"
                )
            )
        )
    assert programmes == {
        "Peer pairs": ("pairs", True),
        "Peer circles": ("circles", False),
        "Mentoring": ("mentorship", False),
    }
    assert memberships == [
        ("UCIRCLE", "circles", "participant", "active"),
        ("ULEFT", "pairs", "participant", "left"),
        ("UMENTEE", "mentorship", "mentee", "active"),
        ("UMENTEE", "pairs", "participant", "active"),
        ("UMENTOR", "mentorship", "mentor", "active"),
        ("UPAIRS", "pairs", "participant", "active"),
    ]
