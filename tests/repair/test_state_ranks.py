"""Patches carry where they stand among their failing state's patches, computed the same way wherever they are
generated (``bugprm repair``, the bench, the base model's repair trajectories): through ``generate_repairs``."""

from pathlib import Path

from bugprm.execute.failing import FailingState
from bugprm.records import Edit
from bugprm.repair.candidates import generate_repairs
from bugprm.repair.diffs import diff_size
from bugprm.repair.ranking import by_heuristic
from bugprm.repair.sites import StateFiles, localise

SOURCE = (Path(__file__).parents[1] / "fixtures" / "snippets" / "clamp.py").read_text() + """

def span(low, high):
    if high < low:
        return 0
    return high - low
"""
BUG = Edit("m.py", SOURCE.index("value > high"), SOURCE.index("value > high") + len("value > high"),
           "value > high", "value >= high")
COVERAGE = {("m.py", line): ["t_high", "t_inside"] for line in (2, 4, 5, 6)} | {("m.py", 10): ["t_span"]}


def _patches(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    state = FailingState("bug", (BUG,), ("t_high",))
    files = StateFiles(tmp_path, state)
    return generate_repairs(localise(state, files, COVERAGE, {"t_inside", "t_span"}), files, "repo")


def test_the_heuristic_rank_is_the_place_in_the_heuristics_order(tmp_path):
    patches = _patches(tmp_path)
    assert len({p.line for p in patches}) > 1
    assert [p.features["heuristic_rank"] for p in (r.candidate for r in by_heuristic(patches))] == list(
        range(1, len(patches) + 1))


def test_line_ranks_compare_a_patch_with_the_others_at_its_line(tmp_path):
    patches = _patches(tmp_path)
    for line in {p.line for p in patches}:
        here = [p for p in patches if p.line == line]
        best = max(p.features["naturalness"] for p in here)
        for p in here:
            assert p.features["naturalness_gap_at_line"] == round(best - p.features["naturalness"], 4)
            assert p.features["naturalness_rank_at_line"] == 1 + sum(
                q.features["naturalness"] > p.features["naturalness"] for q in here)
            assert p.features["diff_rank_at_line"] == 1 + sum(diff_size(q.diff) < diff_size(p.diff) for q in here)
    assert {p.features["naturalness_rank_at_line"] for p in patches} != {1}
