"""The state ranker: trained on whole failing states, it learns which patch of a state comes first, and ``bugprm
repair`` ranks with it (and the model's forest) wherever one is saved beside the model."""

import json
import random

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from bugprm.errors import ModelError
from bugprm.model.examples import from_candidate
from bugprm.model.io import FORMAT_VERSION, META_FILE, PRIOR_FILE
from bugprm.model.prior import ForestPrior
from bugprm.model.repair_ranker import (RANKER_FILE, RepairRanker, StatePatches, fit_repair_ranker,
                                        load_patch_ranker, patch_features)
from bugprm.records import REPAIR_STEPS, Candidate, Kind, Step
from bugprm.repair.ranking import by_state_ranker
from bugprm.repair.run import _ranker


def _patch(bug: str, number: int, depth: int, operator: str, correct: int | None = None) -> Candidate:
    label = None if correct is None else correct
    steps = tuple(Step(name, f"{name} {operator} {depth}", label) for name in REPAIR_STEPS)
    return Candidate(f"{bug}-{number}", Kind.REPAIR, "repo", "m.py", "f", number, operator, "family", "diff", steps,
                     bug_id=bug, features={"traceback_depth": depth, "ochiai_rank": 1, "heuristic_rank": number})


def _state(bug: str, rng: random.Random) -> tuple[list[Candidate], dict[str, float]]:
    """Eight patches; the correct one is at the tracebacks' deepest frame, and the forest prefers another."""
    right = rng.randrange(8)
    patches = [_patch(bug, i, 1 if i == right else rng.choice([0, 2, 3]), rng.choice(["swap", "drop"]),
                      int(i == right)) for i in range(8)]
    log_odds = {p.id: rng.gauss(0, 1) - 0.5 * (p.features["traceback_depth"] == 1) for p in patches}
    return patches, log_odds


def _fitted(states: int = 30, seed: int = 0) -> RepairRanker:
    rng = random.Random(seed)
    found = [_state(f"bug{i}", rng) for i in range(states)]
    return fit_repair_ranker([p for patches, _ in found for p in patches],
                             {k: v for _, log_odds in found for k, v in log_odds.items()})


def _training_states(count: int, seed: int) -> list[StatePatches]:
    rng = random.Random(seed)
    found = [_state(f"bug{i}", rng) for i in range(count)]
    return [StatePatches(tuple(ps), tuple(lo[p.id] for p in ps), tuple(p.steps[-1].label for p in ps))
            for ps, lo in found]


@pytest.mark.parametrize("objective", ["listwise", "pairwise"])
def test_the_ranker_learns_which_patch_of_a_state_comes_first(objective):
    ranker, rng = RepairRanker.fit(_training_states(30, 0), ["swap", "drop"], objective=objective), random.Random(1)
    firsts = []
    for i in range(20):
        patches, log_odds = _state(f"new{i}", rng)
        scores = ranker.scores(StatePatches(tuple(patches), tuple(log_odds[p.id] for p in patches)))
        firsts.append(patches[int(np.argmax(scores))].features["traceback_depth"] == 1)
    assert sum(firsts) == 20
    forest_firsts = [max(ps, key=lambda p: lo[p.id]).features["traceback_depth"] == 1
                     for ps, lo in (_state(f"new{i}", random.Random(i)) for i in range(20))]
    assert sum(forest_firsts) < 10  # the forest alone does not know it


def test_state_features_compare_a_patch_with_its_state():
    patches = [_patch("b", i, 0, op) for i, op in enumerate(["swap", "swap", "swap", "drop"])]
    x = patch_features(StatePatches(tuple(patches), (0.5, 2.0, 2.0, -1.0)),
                       ("forest_gap", "forest_rank_log", "operator_share", "operator=drop"))
    assert x[:, 0].tolist() == [1.5, 0.0, 0.0, 3.0]
    assert x[:, 1].tolist() == pytest.approx(np.log1p([2, 0, 0, 3]).tolist())
    assert x[:, 2].tolist() == [0.75, 0.75, 0.75, 0.25]
    assert x[:, 3].tolist() == [0, 0, 0, 1]


def test_a_state_without_a_correct_patch_gives_nothing_to_learn():
    patches = [_patch("b", i, 0, "swap", 0) for i in range(3)]
    with pytest.raises(ModelError, match="no failing state"):
        fit_repair_ranker(patches, {p.id: 0.0 for p in patches})
    with pytest.raises(ValueError, match="objective 'softmax'"):
        RepairRanker.fit(_training_states(3, 0), objective="softmax")


def test_the_ranker_is_saved_as_json_and_read_back(tmp_path):
    ranker = _fitted(10)
    ranker.save(tmp_path)
    assert RepairRanker.load(tmp_path) == ranker
    assert RepairRanker.load(tmp_path / "elsewhere") is None
    saved = json.loads((tmp_path / RANKER_FILE).read_text())
    (tmp_path / RANKER_FILE).write_text(json.dumps({**saved, "version": 99}))
    with pytest.raises(ModelError, match="version 99"):
        RepairRanker.load(tmp_path)
    (tmp_path / RANKER_FILE).write_text("{")
    with pytest.raises(ModelError, match="corrupt"):
        RepairRanker.load(tmp_path)


def test_bugprm_repair_ranks_with_the_state_ranker_beside_the_model(tmp_path):
    patches, log_odds = _state("b", random.Random(3))
    forest = ForestPrior.fit([from_candidate(p) for p in patches], [p.steps[-1].label for p in patches], 0, 5, 1)
    settings, arrays = forest.to_saved()
    save_file({k: torch.from_numpy(v) for k, v in arrays.items()}, tmp_path / PRIOR_FILE.format("forest"))
    (tmp_path / META_FILE).write_text(json.dumps({"format_version": FORMAT_VERSION, "priors": {"forest": settings}}))
    ranker = _fitted(10)
    ranker.save(tmp_path)
    rank, label = _ranker(tmp_path)
    assert label.startswith("state ranker")
    loaded = load_patch_ranker(tmp_path)
    forest_log_odds = forest.log_odds([from_candidate(p) for p in patches])
    expected = ranker.scores(StatePatches(tuple(patches), tuple(forest_log_odds.tolist())))
    assert [r.candidate.id for r in rank(patches)] == [r.candidate.id for r in by_state_ranker(patches, loaded)]
    assert rank(patches)[0].candidate.id == patches[int(np.argmax(expected))].id


def test_train_base_writes_the_ranker_of_its_repair_trajectories_and_removes_a_stale_one(tmp_path):
    from bugprm.corpus_build.base import save_repair_ranker
    from bugprm.corpus_build.trajectories import PackageTrajectories

    rng = random.Random(4)
    found = [_state(f"bug{i}", rng) for i in range(6)]
    patches = tuple(p for state, _ in found for p in state)
    log_odds = {k: v for _, state_log_odds in found for k, v in state_log_odds.items()}
    said = []
    save_repair_ranker([PackageTrajectories("pkg", "1.0", patches, {})], log_odds, tmp_path, said.append)
    assert RepairRanker.load(tmp_path) is not None and "6 failing states" in said[-1]
    save_repair_ranker([PackageTrajectories("pkg", "1.0", (), {})], log_odds, tmp_path, said.append)
    assert RepairRanker.load(tmp_path) is None
