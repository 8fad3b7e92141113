"""Labelling progress on stderr (``bugprm.progress``): done/total, kill rate so far, where candidates run (the
executor's nodes and running tasks), throughput, time left."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from typing import Callable, Iterator

from bugprm.progress import progress
from bugprm.records import Execution, Outcome


@contextmanager
def label_progress(total: int, enabled: bool, console=None,
                   task: str = "label", status: Callable[[], str] | None = None
                   ) -> Iterator[Callable[[Execution], None]]:
    """Yields the callback to call with each new Execution; ``status`` says where they run."""
    counts: Counter = Counter()
    started = time.monotonic()
    with progress(task, total, enabled, console) as advance:

        def on_execution(execution: Execution) -> None:
            counts[execution.outcome] += 1
            per_minute = 60 * sum(counts.values()) / max(time.monotonic() - started, 1e-9)
            where = f"{status()}, {per_minute:.0f}/min" if status else f"{per_minute:.0f}/min"
            advance(1, f"killed {kill_rate(counts):.0%}, {where}")

        yield on_execution


def kill_rate(counts: Counter) -> float:
    judged = sum(n for outcome, n in counts.items() if outcome is not Outcome.INFRA_ERROR)
    return counts[Outcome.KILLED] / judged if judged else 0.0
