"""The PRM against predictive mutation testing's random forest, on fully executed real pools (issue 4's bars).

    python benchmarks/bench_prm_vs_rf.py STORE_REPO... [--config default] [--fractions 0.5,0.2] [--seed 0]

Each REPO must have a store whose whole pool was executed (`bugprm generate REPO && bugprm label REPO --all`).
Within a project: both models are fitted on the executed labels of a random share of the pool and rank the rest
(valid bug or not) by AUROC. Across projects: fitted on all of one package, scoring another it never saw.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from bugprm.model.pmt_forest import PmtForest, covered_means_killed, is_valid_bug
from bugprm.bench import pools as bench_pools
from bugprm.config import load_config
from bugprm.labels import step_labels
from bugprm.metrics import auroc


def judged_pool(repo: Path):
    """(candidates, verdicts by id) of a fully executed pool, as `bugprm bench` reads it."""
    pool = bench_pools.judged_pool(repo)
    return list(pool.candidates), pool.verdicts


def split(candidates, fraction: float, seed: int):
    order = np.random.default_rng(seed).permutation(len(candidates))
    cut = int(round(fraction * len(candidates)))
    return [candidates[i] for i in order[:cut]], [candidates[i] for i in order[cut:]]


def prm_auroc(config, train, test, executions) -> tuple[float, float, dict]:
    """(the PRM's AUROC, its seconds, the AUROC of each prior its heads read, alone)."""
    from bugprm.active.learner import PrmLearner
    from bugprm.model.examples import from_candidate

    started = time.perf_counter()
    labelled = step_labels(train, {c.id: executions[c.id] for c in train})
    learner = PrmLearner(config, corpus=[s.text for c in train + test for s in c.steps])
    learner.fit(labelled)
    labels = _labels(test, executions)
    scores = [float(np.min(p.mean)) for p in learner.predict(test)]
    examples = [from_candidate(c) for c in test]
    priors = {f"{name}_prior_auroc": round(auroc(labels, prior.log_odds(examples)), 4)
              for name, prior in learner.model.priors.items()}
    return auroc(labels, scores), time.perf_counter() - started, priors


def rf_auroc(train, test, executions, seed: int) -> float:
    forest = PmtForest(seed=seed).fit(train, _labels(train, executions))
    return auroc(_labels(test, executions), forest.predict(test))


def _labels(candidates, executions) -> list[int]:
    return [is_valid_bug(executions[c.id]) for c in candidates]


def within(repo, pools, config, fraction, seed) -> dict:
    candidates, executions = pools[repo]
    train, test = split(candidates, fraction, seed)
    prm, seconds, priors = prm_auroc(config, train, test, executions)
    covered = auroc(_labels(test, executions), covered_means_killed(test))
    return {"split": "within", "repo": repo.name, "fraction": fraction, "train": len(train), "test": len(test),
            "prm_auroc": round(prm, 4), "rf_auroc": round(rf_auroc(train, test, executions, seed), 4),
            "covered_killed_auroc": round(covered, 4), "prm_seconds": round(seconds, 1), **priors}


def across(source, target, pools, config, seed) -> dict:
    train, train_exec = pools[source]
    test, test_exec = pools[target]
    executions = {**train_exec, **test_exec}
    prm, seconds, priors = prm_auroc(config, train, test, executions)
    return {"split": "across", "repo": f"{source.name}->{target.name}", "train": len(train), "test": len(test),
            "prm_auroc": round(prm, 4), "rf_auroc": round(rf_auroc(train, test, executions, seed), 4),
            "prm_seconds": round(seconds, 1), **priors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--config", default="default")
    parser.add_argument("--fractions", default="0.5,0.2")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-across", action="store_true")
    args = parser.parse_args()
    config = load_config(args.config)
    pools = {repo: judged_pool(repo) for repo in args.repos}
    rows = [within(r, pools, config, float(f), args.seed) for r in args.repos for f in args.fractions.split(",")]
    for row in rows:
        print(json.dumps(row), flush=True)
    if not args.no_across:
        for source, target in zip(args.repos, args.repos[1:] + args.repos[:1]):
            print(json.dumps(across(source, target, pools, config, args.seed)), flush=True)


if __name__ == "__main__":
    main()
