"""The progress bar: on a terminal it shows done/total and the kill rate; without one it prints nothing."""

from __future__ import annotations

import io

from rich.console import Console

from bugprm.execute.progress import label_progress
from bugprm.records import Execution, Outcome


def test_a_terminal_sees_done_total_and_kill_rate():
    out = io.StringIO()
    with label_progress(2, True, Console(file=out, force_terminal=True, width=100)) as advance:
        advance(Execution("a", Outcome.KILLED))
        advance(Execution("b", Outcome.SURVIVED))
    assert "2/2" in out.getvalue() and "killed 50%" in out.getvalue()


def test_no_terminal_no_bar():
    out = io.StringIO()
    with label_progress(2, True, Console(file=out, force_terminal=False)) as advance:
        advance(Execution("a", Outcome.KILLED))
    assert out.getvalue() == ""


def test_the_bar_says_where_candidates_run_and_how_fast():
    out = io.StringIO()
    status = lambda: "ray: 2 nodes, 2 actors, 1 tasks running"  # noqa: E731 - the executor's status line
    with label_progress(1, True, Console(file=out, force_terminal=True, width=160), status=status) as advance:
        advance(Execution("a", Outcome.KILLED))
    assert "ray: 2 nodes" in out.getvalue() and "/min" in out.getvalue()
