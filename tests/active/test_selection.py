"""Batch selection's arithmetic with a fixed strategy: the uniform floor, the fill, the diversity switch, and the
percentiles a round logs (`bugprm.active.selection`, `loop.selection_log`)."""

import numpy as np

from bugprm.active.loop import selection_log
from bugprm.active.selection import Selection, select_round, select_uncertain
from bugprm.active.strategies import Prediction


class Fixed:
    """Scores as given; uncertain where the score is above ``uncertain_above``."""

    def __init__(self, scores, uncertain_above=0.5):
        self.values = np.array(scores, dtype=float)
        self.uncertain_above = uncertain_above

    def scores(self, predictions, rng):
        return self.values

    def uncertain(self, predictions, rng):
        return self.values > self.uncertain_above


def predictions(count, embedding=None):
    return [Prediction(f"p{i}", np.array([[0.5]]), embedding) for i in range(count)]


def test_the_uniform_floor_is_drawn_first_from_all_then_the_uncertain_fill_the_rest():
    scores = np.r_[np.linspace(0.9, 0.6, 6), np.full(14, 0.1)]
    picked = select_round(predictions(20), Fixed(scores), 10, np.random.default_rng(7), uniform_floor=0.5)
    floor = np.random.default_rng(7).choice(20, size=5, replace=False)
    assert picked.ids[:5] == tuple(f"p{i}" for i in floor) and picked.uncertain == 6
    rest = [int(i[1:]) for i in picked.ids[5:]]
    assert rest == [i for i in range(6) if i not in set(floor)][:5] and len(set(picked.ids)) == len(picked.ids)


def test_without_fill_only_the_uncertain_are_picked_and_with_it_the_most_uncertain_rest_follow():
    scores = [0.9, 0.2, 0.8, 0.3, 0.1]
    rng = np.random.default_rng(0)
    assert select_round(predictions(5), Fixed(scores), 4, rng) == Selection(("p0", "p2"), 2, 0)
    assert select_round(predictions(5), Fixed(scores), 4, rng, fill=True) == Selection(("p0", "p2", "p3", "p1"), 2,
                                                                                       2)
    assert select_round([], Fixed([]), 4, rng) == Selection((), 0, 0)


def test_diversity_needs_every_embedding_else_the_sampling_rule_picks():
    scores = [0.9, 0.8, 0.7]
    twins = [Prediction(p.id, p.per_head, np.array(e, dtype=float)) for p, e in
             zip(predictions(3), ([1, 0], [1, 0.01], [0, 1]))]
    assert select_round(twins, Fixed(scores), 2, np.random.default_rng(0), diversity_weight=2.0).ids == ("p0", "p2")
    wide = select_round(twins, Fixed([10.0, 9.5, 1.0]), 2, np.random.default_rng(0), diversity_weight=1.0)
    assert wide.ids == ("p0", "p2")  # scores are scaled to [0, 1] first: a wide spread does not drown the penalty
    partial = twins[:2] + predictions(3)[2:]
    assert select_round(partial, Fixed(scores), 2, np.random.default_rng(0), diversity_weight=2.0).ids == ("p0",
                                                                                                          "p1")


def test_a_round_logs_the_10th_50th_and_90th_percentiles_of_the_weakest_step_and_the_widest_spread():
    spread = [Prediction(f"p{i}", np.array([[i / 10, 0.9], [i / 10 + 0.2 * (i % 2), 1.0]])) for i in range(11)]
    logged = selection_log(Selection(("p0",), 4, 1), spread)
    means = np.array([min(i / 10 + 0.1 * (i % 2), 0.95) for i in range(11)])  # the weakest step
    assert logged["score_p10_50_90"] == [round(float(v), 4) for v in np.percentile(means, [10, 50, 90])]
    assert logged["uncertainty_p10_50_90"] == [0.05, 0.05, 0.1]  # six even (0.05 at the last step), five odd
    assert (logged["uncertain"], logged["uncertain_share"], logged["filled"]) == (4, round(4 / 11, 4), 1)


def test_with_no_step_below_half_every_step_is_decisive():
    heads = np.array([[0.9, 0.8, 0.7, 0.6, 0.9], [0.9, 0.8, 0.7, 0.6, 0.9]])
    assert Prediction("p", heads).decisive_steps() == slice(0, 5)
    assert Prediction("p", heads * [1, 1, 0.5, 1, 1]).decisive_steps() == slice(0, 3)


def test_proportional_sampling_draws_in_proportion_to_uncertainty():
    """Mutation: ``proportional`` answered with the most uncertain first (``top``)."""
    predictions = [Prediction(f"p{i}", np.full((2, 1), 0.5)) for i in range(10)]
    strategy = Fixed([0.5] + [0.05] * 9, uncertain_above=0.0)  # the first holds half the weight
    rng = np.random.default_rng(0)
    picks = [select_uncertain(predictions, strategy, 1, rng, sampling="proportional")[0] for _ in range(400)]
    share = picks.count("p0") / len(picks)
    assert 0.4 < share < 0.65 and len(set(picks)) > 5
    top = [select_uncertain(predictions, strategy, 1, rng, sampling="top")[0] for _ in range(20)]
    assert set(top) == {"p0"}
