"""A rich progress bar on stderr (none without a terminal): done/total, kill rate so far, where candidates run
(the executor's nodes and running tasks), throughput, time left."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from typing import Callable, Iterator

from bugprm.records import Execution, Outcome


@contextmanager
def label_progress(total: int, enabled: bool, console=None,
                   status: Callable[[], str] | None = None) -> Iterator[Callable[[Execution], None]]:
    """Yields the callback to call with each new Execution; ``status`` says where they run."""
    from rich.console import Console

    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal or total == 0:
        yield lambda execution: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    counts: Counter = Counter()
    started = time.monotonic()
    columns = (TextColumn("labelling"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TextColumn("{task.fields[where]}"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("label", total=total, rate="", where=status() if status else "")

        def advance(execution: Execution) -> None:
            counts[execution.outcome] += 1
            per_minute = 60 * sum(counts.values()) / max(time.monotonic() - started, 1e-9)
            where = f"{status()}, {per_minute:.0f}/min" if status else f"{per_minute:.0f}/min"
            bar.update(task, advance=1, rate=f"killed {kill_rate(counts):.0%}", where=where)

        yield advance


def kill_rate(counts: Counter) -> float:
    judged = sum(n for outcome, n in counts.items() if outcome is not Outcome.INFRA_ERROR)
    return counts[Outcome.KILLED] / judged if judged else 0.0
