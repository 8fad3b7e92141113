"""The base model's pool term: the covered map's level moved by the pool's covered share, fitted for the mean
per-package calibration error, served per pool."""

import json

import numpy as np
import pytest

from bugprm.calibration import Calibration, adaptive_calibration_error
from bugprm.pool_level import fit_pool_term, mean_package_error, with_pool_term
from bugprm.stratified_calibration import (
    PoolTerm, StratifiedCalibration, calibration_from_json, calibration_json, fit_stratified, pool_covered_share)


def _packages(count: int, seed: int):
    """Packages whose covered candidates are killed more often the more of their pool is covered (as in the
    corpus), with one score distribution for all: no candidate's score tells its package's level."""
    rng = np.random.default_rng(seed)
    scores, labels, strata, names = [], [], [], []
    for index in range(count):
        share = rng.uniform(0.5, 1.0)
        n = 600
        covered = rng.random(n) < share
        z = rng.normal(1.5, 1.0, n)
        level = 4.0 * (share - 0.75)
        killed = covered & (rng.random(n) < 1 / (1 + np.exp(-(z + level))))
        scores += (1 / (1 + np.exp(-z))).tolist()
        labels += killed.astype(int).tolist()
        strata += np.where(covered, "covered", "uncovered").tolist()
        names += [f"p{index}"] * n
    return np.array(scores), np.array(labels), np.array(strata), np.array(names)


def _mean_ace(calibration, scores, labels, strata, names) -> float:
    errors = []
    for name in dict.fromkeys(names.tolist()):
        inside = names == name
        share = pool_covered_share([{"line_covered": s == "covered"} for s in strata[inside]])
        errors.append(adaptive_calibration_error(calibration.for_pool(share)(scores[inside], strata[inside]),
                                                 labels[inside]))
    return float(np.mean(errors))


def test_the_pool_term_learns_the_covered_share_s_level_and_serves_new_packages_better():
    train, new = _packages(20, seed=0), _packages(20, seed=1)
    plain = fit_stratified("platt", *train[:3])
    with_term = with_pool_term(plain, *train)
    assert with_term.pool.slope > 2.0  # the level rises with the share, as the packages were made
    assert with_term.pool.centre == pytest.approx(np.mean([np.mean(train[2][train[3] == n] == "covered")
                                                           for n in dict.fromkeys(train[3].tolist())]))
    assert _mean_ace(with_term, *new) < _mean_ace(plain, *new) - 0.02
    assert np.array_equal(np.argsort(with_term.for_pool(0.9)(new[0], new[2])[new[2] == "covered"]),
                          np.argsort(new[0][new[2] == "covered"]))  # within a stratum the ranking is kept


def test_the_fit_lowers_the_error_it_is_chosen_for_on_its_own_packages():
    scores, labels, strata, names = _packages(8, seed=2)
    mapped = fit_stratified("platt", scores, labels, strata)(scores, strata)
    term = fit_pool_term(mapped, labels, strata, names)
    found = [(mapped[names == n], labels[names == n], strata[names == n] == "covered",
              float(np.mean(strata[names == n] == "covered"))) for n in dict.fromkeys(names.tolist())]
    assert mean_package_error(term, found) < mean_package_error(PoolTerm(), found)


def test_one_package_gives_no_term_and_the_uncovered_are_never_moved():
    scores, labels, strata, names = _packages(1, seed=3)
    assert fit_pool_term(scores, labels, strata, names) == PoolTerm()
    calibration = StratifiedCalibration((("uncovered", Calibration("platt", 0.0, -5.0)), ("covered", Calibration()),
                                         ("other", Calibration())), pool=PoolTerm(0.5, 3.0, 0.8))
    mapped = calibration.for_pool(0.6)(np.array([0.5, 0.5, 0.5]), ["uncovered", "covered", "other"])
    assert mapped[0] == pytest.approx(1 / (1 + np.exp(5.0)))
    assert mapped[1] == pytest.approx(1 / (1 + np.exp(-(0.5 + 3.0 * (0.6 - 0.8)))))
    assert mapped[2] == pytest.approx(0.5)  # patches and trajectories without coverage: their own map only
    unbound = calibration(np.array([0.5]), ["covered"])  # no pool known: the training packages' mean share
    assert unbound[0] == pytest.approx(1 / (1 + np.exp(-0.5)))


def test_the_pool_term_survives_json_and_a_model_saved_before_it_reads_none():
    calibration = StratifiedCalibration((("uncovered", Calibration("platt", 0.0, -5.0)), ("covered", Calibration()),
                                         ("other", Calibration())), level=2.5, pool=PoolTerm(0.3, 2.9, 0.86))
    saved = json.loads(json.dumps(calibration_json(calibration)))
    assert calibration_from_json(saved) == calibration
    del saved["pool"]
    assert calibration_from_json(saved).pool == PoolTerm()


def test_a_pool_s_covered_share_counts_candidates_with_coverage_features_only():
    shares = [{"line_covered": 1}, {"line_covered": 0}, {"line_covered": 1}, {}]
    assert pool_covered_share(shares) == pytest.approx(2 / 3)
    assert pool_covered_share([{}, {}]) is None
