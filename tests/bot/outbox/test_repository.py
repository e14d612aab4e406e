"""OutboxRepository: claims that never overlap, leases, and the admin's failed list."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import OutboxStatus
from storage.repositories import OutboxRepository
from storage.session import create_engine, create_sessionmaker
from tests.bot.outbox.conftest import PEOPLE, TEAM, Outbox

LEASE = timedelta(seconds=90)


async def test_overlapping_claims_take_disjoint_rows_within_their_limit(
    outbox: Outbox, database_url: str
) -> None:
    for n in range(12):
        await outbox.queue(f"dm:{n}", channel_id=outbox.fake.im_channel_id(PEOPLE[n]))
    other = create_engine(database_url)
    taken: dict[str, list[str]] = {}

    async def claim(sessions: async_sessionmaker[AsyncSession], owner: str) -> None:
        async with sessions() as session:
            claimed = await OutboxRepository(session).claim(
                owner=owner, now=outbox.clock(), lease=LEASE, limit=4
            )
            taken[owner] = [c.message.key for c in claimed]
            await asyncio.sleep(0.1)  # hold the transaction while the other claims
            await session.commit()

    try:
        await asyncio.gather(
            claim(outbox.sessions, "a"), claim(create_sessionmaker(other, clock=outbox.clock), "b")
        )
    finally:
        await other.dispose()

    assert len(taken["a"]) == len(taken["b"]) == 4
    assert not set(taken["a"]) & set(taken["b"])
    rows = {r.key: r for r in await outbox.rows()}
    for owner, keys in taken.items():
        for key in keys:
            row = rows[key]
            assert (row.status, row.claimed_by, row.attempts) == (OutboxStatus.SENDING, owner, 1)
            assert row.claimed_until == outbox.clock() + LEASE
    assert sum(r.status is OutboxStatus.PENDING for r in rows.values()) == 4


async def test_an_expired_lease_is_taken_over_and_a_late_sender_cannot_settle(
    outbox: Outbox,
) -> None:
    await outbox.queue("dm:1", channel_id="D0ALICE")
    async with outbox.sessions() as session:
        repository = OutboxRepository(session)
        [first] = await repository.claim(owner="a", now=outbox.clock(), lease=LEASE, limit=5)
        assert not first.taken_over
        assert await repository.claim(owner="b", now=outbox.clock(), lease=LEASE, limit=5) == []
        later = outbox.clock() + LEASE
        [again] = await repository.claim(owner="b", now=later, lease=LEASE, limit=5)
        assert again.taken_over
        assert again.message.attempts == 2
        # "a" comes back after losing its lease: it no longer owns the row.
        assert not await repository.mark_sent(
            first.message.id, owner="a", channel_id="D0ALICE", ts="1.0", now=later
        )
        assert await repository.mark_sent(
            first.message.id, owner="b", channel_id="D0ALICE", ts="2.0", now=later
        )
        await session.commit()
    row = await outbox.row("dm:1")
    assert (row.status, row.sent_ts, row.claimed_by) == (OutboxStatus.SENT, "2.0", None)


async def test_failed_rows_are_listed_by_team_retried_and_pending_ones_cancelled(
    outbox: Outbox,
) -> None:
    await outbox.queue("dm:bad", channel_id="D0ALICE")
    await outbox.queue("dm:cancel", channel_id="D0BOB")
    async with outbox.sessions() as session:
        repository = OutboxRepository(session)
        claimed = await repository.claim(owner="a", now=outbox.clock(), lease=LEASE, limit=1)
        assert await repository.fail(claimed[0].message.id, owner="a", error="x" * 500)
        assert await repository.cancel("dm:cancel")
        assert not await repository.cancel("dm:cancel")
        [failed] = await repository.failed(TEAM)
        assert failed.key == "dm:bad"
        assert failed.last_error == "x" * 200
        later = outbox.clock() + timedelta(days=1)
        assert await repository.retry(failed.id, now=later)
        await session.commit()
    row = await outbox.row("dm:bad")
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.PENDING, 0, later)
    assert (await outbox.row("dm:cancel")).status is OutboxStatus.CANCELLED
