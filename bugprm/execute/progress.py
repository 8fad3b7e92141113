"""Labelling progress on stderr (``bugprm.progress``): done/total, kill rate so far, time left."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from typing import Callable, Iterator

from bugprm.progress import progress
from bugprm.records import Execution, Outcome


@contextmanager
def label_progress(total: int, enabled: bool, console=None,
                   task: str = "label") -> Iterator[Callable[[Execution], None]]:
    """Yields the callback to call with each new Execution."""
    counts: Counter = Counter()
    with progress(task, total, enabled, console) as advance:

        def on_execution(execution: Execution) -> None:
            counts[execution.outcome] += 1
            advance(1, f"killed {kill_rate(counts):.0%}")

        yield on_execution


def kill_rate(counts: Counter) -> float:
    judged = sum(n for outcome, n in counts.items() if outcome is not Outcome.INFRA_ERROR)
    return counts[Outcome.KILLED] / judged if judged else 0.0
