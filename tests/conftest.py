"""Shared fixtures: a fresh database per test (SQLite and PostgreSQL) and a fake Slack over HTTP."""

import pytest

pytest_plugins = ["tests.fixtures.database", "tests.fixtures.slack", "tests.fixtures.app"]


# The longest tests start first: with several worker processes, none is then left running one
# long test alone at the end while the others have finished.
_LONGEST_FIRST = (
    "tests/e2e/test_cadence.py",
    "tests/e2e/test_fuzz.py",
    "tests/e2e/test_crash.py",
    "tests/e2e/test_demo.py",
    "tests/bot/matching/test_placement.py",
    "tests/benchmarks/test_tick_smoke.py",
    "tests/bot/rounds/test_six_weeks.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in _LONGEST_FIRST)
