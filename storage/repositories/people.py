"""People: everyone the app has seen in a workspace, enrolled or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import EnrolmentState
from storage.models import Person
from storage.repositories._upsert import upsert_returning

# Fields Slack owns; a refresh overwrites these and nothing else.
_SLACK_FIELDS = ("display_name", "real_name", "time_zone")


class PersonRepository:
    """Reads and writes people. Flushes, never commits: the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team_id: str, slack_user_id: str) -> Person | None:
        result = await self._session.scalars(
            select(Person).where(Person.team_id == team_id, Person.slack_user_id == slack_user_id)
        )
        return result.one_or_none()

    async def upsert_seen(
        self,
        team_id: str,
        slack_user_id: str,
        *,
        display_name: str,
        real_name: str | None,
        time_zone: str | None,
        now: datetime,
    ) -> Person:
        """Record that Slack showed us this person.

        A new person starts not enrolled with an empty profile; a known one only has the
        Slack-sourced fields refreshed, never their profile or enrolment. The workspace must
        already exist.
        """
        statement = upsert_returning(
            self._session,
            Person,
            values={
                "team_id": team_id,
                "slack_user_id": slack_user_id,
                "display_name": display_name,
                "real_name": real_name,
                "time_zone": time_zone,
                "goals": [],
                "goal_tags": [],
                "skills": [],
                "enrolment_state": EnrolmentState.NOT_ENROLLED,
                "created_at": now,
                "updated_at": now,
            },
            conflict_columns=["team_id", "slack_user_id"],
            update_columns=[*_SLACK_FIELDS, "updated_at"],
        )
        # populate_existing: a copy already in the session must show the row as written.
        result = await self._session.scalars(
            statement, execution_options={"populate_existing": True}
        )
        return result.one()

    async def list_by_state(self, team_id: str, state: EnrolmentState) -> list[Person]:
        result = await self._session.scalars(
            select(Person)
            .where(Person.team_id == team_id, Person.enrolment_state == state)
            .order_by(Person.id)
        )
        return list(result)
