"""The feature prior: a forest kept as arrays that predicts what scikit-learn predicts, fitted out of fold,
read by the heads, and saved and loaded with the model."""

import os
import random
import subprocess
import sys

import numpy as np
import pytest

from bugprm.model.pmt_forest import PmtForest
from bugprm.config import with_overrides
from bugprm.errors import ConfigError
from bugprm.model.prior import HASH_FEATURES, ForestPrior, TextPrior, logit, ngram_counts, out_of_fold_log_odds


class Row:
    def __init__(self, features, texts=()):
        self.features, self.texts = features, texts


def tabular(count: int, seed: int):
    """Rows whose fate follows covering tests and the operator, with noise; the operator is also in the text."""
    rng = random.Random(seed)
    features = [{"covering_tests": rng.randint(0, 9), "complexity": rng.random() * 10,
                 "operator": rng.choice(["swap", "negate", "constant"])} for _ in range(count)]
    labels = [int(f["covering_tests"] > 3 and (f["operator"] != "constant" or rng.random() < 0.2)) for f in features]
    return [Row(f, (f"apply {f['operator']} at x", "run the tests")) for f in features], labels


def test_the_array_forest_predicts_exactly_what_scikit_learn_predicts():
    rows, labels = tabular(300, seed=1)
    fresh, _ = tabular(100, seed=2)
    prior = ForestPrior.fit(rows, labels, seed=3)
    reference = PmtForest(seed=3).fit(rows, labels).predict(fresh)
    assert np.allclose(prior.probability(fresh), reference, atol=1e-12, rtol=0)


def test_the_text_prior_is_scikit_learns_tfidf_logistic_regression():
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    rows, labels = tabular(200, seed=6)
    counts = ngram_counts(rows)
    tfidf = TfidfTransformer().fit(counts)
    model = LogisticRegression(max_iter=2000, class_weight="balanced").fit(tfidf.transform(counts), labels)
    reference = np.clip(model.decision_function(tfidf.transform(counts)), *logit(np.array([0.0, 1.0])))
    assert np.allclose(TextPrior.fit(rows, labels).log_odds(rows), reference, atol=1e-5)


def test_ngram_counts_count_each_1_to_3_gram_of_a_trajectory_and_none_across_trajectories():
    counts = ngram_counts([Row({}, ("x = x + 1",)), Row({}, ("x =", "x")), Row({}, ())])
    assert counts.shape == (3, HASH_FEATURES)
    assert counts.sum(axis=1).ravel().tolist() == [[5 + 4 + 3, 3 + 2 + 1, 0]]
    assert counts.getnnz(axis=1).tolist() == [11, 5, 0]  # "x" twice in the first, "x" twice in the second
    assert set(counts[1].indices) <= set(counts[0].indices)  # x, =, "x =", "= x", "x = x" hash alike in both


def test_ngram_hashing_is_the_same_in_every_process():
    """A saved model's weights are indexed by these buckets: a change here needs a new model FORMAT_VERSION."""
    texts = ("def f(a): return a + 1", "x[0] = 2")
    script = ("from bugprm.model.prior import ngram_counts\n"
              f"class Row: texts = {texts!r}\n"
              "print(sorted(ngram_counts([Row()]).indices.tolist()))")
    seen = {subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout.strip() for seed in ("1", "2")}
    assert seen == {str(sorted(ngram_counts([Row({}, texts)]).indices.tolist()))}


def test_out_of_fold_estimates_rank_unseen_rows_and_fall_back_to_the_base_rate():
    rows, labels = tabular(200, seed=4)
    estimates = out_of_fold_log_odds("forest", rows, labels, seed=0)
    assert estimates.shape == (200,)
    assert estimates[np.array(labels) == 1].mean() > estimates[np.array(labels) == 0].mean() + 1
    assert out_of_fold_log_odds("text", rows, labels)[np.array(labels) == 1].mean() > 0
    one_class = out_of_fold_log_odds("forest", rows[:10], [1] * 10)
    assert np.allclose(one_class, logit(np.array([1.0]))[0])


@pytest.mark.parametrize("kind", [ForestPrior, TextPrior])
def test_saved_arrays_load_back_to_the_same_predictions(kind):
    rows, labels = tabular(150, seed=5)
    prior = kind.fit(rows, labels)
    settings, arrays = prior.to_saved()
    again = kind.from_saved(settings, {k: v.copy() for k, v in arrays.items()})
    assert np.array_equal(again.log_odds(rows), prior.log_odds(rows))


@pytest.fixture(scope="module")
def prior_model(tiny_config, train_examples):
    from bugprm.model.training import new_model, train

    config = with_overrides(tiny_config, {"model": {"prior": "forest+text"}, "training": {"max_steps": 20}})
    model = new_model(config, train_examples)
    train(model, train_examples)
    return model


def test_training_fits_the_prior_and_the_heads_read_it(prior_model, test_examples):
    assert set(prior_model.priors) == {"forest", "text"}
    assert prior_model.heads.weight1.shape[1] == prior_model.backbone.config.hidden_size + 2
    scores = prior_model.score(test_examples)
    assert len(scores) == len(test_examples)


def test_a_model_with_a_prior_round_trips(prior_model, test_examples, tmp_path):
    from bugprm.model.io import PRIOR_FILE, load_model, save_model

    save_model(prior_model, tmp_path / "m")
    assert (tmp_path / "m" / PRIOR_FILE.format("forest")).is_file()
    assert load_model(tmp_path / "m").score(test_examples) == prior_model.score(test_examples)


def test_an_unknown_prior_is_a_config_error(quick_config, train_examples):
    from bugprm.model.training import new_model

    with pytest.raises(ConfigError, match="model.prior"):
        new_model(with_overrides(quick_config, {"model": {"prior": "boosting"}}), train_examples[:4])


def test_consistent_steps_raise_a_prefix_to_the_best_reward_after_it(prior_model, test_examples):
    import torch

    from bugprm.model.consistency import consistent_with_completions
    from bugprm.model.prm import PRM

    raised = consistent_with_completions(torch.tensor([[0.3, 0.9, 0.2, 0.5, 0.1]]))
    assert torch.equal(raised, torch.tensor([[0.9, 0.9, 0.5, 0.5, 0.1]]))
    config = with_overrides(prior_model.config, {"model": {"consistent_steps": True}})
    consistent = PRM(prior_model.backbone, prior_model.tokenizer, config, prior_model.schema)
    consistent.heads, consistent.priors = prior_model.heads, prior_model.priors
    for raw, fixed in zip(prior_model.score(test_examples), consistent.score(test_examples)):
        assert fixed.step_mean[-1] == pytest.approx(raw.step_mean[-1])
        assert min(fixed.step_mean) == pytest.approx(fixed.step_mean[-1])
        assert all(f >= r - 1e-6 for f, r in zip(fixed.step_mean, raw.step_mean))


def test_a_corpus_prior_is_another_models_text_prior_read_frozen(prior_model, quick_config, train_examples,
                                                                  test_examples, tmp_path):
    from bugprm.config import with_corpus_prior
    from bugprm.model.io import load_model, save_model
    from bugprm.model.training import new_model, train

    save_model(prior_model, tmp_path / "corpus")
    model = new_model(with_corpus_prior(quick_config, tmp_path / "corpus"), train_examples[:40])
    train(model, train_examples[:40])
    assert model.config.model.prior.endswith("+corpus")
    assert model.heads.weight1.shape[1] == model.backbone.config.hidden_size + 3
    frozen = prior_model.priors["text"].log_odds(test_examples)
    assert np.array_equal(model.priors["corpus"].log_odds(test_examples), frozen)
    assert not np.array_equal(model.priors["text"].log_odds(test_examples), frozen)  # refitted on 40, not frozen
    save_model(model, tmp_path / "with")
    (tmp_path / "corpus" / "prior_text.safetensors").unlink()  # the saved model keeps its own copy
    assert load_model(tmp_path / "with").score(test_examples) == model.score(test_examples)


def test_a_corpus_prior_needs_a_model_with_a_text_prior(quick_config, train_examples, tmp_path):
    from bugprm.config import with_corpus_prior
    from bugprm.errors import ModelError
    from bugprm.model.io import save_model
    from bugprm.model.training import new_model

    forest_only = with_overrides(quick_config, {"model": {"prior": "forest"}})
    save_model(new_model(forest_only, train_examples[:8]), tmp_path / "forest")
    with pytest.raises(ModelError, match="no text prior"):
        new_model(with_corpus_prior(quick_config, tmp_path / "forest"), train_examples[:8])
    with pytest.raises(ModelError, match="no model directory"):
        new_model(with_corpus_prior(quick_config, tmp_path / "missing"), train_examples[:8])
    with pytest.raises(ConfigError, match="corpus_prior"):
        new_model(with_overrides(quick_config, {"model": {"prior": "forest+corpus"}}), train_examples[:8])
