"""Ochiai on a spectrum small enough to compute by hand, and the line shift of a failing state."""

import math

import pytest

from bugprm.execute.failing import FailingState
from bugprm.records import Edit
from bugprm.repair.localize import ochiai, rank_lines

FAILING = {"f1", "f2"}
PASSING = {"p1", "p2", "p3"}
COVERAGE = {
    ("m.py", 1): ["f1", "f2", "p1"],  # 2 / sqrt(2 * 3)
    ("m.py", 2): ["f1"],  # 1 / sqrt(2 * 1)
    ("m.py", 3): ["f1", "f2"],  # 2 / sqrt(2 * 2) = 1
    ("m.py", 4): ["p1", "p2"],  # no failing test: left out
    ("m.py", 5): [""],  # import time: every test, 2 / sqrt(2 * 5)
    ("m.py", 6): ["f2", "p1", "p2", "p3"],  # 1 / sqrt(2 * 4)
    ("n.py", 1): ["f1"],  # ties with m.py:2
}


def test_ochiai_is_failed_over_root_of_total_failed_times_all_that_run_the_line():
    assert ochiai(2, 1, 2) == pytest.approx(2 / math.sqrt(6))
    assert ochiai(0, 3, 2) == 0.0
    assert ochiai(1, 0, 1) == 1.0


def test_lines_are_ranked_by_hand_computed_scores_with_ties_sharing_a_rank():
    ranked = rank_lines(COVERAGE, FAILING, PASSING)
    got = [(s.file, s.line, round(s.score, 4), s.rank) for s in ranked]
    assert got == [
        ("m.py", 3, 1.0, 1),
        ("m.py", 1, round(2 / math.sqrt(6), 4), 2),
        ("m.py", 2, round(1 / math.sqrt(2), 4), 3),
        ("n.py", 1, round(1 / math.sqrt(2), 4), 3),
        ("m.py", 5, round(2 / math.sqrt(10), 4), 5),
        ("m.py", 6, round(1 / math.sqrt(8), 4), 6),
    ]
    assert (ranked[0].failed, ranked[0].passed) == (2, 0) and (ranked[4].failed, ranked[4].passed) == (2, 3)


def test_a_bug_that_adds_lines_shifts_the_lines_below_it_only():
    original = b"a = 1\nb = 2\nc = 3\nd = 4\n"
    state = FailingState("bug", (Edit("m.py", 6, 11, "b = 2", "b = 2\nb += 1"),), ("t",))
    assert state.source("m.py", original) == b"a = 1\nb = 2\nb += 1\nc = 3\nd = 4\n"
    assert [state.line_in_state("m.py", original, line) for line in (1, 2, 3, 4)] == [1, 2, 4, 5]
    assert state.line_in_state("other.py", original, 3) == 3
