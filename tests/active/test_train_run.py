"""``train_active`` on a real fixture repository and store, with the forest as the loop's learner and a torch-free
stand-in for the final PRM fit: the run's bookkeeping (budget, held-out split, rounds, card, resume) is what is
checked here; the PRM itself is tested in tests/model and end to end in tests/e2e."""

import json
import shutil
from pathlib import Path

import pytest

from bugprm.active import learners
from bugprm.active.forest_learner import BaggedForestLearner
from bugprm.active.run import TrainRequest, held_out_split, train_active
from bugprm.config import load_config, with_overrides
from bugprm.execute import progress
from bugprm.store import Store

FIXTURE = Path(__file__).parents[1] / "fixtures" / "h_calc"
real_progress = progress.label_progress


class SavedForest(BaggedForestLearner):
    """The final fit without torch: it saves what it was fitted on."""

    def refit(self, labelled):
        self.fitted_on = [c.id for c in labelled]
        return {**super().refit(labelled), "trained_on": len(labelled)}

    def calibrate(self, calibration):
        self.calibration = calibration

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "fitted_on.json").write_text(json.dumps(self.fitted_on))
        return directory


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    repo = tmp_path_factory.mktemp("train") / "calc"
    shutil.copytree(FIXTURE, repo)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BUGPRM_TIMEOUT_CONSTANT", "3")
        patch.setattr(learners, "prm_learner", lambda config, corpus, seed, *rest, **options: SavedForest(seed))
        shown = []
        patch.setattr(progress, "label_progress", lambda total, enabled, **kw: shown.append(enabled) or
                      real_progress(total, enabled, **kw))
        rounds = []
        request = _request(repo)
        card = train_active(request, on_round=rounds.append)
        again = train_active(request)
    assert shown and not any(shown)  # no progress bar unless asked for
    return repo, request, card, rounds, again


def _request(repo: Path) -> TrainRequest:
    config = with_overrides(load_config("tiny"), {"active_learning": {
        "learner": "forest", "budget": 8, "seed_size": 4, "batch_size": 2, "rounds": 3, "seed": 5}})
    return TrainRequest(repos=(repo,), config=config, out=repo / ".bugprm" / "model", eval_fraction=0.25,
                        max_candidates=24)


def test_the_run_spends_its_budget_on_the_pool_and_measures_the_held_out_part(trained):
    repo, _, card, rounds, _ = trained
    assert card.pool_size + card.held_out == 24 and card.held_out == 6
    assert card.executed == 8 and card.budget == "8 candidates"
    assert card.executed_fraction == round(8 / card.pool_size, 4)
    assert card.held_out_metrics["held_out"] > 0 and card.repos == (str(repo),)
    assert card.test_cpu_seconds > 0 and card.extra["executor"] == "local"
    assert card.strategy["batch_size"] == 2 and card.model_dir == str(repo / ".bugprm" / "model")


def test_every_round_is_recorded_in_the_store_and_the_card(trained):
    repo, _, card, rounds, _ = trained
    assert [r.round for r in rounds] == list(range(len(rounds))) and len(card.rounds) == len(rounds)
    assert [r["selected"] for r in card.rounds] == [len(r.selected) for r in rounds]
    assert [r["round"] for r in card.rounds] == [r.round for r in rounds]  # goals read draws' rounds from it
    assert card.rounds[-1]["executed_total"] == 8 and card.rounds[0]["selection_rate"] <= 1
    with Store.open(repo / ".bugprm") as store:
        selected = [i for r in store.rounds(card.run_id) for i in r["selected"]]
        executed = store.verdicts()
    assert len(selected) == len(set(selected)) == 8 and set(selected) <= set(executed)


def test_the_final_fit_sees_every_label_the_loop_bought(trained):
    repo, _, card, _, _ = trained
    fitted = json.loads((repo / ".bugprm" / "model" / "fitted_on.json").read_text())
    assert card.final_fit["trained_on"] == len(fitted) and 0 < len(fitted) <= 8


def test_a_second_run_is_the_same_run_and_executes_nothing_new(trained):
    repo, _, card, _, again = trained
    assert again.run_id == card.run_id and again.executed == card.executed
    assert again.rounds == card.rounds


def test_the_held_out_split_is_seeded_ordered_and_of_the_asked_size():
    items = [type("C", (), {"id": f"c{i}"})() for i in range(20)]
    pool, held = held_out_split(items, 0.25, seed=3)
    assert len(held) == 5 and len(pool) == 15 and held_out_split(items, 0.25, seed=3) == (pool, held)
    assert [c.id for c in pool + held] != [c.id for c in items] and sorted(pool + held, key=items.index) == items
    assert [c.id for c in held] == sorted((c.id for c in held), key=lambda i: int(i[1:]))
    assert held_out_split(items, 0.0, seed=3) == (items, []) and held_out_split(items, 0.25, seed=4)[1] != held


def test_the_loop_learner_is_the_one_the_config_names(monkeypatch):
    from dataclasses import replace

    from bugprm.errors import ConfigError

    config = load_config("tiny")
    settings = replace(config.active_learning, learner="forest", calibration="isotonic", min_round_steps=7)
    forest = learners.loop_learner(config, settings, seed=2)
    assert isinstance(forest, BaggedForestLearner) and forest.calibration_kind == "isotonic" and forest.seed == 2
    monkeypatch.setattr(learners, "prm_learner", lambda *args, init_from=None: (*args, init_from))
    assert learners.loop_learner(config, replace(settings, learner="prm"), ["t"], 3) == (config, ["t"], 3, 7, None)
    with pytest.raises(ConfigError, match="active_learning.learner must be one of forest, prm, got 'svm'"):
        learners.loop_learner(config, replace(settings, learner="svm"))


class Stop(Exception):
    pass


def test_the_run_holds_the_store_lock_before_any_harness_session_opens(tmp_path, monkeypatch):
    """Another process must not write the store between the run opening it and the session's own lock."""
    import fcntl

    from bugprm.execute.session import HarnessSession

    repo = shutil.copytree(FIXTURE, tmp_path / "calc")
    held = []

    def open_session(store, *args, **kwargs):
        with open(store.directory / "lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held.append(False)
            except BlockingIOError:
                held.append(True)
        raise Stop

    monkeypatch.setattr(HarnessSession, "open", open_session)
    with pytest.raises(Stop):
        train_active(_request(repo))
    assert held == [True]
