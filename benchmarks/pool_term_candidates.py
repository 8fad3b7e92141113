"""Package-level figures of the baseline run tried as a second pool term of the covered map, without retraining.

    python benchmarks/pool_term_candidates.py PREDICTIONS.jsonl.gz --tuning NAME,... [--verdicts DIR] [--work DIR]
        [--figures NAME,...] [--evaluate FIGURE] [--json FILE]

Reads the out-of-fold scores `bench_base_model.py --predictions` wrote and, per fold as the bench cross-fits them
(stratum maps fitted on the other folds' packages, scores centred by their fold model's level), fits on the other
folds' packages the covered log-odds' move ``shift + slope * (covered share - centre) + b * z`` for the mean
per-package ACE (10 equal-mass bins), ``z`` a figure standardised over those packages; ``none`` and ``share`` (ace19's
pool term) are the references, ``FIGURE alone`` drops the share. Each figure is read from the verdict file (the
suite's one baseline run) and the package's source (regenerated from its pinned sdist under --work), never from the
pool, whose size `bugprm generate --max` sets. Prints the tuning packages' mean ACE only, to choose on; --evaluate
FIGURE then prints the evaluation packages' means for none, share and share+FIGURE with paired 95% intervals.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.optimize import minimize

from bugprm.calibration import adaptive_calibration_error, logit
from bugprm.corpus_build.build import VERDICT_DIR
from bugprm.corpus_build.fetch import default_destination, manifest, unpacked
from bugprm.corpus_build.verdicts import from_ranges
from bugprm.model.base_training import CALIBRATION, LEVEL_PRIOR, centred_by_fold, fold_levels
from bugprm.stratified_calibration import COVERED, fit_stratified, stratum

SIMPLEX_STEPS = (0.3, 1.0, 0.3)  # shift, share slope, figure slope (per standard deviation): the first moves


@dataclass(frozen=True)
class Prediction:
    """One candidate's row of the predictions file, as the fold and level helpers read an example."""

    id: str
    kind: str
    features: dict
    trajectory_label: int


@dataclass(frozen=True)
class Run:
    packages: dict[str, list[Prediction]]
    folds: list[list[str]]
    raw: dict[str, float]
    prior: dict[str, float]  # the level prior's out-of-fold log-odds


@dataclass(frozen=True)
class PackageScores:
    scores: np.ndarray  # calibrated by the maps, before any pool term
    labels: np.ndarray
    covered: np.ndarray
    share: float


@dataclass(frozen=True)
class Term:
    shift: float
    share_slope: float
    figure_slope: float
    centre: float
    mean: float  # the figure's over the training packages
    spread: float

    def moved(self, package: PackageScores, figure: float) -> np.ndarray:
        z = (logit(package.scores[package.covered]) + self.shift + self.share_slope * (package.share - self.centre)
             + self.figure_slope * (figure - self.mean) / self.spread)
        out = package.scores.copy()
        out[package.covered] = 1 / (1 + np.exp(-z))
        return out


def package_figures(document: dict, root: Path) -> dict[str, float]:
    """What the baseline run and the source say of a package's size and suite (statements, lines, tests, ...)."""
    files = document["files"]
    statements = {(f, n) for f in files for n in statement_lines(root / f)}
    by_test = {(f, int(n)): len(from_ranges(r)) for f in files for n, r in document["coverage"].get(f, {}).items()}
    by_test = {line: count for line, count in by_test.items() if count}
    at_import = {(f, int(n)) for f in files for n in document["import_time"].get(f, [])}
    own = {(f, int(n)) for f in files for n in (document.get("self_import") or {}).get(f, [])}
    covered = (set(by_test) | at_import | own) & statements
    assertions = np.array(document["test_assertions"], dtype=float)
    return {"log_statements": np.log(len(statements)),
            "log_source_lines": np.log(sum(len((root / f).read_text(errors="replace").splitlines()) for f in files)),
            "log_tests": np.log(len(document["tests"])),
            "line_coverage": len(covered) / len(statements),
            "log_tests_per_covered": np.log(len(document["tests"]) / max(1, len(covered))),
            "log_assertions_per_test": np.log(assertions.mean()),
            "no_assertion_tests": float((assertions == 0).mean()),
            "import_only_share": len((at_import | own) & statements - set(by_test)) / max(1, len(covered)),
            "own_import_share": len(own & statements) / max(1, len(covered)),
            "log_median_tests_per_line": np.log(np.median(list(by_test.values())))}


def statement_lines(path: Path) -> set[int]:
    return {node.lineno for node in ast.walk(ast.parse(path.read_bytes())) if isinstance(node, ast.stmt)}


def figures_by_package(verdicts: Path, work: Path) -> dict[str, dict[str, float]]:
    found = {}
    for path in sorted(verdicts.glob("*.json.gz")):
        document = json.loads(gzip.open(path).read())
        name = document["package"]["name"]
        found[name] = package_figures(document, unpacked(manifest(name), work / "corpora"))
    return found


def read_run(path: Path) -> Run:
    packages, folds, raw, prior = {}, {}, {}, {}
    with gzip.open(path, "rt") as lines:
        for row in map(json.loads, lines):
            packages.setdefault(row["package"], []).append(
                Prediction(row["id"], "bug", row["features"], int(row["outcome"] == "killed")))
            folds.setdefault(row["fold"], []).append(row["package"])
            raw[row["id"]] = row["raw"]
            prior[row["id"]] = row.get(f"prior_{LEVEL_PRIOR}", 0.0)
    return Run(packages, [sorted(set(folds[k])) for k in sorted(folds)], raw, prior)


def fitted_term(train: dict[str, PackageScores], figures: dict[str, float] | None, with_share: bool) -> Term:
    """The term minimising the mean ACE over ``train``; ``figures`` None: no figure slope."""
    centre = float(np.mean([p.share for p in train.values()]))
    values = list(figures.values()) if figures else [0.0]
    mean, spread = float(np.mean(values)), float(np.std(values)) or 1.0
    free = [i for i, used in enumerate((True, with_share, figures is not None)) if used]

    def term(p) -> Term:
        full = np.zeros(3)
        full[free] = p
        return Term(*full, centre, mean, spread)

    def loss(p) -> float:
        return float(np.mean([adaptive_calibration_error(term(p).moved(package, figures[n] if figures else mean),
                                                         package.labels) for n, package in train.items()]))
    start = np.zeros(len(free))
    simplex = np.vstack([start, np.diag(np.array(SIMPLEX_STEPS)[free])])
    best = minimize(loss, start, method="Nelder-Mead", options={"initial_simplex": simplex, "xatol": 1e-3,
                                                                 "fatol": 1e-6})
    return term(best.x)


def fold_scores(run, fold: list[str], centred: dict[str, float]) -> dict[str, PackageScores]:
    """Every package's scores through the stratum maps fitted on the packages outside ``fold``."""
    strata = {n: np.array([stratum(e.kind, e.features) for e in found]) for n, found in run.packages.items()}
    scores = {n: np.array([centred[e.id] for e in found]) for n, found in run.packages.items()}
    labels = {n: np.array([e.trajectory_label for e in found], dtype=float) for n, found in run.packages.items()}
    others = [n for n in run.packages if n not in fold]
    calibration = fit_stratified(CALIBRATION, *(np.concatenate([d[n] for n in others]) for d in (scores, labels,
                                                                                                   strata)))
    calibration = replace(calibration, level=0.0)  # the scores are centred already
    return {n: PackageScores(calibration(scores[n], strata[n]), labels[n], strata[n] == COVERED,
                             float(np.mean(strata[n] == COVERED))) for n in run.packages}


def cross_fitted_aces(run, figure: str | None, figures: dict, with_share: bool, term: bool) -> dict[str, float]:
    """Package -> ACE with the term fitted on the other folds' packages (``term`` False: the maps alone)."""
    levels = fold_levels(run.folds, run.packages, run.raw, run.prior)
    centred = centred_by_fold(run.folds, run.packages, run.raw, levels)
    aces = {}
    for fold in run.folds:
        packages = fold_scores(run, fold, centred)
        train = {n: p for n, p in packages.items() if n not in fold}
        by_name = {n: figures[n][figure] for n in train} if figure else None
        fit = fitted_term(train, by_name, with_share) if term else None
        for name in fold:
            scores = fit.moved(packages[name], figures[name][figure] if figure else fit.mean) if fit else \
                packages[name].scores
            aces[name] = adaptive_calibration_error(scores, packages[name].labels)
    return aces


def candidates(names: list[str]) -> list[tuple[str, str | None, bool, bool]]:
    """(label, figure, with the share, with a term) for each candidate."""
    return [("none", None, True, False), ("share", None, True, True),
            *[(f"share+{f}", f, True, True) for f in names], *[(f"{f} alone", f, False, True) for f in names]]


def paired(after: dict, before: dict, names: list[str]) -> str:
    d = np.array([after[n] - before[n] for n in names])
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return f"{d.mean():+.4f} [{d.mean() - half:+.4f}, {d.mean() + half:+.4f}], lower on {(d < 0).sum()} of {len(d)}"


def main() -> None:
    args = _arguments()
    run = read_run(args.predictions)
    figures = figures_by_package(args.verdicts, args.work)
    tuning = [n for n in run.packages if n in args.tuning]
    names = args.figures or list(next(iter(figures.values())))
    chosen = [c for c in candidates(names) if not args.evaluate or c[0] in ("none", "share", f"share+{args.evaluate}")]
    results = {"figures": figures, "aces": {}}
    for label, figure, with_share, term in chosen:
        aces = results["aces"][label] = cross_fitted_aces(run, figure, figures, with_share, term)
        print(f"{label:36s} tuning mean ACE {np.mean([aces[n] for n in tuning]):.4f}", flush=True)
    if args.evaluate:
        _report_evaluation(results["aces"], f"share+{args.evaluate}", tuning, run.packages)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float))


def _report_evaluation(aces: dict, label: str, tuning: list[str], packages) -> None:
    evaluation = [n for n in packages if n not in tuning]
    for name in ("none", "share", label):
        print(f"{name:36s} evaluation mean ACE {np.mean([aces[name][n] for n in evaluation]):.4f}")
    for before in ("share", "none"):
        print(f"{label} minus {before}: evaluation {paired(aces[label], aces[before], evaluation)}; "
              f"tuning {paired(aces[label], aces[before], tuning)}")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("predictions", type=Path)
    parser.add_argument("--verdicts", type=Path, default=VERDICT_DIR)
    parser.add_argument("--work", type=Path, default=default_destination())
    parser.add_argument("--tuning", type=lambda v: tuple(v.split(",")), required=True,
                        help="the packages that chose the design (bench_base_model.py's TUNING)")
    parser.add_argument("--figures", type=lambda v: [f for f in v.split(",") if f], default=None)
    parser.add_argument("--evaluate", default=None, help="the figure chosen on the tuning packages")
    parser.add_argument("--json", type=Path, default=None)
    return parser.parse_args()


if __name__ == "__main__":
    main()
