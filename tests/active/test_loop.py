"""The loop's bookkeeping with a real store-free oracle: budgets, seed sets, resume, nothing executed twice.

The tests from ``seed_round`` on each name the hand-made mutation of the loop they were written to kill (issue 18):
the bookkeeping tests above let it survive."""

from dataclasses import replace

import numpy as np
import pytest

from bugprm.config import ActiveLearningConfig, Budget
from bugprm.active.loop import ActiveLoop
from bugprm.active.strategies import Prediction
from bugprm.errors import InputError
from bugprm.records import Candidate, Execution, Kind, Outcome, Step, StepName
from bugprm.trajectory import with_labels


def pool(size):
    steps = tuple(Step(name, f"{name} {i}") for i, name in enumerate(StepName) if name is not StepName.EDIT)
    return [Candidate(f"c{i:03d}", Kind.BUG, "r", "f.py", "f", i, "op", "fam", "", steps,
                      features={"x": i % 7}) for i in range(size)]


class CountingOracle:
    """Kills candidates whose feature x is odd; fails the test if asked for anything twice."""

    def __init__(self):
        self.seen = []

    def __call__(self, candidates):
        ids = [c.id for c in candidates]
        assert not set(ids) & set(self.seen), "a candidate was executed twice"
        self.seen += ids
        return {c.id: Execution(c.id, Outcome.KILLED if c.features["x"] % 2 else Outcome.SURVIVED, cpu_seconds=1.0)
                for c in candidates}


class FeatureLearner:
    """Learns P(killed | x) by counting; heads disagree on values it has seen little of."""

    def __init__(self):
        self.table = {}

    def fit(self, labelled):
        counts = {}
        for c in labelled:
            counts.setdefault(c.features["x"], []).append(c.steps[-1].label)
        self.table = {x: (np.mean(v), len(v)) for x, v in counts.items()}
        return {"trained_on": len(labelled)}

    def predict(self, candidates, mc_passes=0):
        out = []
        for c in candidates:
            mean, n = self.table.get(c.features["x"], (0.5, 0))
            spread = 0.3 if n < 3 else 0.0
            heads = np.clip(np.array([[0.99] * 4 + [mean + d] for d in (-spread, spread)]), 0, 1)
            out.append(Prediction(c.id, heads))
        return out


def labeller(candidates, executions, positive=frozenset({Outcome.KILLED})):
    labelled = []
    for c in candidates:
        e = executions.get(c.id)
        label = None if e is None else int(e.outcome in positive)
        labelled.append(with_labels(c, [label] * len(c.steps)))
    return labelled


def loop_config(**chosen):
    return ActiveLearningConfig(**{"rounds": 50, **chosen})


def run(size, budget, settings=loop_config(batch_size=10, seed_size=10), executions=None, start=0, oracle=None):
    oracle = oracle or CountingOracle()
    loop = ActiveLoop(pool(size), FeatureLearner(), oracle, labeller, settings, Budget.parse(budget))
    return loop.run(executions, start), oracle


def test_fraction_budget_is_never_exceeded():
    result, oracle = run(200, "0.2")
    assert len(oracle.seen) <= 40
    assert len(result.executions) == len(oracle.seen)


def test_seed_round_is_random_and_of_the_configured_size():
    result, _ = run(200, "0.2")
    assert len(result.rounds[0].selected) == 10


def test_confident_learner_stops_early_only_when_asked_to():
    asked = loop_config(batch_size=20, seed_size=60, thresholds="absolute", stop_when_certain=True)
    result, oracle = run(200, "0.9", asked)
    assert result.stopped == "nothing uncertain"
    assert len(oracle.seen) < 180


def test_budget_is_spent_in_full_even_when_nothing_is_uncertain():
    result, oracle = run(200, "0.9", loop_config(batch_size=20, seed_size=60, thresholds="absolute", rounds=5))
    assert len(oracle.seen) == 180
    assert any(r.metrics["filled"] > 0 for r in result.rounds[1:])


def test_each_round_logs_the_uncertain_share_and_the_spreads():
    result, _ = run(200, "0.5", loop_config(batch_size=20, seed_size=20, uncertain_share=0.25, rounds=4))
    logged = result.rounds[1].metrics
    assert 0.125 <= logged["uncertain_share"] <= 0.25  # the union of two tests that take 12.5% each
    assert len(logged["score_p10_50_90"]) == 3 and len(logged["uncertainty_p10_50_90"]) == 3


def test_resume_executes_nothing_twice_and_respects_the_budget():
    first, oracle = run(200, "0.1", loop_config(batch_size=10, seed_size=10, rounds=2))
    assert len(first.executions) == 20
    second, _ = run(200, "0.2", executions=first.executions, start=2, oracle=oracle)
    assert len(second.executions) <= 40 and len(oracle.seen) == len(second.executions)


def test_stream_mode_walks_the_pool_in_batches():
    settings = loop_config(batch_size=25, seed_size=10, mode="stream")
    result, oracle = run(200, "0.5", settings)
    assert all(r.considered <= 25 for r in result.rounds[1:])


def test_cpu_second_budget_stops_the_loop():
    result, oracle = run(200, "cpu:25")
    assert result.stopped == "budget" and len(oracle.seen) <= 30


@pytest.mark.parametrize("text, limit", [("0.2", 20), ("1.0", 100), ("30", 30), ("1", 1), ("cpu:5", 100)])
def test_budget_parsing(text, limit):
    assert Budget.parse(text).limit(100) == limit


@pytest.mark.parametrize("text", ["-1", "lots", "cpu:0"])
def test_bad_budgets_are_input_errors(text):
    with pytest.raises(InputError):
        Budget.parse(text)


# -- kill mid-round, resume, compare with a clean run ----------------------------------------------------------
class Killed(BaseException):
    """Stands for a kill -9 arriving while the harness executes a round."""


class StoredOracle:
    """Verdicts persist across runs like the store's; ``kill_after`` stops the run after that many executions."""

    def __init__(self, store: dict, kill_after: int | None = None):
        self.store, self.kill_after, self.ran = store, kill_after, []

    def __call__(self, candidates):
        for c in candidates:
            if c.id not in self.store:
                if self.kill_after is not None and len(self.ran) == self.kill_after:
                    raise Killed
                assert c.id not in self.ran
                self.ran.append(c.id)
                self.store[c.id] = _verdict(c)
        return {c.id: self.store[c.id] for c in candidates}


def _verdict(c):
    return Execution(c.id, Outcome.KILLED if c.features["x"] % 2 else Outcome.SURVIVED, cpu_seconds=1.0)


def _resumable_run(oracle, rounds_log: dict, recorded=None):
    settings = loop_config(batch_size=7, seed_size=9, rounds=6)
    loop = ActiveLoop(pool(120), FeatureLearner(), oracle, labeller, settings, Budget.parse("0.4"),
                      on_round=lambda log: rounds_log.__setitem__(log.round, ("done", log.selected)),
                      on_selected=lambda r, ids: rounds_log.__setitem__(r, ("selected", tuple(ids))))
    return loop.run(recorded=recorded)


@pytest.mark.parametrize("kill_after", [3, 12, 20])
def test_kill_mid_round_then_resume_matches_a_clean_run(kill_after):
    clean_log: dict = {}
    clean = _resumable_run(StoredOracle({}), clean_log)

    verdicts, log = {}, {}
    with pytest.raises(Killed):
        _resumable_run(StoredOracle(verdicts, kill_after), log)
    assert any(state == "selected" for state, _ in log.values()), "the kill came between rounds: nothing proved"
    first_ran = set(verdicts)
    resumed_oracle = StoredOracle(verdicts)
    resumed = _resumable_run(resumed_oracle, log, recorded={r: list(ids) for r, (_, ids) in log.items()})

    assert not first_ran & set(resumed_oracle.ran)  # nothing executed twice
    assert set(resumed.executions) == set(clean.executions)
    assert log == clean_log  # every round completed, with the clean run's selections
    assert [r.selected for r in resumed.rounds] == [r.selected for r in clean.rounds]

def test_goal_gaps_executes_the_likeliest_survivors_with_a_uniform_floor():
    from bugprm.active.loop import for_goal

    settings = for_goal(loop_config(goal="gaps"))
    assert (settings.strategy, settings.uniform_floor, settings.batch_size) == ("survivors", 0.2, 16)
    result, oracle = run(200, "0.5", loop_config(batch_size=20, seed_size=20, goal="gaps", rounds=5))
    later = [i for r in result.rounds[2:] for i in r.selected]
    survived = [i for i in later if result.executions[i].outcome is Outcome.SURVIVED]
    assert len(survived) / len(later) > 0.6  # half the pool survives; the floor draws a fifth at random


class ThreeFatesOracle(CountingOracle):
    """Killed, incompetent or survived by x mod 3: two in three are not killed, one in three is a test gap."""

    def __call__(self, candidates):
        fates = (Outcome.KILLED, Outcome.INCOMPETENT, Outcome.SURVIVED)
        super().__call__(candidates)
        return {c.id: Execution(c.id, fates[c.features["x"] % 3], cpu_seconds=1.0) for c in candidates}


def test_goal_gaps_searches_for_survivors_not_for_everything_not_killed():
    """Mutation: the gaps target counts incompetent candidates as gaps (it searched for "not killed", issue 15)."""
    settings = loop_config(batch_size=20, seed_size=20, goal="gaps", rounds=5)
    loop = ActiveLoop(pool(210), FeatureLearner(), ThreeFatesOracle(), labeller, settings, Budget.parse("0.5"))
    result = loop.run()
    later = [result.executions[i].outcome for r in result.rounds[2:] for i in r.selected]
    assert later.count(Outcome.SURVIVED) > 3 * later.count(Outcome.INCOMPETENT)
    final = {c.id: c.steps[-1].label for c in loop.labelled()}  # the final model still learns the kills
    assert {final[i] for i, e in result.executions.items() if e.outcome is Outcome.INCOMPETENT} == {0}


def test_unknown_goal_is_a_config_error():
    from bugprm.config import Config, with_overrides
    from bugprm.errors import ConfigError

    with pytest.raises(ConfigError, match="active_learning.goal must be one of rank, gaps"):
        with_overrides(Config(), {"active_learning.goal": "everything"})


def test_the_round_line_says_how_many_were_uncertain():
    from rich.console import Console

    from bugprm.active.loop import RoundLog
    from bugprm.report.console import print_round

    console = Console(record=True, width=200)
    metrics = {"uncertain": 30, "uncertain_share": 0.3, "uncertainty_p10_50_90": [0.01, 0.02, 0.03]}
    print_round(RoundLog(1, ("a",), 100, 5, 3, 1.0, metrics), console)
    assert "uncertain 30 (30%), head spread 0.010/0.020/0.030" in console.export_text()

def seed_round(settings, size=200):
    settings = loop_config(**{**settings.__dict__, "rounds": 1})
    loop = ActiveLoop(pool(size), FeatureLearner(), CountingOracle(), labeller, settings, Budget.parse("0.5"))
    return loop.run().rounds[0].selected


def test_the_seed_set_has_the_configured_size_not_the_default():
    """Mutation: ``seed_count`` ignoring ``seed_size`` (the default on 200 candidates is 10)."""
    assert len(seed_round(loop_config(seed_size=7, batch_size=10))) == 7
    assert len(seed_round(loop_config(seed_size=0, batch_size=10))) == 10
    assert len(seed_round(loop_config(seed_size=0, batch_size=10), size=1000)) == 50


def test_the_seed_set_is_a_seeded_random_draw_not_the_first_candidates():
    """Mutation: the seed set taken as the first N of the pool."""
    first = seed_round(loop_config(seed_size=10, seed=1))
    assert first == seed_round(loop_config(seed_size=10, seed=1))
    assert first != seed_round(loop_config(seed_size=10, seed=2))
    assert set(first) != {f"c{i:03d}" for i in range(10)}
    assert max(int(i[1:]) for i in first) > 50  # ten picks of 200 all below 50: chance (1/4)^10


def test_a_resumed_run_starts_at_its_round_and_runs_only_the_rounds_left():
    """Mutation: ``run`` ignoring ``start_round`` (a resumed run would start again at round 0)."""
    settings = loop_config(batch_size=5, seed_size=5, rounds=4)
    loop = ActiveLoop(pool(200), FeatureLearner(), CountingOracle(), labeller, settings, Budget.parse("0.9"))
    resumed = loop.run(None, start_round=2)
    assert [r.round for r in resumed.rounds] == [2, 3]


class InfraOnOddOracle(CountingOracle):
    """The harness fails (``infra_error``) on candidates with odd x: those have no verdict to learn from."""

    def __call__(self, candidates):
        verdicts = super().__call__(candidates)
        return {i: Execution(i, Outcome.INFRA_ERROR) if c.features["x"] % 2 else verdicts[i]
                for c in candidates for i in [c.id]}


class RecordingLearner(FeatureLearner):
    def __init__(self):
        super().__init__()
        self.trained_on = set()

    def fit(self, labelled):
        self.trained_on |= {c.id for c in labelled}
        return super().fit(labelled)


def test_an_infra_error_is_no_label_inside_the_loop():
    """Mutation: ``infra_error`` counted as labelled (its candidate would reach the learner with no labels)."""
    learner, oracle = RecordingLearner(), InfraOnOddOracle()
    settings = loop_config(batch_size=10, seed_size=10, rounds=5)
    loop = ActiveLoop(pool(200), learner, oracle, labeller, settings, Budget.parse("0.5"))
    result = loop.run()
    infra = {i for i, e in result.executions.items() if e.outcome is Outcome.INFRA_ERROR}
    assert infra and learner.trained_on  # the test proved something: both kinds were met
    assert not infra & learner.trained_on
    assert not infra & {c.id for c in loop.labelled()}


class PassesLearner(FeatureLearner):
    def __init__(self):
        super().__init__()
        self.passes = set()

    def predict(self, candidates, mc_passes=0):
        self.passes.add(mc_passes)
        found = super().predict(candidates, mc_passes)
        return [replace(p, mc_variance=p.per_head.var(axis=0)) for p in found] if mc_passes else found


@pytest.mark.parametrize("strategy, passes", [("actprm", 0), ("entropy", 0), ("mc-dropout", 4), ("composite", 4)])
def test_only_the_strategies_that_read_dropout_ask_the_learner_for_passes(strategy, passes):
    learner = PassesLearner()
    settings = loop_config(batch_size=5, seed_size=5, rounds=2, strategy=strategy, mc_passes=4)
    ActiveLoop(pool(40), learner, CountingOracle(), labeller, settings, Budget.parse("15")).run()
    assert learner.passes == {passes}


def test_a_round_log_keeps_its_rate_and_cpu_seconds_to_the_millisecond():
    from bugprm.active.loop import RoundLog

    assert RoundLog(0, ("a", "b"), 8, 2, 0, 0.0).selection_rate == 0.25
    assert RoundLog(0, (), 0, 0, 0, 0.0).selection_rate == 0.0

    class CostlyOracle(CountingOracle):
        def __call__(self, candidates):
            return {i: replace(e, cpu_seconds=0.1234) for i, e in super().__call__(candidates).items()}

    logs = []
    settings = loop_config(batch_size=5, seed_size=5, rounds=2)
    ActiveLoop(pool(40), FeatureLearner(), CostlyOracle(), labeller, settings, Budget.parse("10"),
               on_round=logs.append).run()
    assert logs[0].cpu_seconds == round(5 * 0.1234, 3) and logs[0].selection_rate == 5 / logs[0].considered


def test_a_candidate_covered_by_one_test_is_in_the_covered_stratum():
    from bugprm.active.seeding import stratum

    once, never = (pool(1)[0].__class__(**{**pool(1)[0].__dict__, "features": {"covering_tests": n}}) for n in (1, 0))
    assert stratum(once)[0] is False and stratum(never)[0] is True


def test_goal_estimate_draws_its_budget_and_executes_each_candidate_once():
    from bugprm.active.estimate_loop import EstimatingLoop

    oracle = CountingOracle()
    loop = EstimatingLoop(pool(200), FeatureLearner(), oracle, labeller, loop_config(goal="estimate", rounds=10),
                          Budget.parse("0.3"))
    result = loop.run()
    found = loop.estimate(0.95)
    assert found.draws == len(loop.draws) == 60 and found.executed == len(result.executions) <= 60
    assert len({d.round for d in loop.draws}) == 4  # the seed round, then at most ROUNDS - 1 model rounds
    assert found.low <= found.value <= found.high
    assert all(log.metrics["draws"] and log.metrics["pool"] == 200 for log in result.rounds)


def covered_pool(size):
    """Every fifth candidate is on a line no test runs."""
    return [replace(c, features={**c.features, "line_covered": int(i % 5 != 0)}) for i, c in enumerate(pool(size))]


class CoverageOracle(CountingOracle):
    def __call__(self, candidates):
        found = super().__call__(candidates)
        return {c.id: Execution(c.id, Outcome.NO_COVERAGE) if not c.features["line_covered"] else found[c.id]
                for c in candidates}


@pytest.mark.parametrize("goal", ["gaps", "estimate"])
def test_uncovered_candidates_are_known_for_free_and_the_budget_goes_to_covered_ones(goal):
    from bugprm.active.run import loop_for

    settings = loop_config(batch_size=10, seed_size=10, goal=goal, rounds=4)
    candidates, learner = covered_pool(200), RecordingLearner()
    loop = loop_for(settings)(candidates, learner, CoverageOracle(), labeller, settings, Budget.parse("40"))
    result = loop.run()

    uncovered = {c.id for c in candidates if not c.features["line_covered"]}
    chosen = [i for r in result.rounds for i in r.selected]
    assert uncovered <= set(result.executions) and not uncovered & set(chosen)
    assert len(set(chosen)) == 40 or goal == "estimate" and 30 <= len(set(chosen)) <= 40  # draws may repeat
    assert learner.trained_on and not learner.trained_on & uncovered
    assert result.rounds[0].metrics["known_by_coverage"] == sorted(uncovered)


def test_goal_rank_spends_its_budget_on_uncovered_candidates_too():
    settings = loop_config(batch_size=10, seed_size=10, rounds=4)
    result = ActiveLoop(covered_pool(200), FeatureLearner(), CoverageOracle(), labeller, settings,
                        Budget.parse("40")).run()
    assert len(result.executions) == 40 and "known_by_coverage" not in result.rounds[0].metrics

class InfraOnZero(CountingOracle):
    """As CountingOracle, but the harness fails on candidates whose x is 0 (no verdict)."""

    def __call__(self, candidates):
        found = super().__call__(candidates)
        return {i: Execution(i, Outcome.INFRA_ERROR) if c.features["x"] == 0 else found[i]
                for i, c in zip(found, candidates)}


def estimating(monkeypatch, budget="0.3", **chosen):
    """An EstimatingLoop over 200 candidates whose model rounds' draw_round calls are recorded."""
    from bugprm.active import estimate_loop

    calls = []
    real = estimate_loop.draw_round

    def recording(ids, predicted, verdicts, count, rng, floor, round_index):
        calls.append({"predicted": predicted, "verdicts": dict(verdicts), "count": count, "floor": floor})
        return real(ids, predicted, verdicts, count, rng, floor, round_index)

    monkeypatch.setattr(estimate_loop, "draw_round", recording)
    loop = estimate_loop.EstimatingLoop(pool(200), FeatureLearner(), InfraOnZero(), labeller,
                                        loop_config(goal="estimate", **{"rounds": 10, **chosen}),
                                        Budget.parse(budget))
    return loop, loop.run(), calls


def drawn_per_round(loop):
    return [sum(d.round == r for d in loop.draws) for r in sorted({d.round for d in loop.draws})]


def test_goal_estimate_seeds_with_a_quarter_of_the_draws_and_spreads_the_rest_over_its_rounds(monkeypatch):
    loop, result, calls = estimating(monkeypatch)
    assert drawn_per_round(loop) == [15, 15, 15, 15] and [c["count"] for c in calls] == [15, 15, 15]
    assert result.stopped == "budget" and len(result.rounds) == 4
    assert result.rounds[0].metrics["seed_set"] == 15 and result.rounds[0].metrics["seed_selection"] == "uniform draws"
    loop, result, _ = estimating(monkeypatch, rounds=2)
    assert drawn_per_round(loop) == [15, 45] and result.stopped == "rounds"


def test_goal_estimate_takes_the_configured_seed_size_and_uniform_floor(monkeypatch):
    loop, result, calls = estimating(monkeypatch, seed_size=24, uniform_floor=0.5)
    assert drawn_per_round(loop) == [24, 12, 12, 12]
    assert {c["floor"] for c in calls} == {0.5} and result.rounds[1].metrics["uniform_floor"] == 0.5
    _, result, calls = estimating(monkeypatch)
    assert {c["floor"] for c in calls} == {0.2} and result.rounds[-1].metrics["uniform_floor"] == 0.2


def test_goal_estimate_draws_by_the_fitted_models_weakest_step_and_the_verdicts_so_far(monkeypatch):
    loop, result, calls = estimating(monkeypatch)
    first = calls[0]
    executed = set(result.rounds[0].selected)
    assert set(first["verdicts"]) == {i for i in executed if int(i[1:]) % 7}  # infra errors have no verdict
    by_x = {x: [v for i, v in first["verdicts"].items() if int(i[1:]) % 7 == x] for x in range(7)}
    spread = {x: 0.3 if len(v) < 3 else 0.0 for x, v in by_x.items()}
    fitted = {x: np.mean(v) if v else 0.5 for x, v in by_x.items()}
    heads_mean = {x: np.clip([fitted[x] - spread[x], fitted[x] + spread[x]], 0, 1).mean() for x in range(7)}
    assert first["predicted"] == pytest.approx([min(0.99, heads_mean[i % 7]) for i in range(200)])


def test_goal_estimate_logs_each_rounds_draws_and_executes_only_the_new_ones(monkeypatch):
    from bugprm.active.estimate import draw_rows, estimate

    loop, result, _ = estimating(monkeypatch)
    executed = []
    for log in result.rounds:
        drawn = [d for d in loop.draws if d.round == log.round]
        new = [i for i in dict.fromkeys(d.id for d in drawn) if i not in executed]
        assert log.selected == tuple(new) and log.considered == 200 - len(executed)
        assert log.metrics["draws"] == draw_rows(drawn) and log.metrics["pool"] == 200
        executed += new
    verdicts = loop.verdicts()
    assert set(verdicts) == {i for i in executed if int(i[1:]) % 7} and all(
        verdicts[i] == int(i[1:]) % 7 % 2 for i in verdicts)
    assert loop.estimate(0.9) == estimate(loop.draws, verdicts, 200, 0.9)


def test_a_learner_that_knows_nothing_before_labels_draws_the_seed_set_even_when_asked_for_its_picks():
    result, _ = run(200, "0.2", loop_config(batch_size=10, seed_size=10, seed_selection="learner"))
    first = result.rounds[0].metrics
    assert first["seed_set"] == 10 and first["seed_selection"] == "learner" and "uncertain" not in first


def test_the_model_estimate_counts_verdicts_and_the_weakest_step_of_the_rest_in_pool_mode_only():
    result, _ = run(200, "0.2", loop_config(batch_size=10, seed_size=10, rounds=2))
    first = set(result.rounds[0].selected)
    seen = {i: e for i, e in result.executions.items() if i in first}
    learner = FeatureLearner()
    learner.fit([c for c in labeller(pool(200), seen) if c.id in first])
    predicted = [float(np.min(p.mean)) for p in learner.predict([c for c in pool(200) if c.id not in first])]
    known = [int(e.outcome is Outcome.KILLED) for e in seen.values()]
    assert result.rounds[1].metrics["model_estimate"] == round(float(np.mean(known + predicted)), 4)
    streamed, _ = run(200, "0.2", loop_config(batch_size=10, seed_size=10, rounds=2, mode="stream"))
    assert streamed.rounds[1].metrics["model_estimate"] is None
    nothing = ActiveLoop(pool(3), FeatureLearner(), CountingOracle(), labeller, loop_config(), Budget.parse("1"))
    assert nothing._model_estimate([]) is None
