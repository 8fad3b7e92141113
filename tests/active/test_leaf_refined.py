"""The base's own forest with its leaves refined by a package's labels: before any label it is the corpus forest;
on a package whose fate the corpus forest gets partly wrong, a few labels in the leaves fix what they reach; its
heads disagree, its out-of-bag scores are its own, and an uncovered candidate is a certain survivor."""

import numpy as np
import pytest

from bugprm.active.forest_learner import BaggedForestLearner
from bugprm.active.leaf_refined import BlendedLocal, LeafRefinedForest, leaf_counts, mean_in_log_odds, refined_rate
from bugprm.metrics import auroc
from bugprm.model.prior import ForestPrior
from bugprm.records import Candidate, Kind, Step, StepName
from bugprm.trajectory import with_labels

STEPS = tuple(Step(name, str(name)) for name in StepName if name is not StepName.EDIT)


def candidates(size, seed=0, prefix="c"):
    rng = np.random.default_rng(seed)
    return [Candidate(f"{prefix}{i:04d}", Kind.BUG, "r", "f.py", "f", i, "op", "fam", "", STEPS,
                      features={"covering_tests": int(rng.integers(0, 8)), "noise": float(rng.random())})
            for i in range(size)]


def corpus_fate(c):
    """Half the corpus kills every mutant two tests cover; the other half only those with a high ``noise``."""
    return int(c.features["covering_tests"] >= 2 and (int(c.id[1:]) % 2 == 0 or c.features["noise"] > 0.5))


def package_fate(c):
    """Here it is the low ``noise`` that is killed: the corpus forest has the split, with its rates the wrong way."""
    return int(c.features["covering_tests"] >= 2 and c.features["noise"] <= 0.5)


def labelled(pool, fate):
    return [with_labels(c, [fate(c)] * len(c.steps)) for c in pool]


@pytest.fixture(scope="module")
def corpus_forest():
    corpus = candidates(2000, seed=1, prefix="k")
    return ForestPrior.fit(corpus, [corpus_fate(c) for c in corpus], seed=0, trees=30, min_leaf=20)


def covered(pool):
    return [c for c in pool if c.features["covering_tests"]]


def test_before_any_label_the_heads_score_as_the_corpus_forest(corpus_forest):
    pool = covered(candidates(200, seed=2))
    learner = LeafRefinedForest(corpus_forest, seed=0, heads=4)
    assert np.allclose(learner._head_scores(corpus_forest.leaves(pool)), corpus_forest.probability(pool))


def test_the_package_labels_move_the_leaves_they_reach(corpus_forest):
    pool = covered(candidates(600, seed=3))
    truth = [package_fate(c) for c in pool[100:]]
    before = auroc(truth, corpus_forest.probability(pool[100:]))
    learner = LeafRefinedForest(corpus_forest, seed=0, strength=5.0)
    log = learner.fit(labelled(pool[:100], package_fate))
    after = auroc(truth, learner.probability(pool[100:]))
    assert before < 0.85 and after > 0.95
    assert log["trained_on"] == 100 and log["auroc_oob"] > 0.9 and log["auroc_corpus_forest"] < 0.85
    assert learner.head_probabilities(pool[100:]).std(axis=0).max() > 0.01


def test_a_stronger_corpus_moves_less(corpus_forest):
    pool = covered(candidates(600, seed=3))
    truth = [package_fate(c) for c in pool[100:]]
    scores = {}
    for strength in (1.0, 1000.0):
        learner = LeafRefinedForest(corpus_forest, seed=0, strength=strength, calibration="none")
        learner.fit(labelled(pool[:100], package_fate))
        scores[strength] = auroc(truth, learner.probability(pool[100:]))
    assert scores[1.0] > scores[1000.0] + 0.05


def test_out_of_bag_scores_are_one_per_covered_label_and_an_uncovered_candidate_survives(corpus_forest):
    pool = candidates(300, seed=4)
    uncovered = [c for c in pool if not c.features["covering_tests"]]
    learner = LeafRefinedForest(corpus_forest, seed=0)
    log = learner.fit(labelled(pool, package_fate))
    assert uncovered and log["trained_on"] == len(pool) - len(uncovered) == len(learner.out_of_bag)
    assert np.all(learner.head_probabilities(uncovered) == 0)


def test_leaf_counts_and_the_posterior_rate():
    killed, seen = leaf_counts(np.array([[0, 2], [0, 3]]), np.array([1, 0]), 4)
    assert killed.tolist() == [1, 0, 1, 0] and seen.tolist() == [2, 0, 1, 1]
    rate = refined_rate(np.array([0.5, 0.9, 0.2, 0.8]), killed, seen, strength=2.0)
    assert np.allclose(rate, [(1 + 1) / 4, 0.9, (0.4 + 1) / 3, 1.6 / 3])


def test_a_strength_that_is_not_positive_is_refused(corpus_forest):
    with pytest.raises(ValueError, match="strength"):
        LeafRefinedForest(corpus_forest, strength=0)


def test_the_blend_averages_both_learners_in_log_odds_and_keeps_a_certain_survivor(corpus_forest):
    pool = candidates(400, seed=5)
    forests, refined = BaggedForestLearner(seed=0), LeafRefinedForest(corpus_forest, seed=0, strength=2.0)
    blend = BlendedLocal(forests, refined)
    log = blend.fit(labelled(pool[:150], package_fate))
    rest = pool[150:]
    expected = mean_in_log_odds([forests.head_probabilities(rest), refined.head_probabilities(rest)])
    assert np.allclose(blend.head_probabilities(rest), expected)
    assert len(blend.out_of_bag) == log["trained_on"] and log["auroc_refined_oob"] is not None
    covered_rest = covered(rest)
    assert auroc([package_fate(c) for c in covered_rest], blend.probability(covered_rest)) > 0.9
    assert np.all(blend.head_probabilities([c for c in rest if not c.features["covering_tests"]]) == 0)


def test_the_mean_in_log_odds():
    assert np.allclose(mean_in_log_odds([np.array([0.9, 0.5, 0.0]), np.array([0.1, 0.5, 0.0])]), [0.5, 0.5, 0.0])
    assert np.allclose(mean_in_log_odds([np.array([0.8]), np.array([0.8])]), [0.8])
