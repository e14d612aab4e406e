"""Shared fixtures: a fresh database per test (SQLite and PostgreSQL) and a fake Slack over HTTP."""

pytest_plugins = ["tests.fixtures.database", "tests.fixtures.slack", "tests.fixtures.app"]
