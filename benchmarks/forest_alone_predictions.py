"""The base model's forest prior alone, leave-packages-out, as a predictions file ``bench_base_model.py
--from-predictions`` reads: minutes where the whole model takes an hour on a loaded machine.

    python benchmarks/forest_alone_predictions.py --verdicts DIR --work DIR --out FILE.jsonl.gz [--drop FEATURE ...]
        [--seeds N,N,...] [--import-contexts]
    python benchmarks/bench_base_model.py --from-predictions FILE.jsonl.gz --tuning ...

The same packages, folds (``package_folds``) and forest (its trees, leaf size and seed) as ``train_base``; each
package's ``raw`` score is the forest's probability from the fold that left it out. ``--drop`` removes a feature before fitting, to
measure what it adds. ``--seeds`` fits one forest per seed instead of the preset's one (the pools are rebuilt once),
each written to ``--out`` with ``-seedN`` before its suffix: two feature sets compared seed by seed share each forest's
randomness. ``--import-contexts`` gives the candidates ``collection_line`` and ``startup_line`` (off by default, as
everywhere: BENCHMARKS.md, ctx21).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from bugprm.config import load_config
from bugprm.corpus_build.base import BASE_PRESET, BaseRequest, rebuilt_packages
from bugprm.model.base_training import FOLDS, FOREST_MIN_LEAF, FOREST_TREES, package_folds
from bugprm.model.examples import from_candidate
from bugprm.model.prior import ForestPrior


def main() -> None:
    args = _arguments()
    request = BaseRequest(Path("/nonexistent"), args.verdicts, args.work, import_contexts=args.import_contexts)
    rebuilt = rebuilt_packages(request, print)
    packages = {p.name: [_without(from_candidate(c), args.drop) for c in p.candidates] for p in rebuilt}
    folds = package_folds({name: len(found) for name, found in packages.items()}, FOLDS)
    if args.seeds is None:
        _write_folds(args.out, rebuilt, packages, folds, load_config(BASE_PRESET).training.seed)
    for seed in args.seeds or ():
        _write_folds(_seeded(args.out, seed), rebuilt, packages, folds, seed)


def _write_folds(path: Path, rebuilt, packages: dict, folds: list, seed: int) -> None:
    with gzip.open(path, "wt") as out:
        for i, fold in enumerate(folds):
            train = [e for n in packages if n not in fold for e in packages[n]]
            forest = ForestPrior.fit(train, [e.trajectory_label for e in train], seed, FOREST_TREES, FOREST_MIN_LEAF)
            for p in (p for p in rebuilt if p.name in fold):
                probabilities = forest.probability(packages[p.name]).tolist()
                out.writelines(json.dumps(_row(p, c, i, q)) + "\n" for c, q in zip(p.candidates, probabilities))
            print(f"seed {seed}, fold {i + 1}/{len(folds)}: {', '.join(fold)}", flush=True)


def _seeded(path: Path, seed: int) -> Path:
    name = path.name.removesuffix(".jsonl.gz")
    return path.with_name(f"{name}-seed{seed}.jsonl.gz")


def _without(example, dropped: list[str]):
    for name in dropped:
        example.features.pop(name, None)
    return example


def _row(package, candidate, fold: int, probability: float) -> dict:
    return {"id": candidate.id, "package": package.name, "fold": fold, "outcome": str(package.outcomes[candidate.id]),
            "operator": candidate.operator, "family": candidate.family, "file": candidate.file, "raw": probability,
            "features": candidate.features}


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--drop", action="append", default=[])
    parser.add_argument("--import-contexts", action="store_true",
                        help="candidates with collection_line and startup_line (off by default)")
    parser.add_argument("--seeds", type=lambda v: [int(s) for s in v.split(",")], default=None,
                        help="one forest per seed, each to its own file (default: the base preset's seed, to --out)")
    return parser.parse_args()


if __name__ == "__main__":
    main()
