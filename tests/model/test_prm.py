"""Scoring: batched, deterministic in eval mode, MC dropout when asked, and the fields selection needs."""

import math

import pytest

from bugprm.metrics import aggregate
from bugprm.model.examples import from_candidate
from bugprm.model.synthetic import synthetic_candidates


def test_scores_have_one_entry_per_step_head_and_hidden_unit(trained, test_examples):
    model = trained[0]
    score = model.score(test_examples[:1])[0]
    assert score.id == test_examples[0].id
    assert len(score.step_mean) == len(score.step_std) == 5
    assert len(score.per_head) == 4 and all(len(row) == 5 for row in score.per_head)
    assert len(score.embedding) == 64
    assert all(0.0 <= p <= 1.0 for p in score.step_mean)
    mean_of_heads = [sum(col) / 4 for col in zip(*score.per_head)]
    assert all(math.isclose(a, b, rel_tol=1e-5) for a, b in zip(mean_of_heads, score.step_mean))


def test_scoring_is_deterministic_and_keeps_input_order(trained, test_examples):
    model = trained[0]
    first = model.score(test_examples, batch_size=7)
    assert [s.id for s in first] == [e.id for e in test_examples]
    assert model.score(test_examples, batch_size=7) == first


def test_batch_size_does_not_change_scores_beyond_float_noise(trained, test_examples):
    model = trained[0]
    one = model.score(test_examples[:6], batch_size=1)
    six = model.score(test_examples[:6], batch_size=6)
    for a, b in zip(one, six):
        assert all(math.isclose(x, y, abs_tol=1e-5) for x, y in zip(a.step_mean, b.step_mean))


def test_a_thread_cap_holds_for_the_call_only_and_changes_scores_only_by_float_noise(trained, test_examples):
    import torch

    model, before = trained[0], torch.get_num_threads()
    torch.set_num_threads(2)  # the suite runs on one thread (tests/conftest.py): two, so that the cap changes it
    try:
        capped = model.score(test_examples[:6], threads=1)
        assert torch.get_num_threads() == 2
        uncapped = model.score(test_examples[:6])
    finally:
        torch.set_num_threads(before)
    for a, b in zip(capped, uncapped):
        assert all(math.isclose(x, y, abs_tol=1e-5) for x, y in zip(a.step_mean, b.step_mean))


def test_mc_dropout_passes_are_stochastic_but_seeded(trained, test_examples):
    model = trained[0]
    plain = model.score(test_examples[:4])
    mc = model.score(test_examples[:4], mc_passes=8, seed=1)
    assert mc != plain
    assert mc == model.score(test_examples[:4], mc_passes=8, seed=1)
    assert not model.training and not any(m.training for m in model.modules())


def test_candidates_score_directly(trained):
    candidates = synthetic_candidates(3, seed=9)
    assert trained[0].score(candidates) == trained[0].score([from_candidate(c) for c in candidates])


def test_aggregate_score_is_the_min_step_by_default(trained, test_examples):
    score = trained[0].score(test_examples[:1])[0]
    assert aggregate(score.step_mean) == min(score.step_mean)
    assert aggregate(score.step_mean, "last") == score.step_mean[-1]


def test_a_prior_offset_adds_that_priors_log_odds_to_the_head_logits_of_its_kind(quick_config, train_examples):
    import dataclasses

    import torch

    from bugprm.config import with_overrides
    from bugprm.model.training import new_model, train

    config = with_overrides(quick_config, {"model": {"prior": "forest+text", "prior_offset": "repair:forest"}})
    model = new_model(config, train_examples[:40])
    train(model, train_examples[:40])
    bugs = train_examples[:3]
    examples = [*bugs, *(dataclasses.replace(e, id=f"r{e.id}", kind="repair") for e in bugs)]
    batch = model.batch(examples, model.encode(examples))
    with torch.no_grad():
        states = model.step_states(batch)
        features = batch.features[batch.step_rows]
        plain = model.heads(torch.cat([states, features], dim=-1))
        forest = features[:, -2]  # the priors are the last columns, in the order the config names them
        repair = (batch.step_rows >= len(bugs)).float()
        assert forest.abs().sum() > 0
        assert torch.allclose(model.head_logits(states, batch), plain + forest * repair, atol=1e-6)


@pytest.mark.parametrize("setting", ["forest", "repair:forest,bug:none", "mean"])
def test_a_prior_offset_names_priors_the_model_reads(setting):
    from bugprm.model.prm import offset_priors

    found = offset_priors("forest+text", setting)
    assert set(found) <= {"bug", "repair"} and found["repair"] in {("forest",), ("forest", "text")}


@pytest.mark.parametrize("setting", ["tree", "repair:tree", "patch:forest", "repair:"])
def test_a_prior_offset_naming_no_prior_or_kind_is_a_config_error(setting):
    from bugprm.errors import ConfigError
    from bugprm.model.prm import offset_priors

    with pytest.raises(ConfigError, match="prior_offset"):
        offset_priors("text", setting)


def test_a_prior_the_model_does_not_read_offsets_nothing():
    from bugprm.model.prm import offset_priors

    assert offset_priors("text", "repair:forest") == {"repair": ()}
    assert offset_priors("none", "mean") == {"bug": (), "repair": ()}
