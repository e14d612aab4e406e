"""The trend chart that follows a digest: a PNG of the last rounds' rates and people.

Drawn with matplotlib's object API on an Agg canvas of its own, never pyplot: pyplot keeps
global figures, which would leak between calls and is not safe across threads. Only
aggregates reach this module, so the chart cannot show anyone's name."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.digests.figures import Rate, RoundFigures

WIDTH_PX = 1200
HEIGHT_PX = 600
DPI = 100
# The PNG text chunk that lists the series, one name a line, for readers of the bytes.
SERIES_KEY = "Series"

MEETING = "Meeting rate"
CHECKIN = "Check-in response"
GOALS = "Goal attainment"
PEOPLE = "Active people"
SERIES = (MEETING, CHECKIN, GOALS, PEOPLE)


@dataclass(frozen=True, slots=True)
class Chart:
    """A rendered chart. `alt_text` describes the latest values in plain words."""

    png: bytes
    width: int
    height: int
    series: tuple[str, ...]
    alt_text: str


def render_trend_chart(trend: Sequence[RoundFigures], *, title: str) -> Chart:
    """Draw `trend` (oldest round first): three rates in percent on the left axis, the
    people placed in each round on the right. A rate with no value is a gap in its line."""
    if not trend:
        raise ValueError("a trend chart needs at least one round")
    # One place per round, labelled with its first day: rounds are evenly spaced on the
    # chart whatever their length.
    places = list(range(len(trend)))
    labels = _day_labels([figures.starts_on for figures in trend])
    rates = {
        MEETING: [_percent(f.meeting) for f in trend],
        CHECKIN: [_percent(f.checkin_response) for f in trend],
        GOALS: [_percent(f.goals.attainment) for f in trend],
    }
    people = [f.people for f in trend]

    # Imported here: matplotlib takes most of a second to load, and every process that
    # serves or runs a command would pay it, though only a digest draws.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    # The figure's own Agg canvas, which savefig draws on; no global backend is involved.
    FigureCanvasAgg(figure)
    left = figure.add_subplot()
    right = left.twinx()
    handles = []
    for (name, values), marker in zip(rates.items(), ("o", "s", "^"), strict=True):
        # NaN breaks the line, so a round without a value shows as a gap, not a zero.
        (line,) = left.plot(places, values, marker=marker, linewidth=2, label=name)
        handles.append(line)
    (people_line,) = right.plot(
        places, people, color="0.45", linestyle="--", marker="D", linewidth=1.5, label=PEOPLE
    )
    handles.append(people_line)

    left.set_ylim(0, 100)
    left.set_ylabel("Percent")
    right.set_ylim(0, max(max(people), 1) * 1.15)
    right.set_ylabel("People")
    left.set_xticks(places, labels=labels)
    left.set_xlim(-0.5, len(places) - 0.5)
    left.set_xlabel("Round starting")
    left.grid(True, alpha=0.3)
    left.set_title(title[:120], fontsize=16)
    # Below the plot, in one row: inside it, the lines would run through the labels.
    left.legend(
        handles=handles,
        labels=list(SERIES),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=len(SERIES),
        fontsize=10,
        frameon=False,
    )
    figure.tight_layout()

    buffer = io.BytesIO()
    figure.savefig(
        buffer, format="png", metadata={"Title": title[:120], SERIES_KEY: "\n".join(SERIES)}
    )
    return Chart(
        png=buffer.getvalue(),
        width=WIDTH_PX,
        height=HEIGHT_PX,
        series=SERIES,
        alt_text=_alt_text(trend),
    )


def _day_labels(days: Sequence[date]) -> list[str]:
    """ "7 Sep", with the year on the first day and wherever it changes."""
    labels = []
    for index, day in enumerate(days):
        new_year = index == 0 or days[index - 1].year != day.year
        labels.append(f"{day.day} {day:%b %Y}" if new_year else f"{day.day} {day:%b}")
    return labels


def _percent(rate: Rate) -> float:
    value = rate.value
    return math.nan if value is None else value * 100


def _alt_text(trend: Sequence[RoundFigures]) -> str:
    latest = trend[-1]

    def said(rate: Rate) -> str:
        value = rate.value
        return "no figure" if value is None else f"{round(value * 100)}%"

    return (
        f"Line chart of the last {len(trend)} round{'s' if len(trend) != 1 else ''}. "
        f"Latest round, starting {latest.starts_on.isoformat()}: "
        f"meeting rate {said(latest.meeting)}, "
        f"check-in response {said(latest.checkin_response)}, "
        f"goal attainment {said(latest.goals.attainment)}, "
        f"{latest.people} active {'person' if latest.people == 1 else 'people'}."
    )
