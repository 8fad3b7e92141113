"""One simulated run per strategy: the active loop (any selection strategy) or a baseline, on one split.

Every run asks the cached oracle for the verdicts it uses, so its cost is counted the same way for all of them.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from bugprm.config import ActiveLearningConfig, Budget, Config, with_overrides
from bugprm.active.coverage_known import known_uncovered
from bugprm.active.learners import loop_learner, prm_learner
from bugprm.active.loop import ActiveLoop, seed_count
from bugprm.active.neighbours import line_verdicts_else
from bugprm.active.settings import loop_settings
from bugprm.model.pmt_forest import PmtForest, covered_means_killed, is_valid_bug
from bugprm.bench.evaluation import RunResult
from bugprm.bench.oracle import CachedOracle
from bugprm.bench.splits import Split
from bugprm.labels import step_labels
from bugprm.metrics import aggregate
from bugprm.records import Candidate

UNINFORMED = 0.5  # the score of a model that saw no label: it ranks nothing


def run_strategy(strategy: str, split: Split, budget: float, config: Config) -> RunResult:
    if strategy == "full":
        return run_full(split, config)
    if strategy == "pmt-rf":
        return run_forest(split, budget)
    if strategy == "covered-killed":
        return run_covered_killed(split)
    if strategy == "same-line":
        return run_same_line(split, budget)
    if strategy == "coverage-random":
        return run_coverage_random(split, budget)
    if strategy == "estimate":
        return run_estimate(split, budget, config)
    return run_active(strategy, split, budget, config)


def run_active(strategy: str, split: Split, budget: float, config: Config) -> RunResult:
    """The ActiveLoop as `bugprm train` runs it, with the cache as oracle, then a fresh fit on every label."""
    oracle, pool, limit = CachedOracle(split.verdicts), list(split.train), Budget(fraction=budget)
    goal = "gaps" if strategy == "survivors" else None  # the survivors strategy is what `--goal gaps` runs
    settings = spending_settings(loop_settings(config.active_learning, strategy=strategy, seed=split.seed, goal=goal),
                                 limit.limit(len(pool)), len(pool))
    loop = ActiveLoop(pool, _loop_learner(config, settings, split), oracle, step_labels, settings, limit)
    result = loop.run()
    final = _final_learner(config, settings, split)
    run = _prm_result(final, loop.labelled(), split, tuple(result.executions), oracle.cpu_seconds)
    return replace(run, rounds=tuple(r.metrics for r in result.rounds))


def run_estimate(split: Split, budget: float, config: Config) -> RunResult:
    """`--goal estimate`: draws with known probabilities, the design-unbiased estimate, then a fresh fit."""
    from bugprm.active.estimate import CONFIDENCE

    loop, result, oracle = estimating_run(split, budget, config)
    found, settings = loop.estimate(CONFIDENCE), loop.settings
    run = _prm_result(_final_learner(config, settings, split), loop.labelled(), split, tuple(result.executions),
                      oracle.cpu_seconds)
    return replace(run, rounds=tuple(r.metrics for r in result.rounds), estimate=found and found.as_dict())


def estimating_run(split: Split, budget: float, config: Config, base=None, warm_first: bool | None = None):
    """The `--goal estimate` loop run on the split's training pool: the loop (its draws), its result, the oracle.
    ``base``: a base model's scorer the loop's learner is stacked on (``WarmLearner``), as `bugprm train` starts
    warm; ``warm_first``: whether that learner draws the first round (``EstimatingLoop``'s default: yes)."""
    from bugprm.active.estimate_loop import EstimatingLoop
    from bugprm.active.warm_learner import WarmLearner

    oracle, pool = CachedOracle(split.verdicts), list(split.train)
    settings = replace(loop_settings(config.active_learning, seed=split.seed), goal="estimate")
    learner = _loop_learner(config, settings, split)
    learner = learner if base is None else WarmLearner(base, learner)
    loop = EstimatingLoop(pool, learner, oracle, step_labels, settings, Budget(fraction=budget), warm_first=warm_first)
    return loop, loop.run(), oracle


def run_full(split: Split, config: Config) -> RunResult:
    """The full-data model: the PRM fitted on every label of the training pool."""
    oracle = CachedOracle(split.verdicts)
    labelled = step_labels(list(split.train), oracle(list(split.train)))
    final = _final_learner(config, config.active_learning, split)
    return _prm_result(final, labelled, split, tuple(oracle.asked), oracle.cpu_seconds)


def run_forest(split: Split, budget: float) -> RunResult:
    """Predictive mutation testing's forest, fitted on a random ``budget`` share of the training pool."""
    oracle, sample = CachedOracle(split.verdicts), random_share(split.train, budget, split.seed)
    if not sample:
        return _uninformed(split, (), 0.0)
    verdicts = oracle(sample)
    unexecuted = _unexecuted(split, verdicts)
    forest = PmtForest(seed=split.seed).fit(sample, [is_valid_bug(verdicts[c.id]) for c in sample])
    scores = dict(zip([c.id for c in unexecuted], forest.predict(unexecuted).tolist()))
    return RunResult(scores, tuple(oracle.asked), oracle.cpu_seconds,
                     estimate=sample_mean([is_valid_bug(verdicts[c.id]) for c in sample], len(split.train)))


def run_coverage_random(split: Split, budget: float) -> RunResult:
    """The random baseline that knows what coverage knows: candidates no test covers counted as their verdict (no
    test runs for them), the budget a random sample of the covered rest; its estimate is the stratified mean."""
    oracle = CachedOracle(split.verdicts)
    uncovered = [c for c in split.train if known_uncovered(c)]
    covered = tuple(c for c in split.train if not known_uncovered(c))
    sample = random_sample(covered, Budget(fraction=budget).limit(len(split.train)), split.seed)
    verdicts = oracle(uncovered + sample)
    if not sample:
        return _uninformed(split, tuple(verdicts), 0.0)
    labels = [is_valid_bug(verdicts[c.id]) for c in sample]
    forest, unexecuted = PmtForest(seed=split.seed).fit(sample, labels), _unexecuted(split, verdicts)
    scores = dict(zip([c.id for c in unexecuted], forest.predict(unexecuted).tolist()))
    known, share = sum(is_valid_bug(verdicts[c.id]) for c in uncovered), len(covered) / len(split.train)
    found = sample_mean(labels, len(covered))
    estimate = {k: known / len(split.train) + share * v for k, v in found.items()}
    return RunResult(scores, tuple(oracle.asked), oracle.cpu_seconds, estimate=estimate)


def run_same_line(split: Split, budget: float) -> RunResult:
    """The neighbour rule: mutants of one line mostly share their fate, so an unexecuted candidate takes the mean
    verdict of the executed ones on its line (of a random ``budget`` share), else the forest's estimate."""
    oracle, sample = CachedOracle(split.verdicts), random_share(split.train, budget, split.seed)
    if not sample:
        return _uninformed(split, (), 0.0)
    verdicts = oracle(sample)
    labels = [is_valid_bug(verdicts[c.id]) for c in sample]
    unexecuted = _unexecuted(split, verdicts)
    estimates = PmtForest(seed=split.seed).fit(sample, labels).predict(unexecuted)
    scores = dict(zip([c.id for c in unexecuted], line_verdicts_else(unexecuted, estimates, sample, labels).tolist()))
    return RunResult(scores, tuple(oracle.asked), oracle.cpu_seconds)


def run_covered_killed(split: Split) -> RunResult:
    """The rule: a covered mutant is killed. Coverage comes with the baseline, so it executes nothing."""
    candidates = list(split.target.candidates)
    return RunResult(dict(zip([c.id for c in candidates], covered_means_killed(candidates).tolist())), (), 0.0)


def random_share(candidates: tuple[Candidate, ...], budget: float, seed: int) -> list[Candidate]:
    return random_sample(candidates, Budget(fraction=budget).limit(len(candidates)), seed)


def random_sample(candidates: tuple[Candidate, ...], size: int, seed: int) -> list[Candidate]:
    picks = np.random.default_rng(seed).choice(len(candidates), size=min(size, len(candidates)), replace=False)
    return [candidates[i] for i in sorted(picks)]


def sample_mean(verdicts: list[int], pool_size: int) -> dict:
    """The plain estimate from a uniform sample without replacement: its mean, with a normal 95% interval (finite
    population corrected): the line `--goal estimate` has to beat."""
    from statistics import NormalDist

    mean, n = float(np.mean(verdicts)), len(verdicts)
    error = math.sqrt(max(np.var(verdicts, ddof=1), 0.0) / n * (1 - n / pool_size)) if n > 1 else float("inf")
    half = NormalDist().inv_cdf(0.975) * error
    return {"value": mean, "low": max(0.0, mean - half), "high": min(1.0, mean + half)}


def spending_settings(settings: ActiveLearningConfig, limit: int, pool_size: int) -> ActiveLearningConfig:
    """In pool mode the batch grows until the configured rounds can spend the whole budget: a point at 50% of a
    large pool must have executed about 50%, not the most that the config's rounds of its batch size reach."""
    if settings.mode != "pool" or settings.rounds < 2:
        return settings
    needed = math.ceil(max(0, limit - seed_count(settings, pool_size)) / (settings.rounds - 1))
    return replace(settings, batch_size=max(settings.batch_size, needed))


def _loop_learner(config: Config, settings: ActiveLearningConfig, split: Split):
    seeded = with_overrides(config, {"training.seed": split.seed})
    return loop_learner(seeded, settings, [s.text for c in split.train for s in c.steps], split.seed)


def _final_learner(config: Config, settings: ActiveLearningConfig, split: Split):
    """What scores the unexecuted candidates at the end: with the ``forest`` learner, its calibrated bagged forests
    refitted on every label (the PRM costs minutes per fit, too many for a bench of seeds); else the PRM."""
    if settings.learner == "forest":
        return _loop_learner(config, settings, split)
    seeded = with_overrides(config, {"training.seed": split.seed})
    return prm_learner(seeded, [s.text for c in split.train for s in c.steps], split.seed)


def _prm_result(learner, labelled: list[Candidate], split: Split, executed: tuple[str, ...],
                cpu_seconds: float) -> RunResult:
    if not labelled:
        return _uninformed(split, executed, cpu_seconds)
    learner.refit(labelled)
    predictions = learner.predict(_unexecuted(split, executed))
    steps = {p.id: p.mean.tolist() for p in predictions}
    return RunResult({i: aggregate(s) for i, s in steps.items()}, executed, cpu_seconds, steps)


def _uninformed(split: Split, executed: tuple[str, ...], cpu_seconds: float) -> RunResult:
    return RunResult({c.id: UNINFORMED for c in _unexecuted(split, executed)}, executed, cpu_seconds)


def _unexecuted(split: Split, executed) -> list[Candidate]:
    return [c for c in split.target.candidates if c.id not in executed]


def forest_size(heads: int | None, trees: int | None) -> None:
    """A smaller bagged forest than the learner's default (16 heads of 20 trees), for a machine too busy to refit
    the default 10 seeds x budgets x rounds times; what a table measured with it says so."""
    from bugprm.active import forest_learner

    if trees:
        forest_learner.TREES_PER_HEAD = trees
    if heads:
        defaults = list(forest_learner.BaggedForestLearner.__init__.__defaults__)
        forest_learner.BaggedForestLearner.__init__.__defaults__ = (defaults[0], heads, *defaults[2:])
