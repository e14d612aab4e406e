"""Drafting a question with an LLM (optional): from a group's goal tags and a theme, nothing else.

The prompt is built from the shared vocabulary only (tag phrases and the theme's name), so no
name, note, check-in answer or other free text can reach the model. The reply is checked
before use; a reply that fails a check, an error, or no answer within the time limit means
the bank's question is used instead, and each such fallback is logged with a reason code and
a running count. The `openai` package is imported only when a draft is asked for, so peercoach
runs without it when no key is set.
"""

from __future__ import annotations

import asyncio
import difflib
import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from bot.domain import QuestionTheme
from bot.enrolment.goals import GOAL_TAGS, phrase
from bot.questions.themes import THEME_NAMES

if TYPE_CHECKING:
    from bot.process.config import Settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS: Final = 10.0
MAX_LENGTH: Final = 200
MIN_LENGTH: Final = 10
# At or above this similarity to a question the group was sent, a draft is a near-duplicate.
SIMILAR: Final = 0.8
MAX_TOKENS: Final = 120

SYSTEM_PROMPT: Final = (
    "You write one reflective question for two or more colleagues who coach each other. "
    "The question is open-ended (it cannot be answered with yes or no), warm, plain, and "
    "about the reader's own work. Answer with the question only: one sentence, at most 200 "
    "characters, ending with a question mark. No list, no preamble, no quotes."
)

_WORD = re.compile(r"[a-z0-9']+")
# Fallbacks to the bank since the process started, across every drafter, for the log line.
_FALLBACKS = itertools.count(1)


class Reason:
    """Why a draft was not used; the codes appear in the logs."""

    TIMEOUT = "timeout"
    HTTP_ERROR = "http_error"
    CONNECTION = "connection"
    ERROR = "error"
    EMPTY = "empty"
    LIST = "list"
    NOT_ONE_QUESTION = "not_one_question"
    NO_QUESTION_MARK = "no_question_mark"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


def prompt(tags: Sequence[str], theme: QuestionTheme) -> list[dict[str, str]]:
    """The chat messages for a draft: the theme's name and the tags' phrases, nothing else."""
    areas = [phrase(t) for t in tags if t in GOAL_TAGS]
    wanted = f"Theme: {THEME_NAMES[theme].lower()}."
    if areas:
        wanted += " They want to get better at: " + "; ".join(areas) + "."
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": wanted},
    ]


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def similarity(a: str, b: str) -> float:
    """The higher of the character-level ratio and the word overlap (Jaccard)."""
    ratio = difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()
    wa, wb = _words(a), _words(b)
    jaccard = len(wa & wb) / len(wa | wb) if wa | wb else 0.0
    return max(ratio, jaccard)


def check_draft(reply: str | None, seen: Sequence[str]) -> str | Rejected:
    """The reply as a question fit to send, or why it is not one."""
    text = (reply or "").strip().strip("\"'\u201c\u201d").strip()
    if not text:
        return Rejected(Reason.EMPTY)
    if "\n" in text:
        return Rejected(Reason.LIST)
    if len(text) > MAX_LENGTH:
        return Rejected(Reason.TOO_LONG)
    if len(text) < MIN_LENGTH:
        return Rejected(Reason.TOO_SHORT)
    if not text.endswith("?"):
        return Rejected(Reason.NO_QUESTION_MARK)
    if text.count("?") != 1:
        return Rejected(Reason.NOT_ONE_QUESTION)
    if any(similarity(text, other) >= SIMILAR for other in seen):
        return Rejected(Reason.DUPLICATE)
    return text


class Drafter:
    """Drafts questions, and other short checked texts (`complete`), through an
    OpenAI-compatible chat completions endpoint."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._api_key = api_key
        self.model = model
        self.base_url = base_url
        self.timeout = timeout

    async def draft(
        self, *, tags: Sequence[str], theme: QuestionTheme, seen: Sequence[str], ref: str
    ) -> str | None:
        """A checked question, or None (logged and counted) when the bank should answer.

        `ref` names what the draft is for by id only ("group 12"), for the log line."""
        try:
            reply = await self._ask(prompt(tags, theme))
        except Exception as exc:
            _fall_back(reason_for(exc), ref)
            return None
        checked = check_draft(reply, seen)
        if isinstance(checked, Rejected):
            _fall_back(checked.reason, ref)
            return None
        return checked

    async def _ask(self, messages: list[dict[str, str]]) -> str | None:
        return await self.complete(messages, max_tokens=MAX_TOKENS, temperature=0.7)

    async def complete(
        self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float
    ) -> str | None:
        """One chat completion's text (None when the model gave none); raises on an error or
        when no answer came within the time limit. Callers check the text before using it."""
        import openai  # optional: only installed with the `llm` extra

        async with openai.AsyncOpenAI(
            api_key=self._api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=0,
        ) as client:
            # The client's own timeout covers each HTTP phase; this bounds the whole call.
            async with asyncio.timeout(self.timeout):
                completion: Any = await client.chat.completions.create(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]
                    max_tokens=max_tokens,
                    temperature=temperature,
                    n=1,
                )
        choices = completion.choices or []
        if not choices:
            return None
        content = choices[0].message.content
        return content if isinstance(content, str) else None


def _fall_back(reason: str, ref: str) -> None:
    logger.warning(
        "question draft not used for %s: reason=%s; using the bank (fallbacks=%d)",
        ref,
        reason,
        next(_FALLBACKS),
    )


def reason_for(exc: Exception) -> str:
    """The reason code of a failed call to the model, for a log line."""
    if isinstance(exc, TimeoutError):
        return Reason.TIMEOUT
    try:
        import openai
    except ImportError:
        return Reason.ERROR
    if isinstance(exc, openai.APITimeoutError):
        return Reason.TIMEOUT
    if isinstance(exc, openai.APIStatusError):
        return Reason.HTTP_ERROR
    if isinstance(exc, openai.APIConnectionError):
        return Reason.CONNECTION
    return Reason.ERROR


def drafter_for(settings: Settings, *, timeout: float = TIMEOUT_SECONDS) -> Drafter | None:
    """A drafter when OPENAI_API_KEY is set, else None (the bank answers alone)."""
    if settings.openai_api_key is None:
        return None
    return Drafter(
        api_key=settings.openai_api_key.get_secret_value(),
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        timeout=timeout,
    )
