"""What listeners need besides the Slack payload, handed to them through Bolt's context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.questions.drafts import Drafter

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Deps:
    sessions: async_sessionmaker[AsyncSession]
    admins: frozenset[str]  # PEERCOACH_ADMINS: admins in addition to Slack's admins and owners
    clock: Clock = system_clock
    # Drafts reflective questions when OPENAI_API_KEY is set; None: the bank alone.
    drafter: Drafter | None = None


CONTEXT_KEY = "peercoach"


def deps_of(context: Mapping[str, Any]) -> Deps:
    deps = context[CONTEXT_KEY]
    assert isinstance(deps, Deps)
    return deps


def deps_middleware(
    deps: Deps,
) -> Callable[..., Awaitable[Any]]:
    async def attach(context: dict[str, Any], next: Callable[[], Awaitable[Any]]) -> Any:
        context[CONTEXT_KEY] = deps
        return await next()

    return attach
