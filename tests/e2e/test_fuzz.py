"""Every input gets an answer: seeded, generated inputs against the real endpoint.

Command texts, display names (shown in the admin match preview), goal texts (profile
submissions) and malformed or unsigned requests go over the wire to the running app. Nothing
may log a server error, answer 5xx, exceed Slack's limits, turn user text into a live mention,
or log the body of an unsigned request. A failing case replays from `SEED`, its part and its
index; the three parts (commands, malformed requests, people) are separate tests so they run
side by side.

On SQLite: 2,500 command texts, 2,400 malformed or unsigned requests, and 125 people each
with a generated display name and goal text (5,150 inputs, counting a name and a goal per
person). PostgreSQL runs 1,500, 400 and
40 of the same (1,980).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.requests import SentRequest
from bot.process.config import Settings
from storage.models import Person, Workspace
from tests.e2e.driver import Coach
from tests.fixtures.app import make_settings, running_server

SEED = 20261201
TEXT_LIMIT = 3000
BLOCK_LIMIT = 50
CONCURRENCY = 16

# Sample sizes; PostgreSQL runs a smaller sample of the same generator.
SIZES = {
    "sqlite": {"commands": 2500, "malformed": 2400, "profiles": 125},
    "postgresql": {"commands": 1500, "malformed": 400, "profiles": 40},
}

# Markup that must never come back live when a user typed it. The ids are ones no real reply
# of the app could contain.
LIVE = ("<!channel", "<!here", "<!everyone", "<!subteam", "<@UFZ", "<#CFZ", "<!date")
UNSIGNED_MARK = "UNSIGNEDBODYMARK"
_BAD_TIMESTAMPS = ("abc", "1.5", "²", " 1", "", "-1", "1e9")

_WORDS = (
    "find",
    "circle",
    "mentor",
    "flash",
    "profile",
    "status",
    "pause",
    "resume",
    "leave",
    "forget",
    "export",
    "help",
    "admin",
    "settings",
    "match",
    "preview",
    "digest",
    "questions",
    "add",
    "list",
    "retire",
    "until",
    "weeks",
    "week",
    "w",
    "2",
    "3",
    "0",
    "-1",
    "99999999999",
    "²",
    "٣",
    "①",
    "２",
    "2026-12-31",
    "2026-02-30",
    "x",
    "`",
    "```",
    "\\",
    "C:\\Users\\bob",
    "\\1",
    "\\g<0>",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@UFZ123>",
    "<#CFZ123|general>",
    "<#CFZ9>",
    "<!subteam^SFZ|@team>",
    "<!date^1392734382^{date}|x>",
    "&",
    "&amp;",
    "&lt;",
    "<",
    ">",
    "*bold*",
    "_it_",
    "~s~",
    ":tada:",
    "\u200b",
    "\u202e",
    "🙂",
    "\n",
    "\t",
    "   ",
    "%s",
    "{text}",
    "{}",
    "'",
    '"',
    "DROP TABLE people;",
    "null",
    "<https://x.example|y>",
)


def _text(rng: random.Random, *, max_words: int = 8) -> str:
    roll = rng.random()
    if roll < 0.03:
        # Long texts: the echo must be cut to fit.
        return rng.choice(_WORDS) + " " + "".join(rng.choice("ab<>&`\\ ") for _ in range(3100))
    if roll < 0.10:
        return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, 40)))
    words = [rng.choice(_WORDS) for _ in range(rng.randrange(0, max_words))]
    if rng.random() < 0.3:
        # Close any code span the reply puts around the echo, then mention everyone.
        words.insert(rng.randrange(0, len(words) + 1), "x` <!channel> `y")
    return " ".join(words)


def command_texts(rng: random.Random, n: int) -> Iterator[str]:
    fixed = [
        "x" * 2990,
        "pause ² weeks",
        "mentor ²",
        "pause ²",
        "x` <!channel> `y",
        "find <!channel>",
        "pause until <!here>",
        "admin digest <!channel>",
        "admin questions add <!channel>",
        "<@UFZ1> & <#CFZ1>",
        "",
    ]
    yield from fixed
    for _ in range(n - len(fixed)):
        yield _text(rng)


def display_names(rng: random.Random, n: int) -> Iterator[str]:
    fixed = ["C:\\Users\\bob", "\\1", "\\g<0>", "<!channel>", "a & b <@UFZ1>", "x" * 300]
    yield from fixed
    for _ in range(n - len(fixed)):
        yield _text(rng, max_words=4)[:80] or "name"


def goal_texts(rng: random.Random, n: int) -> Iterator[str]:
    fixed = ["<!channel> please", "x` <!here> `y", "C:\\Users\\bob", "&lt;", "g" * 200]
    yield from fixed
    for _ in range(n - len(fixed)):
        yield _text(rng, max_words=10)[:200] or "goal"


# ---------------------------------------------------------------- malformed requests


@dataclass(frozen=True)
class Raw:
    """A request as bytes on the wire, with what the app must answer."""

    what: str
    body: str
    content_type: str
    signed: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    timestamp: int | None = None


def malformed_requests(rng: random.Random, sender: SlackRequestSender, n: int) -> Iterator[Raw]:
    form = "application/x-www-form-urlencoded"

    def interaction(payload: Any) -> str:
        return urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)})

    def action(**changes: Any) -> dict[str, Any]:
        payload = sender.block_action_payload("fz", user_id="UFZMAL", value="1")
        payload.update(changes)
        return {k: v for k, v in payload.items() if v is not _DROP}

    def command(**changes: Any) -> str:
        payload = sender.command_payload("status", user_id="UFZMAL")
        payload.update(changes)
        return urlencode({k: v for k, v in payload.items() if v is not _DROP})

    def event(event: Any, **changes: Any) -> str:
        payload = sender.event_payload({"type": "app_home_opened", "user": "UFZMAL"})
        payload["event"] = event
        payload.update(changes)
        return json.dumps({k: v for k, v in payload.items() if v is not _DROP})

    def submission(**changes: Any) -> dict[str, Any]:
        payload = sender.view_submission_payload(PROFILE_CALLBACK_ID, {}, user_id="UFZMAL")
        payload.update(changes)
        return {k: v for k, v in payload.items() if v is not _DROP}

    makers = [
        lambda: Raw("payload not JSON", interaction("{not json" + _text(rng)), form),
        lambda: Raw("payload a list", interaction([1, _text(rng)]), form),
        lambda: Raw("payload a string", interaction(json.dumps(_text(rng))), form),
        lambda: Raw("payload null", interaction("null"), form),
        lambda: Raw("payload number", interaction(str(rng.randrange(-9, 9))), form),
        lambda: Raw("empty actions", interaction(action(actions=[])), form),
        lambda: Raw("actions not list", interaction(action(actions={"a": 1})), form),
        lambda: Raw("actions of numbers", interaction(action(actions=[1, 2])), form),
        lambda: Raw("action no user", interaction(action(user=_DROP)), form),
        lambda: Raw("action user no id", interaction(action(user={"name": "x"})), form),
        lambda: Raw("action user a string", interaction(action(user="UFZMAL")), form),
        lambda: Raw("action no team", interaction(action(team=_DROP)), form),
        lambda: Raw("submission no view", interaction(submission(view=_DROP)), form),
        lambda: Raw("submission view list", interaction(submission(view=[1])), form),
        lambda: Raw("submission no user", interaction(submission(user=_DROP)), form),
        lambda: Raw(
            "submission no team",
            interaction(submission(team=None, user={"id": "UFZMAL", "name": "x"})),
            form,
        ),
        lambda: Raw("command no user", command(user_id=_DROP), form),
        lambda: Raw("command empty user", command(user_id=""), form),
        lambda: Raw("command no team", command(team_id=_DROP), form),
        lambda: Raw("event not object", event([1, 2]), "application/json"),
        lambda: Raw("event no user", event({"type": "app_home_opened"}), "application/json"),
        lambda: Raw(
            "event no team",
            event({"type": "app_home_opened", "user": "UFZMAL"}, team_id=_DROP),
            "application/json",
        ),
        lambda: Raw(
            "im no channel",
            event({"type": "message", "channel_type": "im", "user": "UFZMAL", "text": "hi"}),
            "application/json",
        ),
        lambda: Raw("body a JSON list", json.dumps([_text(rng)]), "application/json"),
        lambda: Raw("body not JSON", "{" + _text(rng), "application/json"),
        lambda: Raw("body empty", "", form),
        lambda: Raw("form garbage", _text(rng), form),
        lambda: Raw(
            "timestamp not int",
            command(),
            form,
            headers={"X-Slack-Request-Timestamp": rng.choice(_BAD_TIMESTAMPS)},
        ),
        lambda: Raw("stale timestamp", command(), form, timestamp=int(time.time()) - 3600),
        lambda: Raw("unsigned", f"{UNSIGNED_MARK} " + command(), form, signed=False),
        lambda: Raw(
            "unsigned large",
            UNSIGNED_MARK + "x" * rng.randrange(10_000, 200_000),
            form,
            signed=False,
        ),
    ]
    yield Raw("unsigned 1 MB", UNSIGNED_MARK + "x" * 1_100_000, form, signed=False)
    yield Raw("signed 2 MB", "payload=" + "x" * 2_100_000, form)
    for index in range(n - 2):
        yield makers[index % len(makers)]()


class _Drop:
    pass


_DROP = _Drop()


# ---------------------------------------------------------------- checking answers


# What a person typed, handed back into an input: plain text that Slack never renders as markup.
_TYPED_BACK = frozenset({"initial_value"})


def _texts(node: Any) -> Iterator[str]:
    """Every string in a message or view that Slack may render (typed-back input values aside)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in _TYPED_BACK:
                yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def message_problems(message: Any) -> list[str]:
    if isinstance(message, str):
        try:
            message = json.loads(message)
        except json.JSONDecodeError:
            return []
    if not isinstance(message, dict):
        return []
    problems = []
    if isinstance(message.get("view"), str):
        message = {**message, "view": json.loads(message["view"])}
    blocks = message.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if isinstance(blocks, list) and len(blocks) > BLOCK_LIMIT:
        problems.append(f"{len(blocks)} blocks")
    for text in _texts(message):
        if len(text) > TEXT_LIMIT:
            problems.append(f"a text of {len(text)} characters")
        live = [marker for marker in LIVE if marker in text]
        if live:
            problems.append(f"live markup {live}: {text[:120]!r}")
    return problems


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.errors: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = record.getMessage()
        except Exception:  # a broken record is itself worth seeing
            line = str(record.msg)
        if record.exc_info:
            line += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(line)
        if record.levelno >= logging.ERROR or "Traceback" in line:
            self.errors.append(record)


@pytest.fixture
def collector() -> Iterator[Collector]:
    handler = Collector()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


async def _in_batches(calls: list[Any]) -> list[Any]:
    results: list[Any] = []
    for start in range(0, len(calls), CONCURRENCY):
        results += await asyncio.gather(*(c() for c in calls[start : start + CONCURRENCY]))
    return results


# One test per kind of input, so they run side by side and each has its own time limit; together
# they send every input of SIZES.
@pytest.mark.timeout(180)
@pytest.mark.parametrize("part", ["commands", "malformed", "people"])
async def test_fuzzed_inputs_all_get_an_answer(
    fake_slack: FakeSlack, database_url: str, collector: Collector, part: str
) -> None:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    sizes = SIZES[backend]
    rng = random.Random(f"{SEED}-{part}")
    texts: list[str] = []
    bad: list[Raw] = []
    names: list[str] = []
    goals: list[str] = []
    failures: list[str] = []
    admin = "UFZADMIN"
    fake_slack.add_user(admin, name="fuzzadmin", is_admin=True)
    settings: Settings = make_settings(fake_slack, database_url)
    async with running_server(settings) as server:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, settings_secret(settings), fake=fake_slack) as slack:
            coach = Coach(slack, fake_slack, server)
            owner: dict[str, str] = {}  # response_url or user id -> case

            if part == "commands":
                # 1. Command texts, each from its own member so errors can be traced to a case.
                texts = list(command_texts(rng, sizes["commands"]))

                def send_command(index: int, text: str) -> Any:
                    user = f"UFZC{index:05d}"
                    fake_slack.add_user(user, name=f"fz{index}")

                    async def call() -> tuple[str, SentRequest]:
                        sent = await slack.command(text, user_id=user)
                        return f"command #{index} {text[:60]!r}", sent

                    return call

                for case, sent in await _in_batches(
                    [send_command(i, t) for i, t in enumerate(texts)]
                ):
                    owner[sent.payload["response_url"]] = case
                    owner[sent.payload["user_id"]] = case
                    if sent.status != 200:
                        failures.append(f"{case}: status {sent.status}")
                    for problem in message_problems(sent.body):
                        failures.append(f"{case}: ack has {problem}")

            if part == "malformed":
                # 2. Malformed and unsigned requests.
                bad = list(malformed_requests(rng, slack, sizes["malformed"]))

                def send_raw(index: int, raw: Raw) -> Any:
                    async def call() -> tuple[str, Raw, SentRequest]:
                        signature = None if raw.signed else "v0=" + "0" * 64
                        sent = await slack.post_raw(
                            raw.body,
                            raw.content_type,
                            timestamp=raw.timestamp,
                            signature=signature,
                            headers=raw.headers,
                        )
                        return f"malformed #{index} ({raw.what})", raw, sent

                    return call

                for case, _raw, sent in await _in_batches(
                    [send_raw(i, r) for i, r in enumerate(bad)]
                ):
                    if not 400 <= sent.status < 500:
                        failures.append(f"{case}: status {sent.status}, wanted a 4xx")

            # Work after the acks of the commands finishes first, so modals open promptly.
            await _settle(fake_slack)

            if part == "people":
                # 3. Display names and goal texts: people join, then an admin previews the round.
                names = list(display_names(rng, sizes["profiles"]))
                goals = list(goal_texts(rng, sizes["profiles"]))
                for index, (name, goal) in enumerate(zip(names, goals, strict=True)):
                    user = f"UFZP{index:04d}"
                    owner[user] = f"profile #{index} name {name[:40]!r} goal {goal[:40]!r}"
                    fake_slack.add_user(user, name=name, real_name=name)
                    mark = len(fake_slack.calls)
                    await slack.command("find", user_id=user)
                    try:
                        view = await coach.opened_view(user, PROFILE_CALLBACK_ID, after=mark)
                    except (AssertionError, TimeoutError) as exc:
                        failures.append(f"{owner[user]}: no profile modal ({str(exc)[:100]})")
                        continue
                    values = coach.profile_values(view, goal=goal)
                    sent = await slack.view_submission(
                        PROFILE_CALLBACK_ID,
                        values,
                        user_id=user,
                        private_metadata=view.get("private_metadata", ""),
                        view=view,
                    )
                    if sent.status != 200:
                        failures.append(f"{owner[user]}: submission status {sent.status}")
                    for problem in message_problems(sent.body):
                        failures.append(f"{owner[user]}: submission ack has {problem}")
                    if index % 10 == 0:
                        await slack.command("status", user_id=user)
                preview = await slack.command("admin match preview", user_id=admin)
                owner[preview.payload["response_url"]] = "admin match preview"
                await _settle(fake_slack)

    # Every answer that went out after the ack, and every Web API call, is checked too.
    for response in fake_slack.responses:
        case = owner.get(response.url, "unattributed response_url post")
        for problem in message_problems(response.json):
            failures.append(f"{case}: reply has {problem}")
    for call in fake_slack.calls:
        who = str(call.args.get("channel") or call.args.get("user_id") or call.args.get("user"))
        case = owner.get(who, f"{call.method} call")
        for problem in message_problems(call.args):
            failures.append(f"{case}: {call.method} has {problem}")
        if call.error in {"invalid_blocks", "invalid_arguments", "msg_too_long"}:
            failures.append(f"{case}: {call.method} refused by Slack ({call.error})")
    preview_replies = [r for r in fake_slack.responses if owner.get(r.url) == "admin match preview"]
    if part == "people" and not preview_replies:
        failures.append("admin match preview: no reply")

    for record in collector.errors:
        text = record.getMessage()
        case = next((c for who, c in owner.items() if who in text), "unattributed")
        failures.append(f"{case}: server error logged: {text[:160]}")
    log = "\n".join(collector.lines)
    if UNSIGNED_MARK in log:
        failures.append(f"unsigned request bodies logged {log.count(UNSIGNED_MARK)} times")

    async with coach.sessions() as session:
        blank_people = await session.scalars(select(Person).where(Person.slack_user_id == ""))
        blank_teams = await session.scalars(select(Workspace).where(Workspace.team_id == ""))
        if blank_people.first() is not None or blank_teams.first() is not None:
            failures.append("rows created for a payload without a user or team")

    sent_total = len(texts) + len(bad) + len(names) + len(goals)
    cases = {f.split(":")[0] for f in failures}
    # Each part sent its whole sample: a display name and a goal text per person.
    expected = {"commands": sizes["commands"], "malformed": sizes["malformed"]}
    assert sent_total == expected.get(part, 2 * sizes["profiles"])
    assert not failures, (
        f"{len(cases)} of {sent_total} inputs failed (seed {SEED}-{part}); first 30:\n"
        + "\n".join(failures[:30])
    )


def settings_secret(settings: Settings) -> str:
    assert settings.slack_signing_secret is not None
    return settings.slack_signing_secret.get_secret_value()


async def _settle(fake: FakeSlack, quiet_for: float = 1.0, limit: float = 60.0) -> None:
    """Wait until the app has stopped calling Slack: work after the ack has finished."""
    deadline = time.monotonic() + limit
    seen = -1
    while time.monotonic() < deadline:
        count = len(fake.calls) + len(fake.responses)
        if count == seen:
            return
        seen = count
        await asyncio.sleep(quiet_for)
