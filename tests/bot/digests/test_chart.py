"""The trend chart: a real PNG of the declared size, its series readable from the bytes."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date, timedelta

import pytest
from matplotlib.image import imread

from bot.digests.chart import SERIES_KEY, render_trend_chart
from bot.digests.figures import GoalProgress, Rate, RoundFigures

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MET = Rate(3, 4)
ANSWERED = Rate(5, 8)
GOALS = GoalProgress(on_track=2, achieved=1)


def figures(
    index: int,
    *,
    meeting: Rate = MET,
    checkins: Rate = ANSWERED,
    goals: GoalProgress = GOALS,
    people: int = 8,
) -> RoundFigures:
    starts = date(2026, 9, 7) + timedelta(weeks=2 * index)
    return RoundFigures(
        round_id=index + 1,
        starts_on=starts,
        ends_on=starts + timedelta(days=13),
        groups=4,
        people=people,
        meeting=meeting,
        checkin_response=checkins,
        usefulness=4.0,
        ratings=3,
        goals=goals,
        steps_kept=Rate(1, 2),
        retention=Rate(4, 5),
    )


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == PNG_SIGNATURE
    found, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + data) == crc
        found.append((kind, data))
        at += 12 + length
    return found


def text_chunks(png: bytes) -> dict[str, str]:
    texts: dict[str, str] = {}
    for kind, data in chunks(png):
        if kind == b"tEXt":
            key, _, value = data.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = data.partition(b"\0")
            compressed, rest = rest[0], rest[2:]  # flag, method
            _language, _, rest = rest.partition(b"\0")
            _translated, _, value = rest.partition(b"\0")
            texts[key.decode("latin-1")] = (zlib.decompress(value) if compressed else value).decode(
                "utf-8"
            )
    return texts


def assert_valid_png(png: bytes, width: int, height: int) -> None:
    found = chunks(png)
    assert found[0][0] == b"IHDR"
    assert struct.unpack(">II", found[0][1][:8]) == (width, height)
    assert found[-1][0] == b"IEND"
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (height, width)


def test_a_trend_renders_a_png_of_the_declared_size_with_four_series() -> None:
    trend = [figures(i, people=6 + i) for i in range(8)]

    chart = render_trend_chart(trend, title="Mentoring circles: last 8 rounds")

    assert (chart.width, chart.height) == (1200, 600)
    assert_valid_png(chart.png, chart.width, chart.height)
    texts = text_chunks(chart.png)
    series = texts[SERIES_KEY].split("\n")
    assert len(series) == 4
    assert tuple(series) == chart.series
    assert texts["Title"] == "Mentoring circles: last 8 rounds"
    # The latest values, in words, for people who cannot see the picture.
    assert chart.alt_text == (
        "Line chart of the last 8 rounds. Latest round, starting 2026-12-14: meeting rate 75%, "
        "check-in response 62%, goal attainment 33%, 13 active people."
    )


def test_a_single_round_and_missing_values_still_render() -> None:
    one = render_trend_chart([figures(0, people=1)], title="One round")
    assert_valid_png(one.png, one.width, one.height)
    assert one.alt_text.startswith("Line chart of the last 1 round. ")
    assert one.alt_text.endswith("1 active person.")

    gaps = [
        figures(0),
        figures(1, meeting=Rate(0, 0), checkins=Rate(0, 0), goals=GoalProgress(), people=0),
        figures(2, goals=GoalProgress()),
    ]
    chart = render_trend_chart(gaps, title="Gaps")
    assert_valid_png(chart.png, chart.width, chart.height)
    assert "goal attainment no figure" in chart.alt_text
    assert len(text_chunks(chart.png)[SERIES_KEY].split("\n")) == 4


def test_an_empty_trend_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one round"):
        render_trend_chart([], title="Nothing")
