"""HR data in export and forget: exported to the person, deleted when they are forgotten."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import EnrolmentState
from bot.privacy.service import export_person, forget_person
from storage.models import DirectoryEntry, Person, Workspace

TEAM = "T0PEERCO"
NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)


async def test_export_includes_hr_data_and_forget_deletes_it(session: AsyncSession) -> None:
    session.add(Workspace(team_id=TEAM, name="Acme"))
    await session.flush()
    ana = Person(
        team_id=TEAM,
        slack_user_id="U0ANA",
        display_name="ana",
        enrolment_state=EnrolmentState.ENROLLED,
    )
    session.add(ana)
    session.add_all(
        [
            DirectoryEntry(
                team_id=TEAM,
                slack_user_id="U0ANA",
                function="design",
                level=4,
                manager_slack_id="U0BOSS",
                start_date=date(2021, 3, 1),
                imported_at=NOW,
                updated_at=NOW,
            ),
            DirectoryEntry(team_id=TEAM, slack_user_id="U0BOSS", imported_at=NOW, updated_at=NOW),
            DirectoryEntry(
                team_id=TEAM,
                slack_user_id="U0REPORT",
                manager_slack_id="U0ANA",
                imported_at=NOW,
                updated_at=NOW,
            ),
        ]
    )
    await session.flush()

    document = await export_person(session, ana, NOW)
    hr = document["hr_directory"]
    assert (hr["function"], hr["level"], hr["manager"]) == ("design", 4, "U0BOSS")
    assert hr["start_date"] == "2021-03-01"

    await forget_person(session, ana, NOW)
    entries = {
        e.slack_user_id: e.manager_slack_id for e in await session.scalars(select(DirectoryEntry))
    }
    # Ana's entry and her id are gone; her report now reports to the manager above her.
    assert entries == {"U0BOSS": None, "U0REPORT": "U0BOSS"}
