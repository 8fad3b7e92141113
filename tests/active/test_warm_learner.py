"""The warm learner's arithmetic with stand-ins for both models (no torch): the base model's heads alone until the
labels say otherwise, then the logistic mix of both, each candidate scored by the base once."""

from dataclasses import replace

import numpy as np
import pytest

from bugprm.active import warm_learner
from bugprm.active.warm_learner import CLIP, MIN_PER_CLASS, WarmLearner, fit_mix, fit_mix_by_auroc, logit
from bugprm.records import Candidate, Kind, Step, StepName, TrajectoryScore

BASE_HEADS = {"k": ((0.9, 0.8, 0.95), (0.7, 0.6, 0.99)), "s": ((0.2, 0.3, 0.4), (0.1, 0.5, 0.6)),
              "u": ((0.5, 0.5, 0.5), (0.4, 0.3, 0.2))}  # [head][step]


def candidate(id_, label=None, steps=3):
    names = [StepName.LOCATE, StepName.EDIT, StepName.VALIDATE][:steps]
    return Candidate(id_, Kind.BUG, "r", "f.py", "f", 1, "op", "fam", "",
                     tuple(Step(name, "t", label) for name in names))


class Base:
    """Per-head step probabilities from a table; records which ids it was asked to score."""

    def __init__(self):
        self.asked = []

    def score(self, candidates):
        self.asked += [c.id for c in candidates]
        return [TrajectoryScore(c.id, (), (), BASE_HEADS[c.id[0]]) for c in candidates]


class Local:
    """Four heads that say the opposite of the base; records what it was fitted on."""

    def __init__(self):
        self.fitted = None
        self.out_of_bag = np.array([])

    def fit(self, labelled):
        self.fitted = [c.id for c in labelled]
        self.out_of_bag = np.linspace(0.2, 0.8, len(labelled))
        return {"trained_on": len(labelled), "auroc_oob": 0.75}

    def head_probabilities(self, candidates):
        return np.array([[0.3 + 0.1 * h + 0.01 * i for i in range(len(candidates))] for h in range(4)])


def weakest_steps(id_):
    return np.min(np.array(BASE_HEADS[id_[0]]), axis=1)


def test_before_any_label_the_heads_are_the_base_models_weakest_steps():
    learner = WarmLearner(Base(), Local())
    pool = [candidate("k1"), candidate("s1")]
    heads = learner.head_probabilities(pool)
    assert heads.shape == (2, 2) and np.allclose(heads[:, 0], [0.8, 0.6]) and np.allclose(heads[:, 1], [0.2, 0.1])
    assert np.allclose(learner.probability(pool), [0.7, 0.15]) and np.allclose(learner.base_probabilities(pool),
                                                                                 [0.7, 0.15])


def test_predictions_repeat_each_head_over_the_trajectorys_steps():
    one_step, no_step = candidate("k1", steps=1), candidate("s1", steps=0)
    predictions = WarmLearner(Base(), Local()).predict([candidate("k0"), one_step, no_step])
    assert [p.id for p in predictions] == ["k0", "k1", "s1"]
    assert predictions[0].per_head.tolist() == [[0.8] * 3, [0.6] * 3]
    assert predictions[1].per_head.shape == (2, 1) and predictions[2].per_head.tolist() == [[0.2], [0.1]]


def test_the_base_scores_each_candidate_once_and_nothing_when_asked_nothing():
    base = Base()
    learner = WarmLearner(base, Local())
    learner.head_probabilities([candidate("k1"), candidate("s1")])
    learner.head_probabilities([candidate("s1"), candidate("u1")])
    assert base.asked == ["k1", "s1", "u1"]
    assert learner.head_probabilities([]).shape == (1, 0)


def labelled(killed, survived):
    return [candidate(f"k{i}", 1) for i in range(killed)] + [candidate(f"s{i}", 0) for i in range(survived)]


def test_too_few_labels_of_an_outcome_keep_the_base_model_alone():
    local = Local()
    learner = WarmLearner(Base(), local)
    learner.weights = np.ones(3)  # left over from an earlier fit
    log = learner.fit(labelled(5, MIN_PER_CLASS - 1) + [candidate("u1")])
    assert log == {"trained_on": 5 + MIN_PER_CLASS - 1, "base_weight": 1.0, "local_weight": 0.0}
    assert local.fitted is None and not learner.weights.any()


def test_the_mix_is_fitted_on_the_judged_labels_base_and_out_of_bag_log_odds(monkeypatch):
    seen = {}

    def mix(inputs, labels, penalty, base_weight_fitted, local_floor):
        seen.update(inputs=inputs, labels=labels, penalty=penalty, fitted=base_weight_fitted, floor=local_floor)
        return np.array([-0.25, 0.5, 0.125])

    monkeypatch.setattr(warm_learner, "fit_mix", mix)
    local = Local()
    learner = WarmLearner(Base(), local)
    judged = labelled(MIN_PER_CLASS, MIN_PER_CLASS)
    log = learner.refit(judged + [candidate("u1")])
    assert local.fitted == [c.id for c in judged] and seen["labels"].tolist() == [1, 1, 0, 0]
    base = np.array([weakest_steps(c.id).mean() for c in judged])
    assert np.allclose(seen["inputs"], np.column_stack([logit(base), logit(np.linspace(0.2, 0.8, 4))]))
    assert seen["floor"] == 0.0
    assert log == {"trained_on": 4, "auroc_oob": 0.75, "auroc_base": 1.0, "base_weight": 0.75, "local_weight": 0.5}


def test_once_mixed_each_local_head_is_paired_with_a_base_head(monkeypatch):
    monkeypatch.setattr(warm_learner, "fit_mix", lambda inputs, labels, *settings: np.array([-0.25, 0.5, 0.125]))
    learner = WarmLearner(Base(), Local(), line_prior=None)  # the mix alone
    learner.fit(labelled(2, 2))
    pool = [candidate("k9"), candidate("s9"), candidate("u9")]
    local = Local().head_probabilities(pool)
    base = np.stack([weakest_steps(c.id) for c in pool], axis=1)[[0, 1, 0, 1]]
    expected = 1 / (1 + np.exp(-(0.75 * logit(base) + 0.5 * logit(local) + 0.125)))
    assert np.allclose(learner.head_probabilities(pool), expected)
    assert np.allclose(learner.probability(pool), expected.mean(axis=0))
    assert np.allclose(learner.base_probabilities(pool), base[:2].mean(axis=0))


def test_log_odds_stay_finite_at_certain_probabilities():
    assert logit(np.array([0.5]))[0] == 0
    assert logit(np.array([0.0, 1.0])) == pytest.approx([np.log(CLIP / (1 - CLIP)), np.log((1 - CLIP) / CLIP)])


def penalised_loss(weights, inputs, labels, penalty):
    margin = inputs[:, 0] * (1 + weights[0]) + inputs[:, 1] * weights[1] + weights[2]
    return np.sum(np.logaddexp(0, margin) - labels * margin) + penalty * weights @ weights / 2


@pytest.mark.parametrize("penalty", [0.1, 1.0, 25.0])
def test_the_mix_is_the_penalised_likelihoods_optimum(penalty):
    from scipy.optimize import minimize

    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(60, 2)) * 2
    labels = (rng.random(60) < 1 / (1 + np.exp(-(0.5 * inputs[:, 0] + inputs[:, 1] - 0.5)))).astype(int)
    found = fit_mix(inputs, labels, penalty)
    best = minimize(penalised_loss, np.zeros(3), args=(inputs, labels, penalty), method="Nelder-Mead",
                    options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000}).x
    assert found == pytest.approx(best, abs=2e-3)
    assert penalised_loss(found, inputs, labels, penalty) <= penalised_loss(best, inputs, labels, penalty) + 1e-6


def test_a_larger_penalty_keeps_the_mix_nearer_the_base_model():
    inputs = np.column_stack([np.linspace(-2, 2, 40), np.where(np.arange(40) % 2, 2.0, -2.0)])
    labels = (np.arange(40) % 2).astype(int)
    assert np.linalg.norm(fit_mix(inputs, labels, 50.0)) < np.linalg.norm(fit_mix(inputs, labels))


def test_with_the_base_weight_fixed_the_mix_fits_only_the_local_weight_and_the_intercept():
    from scipy.optimize import minimize

    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(60, 2)) * 2
    labels = (rng.random(60) < 1 / (1 + np.exp(-(0.3 * inputs[:, 0] + inputs[:, 1])))).astype(int)
    found = fit_mix(inputs, labels, 1.0, base_weight_fitted=False)
    best = minimize(lambda w: penalised_loss(np.array([0.0, *w]), inputs, labels, 1.0), np.zeros(2),
                    method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000}).x
    assert found[0] == 0 and found[1:] == pytest.approx(best, abs=2e-3)
    assert fit_mix(inputs, labels, 1.0)[0] < -0.3  # where it may, the mix shrinks the base these labels half follow


class FeatureLocal(Local):
    """Records the features it was fitted on and asked about."""

    def fit(self, labelled):
        self.fitted_features = [dict(c.features) for c in labelled]
        return super().fit(labelled)

    def head_probabilities(self, candidates):
        self.asked_features = [dict(c.features) for c in candidates]
        return super().head_probabilities(candidates)


@pytest.mark.parametrize("base_feature", [True, False])
def test_the_local_learner_sees_the_base_log_odds_as_a_feature_unless_told_not_to(base_feature):
    local = FeatureLocal()
    learner = WarmLearner(Base(), local, base_feature=base_feature)
    judged = labelled(MIN_PER_CLASS, MIN_PER_CLASS)
    learner.fit(judged)
    learner.weights = np.array([0.0, 1.0, 0.0])
    learner.head_probabilities([candidate("u1")])
    expected = [logit(np.array([weakest_steps(c.id).mean()]))[0] for c in judged]
    seen = [f.get(warm_learner.BASE_FEATURE) for f in local.fitted_features]
    assert seen == (pytest.approx(expected) if base_feature else [None] * len(judged))
    assert (warm_learner.BASE_FEATURE in local.asked_features[0]) == base_feature
    assert all(warm_learner.BASE_FEATURE not in c.features for c in judged)  # the caller's candidates untouched


def test_the_mix_never_turns_a_ranker_around():
    inputs = np.column_stack([np.linspace(-2, 2, 40), np.linspace(3, -3, 40)])
    labels = (np.arange(40) < 20).astype(int)  # both rankers exactly reversed: left free, both weights go negative
    a, b, _ = fit_mix(inputs, labels)
    assert 1 + a >= 0 and b >= 0


def test_the_local_floor_keeps_weight_on_the_local_ranker_the_likelihood_would_drop():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    inputs = np.column_stack([4.0 * (labels - 0.5) + rng.normal(0, 1, 200), rng.normal(0, 1, 200)])  # local: noise
    assert fit_mix(inputs, labels)[1] < 0.05
    assert fit_mix(inputs, labels, local_floor=0.3)[1] == pytest.approx(0.3, abs=1e-6)


def test_the_auroc_mix_gives_the_local_ranker_its_share_where_it_ranks_what_the_base_cannot():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 300)
    base = 1.0 * (labels - 0.5) + rng.normal(0, 1, 300)
    local = 2.0 * (labels - 0.5) + rng.normal(0, 1, 300)
    a, b, _ = fit_mix_by_auroc(np.column_stack([base, local]), labels)
    assert b / (1 + a) >= 1.0  # the better ranker gets at least the base's weight
    a, b, _ = fit_mix_by_auroc(np.column_stack([local, rng.normal(0, 1, 300)]), labels)
    assert b == 0.0 and a > -1


def test_the_local_mix_is_the_local_learner_alone_and_an_unknown_mix_is_refused():
    learner = WarmLearner(Base(), Local(), mix="local", line_prior=None)
    learner.fit(labelled(2, 2))
    pool = [candidate("k9"), candidate("s9")]
    assert np.allclose(learner.head_probabilities(pool), Local().head_probabilities(pool))
    with pytest.raises(ValueError, match="mix"):
        WarmLearner(Base(), Local(), mix="vote")


def test_with_a_line_prior_a_prediction_moves_toward_its_labelled_line_mates_verdicts():
    on_line = [replace(c, line=7) for c in labelled(2, 2)]  # two killed, two survived, all on line 7
    killed_line = [replace(c, line=8) for c in labelled(2, 0)]
    learner = WarmLearner(Base(), Local(), line_prior=1.0)
    learner.fit(on_line + [replace(c, id=f"k{i + 5}") for i, c in enumerate(killed_line)])
    plain = WarmLearner(Base(), Local(), line_prior=None)
    plain.fit(on_line + [replace(c, id=f"k{i + 5}") for i, c in enumerate(killed_line)])
    mates = [replace(candidate("s8"), line=8), replace(candidate("s9"), line=9)]
    moved, alone = learner.head_probabilities(mates), plain.head_probabilities(mates)
    assert np.allclose(moved[:, 0], (2 + alone[:, 0]) / 3) and np.allclose(moved[:, 1], alone[:, 1])
