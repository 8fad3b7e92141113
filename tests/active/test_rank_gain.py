"""ActPRM's rank test (`bugprm.active.rank_gain`): the expected rise of the rest's AUROC, and the strategy built on it."""

import numpy as np
import pytest

from bugprm.active.rank_gain import RankActPRM, expected_rank_gain
from bugprm.active.strategies import Prediction, make_strategy
from bugprm.config import Config, with_overrides
from bugprm.errors import ConfigError


def auroc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Mann-Whitney, scores without ties (sklearn's checks cost more than the sums here)."""
    ranks = np.argsort(np.argsort(scores)) + 1
    killed = labels.sum()
    return (ranks[labels == 1].sum() - killed * (killed + 1) / 2) / (killed * (labels.size - killed))


def test_taking_out_the_highest_expected_gain_ranks_the_rest_better_than_the_least_confident_or_a_random_draw():
    """Labels drawn from the probabilities themselves (a calibrated model): the gain's picks leave a rest whose AUROC
    is higher, on average over draws, than the least confident's and a uniform draw's (which keep it where it was)."""
    rng = np.random.default_rng(3)
    kill = np.r_[np.zeros(20), rng.beta(6, 1, 380)]  # 5% uncovered (survive for certain), a 0.86 kill rate
    picks = {"gain": np.argsort(-expected_rank_gain(kill))[:60],
             "least confident": np.argsort(np.abs(kill - 0.5))[:60]}
    rest_auroc = {name: [] for name in [*picks, "random"]}
    for _ in range(60):
        labels = (rng.random(kill.size) < kill).astype(int)
        for name, taken in [*picks.items(), ("random", rng.choice(kill.size, 60, replace=False))]:
            kept = np.setdiff1d(np.arange(kill.size), taken)
            rest_auroc[name].append(auroc(labels[kept], kill[kept] + 1e-9 * kept))
    means = {name: float(np.mean(values)) for name, values in rest_auroc.items()}
    assert means["gain"] > means["random"] + 0.01 and means["gain"] > means["least confident"] + 0.01


def test_the_gain_peaks_in_the_middle_of_the_ranking_and_is_negative_for_a_certain_survivor():
    kill = np.r_[0.0, np.linspace(0.3, 0.99, 200)]
    gain = expected_rank_gain(kill)
    best = kill[np.argmax(gain)]
    assert 0.5 < best < 0.95 and gain[0] < 0 and gain[0] == gain.min()


def test_a_pool_of_one_outcome_has_no_ranking_to_gain():
    assert not expected_rank_gain(np.ones(5)).any() and not expected_rank_gain(np.zeros(5)).any()
    assert expected_rank_gain(np.array([0.7])).tolist() == [0.0]


def test_rank_actprm_keeps_a_share_of_the_pool_by_gain_or_by_the_heads_spread():
    rng = np.random.default_rng(0)
    kill = np.linspace(0.2, 0.99, 100)
    preds = [Prediction(str(i), np.array([[k], [k]])) for i, k in enumerate(kill)]
    preds.append(Prediction("wide", np.array([[0.99], [0.3]])))  # the widest spread, though its mean is at the top
    uncertain = RankActPRM(share=0.2).uncertain(preds, rng)
    assert uncertain[-1] and 10 <= uncertain.sum() <= 22  # two tests of 10 each, ties in spread broken at random
    by_gain = np.argsort(-expected_rank_gain(kill))[:9]
    assert uncertain[by_gain].all() and kill[by_gain].min() > 0.3  # not the least confident end (0.2-0.3)


def test_the_config_chooses_the_aleatoric_test_and_a_misspelling_fails_at_load():
    assert isinstance(make_strategy("actprm", thresholds="relative", aleatoric="rank"), RankActPRM)
    assert not isinstance(make_strategy("actprm", thresholds="relative", aleatoric="confidence"), RankActPRM)
    assert make_strategy("random", thresholds="relative", aleatoric="rank").name == "random"
    with pytest.raises(ConfigError, match="active_learning.aleatoric must be one of rank, confidence"):
        with_overrides(Config(), {"active_learning.aleatoric": "ranked"})
