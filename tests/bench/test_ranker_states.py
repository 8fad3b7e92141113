"""What the state ranker learns from, state by state (``bench.ranker_states``)."""

import random

from bugprm.bench.ranker_states import contrast, summary, within_state_spread
from bugprm.model.repair_ranker import RepairRanker, StatePatches
from bugprm.records import REPAIR_STEPS, Candidate, Kind, Step


def _patch(bug: str, number: int, line: int, correct: int, depth: int = 0, operator: str = "swap") -> Candidate:
    steps = tuple(Step(name, f"{name} {number}", correct) for name in REPAIR_STEPS)
    return Candidate(f"{bug}-{number}", Kind.REPAIR, "repo", "m.py", "f", line, operator, "family", "diff", steps,
                     bug_id=bug, features={"traceback_depth": depth, "ochiai_rank": line, "heuristic_rank": number})


def _state(patches: list[Candidate], log_odds: list[float] | None = None) -> StatePatches:
    return StatePatches(tuple(patches), tuple(log_odds or [0.0] * len(patches)),
                        tuple(p.steps[-1].label for p in patches))


def test_rivals_are_counted_at_the_correct_patch_line_and_elsewhere():
    found = contrast(_state([_patch("b", 1, 7, 1), _patch("b", 2, 7, 0), _patch("b", 3, 9, 0), _patch("b", 4, 2, 0)]))
    assert (found.patches, found.correct, found.rivals_at_line, found.rivals_elsewhere) == (4, 1, 1, 2)
    assert found.ranks


def test_a_state_without_a_correct_patch_or_without_a_rival_is_not_fitted_on():
    unsolved = contrast(_state([_patch("a", 1, 7, 0), _patch("a", 2, 8, 0)]))
    alone = contrast(_state([_patch("b", 1, 7, 1)]))
    assert unsolved.rivals_at_line == 0 and unsolved.rivals_elsewhere == 2 and not unsolved.ranks
    assert not alone.ranks
    counted = summary([unsolved, alone, contrast(_state([_patch("c", 1, 3, 1), _patch("c", 2, 4, 0)]))])
    assert counted == {"states": 3, "with_correct": 2, "fitted": 1, "fitted_with_rival_at_line": 0, "patches": 5,
                       "correct": 2, "rivals_at_line": 0, "rivals_elsewhere": 1}


def test_the_spread_names_the_feature_that_reorders_states():
    rng = random.Random(0)
    states = []
    for i in range(30):
        right = rng.randrange(6)
        patches = [_patch(f"s{i}", n, n, int(n == right), depth=1 if n == right else 3) for n in range(6)]
        states.append(_state(patches, [rng.gauss(0, 0.01) for _ in patches]))
    ranker = RepairRanker.fit(states, ["swap"])
    spread = within_state_spread(ranker, states)
    assert next(iter(spread)) in {"deepest_frame", "traceback_inverse_depth", "named_by_traceback"}
    assert spread["operator=swap"] == 0.0
    assert within_state_spread(ranker, [_state([_patch("x", 1, 1, 1)])]) == {}
