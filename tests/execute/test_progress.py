"""Progress: a bar with done/total, kill rate and time left on a terminal; plain lines in a log (CI)."""

from __future__ import annotations

import io

from rich.console import Console

from bugprm.execute.progress import label_progress
from bugprm.progress import PlainProgress, progress
from bugprm.records import Execution, Outcome


def test_a_terminal_sees_done_total_and_kill_rate():
    out = io.StringIO()
    with label_progress(2, True, Console(file=out, force_terminal=True, width=100)) as advance:
        advance(Execution("a", Outcome.KILLED))
        advance(Execution("b", Outcome.SURVIVED))
    assert "2/2" in out.getvalue() and "killed 50%" in out.getvalue()


def test_without_a_terminal_a_log_gets_plain_lines_with_the_kill_rate():
    out = io.StringIO()
    with label_progress(2, True, Console(file=out, force_terminal=False)) as advance:
        advance(Execution("a", Outcome.KILLED))
        advance(Execution("b", Outcome.SURVIVED))
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("label: 2/2 (100%)") and "done; killed 50%" in lines[-1]
    assert "\x1b" not in out.getvalue()  # no escape codes in a CI log


def test_plain_lines_are_throttled_and_give_the_time_left_from_the_rate_so_far():
    now, lines = [0.0], []
    plain = PlainProgress("score", 4, lines.append, every=10.0, clock=lambda: now[0])
    now[0] = 5.0
    plain.advance()  # 5 s since the start: too soon for a line
    now[0] = 20.0
    plain.advance()  # 2 of 4 in 20 s: 20 s left
    now[0] = 21.0
    plain.advance()
    now[0] = 22.0
    plain.advance()  # the last one always prints
    assert lines == ["score: 2/4 (50%), 0:20 elapsed, about 0:20 left", "score: 4/4 (100%), 0:22 elapsed, done"]


def test_disabled_progress_prints_nothing():
    out = io.StringIO()
    with progress("generate", 3, False, Console(file=out, force_terminal=True)) as advance:
        advance()
    assert out.getvalue() == ""


def test_the_bar_says_where_candidates_run_and_how_fast():
    out = io.StringIO()
    status = lambda: "ray: 2 nodes, 2 actors, 1 tasks running"  # noqa: E731 - the executor's status line
    with label_progress(1, True, Console(file=out, force_terminal=True, width=160), status=status) as advance:
        advance(Execution("a", Outcome.KILLED))
    assert "ray: 2 nodes" in out.getvalue() and "/min" in out.getvalue()
