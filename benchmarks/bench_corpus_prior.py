"""What other projects' labels add: the PRM with a corpus prior against the PMT forest, at equal labels.

    python benchmarks/bench_corpus_prior.py STORE_REPO... [--config default] [--fraction 0.2] [--seeds 3]

Each REPO's store holds its whole pool executed. For each REPO in turn a corpus model is fitted on the labels of all
the others (`bugprm fit --store A --with-store B ...` with a one-step config: only its text prior is read), so the
package measured is never in its own corpus. Then, for each seed, a random share of REPO's pool is labelled and
three models rank the rest: the PMT forest, the PRM as configured, and the same PRM reading the corpus prior.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from bugprm.model.pmt_forest import PmtForest, is_valid_bug
from bugprm.bench.pools import judged_pool
from bugprm.config import load_config, with_corpus_prior, with_overrides
from bugprm.labels import step_labels
from bugprm.metrics import auroc
from bugprm.store import Store, find_store_directory

ONE_STEP = {"training": {"max_steps": 1, "epochs": 1}}


def corpus_model(others: list[Path], out: Path) -> Path:
    from bugprm.model.fitting import fit_store

    stores = [Store.open(find_store_directory(None, repo)) for repo in others]
    try:
        fit_store(stores[0], with_overrides(load_config("tiny"), ONE_STEP), out, extra_stores=stores[1:])
    finally:
        for store in stores:
            store.close()
    return out


def three_ways(config, corpus: Path, candidates, verdicts, fraction: float, seed: int) -> tuple[float, ...]:
    from bugprm.model.fitting import fit

    picked = set(np.random.default_rng(seed).choice(len(candidates), size=round(fraction * len(candidates)),
                                                     replace=False).tolist())
    labelled = [c for i, c in enumerate(candidates) if i in picked]
    rest = [c for i, c in enumerate(candidates) if i not in picked]
    truth = [is_valid_bug(verdicts[c.id]) for c in rest]
    forest = PmtForest(seed=seed).fit(labelled, [is_valid_bug(verdicts[c.id]) for c in labelled])
    found = [auroc(truth, forest.predict(rest))]
    trajectories = step_labels(labelled, {c.id: verdicts[c.id] for c in labelled})
    for setting in (config, with_corpus_prior(config, corpus)):
        model = fit(trajectories, setting)
        found.append(auroc(truth, [min(s.step_mean) for s in model.score(rest)]))
    return tuple(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--config", default="default")
    parser.add_argument("--fraction", type=float, default=0.2)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    config = load_config(args.config)
    print("| package | seed | PMT forest | PRM | PRM + corpus prior |\n|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        for repo in args.repos:
            corpus = corpus_model([r for r in args.repos if r != repo], Path(scratch) / repo.name)
            pool = judged_pool(repo)
            candidates, verdicts = list(pool.candidates), pool.verdicts
            rows = [three_ways(config, corpus, candidates, verdicts, args.fraction, s) for s in range(args.seeds)]
            for seed, row in enumerate(rows):
                print(f"| {repo.name} | {seed} | " + " | ".join(f"{a:.3f}" for a in row) + " |", flush=True)
            print(f"| {repo.name} | mean | " + " | ".join(f"{a:.3f}" for a in np.mean(rows, axis=0)) + " |")


if __name__ == "__main__":
    main()
