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
    "outbox_files",
    "questions",
    "question_seen",
    "directory_entries",
    "eligibility_settings",
}
HEAD = "0010"


async def _tables(engine: AsyncEngine) -> set[str]:
    def names(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async with engine.connect() as connection:
        return await connection.run_sync(names)


async def _people_columns(engine: AsyncEngine) -> set[str]:
    def names(connection: Connection) -> set[str]:
        return {c["name"] for c in inspect(connection).get_columns("people")}

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
    # Memberships are the only record now: the per-person choice is gone.
    assert {"programme", "wants_mentor"}.isdisjoint(await _people_columns(empty_engine))


async def _choices(engine: AsyncEngine) -> dict[str, tuple[str | None, bool]]:
    async with engine.connect() as connection:
        return {
            row.slack_user_id: (row.programme, bool(row.wants_mentor))
            for row in await connection.execute(
                text("SELECT slack_user_id, programme, wants_mentor FROM people")
            )
        }


async def test_downgrade_brings_choices_back_from_memberships(empty_engine: AsyncEngine) -> None:
    """Down to 0002, each person's one choice comes back from their active memberships
    (circles over pairs, as before), and the CHECK on it with it; up again, nothing is lost."""
    await upgrade(empty_engine)
    async with empty_engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO workspaces (team_id, name, created_at, updated_at) "
                "VALUES ('T1', 'Acme', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for name, mode, is_default in [
            ("Peer pairs", "pairs", True),
            ("Spring pairs", "pairs", False),
            ("Peer circles", "circles", False),
            ("Mentoring", "mentorship", False),
        ]:
            await connection.execute(
                text(
                    "INSERT INTO programmes (team_id, name, mode, kind, cadence, weekday,"
                    " intro_hour, group_size, is_default, created_at, updated_at) VALUES"
                    " ('T1', :name, :mode, 'evergreen', 'weekly', 0, 9, 2, :is_default,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"name": name, "mode": mode, "is_default": is_default},
            )
        for user, state in [
            ("UPAIRS", "enrolled"),
            ("UBOTH", "paused"),
            ("UMENTEE", "enrolled"),
            ("UMENTOR", "enrolled"),
            ("ULEFT", "enrolled"),
        ]:
            await connection.execute(
                text(
                    "INSERT INTO people (team_id, slack_user_id, display_name, goals, goal_tags,"
                    " skills, mentor_capacity, enrolment_state, created_at, updated_at) VALUES"
                    " ('T1', :user, :user, '[]', '[]', '[]', 0, :state, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                ),
                {"user": user, "state": state},
            )
        for user, programme, role, state in [
            ("UPAIRS", "Spring pairs", "participant", "active"),
            ("UBOTH", "Peer pairs", "participant", "active"),
            ("UBOTH", "Peer circles", "participant", "active"),
            ("UMENTEE", "Mentoring", "mentee", "active"),
            ("UMENTOR", "Mentoring", "mentor", "active"),
            ("ULEFT", "Peer circles", "participant", "left"),
            ("ULEFT", "Mentoring", "mentee", "left"),
        ]:
            await connection.execute(
                text(
                    "INSERT INTO memberships (team_id, programme_id, person_id, role, state,"
                    " silent_rounds, joined_at) SELECT 'T1', g.id, p.id, :role, :state, 0,"
                    " CURRENT_TIMESTAMP FROM programmes g, people p"
                    " WHERE g.name = :programme AND p.slack_user_id = :user"
                ),
                {"user": user, "programme": programme, "role": role, "state": state},
            )

    await downgrade(empty_engine, "0002")
    assert await _choices(empty_engine) == {
        "UPAIRS": ("pairs", False),
        "UBOTH": ("circle", False),
        "UMENTEE": (None, True),
        "UMENTOR": (None, False),
        "ULEFT": (None, False),
    }

    def checks(connection: Connection) -> set[str | None]:
        return {c["name"] for c in inspect(connection).get_check_constraints("people")}

    async with empty_engine.connect() as connection:
        assert "ck_people_programme" in await connection.run_sync(checks)

    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == HEAD
    assert {"programme", "wants_mentor"}.isdisjoint(await _people_columns(empty_engine))


async def test_upgrade_keeps_rows_that_reference_rebuilt_tables(empty_engine: AsyncEngine) -> None:
    """SQLite rebuilds `people` and `match_groups` in 0003; rows pointing at them (ON DELETE
    CASCADE) must survive it, and foreign keys are enforced again afterwards."""
    await upgrade(empty_engine, "0002")
    statements = [
        "INSERT INTO workspaces (team_id, name, created_at, updated_at)"
        " VALUES ('T1', 'Acme', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO people (id, team_id, slack_user_id, display_name, goals, goal_tags, skills,"
        " programme, wants_mentor, mentor_capacity, enrolment_state, created_at, updated_at)"
        " VALUES (1, 'T1', 'UANA', 'ana', '[]', '[]', '[]', 'pairs', false, 0, 'enrolled',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO do_not_pair (team_id, person_id, blocked_user_id, created_at)"
        " VALUES ('T1', 1, 'UBEN', CURRENT_TIMESTAMP)",
        "INSERT INTO checkins (team_id, person_id, week_start, rating)"
        " VALUES ('T1', 1, '2026-11-30', 4)",
        "INSERT INTO rounds (id, team_id, mode, seed, scheduled_for, created_at)"
        " VALUES (1, 'T1', 'pairs', 7, '2026-11-30', CURRENT_TIMESTAMP)",
        "INSERT INTO match_groups (id, team_id, round_id, score, breakdown, explanation,"
        " created_at) VALUES (1, 'T1', 1, 0.5, '{}', 'why', CURRENT_TIMESTAMP)",
        "INSERT INTO match_members (group_id, person_id, role) VALUES (1, 1, 'peer')",
        "INSERT INTO meetings (team_id, group_id, due_on, status)"
        " VALUES ('T1', 1, '2026-12-07', 'pending')",
    ]
    async with empty_engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))

    await upgrade(empty_engine)

    tables = ["do_not_pair", "checkins", "match_members", "meetings", "memberships"]
    async with empty_engine.connect() as connection:
        counts = {
            table: (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar()
            for table in tables
        }
        if empty_engine.dialect.name == "sqlite":
            enforced = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
            assert enforced == 1
    assert counts == dict.fromkeys(tables, 1)
