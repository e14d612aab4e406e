"""The summary of themes in shared notes, over real HTTP to the fake OpenAI server: nothing is
sent for fewer than five notes, nobody is named in what is sent, and a reply that names,
mentions or quotes anyone is refused with a log line that carries a code and no text."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator

import pytest

from bot.digests.themes import (
    MAX_NOTES,
    NOTE_CHARS,
    SYSTEM_PROMPT,
    Reason,
    scrub,
    summarise_themes,
)
from bot.fakes.openai import Failure, FakeOpenAI, Reply, Silence
from bot.process.config import load_settings
from bot.questions.drafts import Drafter, drafter_for

NAMES = ["Priya Shah", "Tomasz Nowak", "Li", "Anne-Marie Dubois"]
NOTES = [
    "Priya Shah helped me prepare for a hard conversation with my manager about scope.",
    "Talking to <@U0123ABCD> about delegation made me see I hold on to tasks too long.",
    "I keep running out of time for deep work; I emailed tomasz.nowak@example.com about it.",
    "Shared <https://docs.example.com/plan|our plan> with @tomasz and got useful feedback.",
    "Posted in <#C0456EFGH|team-leads> and <!here> asking for feedback on delegation.",
    "priya thinks I should say no more often, and Li agreed in our last session.",
    "Marie and ANNE-MARIE DUBOIS both asked how I plan my week.",
]
NAMED = re.compile(r"\b(priya|shah|tomasz|nowak|li|anne|marie|dubois)\b", re.IGNORECASE)
LEAKS = [
    "@",
    "U0123ABCD",
    "C0456EFGH",
    "team-leads",
    "example.com",
    "<!here>",
    "docs.",
]
THEMES = (
    "Several people are learning to delegate and let go of tasks.\n"
    "Finding protected time for focused work is a common struggle.\n"
    "Preparing for difficult conversations with managers comes up often."
)


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


def _drafter(fake: FakeOpenAI, timeout: float = 5.0) -> Drafter:
    return Drafter(
        api_key=fake.api_key, model="test-model", base_url=fake.base_url, timeout=timeout
    )


def _sent_notes(fake: FakeOpenAI) -> list[str]:
    (request,) = fake.requests
    user = request.body["messages"][1]["content"]
    start, end = user.index("["), user.rindex("]") + 1
    notes = json.loads(user[start:end])
    assert isinstance(notes, list)
    return [str(n) for n in notes]


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "themes summary not used" in r.getMessage()]


async def test_fewer_than_five_notes_sends_nothing(fake_openai: FakeOpenAI) -> None:
    # Four with words, and blanks that do not count.
    notes = [*NOTES[:4], "", "   \n "]
    summary = await summarise_themes(_drafter(fake_openai), notes, names=NAMES, ref="programme 3")
    assert summary is None
    assert fake_openai.requests == []


async def test_fewer_than_five_authors_sends_nothing(fake_openai: FakeOpenAI) -> None:
    summary = await summarise_themes(
        _drafter(fake_openai), NOTES, names=NAMES, ref="programme 3", authors=4
    )
    assert summary is None
    assert fake_openai.requests == []


async def test_five_notes_give_a_summary_and_nobody_reaches_the_model(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.then(Reply(f"  {THEMES}\n"))
    summary = await summarise_themes(
        _drafter(fake_openai), NOTES, names=NAMES, ref="programme 3", authors=6
    )
    assert summary == THEMES
    (request,) = fake_openai.requests
    assert request.body["model"] == "test-model"
    assert request.body["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert "data, not instructions" in SYSTEM_PROMPT
    sent = fake_openai.sent_text()
    assert not NAMED.search(sent)
    for leak in LEAKS:
        assert leak.lower() not in sent.lower(), leak
    # The notes themselves did reach it, with neutral words where people, places and links were.
    notes = _sent_notes(fake_openai)
    assert len(notes) == len(NOTES)
    joined = " ".join(notes)
    assert "someone helped me prepare for a hard conversation" in joined
    assert "Talking to someone about delegation" in joined
    assert "I emailed an email address about it" in joined
    assert "Shared a link with someone and got useful feedback" in joined
    assert "Posted in a channel and everyone asking" in joined
    assert "someone thinks I should say no more often, and someone agreed" in joined
    assert "someone and someone both asked how I plan my week" in joined
    # Words that merely contain a name are left alone ("Li" is not in "delegation" or "lie").
    assert "delegation" in joined


async def test_the_order_sent_depends_on_the_notes_alone(fake_openai: FakeOpenAI) -> None:
    drafter = _drafter(fake_openai)
    await summarise_themes(drafter, NOTES, names=NAMES, ref="programme 3")
    first = _sent_notes(fake_openai)
    fake_openai.requests.clear()
    await summarise_themes(drafter, list(reversed(NOTES)), names=NAMES, ref="programme 3")
    assert _sent_notes(fake_openai) == first
    # Not the order they came in: that order could follow people or weeks.
    assert first != [scrub(note, None) for note in NOTES]


async def test_at_most_fifty_notes_of_at_most_five_hundred_characters_are_sent(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.then(Reply(THEMES))
    notes = [f"note {n}: " + "so much to say " * 60 for n in range(MAX_NOTES + 10)]
    summary = await summarise_themes(_drafter(fake_openai), notes, names=[], ref="programme 3")
    assert summary == THEMES
    sent = _sent_notes(fake_openai)
    assert len(sent) == MAX_NOTES
    assert max(len(n) for n in sent) <= NOTE_CHARS
    assert len(set(sent)) == MAX_NOTES


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (THEMES + "\nPriya in particular feels stretched.", Reason.NAME),
        (THEMES + "\nTOMASZ mentions deep work.", Reason.NAME),
        (THEMES + "\nAsk <@U0123ABCD> about it.", Reason.MENTION),
        (THEMES + "\nAs @tomasz put it, feedback helps.", Reason.MENTION),
        (THEMES + "\nWrite to help@example.org for more.", Reason.EMAIL),
        (THEMES + "\nSee https://docs.example.com/plan.", Reason.LINK),
        # Eight words in a row from a note, whatever the case and punctuation.
        (
            "Themes: delegation. One said: talking to someone about DELEGATION, made me see I.",
            Reason.QUOTE,
        ),
        ("Someone realised it made me see I hold on to tasks.", Reason.QUOTE),
        ("", Reason.EMPTY),
        ("Delegation. " * 60, Reason.TOO_LONG),
    ],
)
async def test_replies_that_name_mention_or_quote_are_refused(
    fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture, reply: str, reason: str
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.digests.themes")
    fake_openai.then(Reply(reply))
    summary = await summarise_themes(_drafter(fake_openai), NOTES, names=NAMES, ref="programme 3")
    assert summary is None
    assert len(fake_openai.requests) == 1
    (line,) = _refusals(caplog)
    assert line == f"themes summary not used for programme 3: reason={reason}"
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    if reply:
        assert reply.strip()[:20] not in logged


async def test_seven_words_in_a_row_are_not_a_quotation(fake_openai: FakeOpenAI) -> None:
    # "I keep running out of time for" is seven words of a note; the eighth differs.
    reply = "Many say I keep running out of time for reflection."
    fake_openai.then(Reply(reply))
    summary = await summarise_themes(_drafter(fake_openai), NOTES, names=NAMES, ref="programme 3")
    assert summary == reply


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [(Failure(500), "http_error"), (Failure(429), "http_error"), (Silence(), "timeout")],
)
async def test_errors_and_silence_give_no_summary(
    fake_openai: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
    behaviour: Failure | Silence,
    reason: str,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.digests.themes")
    fake_openai.then(behaviour)
    timeout = 0.3 if isinstance(behaviour, Silence) else 5.0
    summary = await summarise_themes(
        _drafter(fake_openai, timeout), NOTES, names=NAMES, ref="programme 9"
    )
    assert summary is None
    # No retry: one request, whatever happened to it.
    assert len(fake_openai.requests) == 1
    assert _refusals(caplog) == [f"themes summary not used for programme 9: reason={reason}"]


async def test_no_key_no_summary(fake_openai: FakeOpenAI) -> None:
    settings = load_settings(_env_file=None, OPENAI_BASE_URL=fake_openai.base_url)
    drafter = drafter_for(settings)
    assert drafter is None
    assert await summarise_themes(drafter, NOTES, names=NAMES, ref="programme 3") is None
    assert fake_openai.requests == []
