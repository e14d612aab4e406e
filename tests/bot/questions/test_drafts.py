"""Drafts from an LLM over real HTTP (the fake OpenAI server): used when good, and every kind
of junk, error and silence falls back to the bank with a counted log line."""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import AsyncIterator

import pytest

from bot.domain import QuestionTheme
from bot.fakes.openai import GOOD_QUESTION, JUNK, Failure, FakeOpenAI, Reply, Silence
from bot.process.config import ConfigError, load_settings
from bot.questions.drafts import Drafter, Reason, Rejected, check_draft, drafter_for

SEEN = ["What gave you energy this week, and what drained it?"]


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


def _drafter(fake: FakeOpenAI, timeout: float = 5.0) -> Drafter:
    return Drafter(
        api_key=fake.api_key, model="test-model", base_url=fake.base_url, timeout=timeout
    )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (JUNK["several"], Reason.LIST),
        (JUNK["no_question_mark"], Reason.NO_QUESTION_MARK),
        (JUNK["too_long"], Reason.TOO_LONG),
        (JUNK["two_in_one"], Reason.NOT_ONE_QUESTION),
        ("What drained your energy this week, and what gave it?", Reason.DUPLICATE),
        ("Why?", Reason.TOO_SHORT),
        ("   ", Reason.EMPTY),
    ],
)
def test_replies_that_are_not_one_fresh_question_are_rejected(reply: str, reason: str) -> None:
    assert check_draft(reply, SEEN) == Rejected(reason)


def test_a_good_reply_is_trimmed_of_quotes() -> None:
    assert check_draft(f' "{GOOD_QUESTION}" ', SEEN) == GOOD_QUESTION


async def test_a_good_draft_is_used_and_the_request_is_what_the_api_expects(
    fake_openai: FakeOpenAI,
) -> None:
    drafted = await _drafter(fake_openai).draft(
        tags=["giving-feedback"], theme=QuestionTheme.FEEDBACK, seen=SEEN, ref="group 1"
    )
    assert drafted == GOOD_QUESTION
    (request,) = fake_openai.requests
    assert request.path == "/v1/chat/completions"
    assert request.authorization == f"Bearer {fake_openai.api_key}"
    assert request.body["model"] == "test-model"
    user = request.body["messages"][-1]["content"]
    assert "feedback" in user
    assert "giving feedback" in user


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (Reply(JUNK["several"]), Reason.LIST),
        (Reply(JUNK["no_question_mark"]), Reason.NO_QUESTION_MARK),
        (Reply(JUNK["too_long"]), Reason.TOO_LONG),
        (Reply(SEEN[0]), Reason.DUPLICATE),
        (Failure(500), Reason.HTTP_ERROR),
        (Silence(), Reason.TIMEOUT),
    ],
    ids=["several", "no-mark", "too-long", "duplicate", "http-500", "silence"],
)
async def test_junk_errors_and_silence_fall_back_with_a_counted_log_line(
    fake_openai: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
    behaviour: Reply | Failure | Silence,
    reason: str,
) -> None:
    fake_openai.then(behaviour)
    caplog.set_level(logging.WARNING, logger="bot.questions.drafts")
    timeout = 0.3 if isinstance(behaviour, Silence) else 5.0
    drafted = await _drafter(fake_openai, timeout=timeout).draft(
        tags=["focus"], theme=QuestionTheme.WELLBEING, seen=SEEN, ref="group 7"
    )
    assert drafted is None
    # No retry: one request, whatever happened to it.
    assert len(fake_openai.requests) == 1
    (line,) = [r.getMessage() for r in caplog.records if "draft not used" in r.getMessage()]
    assert f"reason={reason}" in line
    assert "group 7" in line
    assert re.search(r"fallbacks=\d+", line)


async def test_the_fallback_count_runs_on(
    fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_openai.then(Failure(500), Failure(503))
    caplog.set_level(logging.WARNING, logger="bot.questions.drafts")
    drafter = _drafter(fake_openai)
    for _ in range(2):
        await drafter.draft(tags=[], theme=QuestionTheme.GOALS, seen=[], ref="person 3")
    counts = [
        int(m.group(1))
        for r in caplog.records
        if (m := re.search(r"fallbacks=(\d+)", r.getMessage()))
    ]
    assert len(counts) == 2
    assert counts[1] == counts[0] + 1


async def test_a_wrong_key_falls_back(fake_openai: FakeOpenAI) -> None:
    drafter = Drafter(api_key="sk-wrong", model="m", base_url=fake_openai.base_url, timeout=2)
    assert await drafter.draft(tags=[], theme=QuestionTheme.GOALS, seen=[], ref="group 1") is None


def test_a_key_without_the_openai_package_is_a_start_up_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec
    # No wire to cut here: the package is installed for the tests, so its absence is faked.
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "openai" else real(name, *a)
    )
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None, OPENAI_API_KEY="sk-test")
    (problem,) = raised.value.problems
    assert problem.startswith("OPENAI_API_KEY is invalid")
    assert "peercoach[llm]" in problem
    assert drafter_for(load_settings(_env_file=None)) is None


def test_the_settings_name_the_model_and_endpoint_of_the_drafter() -> None:
    settings = load_settings(
        _env_file=None,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",
        OPENAI_MODEL="my-model",
    )
    drafter = drafter_for(settings)
    assert drafter is not None
    assert (drafter.model, drafter.base_url, drafter.timeout) == (
        "my-model",
        "http://127.0.0.1:9/v1",
        10.0,
    )
