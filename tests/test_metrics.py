"""Metrics against hand-computed values and scikit-learn."""

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from bugprm.metrics import (accuracy_at, aggregate, auroc, best_threshold, binary_summary,
                            expected_calibration_error, f1_at, first_below, json_ready, pr_auc, processbench,
                            threshold_candidates)


def test_auroc_by_hand_and_against_sklearn():
    labels, scores = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    assert auroc(labels, scores) == 0.75  # 3 of the 4 (positive, negative) pairs are ordered right
    rng = np.random.default_rng(0)
    labels, scores = rng.integers(0, 2, 200), rng.random(200)
    assert auroc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))


def test_pr_auc_by_hand_and_against_sklearn():
    # ranked: 0.8 (pos) 0.4 (neg) 0.35 (pos) 0.1 (neg): precision at each positive is 1 and 2/3
    assert pr_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx((1 + 2 / 3) / 2)
    rng = np.random.default_rng(1)
    labels, scores = rng.integers(0, 2, 200), rng.random(200)
    assert pr_auc(labels, scores) == pytest.approx(average_precision_score(labels, scores))


def test_ranking_metrics_are_nan_with_one_class():
    assert math.isnan(auroc([1, 1], [0.2, 0.3])) and math.isnan(pr_auc([0, 0], [0.2, 0.3]))


def test_accuracy_and_f1_at_a_threshold():
    labels, scores = [1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.5]
    # predicted positive at >= 0.5: 1, 0, 1, 0, 1 -> tp 2, fp 1, fn 1, tn 1
    assert accuracy_at(labels, scores, 0.5) == 3 / 5
    assert f1_at(labels, scores, 0.5) == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert f1_at([0, 0], [0.1, 0.2], 0.5) == 0.0


def test_expected_calibration_error_by_hand():
    # two bins used: [0.2, 0.2] with labels [0, 1] (gap |0.5 - 0.2|), [0.9, 0.9] with labels [1, 1] (gap 0.1)
    ece = expected_calibration_error([0, 1, 1, 1], [0.2, 0.2, 0.9, 0.9], bins=10)
    assert ece == pytest.approx((2 * 0.3 + 2 * 0.1) / 4)
    assert expected_calibration_error([1, 0], [1.0, 0.0]) == 0.0


def test_aggregates():
    steps = [0.9, 0.5, 0.8]
    assert aggregate(steps) == 0.5
    assert aggregate(steps, "product") == pytest.approx(0.36)
    assert aggregate(steps, "mean") == pytest.approx(2.2 / 3)
    assert aggregate(steps, "last") == 0.8
    assert math.isnan(aggregate([]))
    with pytest.raises(ValueError, match="unknown aggregate"):
        aggregate(steps, "max")


def test_first_below():
    assert first_below([[0.9, 0.4, 0.2], [0.9, 0.8], [0.1]], 0.5).tolist() == [1, -1, 0]


def test_processbench_by_hand():
    step_scores = [[0.9, 0.2, 0.9], [0.9, 0.9, 0.3], [0.8, 0.9], [0.8, 0.1]]
    first_wrong = [1, 1, -1, -1]
    # erroneous: first flagged steps 1 (right) and 2 (too late) -> 0.5; correct: none flagged, one flagged -> 0.5
    result = processbench(first_wrong, step_scores, 0.5)
    assert result == {"erroneous_accuracy": 0.5, "correct_accuracy": 0.5, "f1": 0.5}
    assert processbench([0, -1], [[0.1], [0.9]], 0.5)["f1"] == 1.0
    assert processbench([0, -1], [[0.9], [0.1]], 0.5)["f1"] == 0.0
    assert math.isnan(processbench([-1], [[0.9]], 0.5)["f1"])  # no erroneous sample: undefined


def test_threshold_candidates_include_both_ends():
    candidates = threshold_candidates([0.2, 0.6, 0.6, 0.4])
    assert candidates[0] == 0.2 and candidates[-1] == np.nextafter(0.6, 1)  # just above the top, not infinity
    assert candidates[1:-1].tolist() == pytest.approx([0.3, 0.5])
    assert len(threshold_candidates(np.linspace(0, 1, 5000), most=50)) <= 52


def test_best_threshold_maximises_the_objective():
    labels, scores = [0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9]
    threshold = best_threshold(scores, lambda t: accuracy_at(labels, scores, t))
    assert 0.3 < threshold <= 0.6 and accuracy_at(labels, scores, threshold) == 1.0


def test_binary_summary_and_json_ready():
    summary = binary_summary([1, 1], [0.9, 0.7], 0.5)
    assert summary["n"] == 2 and summary["positives"] == 2 and summary["accuracy"] == 1.0
    assert math.isnan(summary["auroc"])
    assert json_ready({"a": [math.nan, 1.0], "b": {"c": math.nan}}) == {"a": [None, 1.0], "b": {"c": None}}


def test_a_step_at_the_threshold_is_not_below_it():
    assert first_below([[0.9, 0.5, 0.2]], 0.5).tolist() == [2]


def test_binary_summary_reads_each_metric_with_labels_first():
    labels, scores = [0, 1, 1, 0, 1], [0.2, 0.9, 0.4, 0.6, 0.8]
    summary = binary_summary(labels, scores, 0.5)
    assert summary["f1"] == f1_at(labels, scores, 0.5) == pytest.approx(2 / 3)
    assert summary["ece"] == expected_calibration_error(labels, scores) > 0
    honest = binary_summary([0, 1], [0.5, 0.5], 0.5)["ece"]  # one bin whose mean is its positive rate
    assert honest == 0.0 and expected_calibration_error([0.5, 0.5], [0, 1]) == 0.5


def test_processbench_f1_is_undefined_when_either_side_is():
    assert math.isnan(processbench([0], [[0.1]], 0.5)["f1"])  # no correct sample
    result = processbench([1, -1, -1], [[0.9, 0.1], [0.9, 0.9], [0.1, 0.9]], 0.5)
    assert (result["erroneous_accuracy"], result["correct_accuracy"]) == (1.0, 0.5)
    assert result["f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_without_scores_the_only_threshold_tried_is_the_default():
    from bugprm.metrics import DEFAULT_THRESHOLD, threshold_candidates

    assert threshold_candidates([]).tolist() == [DEFAULT_THRESHOLD]
