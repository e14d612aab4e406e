"""Block Kit for admin digests: the channel message, the nudge a quiet group gets, and the
figures and undelivered messages on the admins' App Home.

Everything is built from `bot.digests.figures` values, which hold counts and rates only, so
no builder here can put a person's answer in front of an admin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.digests.figures import (
    Breakdown,
    Dimension,
    ProgrammeDigest,
    QuietGroup,
    Rate,
    RoundFigures,
    answers_shown,
    for_admins,
)
from bot.slack.blocks.dates import format_date
from bot.slack.copy import digests as copy
from bot.slack.copy import programmes as programmes_copy
from bot.slack.copy import text
from bot.slack.mrkdwn import clip, escape

Message = dict[str, Any]

ACTION_DIGEST_NUDGE: Final = "digest_nudge"
ACTION_OUTBOX_RETRY: Final = "home_outbox_retry"

# Slack's limits: 50 blocks a message, 3,000 characters a section text, 2,000 a field, 10
# fields a section, 150 characters a header.
MAX_BLOCKS: Final = 50
SECTION_TEXT_MAX: Final = 3000
FIELD_TEXT_MAX: Final = 2000
HEADER_MAX: Final = 150
# Quiet groups listed with their own Nudge button; the rest are counted.
MAX_QUIET_SHOWN: Final = 10
MAX_FAILED_SHOWN: Final = 10
# Mentions shown per quiet group (circles are at most 6).
MAX_MENTIONS: Final = 6
_SPARKS: Final = "▁▂▃▄▅▆▇█"


def percent(rate: Rate) -> str:
    value = rate.value
    if value is None:
        return copy.NO_DATA
    return copy.RATE.format(percent=round(value * 100), part=rate.part, whole=rate.whole)


def _points(current: Rate | None, previous: Rate | None) -> str:
    """The change in percentage points, or nothing when either side has no value."""
    if current is None or previous is None:
        return ""
    now, before = current.value, previous.value
    if now is None or before is None:
        return ""
    points = round((now - before) * 100)
    if points > 0:
        return copy.CHANGE_UP.format(points=points)
    if points < 0:
        return copy.CHANGE_DOWN.format(points=-points)
    return copy.CHANGE_SAME


def _people_change(current: int, previous: RoundFigures | None) -> str:
    if previous is None or current == previous.people:
        return ""
    if current > previous.people:
        return copy.CHANGE_PEOPLE_UP.format(count=current - previous.people)
    return copy.CHANGE_PEOPLE_DOWN.format(count=previous.people - current)


def sparkline(values: Sequence[float | None]) -> str:
    """One character per round, low to high; a gap where a round has no value."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif span == 0:
            out.append(_SPARKS[len(_SPARKS) // 2])
        else:
            out.append(_SPARKS[round((value - low) / span * (len(_SPARKS) - 1))])
    return "".join(out)


def _section(words: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(words, SECTION_TEXT_MAX)))


def _context(words: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(words, SECTION_TEXT_MAX))])


def _fields(words: Sequence[str]) -> SectionBlock:
    return SectionBlock(
        fields=[MarkdownTextObject(text=clip(w, FIELD_TEXT_MAX)) for w in words[:10]]
    )


def _usefulness(figures: RoundFigures, minimum: int) -> str:
    if figures.usefulness is None or figures.ratings == 0:
        return copy.NO_DATA
    if not answers_shown(figures.ratings, minimum):
        return copy.FEWER_ANSWERS.format(min=minimum)
    template = copy.USEFULNESS_ONE if figures.ratings == 1 else copy.USEFULNESS
    return template.format(mean=f"{figures.usefulness:.1f}", count=figures.ratings)


def _round_line(digest: ProgrammeDigest, figures: RoundFigures) -> str:
    end = copy.ROUND_END.format(end=format_date(figures.ends_on)) if figures.ends_on else ""
    mode = programmes_copy.MODE_NAMES.get(digest.mode.value, digest.mode.value)
    return copy.ROUND_LINE.format(start=format_date(figures.starts_on), end=end, mode=mode)


def _answers(rate: Rate, minimum: int) -> str:
    """A rate of people's own answers, or "fewer than N answers" when too few answered."""
    if rate.whole and not answers_shown(rate.whole, minimum):
        return copy.FEWER_ANSWERS.format(min=minimum)
    return percent(rate)


def _answer_points(current: Rate, previous: Rate | None, minimum: int) -> str:
    if not answers_shown(current.whole, minimum):
        return ""
    if previous is not None and not answers_shown(previous.whole, minimum):
        return ""
    return _points(current, previous)


def _figure_fields(digest: ProgrammeDigest, figures: RoundFigures) -> list[SectionBlock]:
    previous = digest.previous
    p = digest.participants
    goals = figures.goals
    minimum = digest.min_group
    goal_counts = (
        copy.FIELD_GOALS.format(
            on_track=goals.on_track,
            some=goals.some_progress,
            stuck=goals.stuck,
            achieved=goals.achieved,
        )
        if goals.total == 0 or answers_shown(goals.total, minimum)
        else copy.FIELD_GOALS_FEW.format(min=minimum)
    )
    first = [
        copy.FIELD_PARTICIPANTS.format(active=p.active, new=p.new, paused=p.paused, left=p.left),
        copy.FIELD_GROUPS.format(
            groups=figures.groups,
            people=figures.people,
            change=_people_change(figures.people, previous),
        ),
        copy.FIELD_MEETING.format(
            value=percent(figures.meeting),
            change=_points(figures.meeting, previous.meeting if previous else None),
        ),
        copy.FIELD_CHECKINS.format(
            value=percent(figures.checkin_response),
            change=_points(
                figures.checkin_response, previous.checkin_response if previous else None
            ),
        ),
        copy.FIELD_USEFULNESS.format(value=_usefulness(figures, minimum)),
        copy.FIELD_ATTAINMENT.format(
            value=_answers(goals.attainment, minimum),
            change=_answer_points(
                goals.attainment, previous.goals.attainment if previous else None, minimum
            ),
        ),
    ]
    second = [
        goal_counts,
        copy.FIELD_STEPS.format(
            value=_answers(figures.steps_kept, minimum),
            change=_answer_points(
                figures.steps_kept, previous.steps_kept if previous else None, minimum
            ),
        ),
        copy.FIELD_RETENTION.format(value=percent(figures.retention)),
    ]
    return [_fields(first), _fields(second)]


def trend_text(trend: Sequence[RoundFigures]) -> str:
    if len(trend) < 2:
        return copy.TREND_ONE_ROUND
    series: list[tuple[str, list[float | None], str, str]] = []
    for name, rates in (
        (copy.TREND_MEETING, [r.meeting for r in trend]),
        (copy.TREND_CHECKINS, [r.checkin_response for r in trend]),
        (copy.TREND_ATTAINMENT, [r.goals.attainment for r in trend]),
    ):
        # The caller passes `for_admins` figures: a round with too few goal answers is a gap.
        values = [rate.value for rate in rates]
        series.append((name, values, _short(values[0]), _short(values[-1])))
    people: list[float | None] = [float(r.people) for r in trend]
    series.append((copy.TREND_PEOPLE, people, str(trend[0].people), str(trend[-1].people)))
    lines = [copy.TREND_TITLE.format(rounds=len(trend))]
    lines += [
        copy.TREND_LINE.format(name=name, spark=sparkline(values), first=first, last=last)
        for name, values, first, last in series
    ]
    return "\n".join(lines)


def _short(value: float | None) -> str:
    return "–" if value is None else copy.BREAKDOWN_SHORT_RATE.format(percent=round(value * 100))


def breakdown_text(digest: ProgrammeDigest, dimension: Dimension) -> str | None:
    rows = [b for b in digest.breakdowns if b.dimension is dimension]
    if not rows:
        return None
    title = copy.BREAKDOWN_FUNCTION if dimension is Dimension.FUNCTION else copy.BREAKDOWN_LEVEL
    return "\n".join([title, *(_breakdown_line(b, digest.min_group) for b in rows)])


def _breakdown_line(row: Breakdown, minimum: int) -> str:
    label = escape(clip(row.label, 80))
    if row.suppressed or row.meeting is None or row.checkin_response is None:
        return copy.BREAKDOWN_SUPPRESSED.format(label=label, min=minimum)
    return copy.BREAKDOWN_LINE.format(
        label=label,
        people=row.people,
        meeting=_short(row.meeting.value),
        checkins=_short(row.checkin_response.value),
    )


def mentions(user_ids: Sequence[str]) -> str:
    shown = ", ".join(f"<@{u}>" for u in user_ids[:MAX_MENTIONS])
    return shown or "—"


def _quiet_blocks(digest: ProgrammeDigest, budget: int) -> list[Block]:
    quiet = digest.quiet_groups
    if not quiet:
        return [_section(copy.QUIET_NONE)]
    blocks: list[Block] = [_section(copy.QUIET_TITLE.format(count=len(quiet)))]
    shown = quiet[: max(0, min(MAX_QUIET_SHOWN, budget - 2))]
    blocks += [_quiet_row(group, digest.current) for group in shown]
    if len(quiet) > len(shown):
        blocks.append(_context(copy.QUIET_MORE.format(count=len(quiet) - len(shown))))
    return blocks


def _quiet_row(group: QuietGroup, current: RoundFigures | None) -> SectionBlock:
    round_id = current.round_id if current else 0
    return SectionBlock(
        text=MarkdownTextObject(text=copy.QUIET_LINE.format(users=mentions(group.user_ids))),
        accessory=ButtonElement(
            text=PlainTextObject(text=copy.BUTTON_NUDGE),
            action_id=ACTION_DIGEST_NUDGE,
            value=f"{group.group_id}:{round_id}",
        ),
    )


def digest_message(digest: ProgrammeDigest) -> Message:
    """The digest as a channel message: at most 50 blocks, every text inside its limit."""
    name = escape(digest.programme_name)
    header = HeaderBlock(
        text=PlainTextObject(
            text=clip(copy.HEADER.format(programme=digest.programme_name), HEADER_MAX)
        )
    )
    figures = digest.current
    if figures is None:
        blocks: list[Block] = [header, _section(copy.ROUND_NONE.format(programme=name))]
        return {"text": copy.HEADER.format(programme=name), "blocks": _dicts(blocks)}
    blocks = [
        header,
        _context(_round_line(digest, figures)),
        *_figure_fields(digest, figures),
        _section(trend_text([for_admins(r, digest.min_group) for r in digest.trend])),
    ]
    for dimension in (Dimension.FUNCTION, Dimension.LEVEL):
        words = breakdown_text(digest, dimension)
        if words is not None:
            blocks.append(_section(words))
    if digest.themes:
        blocks.append(
            _section(
                copy.THEMES_TITLE.format(count=digest.theme_notes)
                + "\n"
                + escape(clip(digest.themes, 1500))
            )
        )
    blocks.append(DividerBlock())
    tail: list[Block] = [
        _context(copy.PRIVACY_NOTE.format(min=digest.min_group) + " " + copy.CHANGE_NOTE)
    ]
    blocks += _quiet_blocks(digest, MAX_BLOCKS - len(blocks) - len(tail))
    blocks += tail
    fallback = copy.FALLBACK.format(
        programme=name,
        meeting=_short(figures.meeting.value),
        checkins=_short(figures.checkin_response.value),
    )
    return {"text": fallback, "blocks": _dicts(blocks)}


def _dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]


def undelivered_message(digest: ProgrammeDigest, channel_id: str) -> Message:
    """The digest for an admin's DM, after a note that its channel is closed to the app."""
    message = digest_message(digest)
    name = escape(digest.programme_name)
    note = _section(copy.UNDELIVERED.format(programme=name, channel=channel_id)).to_dict()
    blocks = [note, *message["blocks"]][:MAX_BLOCKS]
    return {"text": copy.UNDELIVERED_FALLBACK.format(programme=name), "blocks": blocks}


def notice(words: str) -> Message:
    """A short answer to an admin's command."""
    return {"text": words, "blocks": _dicts([_section(words)])}


def ephemeral(words: str) -> Message:
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": words,
        "blocks": _dicts([_section(words)]),
    }


# --- App Home -----------------------------------------------------------------------------


def home_heading(digest: ProgrammeDigest) -> str:
    """A programme's line on App Home: its name, round and quiet groups."""
    name = escape(clip(digest.programme_name, 80))
    figures = digest.current
    if figures is None:
        return copy.HOME_FIGURES_NONE.format(programme=name)
    count = len(digest.quiet_groups)
    quiet = (
        ""
        if count == 0
        else copy.HOME_FIGURES_QUIET_ONE
        if count == 1
        else copy.HOME_FIGURES_QUIET.format(count=count)
    )
    return copy.HOME_FIGURES_LINE.format(
        programme=name, start=format_date(figures.starts_on), quiet=quiet
    )


def home_figures_blocks(digests: Sequence[ProgrammeDigest], *, limit: int) -> list[Block]:
    """Each programme's digest figures, as in the channel digest (trend and breakdowns stay
    in the digest itself), inside `limit` blocks."""
    if not digests:
        return []
    blocks: list[Block] = [_section(copy.HOME_FIGURES_TITLE)]
    for digest in digests:
        figures = digest.current
        programme = [_section(home_heading(digest))]
        if figures is not None:
            programme += _figure_fields(digest, figures)
        if len(blocks) + len(programme) + 1 > limit:
            break
        blocks += programme
    blocks.append(_context(copy.HOME_FIGURES_HINT.format(slash=text.SLASH_COMMAND)))
    return blocks


def failed_blocks(failed: Sequence[tuple[int, str, str, datetime]], *, total: int) -> list[Block]:
    """Undelivered messages by id, kind, error code and when: never their text, which may
    quote someone's step."""
    if not failed:
        return []
    blocks: list[Block] = [_section(copy.HOME_FAILED_TITLE)]
    for message_id, kind, error, when in failed[:MAX_FAILED_SHOWN]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=copy.HOME_FAILED_ROW.format(
                        kind=escape(kind),
                        error=escape(clip(error or "unknown", 100)),
                        when=format_date(when.date()),
                    )
                ),
                accessory=ButtonElement(
                    text=PlainTextObject(text=copy.BUTTON_RETRY),
                    action_id=ACTION_OUTBOX_RETRY,
                    value=str(message_id),
                ),
            )
        )
    if total > len(failed[:MAX_FAILED_SHOWN]):
        blocks.append(
            _context(copy.HOME_FAILED_MORE.format(count=total - len(failed[:MAX_FAILED_SHOWN])))
        )
    return blocks
