"""What apply tells the user while it works: a live line on a terminal (done, active and queued
counts, time elapsed, and an estimate of the time left from the completions seen so far), plain
timestamped lines otherwise (CI logs), each note once.
"""

from __future__ import annotations

import time
from typing import Callable, TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class _Tally:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.start = clock()
        self.done = self.active = self.queued = 0
        self.first_done: float | None = None

    def update(self, done: int, active: int, queued: int) -> None:
        if done and self.first_done is None:
            self.first_done = self.clock()
        self.done, self.active, self.queued = done, active, queued

    def line(self) -> str:
        elapsed = self.clock() - self.start
        text = (f"{self.done} done, {self.active} active, {self.queued} queued; "
                f"{_clock(elapsed)} elapsed")
        left = self.active + self.queued
        if self.done and left:
            rate = self.done / max(elapsed, 1e-9)
            text += f", about {_clock(left / rate)} left"
        return text


class PlainReporter:
    """One line per event on ``stream`` (CI logs); the counts only when they change."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.tally = _Tally(clock)
        self._last_note = ""
        self._last_counts: tuple[int, int, int] | None = None

    def note(self, text: str) -> None:
        if text != self._last_note:
            self._last_note = text
            print(f"{time.strftime('%H:%M:%S')} {text}", file=self.stream, flush=True)

    def counts(self, done: int, active: int, queued: int) -> None:
        self.tally.update(done, active, queued)
        if (done, active, queued) != self._last_counts and (done or queued):
            self._last_counts = (done, active, queued)
            self.note(self.tally.line())

    def close(self) -> None:
        pass


class LiveReporter:
    """A live status line under the notes, for a terminal."""

    def __init__(self, console: Console, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.tally = _Tally(clock)
        self._last_note = ""
        self._live = Live(Text(self.tally.line()), console=console, refresh_per_second=4,
                          transient=True, get_renderable=self._render)
        self._live.start()

    def _render(self) -> Text:
        return Text(self.tally.line(), style="bold")

    def note(self, text: str) -> None:
        if text != self._last_note:
            self._last_note = text
            self._live.console.print(Text(text))

    def counts(self, done: int, active: int, queued: int) -> None:
        self.tally.update(done, active, queued)

    def close(self) -> None:
        self._live.stop()
