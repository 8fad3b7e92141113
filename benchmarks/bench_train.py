"""`bugprm train --budget 0.2` against a forest on a random 20%, judged on the candidates train never executed
(issue 5's first bar).

    python benchmarks/bench_train.py TRAINED_REPO TRUTH_REPO [--model DIR] [--seed 0]

TRAINED_REPO: a copy of the package on which `bugprm generate` and `bugprm train --budget 0.2` ran (its store holds
what train executed, its model dir the trained model). TRUTH_REPO: the same package with its whole pool executed
(`bugprm label --all`), whose verdicts are the outcomes of the candidates train left unexecuted. Candidate ids are
content hashes, so the two pools match.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bench_prm_vs_rf import judged_pool

from bugprm.baselines import PmtForest, is_valid_bug
from bugprm.exporting import current_executions
from bugprm.metrics import auroc
from bugprm.store import Store, find_store_directory


def executed_by_train(repo: Path) -> set[str]:
    with Store.open(find_store_directory(None, repo)) as store:
        return set(current_executions(store))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trained", type=Path)
    parser.add_argument("truth", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from bugprm.model import load_model

    candidates, verdicts = judged_pool(args.truth)
    executed = executed_by_train(args.trained)
    unexecuted = [c for c in candidates if c.id not in executed]
    model = load_model(args.model or find_store_directory(None, args.trained) / "model")
    labels = [is_valid_bug(verdicts[c.id]) for c in unexecuted]
    prm = auroc(labels, [min(s.step_mean) for s in model.score(unexecuted)])
    rng = np.random.default_rng(args.seed)
    sample = [candidates[i] for i in rng.choice(len(candidates), size=len(executed), replace=False)]
    forest = PmtForest(seed=args.seed).fit(sample, [is_valid_bug(verdicts[c.id]) for c in sample])
    unseen = [i for i, c in enumerate(unexecuted) if c.id not in {s.id for s in sample}]
    rf = auroc([labels[i] for i in unseen], forest.predict([unexecuted[i] for i in unseen]))
    print(json.dumps({"pool": len(candidates), "executed_by_train": len(executed),
                      "unexecuted_judged": len(unexecuted), "prm_auroc_unexecuted": round(prm, 4),
                      "rf_random_share_auroc": round(rf, 4), "rf_evaluated_on": len(unseen)}))


if __name__ == "__main__":
    main()
