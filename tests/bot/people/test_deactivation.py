"""A deactivated account leaves every programme; each current group hears it once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import EnrolmentState, GroupState, MembershipState
from bot.people.deactivation import on_deactivated
from storage.models import Membership, Person
from storage.session import create_sessionmaker
from tests.bot.groups.factory import World

NOW = datetime(2026, 11, 3, 10, tzinfo=UTC)


async def test_deactivation_leaves_programmes_and_tells_each_group_once(
    migrated_engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(migrated_engine)
    world = await World(sessions).setup()
    ana = await world.person("U0ANA")
    ben = await world.person("U0BEN")
    cleo = await world.person("U0CLEO")
    dan = await world.person("U0DAN")
    this_round = await world.round(datetime(2026, 11, 2, 9, tzinfo=UTC))
    await world.pair(this_round, ana, ben, channel_id="G0ANABEN")
    await world.pair(this_round, ana, cleo)
    await world.pair(this_round, ana, dan, state=GroupState.ENDED)

    for _ in range(2):  # Slack may send the event again: nothing more happens the second time
        async with sessions() as session:
            await on_deactivated(session, world.team_id, "U0ANA", now=NOW)
            await session.commit()

    notices = await world.outbox("deactivated:")
    assert len(notices) == 2
    by_channel = {(n.channel_id, tuple(n.open_users)) for n in notices}
    assert by_channel == {("G0ANABEN", ()), (None, ("U0CLEO",))}
    assert all("<@U0ANA>" in n.text and "deactivated" in n.text for n in notices)
    assert (await world.reload(Person, ana.id)).enrolment_state is EnrolmentState.LEFT
    membership = await world.reload(Membership, (await world.membership_of(ana)).id)
    assert membership.state is MembershipState.LEFT
    # The others stay where they are.
    assert (await world.reload(Person, ben.id)).enrolment_state is EnrolmentState.ENROLLED


async def test_someone_peercoach_never_saw_changes_nothing(migrated_engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(migrated_engine)
    world = await World(sessions).setup()
    async with sessions() as session:
        assert await on_deactivated(session, world.team_id, "U0NOBODY", now=NOW) == 0
    assert await world.outbox() == []
