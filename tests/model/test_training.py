"""Training on the tiny config: the loss falls on a learnable task, and training continues from a saved model."""

import pytest
import torch

from bugprm.config import with_overrides
from bugprm.errors import ConfigError
from bugprm.metrics import auroc
from bugprm.model.fitting import fit
from bugprm.model.io import load_model
from bugprm.model.training import _schedule, new_model, train, update


def test_training_reduces_the_loss_and_learns_the_rule(trained, test_examples):
    model, log = trained
    assert log.trajectories == 160 and log.steps == len(log.losses)
    first, last = sum(log.losses[:5]) / 5, sum(log.losses[-5:]) / 5
    assert last < 0.5 * first
    scores = model.score(test_examples)
    inject = [(e.labels[3], s.step_mean[3]) for e, s in zip(test_examples, scores)]
    assert auroc([label for label, _ in inject], [p for _, p in inject]) > 0.9


def test_the_same_seed_trains_the_same_model(quick_config, train_examples):
    runs = []
    for _ in range(2):
        model = new_model(quick_config, train_examples[:40])
        train(model, train_examples[:40])
        runs.append(model.score(train_examples[:3]))
    assert runs[0] == runs[1]


def test_examples_without_labels_are_not_trained_on(quick_config, train_examples):
    unlabelled = [e.__class__(e.id, e.kind, e.texts, (None,) * 5) for e in train_examples[:8]]
    model = new_model(quick_config, unlabelled)
    log = train(model, unlabelled)
    assert log.trajectories == 0 and log.steps == 0


def test_update_continues_training_on_new_examples(quick_config, train_examples):
    model = new_model(quick_config, train_examples[:40])
    before = model.heads.weight1.detach().clone()
    log = update(model, train_examples[40:48])
    assert log.trajectories == 8 and log.steps == 2  # 8 examples in batches of 4
    assert not model.heads.weight1.detach().equal(before)


def test_fit_init_from_continues_a_saved_model(quick_config, train_examples, tmp_path):
    config = with_overrides(quick_config, {"training.validation_fraction": 0.0})
    first = fit(train_examples[:40], config, out=tmp_path / "a")
    second = fit(train_examples[40:80], config, out=tmp_path / "b", init_from=tmp_path / "a")
    assert [run["trained_on"]["trajectories"] for run in second.summary["runs"]] == [40, 40]
    assert second.tokenizer.get_vocab() == first.tokenizer.get_vocab()
    assert load_model(tmp_path / "b").summary["runs"][-1]["optimizer_steps"] == 3


def test_fit_holds_out_a_validation_split_and_reports_on_it(quick_config, train_examples, tmp_path):
    model = fit(train_examples[:100], quick_config)
    run = model.summary["runs"][-1]
    assert run["trained_on"]["trajectories"] + run["held_out"]["trajectories"] == 100
    assert run["held_out"]["trajectories"] > 0
    assert set(model.summary["metrics"]) >= {"trajectory", "step", "processbench"}


def test_gradient_accumulation_counts_optimizer_steps(quick_config, train_examples):
    config = with_overrides(quick_config, {"training": {"max_steps": 0, "epochs": 1, "batch_size": 4,
                                                        "gradient_accumulation": 2}})
    model = new_model(config, train_examples[:16])
    assert train(model, train_examples[:16]).steps == 2  # 16 trajectories, 4 micro-batches, 2 per step


def test_learning_rate_warms_up_then_decays_linearly():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    schedule = _schedule(optimizer, warmup=2, total=6)
    rates = []
    for _ in range(6):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    assert rates == [0.5, 1.0, 1.0, 0.75, 0.5, 0.25]


def test_scratch_roberta_backbone_trains_and_mc_dropout_reaches_it(quick_config, train_examples):
    config = with_overrides(quick_config, {"model.architecture": "roberta"})
    model = new_model(config, train_examples[:12])
    assert model.backbone.config.model_type == "roberta"
    train(model, train_examples[:12])
    plain = model.score(train_examples[:2])
    mc = model.score(train_examples[:2], mc_passes=3)
    assert plain == model.score(train_examples[:2])
    assert mc[0].embedding != plain[0].embedding  # dropout in the backbone: every pass reruns it
    assert mc == model.score(train_examples[:2], mc_passes=3)


def test_gpu_only_options_stay_off_on_cpu(quick_config, train_examples):
    config = with_overrides(quick_config, {"optimization": {"mixed_precision": "bf16",
                                                            "gradient_checkpointing": True}})
    model = new_model(config, train_examples[:8])
    train(model, train_examples[:8])
    assert not model.backbone.is_activation_checkpointing
    assert model.heads.weight1.dtype == torch.float32


def test_unknown_mixed_precision_is_a_config_error(quick_config):
    with pytest.raises(ConfigError, match="mixed_precision"):
        with_overrides(quick_config, {"optimization.mixed_precision": "fp8"})


def test_refit_trains_a_fresh_model_on_every_label(quick_config, train_examples):
    from bugprm.active.learner import PrmLearner

    learner = PrmLearner(quick_config)
    learner.fit(train_examples[:8])
    first = learner.model
    assert learner.refit(train_examples[:16])["trained_on"] == 16
    assert learner.model is not first


def test_update_runs_at_least_the_minimum_steps(quick_config, train_examples):
    model = new_model(quick_config, train_examples[:40])
    assert update(model, train_examples[40:48], min_steps=5).steps == 5


def test_a_prior_too_rare_to_cross_fit_reads_the_same_constant_in_training_and_prediction(quick_config,
                                                                                           train_examples):
    ends = [e.trajectory_label for e in train_examples]
    one_positive = [train_examples[ends.index(1)], *[e for e, end in zip(train_examples, ends) if end == 0][:7]]
    model = new_model(quick_config, one_positive)
    train(model, one_positive)
    assert "forest" not in model.priors  # one positive: no out-of-fold estimate, so no varying input either
    assert set(model.prior_log_odds("forest", train_examples[:5])) == {0.0}
