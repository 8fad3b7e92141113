"""One calibration map per coverage stratum: uncovered candidates (never killed) apart from covered ones."""

import json

import numpy as np

from bugprm.calibration import Calibration
from bugprm.stratified_calibration import (
    StratifiedCalibration, calibration_from_json, calibration_json, centred, fit_stratified, model_level, stratum)


def test_a_candidate_bug_s_stratum_comes_from_its_baseline_coverage():
    assert stratum("bug", {"line_covered": 1}) == "covered"
    assert stratum("bug", {"line_covered": 0}) == "uncovered"
    assert stratum("bug", {}) == "other"
    assert stratum("repair", {"line_covered": 1}) == "other"


def test_a_one_class_stratum_gets_its_smoothed_rate_and_the_others_their_own_map():
    rng = np.random.default_rng(0)
    covered = rng.random(400)
    labels = (rng.random(400) < covered).astype(int)  # covered: killed with probability = score
    uncovered = rng.random(100)  # whatever the model says, none of these is killed
    scores = np.concatenate([covered, uncovered])
    strata = ["covered"] * 400 + ["uncovered"] * 100
    fitted = fit_stratified("platt", scores, np.concatenate([labels, np.zeros(100, int)]), strata)
    mapped = fitted(scores, strata)
    assert np.allclose(mapped[400:], 0.5 / 101)  # Jeffreys: (0 + 0.5) / (100 + 1)
    assert abs(mapped[:400].mean() - labels.mean()) < 0.02
    assert np.all(np.diff(mapped[:400][np.argsort(covered)]) >= 0)  # monotone within the stratum
    pooled = fitted(scores, ["other"] * 500)
    assert pooled[400:].mean() > 0.2  # one map for both would score the never-killed as likely kills


def test_both_shapes_of_calibration_survive_json():
    stratified = StratifiedCalibration((("uncovered", Calibration("platt", 0.0, -5.0)),
                                        ("covered", Calibration("isotonic", knots_x=(0.1, 0.9), knots_y=(0.2, 0.8))),
                                        ("other", Calibration())), level=2.5)
    for calibration in (stratified, Calibration("platt", 1.5, -0.25), Calibration()):
        assert calibration_from_json(json.loads(json.dumps(calibration_json(calibration)))) == calibration
    assert calibration_from_json(None) == Calibration()


def test_a_map_fitted_on_one_model_s_scores_serves_another_whose_level_differs():
    """Two models rank alike and add different constants to the prior's log-odds (as the base model's fold models
    do): fitted on the first's centred scores, the map scores the second at its true rate only once centred."""
    rng = np.random.default_rng(1)
    prior = rng.normal(1.0, 1.0, 4000)
    labels = (rng.random(4000) < 1 / (1 + np.exp(-prior))).astype(int)
    first, second = (1 / (1 + np.exp(-(prior + shift))) for shift in (3.0, 2.4))
    strata = ["covered"] * 4000
    assert abs(model_level(first, prior) - 3.0) < 1e-6 and abs(model_level(second, prior) - 2.4) < 1e-6
    assert np.allclose(centred(second, 2.4), 1 / (1 + np.exp(-prior)))
    fitted_on_first = centred(first, model_level(first, prior))
    serving_second = fit_stratified("platt", fitted_on_first, labels, strata, level=model_level(second, prior))
    uncentred = fit_stratified("platt", first, labels, strata)
    assert abs(serving_second(second, strata).mean() - labels.mean()) < 0.01
    assert uncentred(second, strata).mean() < labels.mean() - 0.05  # the lower model's scores pulled down
