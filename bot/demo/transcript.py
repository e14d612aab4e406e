"""The demo's running story: on the terminal with rich (short lines, intros and digests in
full), and in full in a plain-text file. What people wrote is passed as rich `Text`, never as
console markup, so a name or a goal cannot restyle or break the output."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

# The story reads in the time of the company's head office.
HEAD_OFFICE = ZoneInfo("Europe/London")
# A body longer than this is cut on the terminal; the file keeps it whole.
TERMINAL_LINES = 40


def stamp(at: datetime) -> str:
    return at.astimezone(HEAD_OFFICE).strftime("%a %d %b %H:%M")


class Transcript:
    def __init__(self, path: Path, console: Console) -> None:
        self.path = path
        self.console = console
        self._file = path.open("w", encoding="utf-8")
        self.entries = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def heading(self, title: str) -> None:
        self._file.write(f"\n=== {title} ===\n\n")
        self.console.rule(Text(title, style="bold cyan"))

    def note(self, text: str) -> None:
        """A line of the story that is not a message (setup, a summary)."""
        self._file.write(text + "\n")
        self.console.print(Text(text))

    def event(
        self,
        at: datetime,
        actor: str,
        what: str,
        body: str = "",
        *,
        panel: bool = False,
        style: str = "",
    ) -> None:
        """One thing that happened. `panel` shows the body in full on the terminal too;
        otherwise the terminal shows the body's first line."""
        self.entries += 1
        when = stamp(at)
        self._file.write(f"[{when}] {actor}: {what}\n")
        if body:
            self._file.write("".join(f"    {line}\n" for line in body.splitlines()) + "\n")
        head = Text.assemble((when, "dim"), "  ", (actor, f"bold {style}".strip()), "  ", what)
        if panel and body:
            lines = body.splitlines()
            shown = "\n".join(lines[:TERMINAL_LINES])
            if len(lines) > TERMINAL_LINES:
                shown += f"\n… {len(lines) - TERMINAL_LINES} more lines in the transcript file"
            self.console.print(head)
            self.console.print(Padding(Panel(Text(shown), expand=False), (0, 0, 0, 4)))
        else:
            first = next((line for line in body.splitlines() if line.strip()), "")
            if first:
                head.append("  ")
                head.append(_clip(first, 90), style="italic dim")
            self.console.print(head)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
