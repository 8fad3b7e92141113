"""`bugprm train --budget 0.2` against a forest on a random 20%, judged on the candidates train never executed
(issue 5's first bar).

    python benchmarks/bench_train.py TRAINED_REPO TRUTH_REPO [--model DIR] [--forest-seeds 10]

TRAINED_REPO: a copy of the package on which `bugprm generate` and `bugprm train --budget 0.2` ran (its store holds
what train executed, its model dir the trained model). TRUTH_REPO: the same package with its whole pool executed
(`bugprm label --all`), whose verdicts are the outcomes of the candidates train left unexecuted. Candidate ids are
content hashes, so the two pools match. The forest's AUROC moves by about 0.015 (std) with the share it draws, so
it is averaged over several draws; a forest on exactly the labels train executed tells selection from model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bugprm.model.pmt_forest import PmtForest, is_valid_bug
from bugprm.bench.pools import judged_pool

from bugprm.metrics import auroc
from bugprm.store import Store, find_store_directory


def executed_by_train(repo: Path) -> set[str]:
    with Store.open(find_store_directory(None, repo)) as store:
        return set(store.verdicts())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trained", type=Path)
    parser.add_argument("truth", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--forest-seeds", type=int, default=10, help="random shares the forest is averaged over")
    args = parser.parse_args()
    from bugprm.model import load_model

    pool = judged_pool(args.truth)
    candidates, verdicts = list(pool.candidates), pool.verdicts
    executed = executed_by_train(args.trained)
    unexecuted = [c for c in candidates if c.id not in executed]
    model = load_model(args.model or find_store_directory(None, args.trained) / "model")
    prm = auroc(_outcomes(unexecuted, verdicts), [min(s.step_mean) for s in model.score(unexecuted)])
    same = [c for c in candidates if c.id in executed]
    forests = [random_share_forest(candidates, verdicts, unexecuted, len(executed), seed)
               for seed in range(args.forest_seeds)]
    print(json.dumps({"pool": len(candidates), "executed_by_train": len(executed),
                      "unexecuted_judged": len(unexecuted), "prm_auroc_unexecuted": round(prm, 4),
                      "rf_same_labels_auroc": round(forest_auroc(same, verdicts, unexecuted, 0), 4),
                      "rf_random_share_auroc_mean": round(float(np.mean(forests)), 4),
                      "rf_random_share_auroc_std": round(float(np.std(forests)), 4),
                      "rf_random_share_auroc": [round(a, 4) for a in forests]}))


def random_share_forest(candidates, verdicts, unexecuted, size: int, seed: int) -> float:
    """A forest on a random share of the pool, judged on the candidates neither it nor train saw."""
    rng = np.random.default_rng(seed)
    sample = [candidates[i] for i in rng.choice(len(candidates), size=size, replace=False)]
    seen = {c.id for c in sample}
    return forest_auroc(sample, verdicts, [c for c in unexecuted if c.id not in seen], seed)


def forest_auroc(train, verdicts, test, seed: int) -> float:
    forest = PmtForest(seed=seed).fit(train, _outcomes(train, verdicts))
    return auroc(_outcomes(test, verdicts), forest.predict(test))


def _outcomes(candidates, verdicts) -> list[int]:
    return [is_valid_bug(verdicts[c.id]) for c in candidates]


if __name__ == "__main__":
    main()
