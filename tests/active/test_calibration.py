import numpy as np
import pytest

from bugprm.calibration import adaptive_calibration_error, fit_calibration
from bugprm.errors import ConfigError


def overconfident(size=2000, seed=0):
    """Scores twice as far from 0.5 in log-odds as the chance they stand for."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.05, 0.95, size)
    labels = (rng.random(size) < truth).astype(int)
    odds = np.log(truth / (1 - truth))
    return 1 / (1 + np.exp(-2 * odds)), labels


@pytest.mark.parametrize("kind", ["platt", "isotonic"])
def test_calibration_brings_the_error_of_overconfident_scores_down(kind):
    scores, labels = overconfident(24000)
    calibration = fit_calibration(kind, scores[:4000], labels[:4000])
    before = adaptive_calibration_error(scores[4000:], labels[4000:])
    after = adaptive_calibration_error(calibration(scores[4000:]), labels[4000:])
    assert before > 0.08 and after < 0.03


def test_calibration_keeps_the_order_of_scores():
    scores, labels = overconfident(400)
    mapped = fit_calibration("platt", scores, labels)(np.sort(scores))
    assert np.all(np.diff(mapped) >= 0)


def test_scores_that_rank_backwards_get_their_rate_not_a_reversed_map():
    scores = np.array([0.9, 0.8, 0.7, 0.3, 0.2, 0.1, 0.15, 0.85, 0.6])
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 0, 1])  # a perfect fit for a negative slope
    mapped = fit_calibration("platt", scores, labels)(np.sort(scores))
    assert np.all(np.diff(mapped) > 0)
    assert mapped.mean() == pytest.approx((labels.sum() + 1) / (len(labels) + 2), abs=0.01)


def test_one_class_gives_the_identity_and_an_unknown_kind_an_error():
    assert fit_calibration("platt", [0.2, 0.7], [1, 1])(np.array([0.2]))[0] == pytest.approx(0.2)
    with pytest.raises(ConfigError, match="calibration"):
        fit_calibration("beta", [0.2], [1])


def test_adaptive_calibration_error_of_exact_probabilities_is_small():
    rng = np.random.default_rng(1)
    p = rng.random(20000)
    assert adaptive_calibration_error(p, rng.random(20000) < p) < 0.01


@pytest.mark.parametrize("kind", ["platt", "isotonic"])
def test_certain_scores_map_strictly_inside_zero_and_one(kind):
    scores, labels = np.array([0.0, 0.0, 0.2, 0.8, 1.0, 1.0]), np.array([0, 0, 1, 0, 1, 1])
    mapped = fit_calibration(kind, scores, labels)(np.array([0.0, 1.0]))
    assert np.all(np.isfinite(mapped)) and 0 < mapped[0] < mapped[1] < 1


def test_platt_is_a_smooth_map_and_isotonic_a_step_map():
    scores, labels = overconfident(400)
    grid = np.linspace(0.01, 0.99, 50)
    platt, isotonic = (fit_calibration(kind, scores, labels) for kind in ("platt", "isotonic"))
    assert platt.kind == "platt" and not platt.knots_x and len(np.unique(platt(grid))) == 50
    assert isotonic.kind == "isotonic" and isotonic.knots_x and len(np.unique(isotonic(grid))) < 50


def test_a_calibration_is_a_frozen_record():
    with pytest.raises(AttributeError):
        fit_calibration("platt", [0.2, 0.7], [0, 1]).slope = 2.0
