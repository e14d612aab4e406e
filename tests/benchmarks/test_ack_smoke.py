"""The ack benchmark's machinery on a tiny batch: well-formed results, never timings."""

from __future__ import annotations

import math

import pytest

from benchmarks.ack import KINDS, Batch, print_results, run_database
from bot.fakes.requests import SentRequest

REQUESTS = 5


async def test_every_kind_is_acked_answered_and_counted(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = await run_database(
        "db", database_url, requests=REQUESTS, modal_people=REQUESTS, concurrency=REQUESTS
    )

    assert [r.kind.key for r in result.kinds] == [k.key for k in KINDS]
    for r in result.kinds:
        # The no-op app takes the same batch before and after the app.
        for batch, count in ((r.app, REQUESTS), (r.noop, 2 * REQUESTS)):
            assert batch.failures == 0, r.kind.key
            assert batch.count == count, r.kind.key
            assert batch.statuses == {200: count}, r.kind.key
            assert batch.seconds > 0
        users = {s.payload.get("user_id") or s.payload["user"]["id"] for s in r.app.sent}
        assert len(users) == REQUESTS, "one distinct person per request"
        assert r.answered == REQUESTS, r.kind.key
        if r.kind.people == "new":
            assert r.modals is not None
            assert r.modals.opened == REQUESTS
            assert not r.modals.errors
        else:
            assert r.modals is None
    assert result.server_errors == 0

    checks = print_results([result], REQUESTS)
    # One p99 check per kind, the help ratio, the modal count, and the server-error check.
    assert len(checks) == len(KINDS) + 3
    table = capsys.readouterr().out
    assert table.count("| db |") == len(KINDS)


def _sent(elapsed: float) -> SentRequest:
    return SentRequest(status=200, body="", json=None, elapsed=elapsed, payload={})


def test_percentiles_are_nearest_rank_and_count_lost_requests_as_slowest() -> None:
    batch = Batch([_sent(i / 1000) for i in range(1, 101)], failures=0, seconds=2.0)
    assert batch.percentile_ms(0.5) == pytest.approx(50)
    assert batch.percentile_ms(0.99) == pytest.approx(99)
    assert batch.throughput == pytest.approx(50)

    lost = Batch([_sent(0.01)] * 99, failures=1, seconds=1.0)
    assert math.isinf(lost.percentile_ms(0.99)) is False
    assert math.isinf(lost.percentile_ms(1.0))
    assert lost.count == 100
    assert lost.ok == 99

    both = batch.merged(lost)
    assert both.count == 200
    assert both.throughput == pytest.approx(200 / 3.0)
