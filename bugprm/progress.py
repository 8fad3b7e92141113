"""Progress with an ETA on stderr, for every long command: a rich bar on a terminal, plain lines otherwise.

CI logs have no terminal, and a bar that draws nothing there left them silent until the end: without one, a line
``label: 12/50 (24%), 0:31 elapsed, about 1:38 left; killed 40%`` is printed at most every ``PLAIN_EVERY``
seconds, and once at the end. Library calls pass ``enabled=False`` (the default) and print nothing.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator

PLAIN_EVERY = 10.0


class PlainProgress:
    """Plain lines for a log: done/total, elapsed, time left from the rate so far, and a note."""

    def __init__(self, task: str, total: int, write: Callable[[str], None], every: float = PLAIN_EVERY,
                 clock: Callable[[], float] = time.monotonic):
        self.task, self.total, self.done = task, total, 0
        self._write, self._every, self._clock = write, every, clock
        self._started = self._last = clock()

    def advance(self, count: int = 1, note: str = "") -> None:
        self.done += count
        now = self._clock()
        if self.done >= self.total or now - self._last >= self._every:
            self._last = now
            self._write(self.line(now, note))

    def line(self, now: float, note: str = "") -> str:
        elapsed = now - self._started
        left = elapsed / self.done * (self.total - self.done) if self.done else None
        eta = "done" if self.done >= self.total else f"about {_clock_text(left)} left" if left is not None else ""
        share = self.done / self.total if self.total else 1.0
        parts = [f"{self.task}: {self.done}/{self.total} ({share:.0%})", f"{_clock_text(elapsed)} elapsed", eta]
        return ", ".join(p for p in parts if p) + (f"; {note}" if note else "")


@contextmanager
def progress(task: str, total: int, enabled: bool = False, console=None) -> Iterator[Callable[..., None]]:
    """Yields ``advance(count=1, note="")``; draws nothing when disabled or when there is nothing to do."""
    if not enabled or total <= 0:
        yield lambda count=1, note="": None
        return
    from rich.console import Console

    console = console or Console(stderr=True, highlight=False)
    if not console.is_terminal:
        plain = PlainProgress(task, total, lambda line: console.print(line, markup=False, soft_wrap=True))
        yield plain.advance
        return
    with _bar(task, total, console) as advance:
        yield advance


@contextmanager
def _bar(task: str, total: int, console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(task), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[note]}"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        handle = bar.add_task(task, total=total, note="")
        yield lambda count=1, note="": bar.update(handle, advance=count, note=note)


def _clock_text(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
