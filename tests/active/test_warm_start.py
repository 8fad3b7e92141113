"""Warm start from a base model: a tiny real PRM, fitted once on the synthetic task (no test runs), stands in for
the shipped one. ``score`` without a model (one baseline run, cached), the loop's first round picked by the base's
uncertainty, ``--from``, and ``repair`` ranking with it.

The base model is pointed to by monkeypatching ``bugprm.model.base.SHIPPED_DIRECTORY``, as an installed package
would ship it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from bugprm.active.forest_learner import BaggedForestLearner, trajectory_label
from bugprm.active.loop import ActiveLoop
from bugprm.active.settings import starting_model
from bugprm.active.warm_learner import WarmLearner, fit_mix
from bugprm.bench.oracle import CachedOracle
from bugprm.config import Budget, load_config, with_overrides
from bugprm.errors import InputError
from bugprm.mutate.run import generate_pool
from bugprm.labels import step_labels
from bugprm.model.synthetic import synthetic_candidates
from bugprm.records import Execution, Kind, Outcome
from bugprm.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
FIXTURE = FIXTURES / "h_calc"
FAST = {"timeout_constant": 3.0, "baseline_timeout": 60.0, "memory_mb": 512}


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory) -> Path:
    """A tiny PRM fitted for a few steps on synthetic trajectories, saved as the package would ship it (without
    the priors, whose fits would take most of the time)."""
    from bugprm.model.fitting import fit

    config = with_overrides(load_config("tiny"), {"training": {"max_steps": 2, "batch_size": 8},
                                                  "model": {"prior": "none", "prior_offset": "none"}})
    out = tmp_path_factory.mktemp("shipped") / "model"
    fit(synthetic_candidates(64, seed=1), config, out)
    return out


@pytest.fixture
def shipped(monkeypatch, base_dir):
    monkeypatch.setattr("bugprm.model.base.SHIPPED_DIRECTORY", base_dir)
    monkeypatch.delenv("BUGPRM_BASE_MODEL", raising=False)
    return base_dir


@pytest.fixture
def fresh_calc(tmp_path) -> Path:
    """h_calc with a pool and nothing executed: no baseline, no coverage features."""
    repo = Path(shutil.copytree(FIXTURE, tmp_path / "calc"))
    generate_pool(repo, None)
    return repo


def _score(run_bugprm, repo: Path) -> tuple[int, dict, str]:
    code, out, err = run_bugprm("score", "--bugs", "--repo", repo, "--format", "json")
    return code, (json.loads(out) if code == 0 else {}), err


def test_score_without_a_model_uses_the_base_after_one_baseline_run(shipped, fresh_calc, run_bugprm, monkeypatch):
    code, report, err = _score(run_bugprm, fresh_calc)
    assert code == 0, err
    scores = [c["score"] for c in report["candidates"]]
    assert report["model"] == str(shipped) and len(scores) == 50
    assert all(0 < s < 1 for s in scores) and len(set(scores)) > 5
    with Store.open(fresh_calc / ".bugprm") as store:
        assert store.get_meta("baseline") and all("line_covered" in c.features for c in store.candidates(Kind.BUG))

    def no_second_baseline(*args, **kwargs):
        raise AssertionError("the baseline ran again")

    monkeypatch.setattr("bugprm.execute.session.measure_baseline", no_second_baseline)
    code, again, err = _score(run_bugprm, fresh_calc)
    assert code == 0, err
    assert [c["score"] for c in again["candidates"]] == scores


def test_a_model_trained_in_the_store_wins_over_the_base(shipped, fresh_calc, run_bugprm):
    local = fresh_calc / ".bugprm" / "model"
    shutil.copytree(shipped, local)
    code, report, err = _score(run_bugprm, fresh_calc)
    assert code == 0, err
    assert report["model"] == str(local)


def test_score_without_any_model_exits_2_and_says_what_to_do(monkeypatch, tmp_path, fresh_calc, run_bugprm):
    monkeypatch.setattr("bugprm.model.base.SHIPPED_DIRECTORY", tmp_path / "none")
    monkeypatch.delenv("BUGPRM_BASE_MODEL", raising=False)
    code, _, err = _score(run_bugprm, fresh_calc)
    assert code == 2 and "no model to score with" in err and "bugprm train" in err


def test_from_none_is_cold_and_from_base_needs_a_base(shipped, monkeypatch, tmp_path):
    assert starting_model(None) == shipped and starting_model("base") == shipped
    assert starting_model("none") is None
    monkeypatch.setattr("bugprm.model.base.SHIPPED_DIRECTORY", tmp_path / "none")
    assert starting_model(None) is None
    with pytest.raises(InputError, match="--from none"):
        starting_model("base")


def _replay(learner, seed_selection: str = "stratified") -> ActiveLoop:
    """The loop over a synthetic pool, the oracle answering with each trajectory's fate."""
    pool = synthetic_candidates(40, seed=5)
    verdicts = {c.id: Execution(c.id, Outcome.KILLED if trajectory_label(c) else Outcome.SURVIVED) for c in pool}
    settings = with_overrides(load_config("tiny"), {"active_learning": {
        "seed_size": 6, "batch_size": 6, "rounds": 3, "seed_selection": seed_selection}}).active_learning
    loop = ActiveLoop(pool, learner, CachedOracle(verdicts), step_labels, settings, Budget(count=18))
    loop.run()
    return loop


def test_warm_loop_seeds_by_the_base_where_asked_and_then_stacks_the_local_learner(base_dir):
    from bugprm.scoring.adapter import load_scorer

    scorer = load_scorer(base_dir)
    warm = _replay(WarmLearner(scorer, BaggedForestLearner(seed=0, heads=4)), seed_selection="learner")
    first, last = warm.logs[0].metrics, warm.logs[-1].metrics
    assert first["seed_selection"] == "learner" and first["trained_on"] == 0 and len(warm.logs[0].selected) == 6
    assert "uncertainty_p10_50_90" in first and "base_weight" in last
    by_default = _replay(WarmLearner(scorer, BaggedForestLearner(seed=0, heads=4)))
    assert by_default.logs[0].metrics["seed_selection"] == "stratified" and "base_weight" in by_default.logs[1].metrics
    cold = _replay(BaggedForestLearner(seed=0, heads=4))
    assert cold.logs[0].metrics["seed_selection"] == "stratified"


def test_the_mix_stays_at_the_base_until_labels_say_otherwise():
    base = np.linspace(-2, 2, 40)
    agreeing = (base > 0).astype(int)
    assert np.abs(fit_mix(np.column_stack([base, np.zeros(40)]), agreeing)[[1, 2]]).max() < 0.5
    local = np.where(agreeing, -3.0, 3.0)  # the local learner is right where the base is exactly wrong
    a, b, _ = fit_mix(np.column_stack([base, local]), 1 - agreeing)
    assert b > 0.5 and 1 + a < 1


def test_repair_ranks_patches_with_the_base_model(shipped, tmp_path):
    from bugprm.repair import RepairRequest, run_repair

    red = Path(shutil.copytree(FIXTURES / "h_red", tmp_path / "red"))
    report = run_repair(RepairRequest(red, top_sites=2, harness=FAST))
    assert report.ranking == f"model {shipped}"
    scores = [r.score for r in report.states[0].repairs]
    assert scores and scores == sorted(scores, reverse=True) and all(0 < score < 1 for score in scores)


def test_train_from_base_stacks_the_forests_and_the_final_prm_continues_the_base(base_dir):
    import torch

    from bugprm.active.learners import loop_learner, prm_learner
    from bugprm.model.io import load_model

    config = with_overrides(load_config("tiny"), {"training": {"max_steps": 1, "batch_size": 8}})
    warm = loop_learner(config, config.active_learning, base_model=base_dir)
    cold = loop_learner(config, config.active_learning)
    assert isinstance(warm, WarmLearner) and isinstance(cold, BaggedForestLearner)
    assert warm.line_prior is None and not warm.local.neighbours  # measured neutral on evaluation packages
    final = prm_learner(config, init_from=base_dir)
    final.refit(synthetic_candidates(16, seed=7))
    base = load_model(base_dir).backbone.get_input_embeddings().weight
    tuned = final.model.backbone.get_input_embeddings().weight
    assert tuned.shape == base.shape and torch.allclose(tuned, base, atol=0.05) and not torch.equal(tuned, base)


def test_goal_estimate_started_warm_draws_its_first_round_by_the_base(base_dir):
    from bugprm.active.learners import loop_learner
    from bugprm.active.run import loop_for

    pool = synthetic_candidates(40, seed=5)
    verdicts = {c.id: Execution(c.id, Outcome.KILLED if trajectory_label(c) else Outcome.SURVIVED) for c in pool}
    config = with_overrides(load_config("tiny"), {"active_learning": {"goal": "estimate", "rounds": 3}})
    learner = loop_learner(config, config.active_learning, base_model=base_dir)
    loop = loop_for(config.active_learning)(pool, learner, CachedOracle(verdicts), step_labels,
                                            config.active_learning, Budget(count=12))
    first = loop.run().rounds[0].metrics
    base = dict(zip([c.id for c in pool], learner.base_probabilities(pool)))
    assert first["seed_selection"] == "learner" and first["kill_rate_range"] == [0.0, 1.0]
    assert [d.predicted for d in loop.draws if d.round == 0] == pytest.approx([base[d.id] for d in loop.draws
                                                                                if d.round == 0], abs=1e-6)


@pytest.fixture(scope="module")
def base_with_forest(tmp_path_factory) -> Path:
    """The tiny base model, with the forest prior the refined warm learners read."""
    from bugprm.model.fitting import fit

    config = with_overrides(load_config("tiny"), {"training": {"max_steps": 2, "batch_size": 8},
                                                  "model": {"prior": "forest", "prior_offset": "none"}})
    out = tmp_path_factory.mktemp("forest") / "model"
    fit(synthetic_candidates(64, seed=1), config, out)
    return out


@pytest.mark.parametrize("warm_local", ["refined", "refined-feature", "blend"])
def test_the_warm_local_learner_can_be_the_base_forest_refined_by_the_labels(base_with_forest, warm_local):
    from bugprm.active.leaf_refined import BlendedLocal, LeafRefinedForest, RefinedFeatureForests
    from bugprm.active.learners import loop_learner

    config = with_overrides(load_config("tiny"), {"active_learning": {"warm_local": warm_local,
                                                                      "leaf_strength": 3.0}})
    learner = loop_learner(config, config.active_learning, base_model=base_with_forest)
    kind = {"refined": LeafRefinedForest, "refined-feature": RefinedFeatureForests, "blend": BlendedLocal}[warm_local]
    assert isinstance(learner, WarmLearner) and isinstance(learner.local, kind) and learner.local.strength == 3.0
    pool = synthetic_candidates(80, seed=3)
    log = learner.fit(pool[:40])
    assert log["trained_on"] == 40 and log["auroc_corpus_forest"] is not None
    probabilities = learner.probability(pool[40:])
    assert probabilities.shape == (40,) and np.all((probabilities >= 0) & (probabilities <= 1))


def test_the_saved_prms_calibration_is_fitted_on_fold_models_started_from_the_same_base(base_dir, monkeypatch):
    """Cold fold models score in a narrow band; a map fitted on them saturated the warm model's scores to 0 and 1."""
    from types import SimpleNamespace

    from bugprm.active import learners
    from bugprm.active.run import _calibration

    started_from, real = [], learners.prm_learner

    def recording(*args, init_from=None, **kwargs):
        started_from.append(init_from)
        return real(*args, init_from=init_from, **kwargs)

    monkeypatch.setattr(learners, "prm_learner", recording)
    config = with_overrides(load_config("tiny"), {"training": {"max_steps": 1, "batch_size": 8}})
    request = SimpleNamespace(config=config, settings=config.active_learning, base_model=base_dir)
    calibration, report = _calibration(request, [], synthetic_candidates(40, seed=3))
    assert started_from == [base_dir, base_dir] and report["calibration_labels"] == 40
