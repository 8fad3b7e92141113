"""The base model: folds of whole packages, nested out-of-fold scores, and a calibration that every score goes
through and that a saved model keeps."""

import math
import random
from dataclasses import replace
from types import SimpleNamespace

import pytest

from bugprm.calibration import Calibration
from bugprm.config import with_overrides
from bugprm.errors import InputError
from bugprm.model.base_training import calibrated_on_folds, centred_by_fold, fold_levels, package_folds, train_base
from bugprm.model.examples import from_candidate
from bugprm.model.io import load_model, save_model
from bugprm.model.synthetic import synthetic_candidates
from bugprm.records import Kind
from bugprm.stratified_calibration import StratifiedCalibration


def test_folds_hold_whole_packages_of_about_equal_size():
    folds = package_folds({"a": 900, "b": 500, "c": 400, "d": 100, "e": 50}, 3)
    assert sorted(n for f in folds for n in f) == ["a", "b", "c", "d", "e"]
    assert folds == [["a"], ["b", "e"], ["c", "d"]]
    assert package_folds({"a": 1, "b": 1}, 3) == [["a"], ["b"]]
    with pytest.raises(InputError, match="at least 2 packages"):
        package_folds({"a": 10}, 3)


def test_each_fold_s_scores_are_centred_by_the_level_of_the_model_that_scored_them():
    packages = {name: [SimpleNamespace(id=f"{name}{i}") for i in range(3)] for name in ("a", "b", "c")}
    prior = {f"{name}{i}": 0.5 * i - 1.0 for name in packages for i in range(3)}
    shift = {"a": 3.0, "b": 3.0, "c": 2.0}  # folds [a, b] and [c]: two models, two levels
    raw = {i: 1 / (1 + math.exp(-(v + shift[i[0]]))) for i, v in prior.items()}
    levels = fold_levels([["a", "b"], ["c"]], packages, raw, prior)
    assert levels == pytest.approx([3.0, 2.0])
    centred = centred_by_fold([["a", "b"], ["c"]], packages, raw, levels)
    assert centred == pytest.approx({i: 1 / (1 + math.exp(-v)) for i, v in prior.items()})


@pytest.fixture(scope="module")
def base(tiny_config):
    config = with_overrides(tiny_config, {"model": {"prior": "forest", "prior_offset": "forest"},
                                          "training": {"max_steps": 3, "batch_size": 8}})
    packages = {name: [from_candidate(c) for c in synthetic_candidates(30, seed=seed)]
                for seed, name in enumerate(("alpha", "beta"), start=10)}
    patches = {"alpha": [from_candidate(replace(c, id=f"patch-{c.id}", kind=Kind.REPAIR))
                         for c in synthetic_candidates(10, seed=3)]}
    return train_base(packages, config, repairs=patches), packages


def test_every_trajectory_gets_a_score_from_a_model_that_never_saw_its_package(base):
    result, packages = base
    assert sorted(map(sorted, result.folds)) == [["alpha"], ["beta"]]
    assert set(result.out_of_fold) == {e.id for found in packages.values() for e in found}
    assert result.model.calibration.kind == "stratified"
    # the shipped model's own level, read on its training candidates against its forest, centres its scores
    assert 0 < abs(result.model.calibration.level) < 10
    summary = result.model.summary["base"]
    assert set(summary["packages"]) == {"alpha", "beta"} and summary["calibration"] == "platt per coverage stratum"
    # repair trajectories get an estimate from the forest without their package (a ranker's feature), no fold score
    patches = {i for i in result.prior_out_of_fold["forest"] if i.startswith("patch-")}
    assert len(patches) == 10 and set(result.prior_out_of_fold["forest"]) == set(result.out_of_fold) | patches


def test_the_calibration_is_in_the_scoring_path_and_saved_with_the_model(base, tmp_path):
    model = base[0].model
    examples = base[1]["alpha"][:5]
    model.calibration = Calibration("platt", slope=0.0, intercept=math.log(0.3 / 0.7))
    assert all(abs(p - 0.3) < 1e-6 for s in model.score(examples) for p in s.step_mean)
    save_model(model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.calibration == model.calibration and loaded.score(examples) == model.score(examples)


def test_a_stratified_calibration_maps_each_coverage_stratum_apart_and_is_saved(base, tmp_path):
    model = base[0].model
    alpha = base[1]["alpha"][:6]
    examples = [replace(e, features={**e.features, "line_covered": i % 2}) for i, e in enumerate(alpha)]
    constant = lambda p: Calibration("platt", slope=0.0, intercept=math.log(p / (1 - p)))
    model.calibration = StratifiedCalibration((("uncovered", constant(0.01)), ("covered", constant(0.7)),
                                               ("other", constant(0.5))))
    expected = [0.7 if i % 2 else 0.01 for i in range(len(examples))]
    assert [round(s.step_mean[-1], 6) for s in model.score(examples)] == expected
    save_model(model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.calibration == model.calibration and loaded.score(examples) == model.score(examples)


def test_the_shipped_calibration_carries_a_pool_term_fitted_by_package_and_serves_at_its_own_level():
    """Packages whose covered candidates are killed more often the more of their pool is covered: the term's slope
    comes out positive, centred on the packages' mean share, the maps serving the shipped model's level."""
    rng = random.Random(0)
    examples, fitted_on, package_of, shares = [], {}, {}, []
    for index, share in enumerate((0.55, 0.65, 0.75, 0.85, 0.95, 1.0)):
        covered_count = 0
        for i in range(400):
            covered = rng.random() < share
            covered_count += covered
            z = rng.gauss(1.5, 1.0)
            killed = covered and rng.random() < 1 / (1 + math.exp(-(z + 5.0 * (share - 0.8))))
            example = SimpleNamespace(id=f"p{index}-{i}", kind="bug", features={"line_covered": int(covered)},
                                      trajectory_label=int(killed))
            examples.append(example)
            fitted_on[example.id], package_of[example.id] = 1 / (1 + math.exp(-z)), f"p{index}"
        shares.append(covered_count / 400)
    calibration = calibrated_on_folds(examples, fitted_on, 2.5, package_of)
    assert calibration.level == 2.5 and calibration.pool.slope > 2.0
    assert calibration.pool.centre == pytest.approx(sum(shares) / len(shares))
