"""Does a selection rule beat random selection when the learner is cheap enough to run many seeds?

    python benchmarks/bench_selection.py STORE_REPO... [--budget 0.2] [--seeds 3] [--strategies actprm,random,...]

The real ActiveLoop (`bugprm train`'s rounds, seed set, strategies and samplings) drives a stand-in learner: the two
priors under the PRM's heads, stacked: a PMT forest split into five sub-forests (the heads, so head disagreement
means something) and a logistic regression on hashed token 1-3-grams of the step texts. A point costs seconds
instead of minutes, so the question "is it the selection or the PRM?" gets many seeds on several packages. The
verdicts come from each store's fully executed pool (as `bugprm bench` reads them); each seed holds out 30%.
Variants are STRATEGY or STRATEGY:SAMPLING (actprm:top, actprm:proportional...).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from bugprm.config import Budget, load_config
from bugprm.active.loop import ActiveLoop
from bugprm.active.strategies import Prediction
from bugprm.model.pmt_forest import PmtForest
from bugprm.bench.oracle import CachedOracle
from bugprm.bench.pools import judged_pool
from bugprm.bench.splits import within_split
from bugprm.model.pmt_forest import is_valid_bug
from bugprm.labels import step_labels
from bugprm.metrics import auroc

HEADS = 5


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


class StackLearner:
    """Forest sub-ensembles (heads) averaged in log-odds with a linear n-gram model of the trajectory's text."""

    def __init__(self, seed: int):
        self.seed, self.forests, self.text = seed, [], None

    def fit(self, labelled) -> dict:
        outcomes = [0 if 0 in [s.label for s in c.steps] else 1 for c in labelled]
        self.forests = [PmtForest(seed=self.seed + k, trees=40).fit(labelled, outcomes) for k in range(HEADS)]
        self.text = _text_model(labelled, outcomes)
        return {"trained_on": len(labelled)}

    def predict(self, candidates, mc_passes: int = 0) -> list[Prediction]:
        text = self.text.predict_proba(_texts(candidates))[:, 1] if self.text else np.full(len(candidates), 0.5)
        heads = np.stack([1 / (1 + np.exp(-(_logit(f.predict(candidates)) + _logit(text)) / 2))
                          for f in self.forests])
        steps = len(candidates[0].steps) if candidates else 0
        return [Prediction(c.id, np.repeat(heads[:, [i]], steps, axis=1)) for i, c in enumerate(candidates)]


def _texts(candidates) -> list[str]:
    return ["\n".join(s.text for s in c.steps) for c in candidates]


def _text_model(labelled, outcomes):
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    if len(set(outcomes)) < 2:
        return None
    hashing = HashingVectorizer(ngram_range=(1, 3), n_features=2 ** 18, alternate_sign=False,
                                token_pattern=r"\w+|[^\w\s]")
    model = make_pipeline(hashing, TfidfTransformer(sublinear_tf=True),
                          LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced"))
    return model.fit(_texts(labelled), outcomes)


def held_out_auroc(variant: str, split, budget: float, config) -> float:
    strategy, _, sampling = variant.partition(":")
    settings = replace(config.active_learning, strategy=strategy, seed=split.seed,
                       sampling=sampling or config.active_learning.sampling)
    learner, pool = StackLearner(split.seed), list(split.train)
    loop = ActiveLoop(pool, learner, CachedOracle(split.verdicts), step_labels, settings, Budget(fraction=budget))
    loop.run()
    learner.fit(loop.labelled())
    test = list(split.test)
    scores = [p.mean.min() for p in learner.predict(test)]
    return auroc([is_valid_bug(split.verdicts[c.id]) for c in test], scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--budget", type=float, default=0.2)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--strategies", default="random,actprm,actprm:proportional,committee")
    parser.add_argument("--config", default="tiny", help="whose active_learning section (rounds, seed set) to use")
    args = parser.parse_args()
    config, variants = load_config(args.config), args.strategies.split(",")
    print(f"| package | {' | '.join(variants)} |\n|---|{'---:|' * len(variants)}")
    for repo in args.repos:
        pool = judged_pool(repo)
        results = {v: [held_out_auroc(v, within_split(pool, 0.3, s), args.budget, config) for s in range(args.seeds)]
                   for v in variants}
        cells = [f"{np.mean(r):.3f} ± {np.std(r):.3f}" for r in results.values()]
        print(f"| {pool.name} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
