"""What scheduled jobs need at run time, registered under an id so jobs take ids, not objects.

APScheduler keeps a job's arguments with the job: plain ids survive a persistent job store and
a restart, a session factory does not. The running process registers its database and clock
here and jobs look them up when they fire.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.process.deps import Clock
from bot.questions.drafts import Drafter


@dataclass(frozen=True, slots=True)
class JobContext:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    # The app's Web API client, for jobs that read from Slack (statuses before a round).
    slack: AsyncWebClient | None = None
    # Drafts reflective questions when an LLM is configured; None: the bank alone.
    drafter: Drafter | None = None
    # PEERCOACH_ADMINS: told when a scheduled digest cannot reach its channel.
    admins: frozenset[str] = frozenset()


_CONTEXTS: dict[str, JobContext] = {}


def register_context(context_id: str, context: JobContext) -> None:
    _CONTEXTS[context_id] = context


def unregister_context(context_id: str) -> None:
    _CONTEXTS.pop(context_id, None)


class UnknownContext(LookupError):
    """A job fired for a process that is no longer registered (e.g. during shutdown)."""


def context_for(context_id: str) -> JobContext:
    try:
        return _CONTEXTS[context_id]
    except KeyError:
        raise UnknownContext(context_id) from None
