"""Issue 16's base model: leave-packages-out quality with zero local labels, size and load time.

    python benchmarks/bench_base_model.py [--verdicts DIR] [--work DIR] [--exclude NAME ...] [--tuning NAME,...]
        [--out DIR] [--json FILE] [--predictions FILE.jsonl.gz] [--from-predictions FILE.jsonl.gz] [--no-pool-term]
        [--pool-term-into MODEL_DIR]
        [--repair-bugs N [--repair-package NAME ...] [--repair-cache DIR] [--stores DIR | --messages DIR]]

Trains the base model exactly as `bugprm corpus train-base` does (the same functions) on every verdict file's package,
then reads its nested leave-packages-out scores: each package is scored, through the PRM's scoring path, by the model
trained without its fold of packages, then mapped by the calibration fitted on the other folds' scores (cross-fitted:
no package's labels calibrate its own scores; the covered map's pool term is fitted on the other folds' packages and
served with the package's own covered share; --no-pool-term leaves it out). Per package: kill rate, AUROC over all
candidates and over the covered ones, adaptive calibration error (10 equal-mass bins), and among the 10% scored
least likely to be killed their survivor share over the package's (lift) and |mean score - kill rate| (gap), with the
definitions of
`../shared/tools/score_quality.py`; the score spread (10th to 90th percentile). Means over the evaluation packages
(those not in --tuning, which chose the design) are checked against the issue's bars. With --out the model is saved
there (as train-base would), with CARD.md, and its size and load time are printed. With --predictions every
candidate's out-of-fold scores (raw, per stratum, pooled) are written with its package, fold, outcome, operator, file
and features, so that calibration experiments need no retraining (JSON lines, gzipped); --from-predictions reads such a file
instead of training: the same calibration and metrics on the same out-of-fold scores (no model is saved).
With --repair-bugs (and train-base's --repair-package, --repair-cache, --stores, --messages) repair trajectories join the priors
and the shipped model only (the folds measured here read bugs), and the state ranker is saved with the model.
--pool-term-into writes the pool term, fitted on this run's (or the predictions file's) out-of-fold scores of every
package, into a saved base model's calibration (its maps, level, weights and ranker unchanged).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.optimize import brentq

from bugprm.calibration import adaptive_calibration_error, fit_calibration, logit
from bugprm.pool_level import with_pool_term
from bugprm.stratified_calibration import (
    COVERED, StratifiedCalibration, calibration_from_json, calibration_json, fit_stratified, pool_covered_share,
    stratum)
from bugprm.config import load_config
from bugprm.corpus_build.fetch import default_destination
from bugprm.corpus_build.message_record import MESSAGE_DIR
from bugprm.corpus_build.base import BASE_PRESET, BaseRequest, rebuilt_packages, save_repair_ranker, split_by_kind
from bugprm.corpus_build.build import VERDICT_DIR
from bugprm.metrics import auroc
from bugprm.model.base_training import CALIBRATION, LEVEL_PRIOR, centred_by_fold, fold_levels, train_base
from bugprm.records import Kind

TUNING = ("semver", "isodate", "schema", "parse", "inflection", "cachetools", "tinydb", "base58", "hashids",
          "shortuuid", "text-unidecode", "addict", "asteval")
NOISE_DRAWS = 200
REFERENCES = ("ace_pooled", "gap10_pooled", "lift10_pooled", "ace_floor", "ace_own_level", "ace_own_labels")
BARS = {"auroc": (">=", 0.78), "auroc_covered": (">=", 0.68), "ace": ("<=", 0.05), "lift10": (">=", 2.5),
        "gap10": ("<=", 0.10)}


@dataclass(frozen=True)
class OutOfFold:
    """What the metrics read of a leave-packages-out run: package -> examples, folds, raw scores, priors' log-odds."""

    packages: dict
    folds: list[list[str]]
    raw: dict[str, float]
    priors: dict[str, dict[str, float]]
    versions: dict[str, str]
    seconds: float


@dataclass(frozen=True)
class CachedExample:
    """A candidate read back from --predictions: what calibration and the metrics need of an ``Example``."""

    id: str
    kind: str
    features: dict
    trajectory_label: int


def main() -> None:
    args = _arguments()
    if args.from_predictions:
        run, result, rebuilt = cached_run(args.from_predictions), None, None
    else:
        run, result, rebuilt = trained_run(args)
    levels = fold_levels(run.folds, run.packages, run.raw, run.priors.get(LEVEL_PRIOR, {}))
    scores = cross_fitted(run.folds, run.raw, run.packages, levels, pool_term=not args.no_pool_term)
    pooled = cross_fitted(run.folds, run.raw, run.packages, stratified=False)
    report = evaluated(run, scores, pooled, args.tuning)
    report["pool_term"] = pool_term_effect(run, scores, cross_fitted(run.folds, run.raw, run.packages, levels,
                                                                     pool_term=False), report["evaluation"])
    if args.predictions and rebuilt:
        write_predictions(args.predictions, rebuilt, result, {"score": scores, "pooled": pooled})
    if args.out and result:
        report["model"] = ship(result, rebuilt, args.out, report)
    if args.pool_term_into:
        report["pool_term_added"] = add_pool_term(args.pool_term_into, run, levels)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=float))


def trained_run(args):
    """Bug trajectories for the folds measured here; repair trajectories (--repair-bugs) for the priors and the
    shipped model only (``train_base``'s ``repairs``), and its state ranker."""
    request = BaseRequest(args.out or Path("/nonexistent"), args.verdicts, args.work, tuple(args.exclude),
                          repair_bugs=args.repair_bugs, stores=args.stores, messages=args.messages,
                          repair_packages=tuple(n for v in args.repair_package for n in v.split(",") if n),
                          repair_cache=args.repair_cache)
    rebuilt = rebuilt_packages(request, print)
    packages, repairs = split_by_kind(rebuilt)
    result = train_base(packages, load_config(BASE_PRESET), print, repairs)
    return OutOfFold(packages, result.folds, result.out_of_fold, result.prior_out_of_fold,
                     {p.name: p.version for p in rebuilt}, result.seconds), result, rebuilt


def cached_run(path: Path) -> OutOfFold:
    """The out-of-fold scores a trained run wrote with --predictions: calibration and metrics without retraining."""
    packages, folds, raw, priors = {}, {}, {}, {}
    with gzip.open(path, "rt") as lines:
        for row in map(json.loads, lines):
            packages.setdefault(row["package"], []).append(
                CachedExample(row["id"], "bug", row["features"], int(row["outcome"] == "killed")))
            folds.setdefault(row["fold"], set()).add(row["package"])
            raw[row["id"]] = row["raw"]
            for key in (k for k in row if k.startswith("prior_")):
                priors.setdefault(key.removeprefix("prior_"), {})[row["id"]] = row[key]
    return OutOfFold(packages, [sorted(folds[i]) for i in sorted(folds)], raw, priors, {}, 0.0)


def evaluated(run: OutOfFold, scores: dict[str, float], pooled: dict[str, float], tuning) -> dict:
    rows = {name: package_quality(run.packages[name], scores) for name in sorted(run.packages)}
    for name, row in rows.items():  # the one pooled map shipped before, on the same out-of-fold scores
        before = package_quality(run.packages[name], pooled)
        row.update({f"{key}_pooled": before[key] for key in ("mean", "ace", "gap10", "lift10")})
        row.update(ace_references(run.packages[name], run.raw, scores))
    for name, prior in run.priors.items():  # what the heads and backbone add to the prior alone
        for package, row in rows.items():
            found = run.packages[package]
            row[f"auroc_{name}"] = auroc([e.trajectory_label for e in found], [prior[e.id] for e in found])
    evaluation = [n for n in rows if n not in tuning]
    means = {key: float(np.nanmean([rows[n][key] for n in evaluation])) for key in (*BARS, *REFERENCES)
             } if evaluation else {}
    print(_table(rows, tuning))
    print(_levels(rows, tuning))
    print(_bars(means, evaluation))
    print("references, same means: " + ", ".join(f"{k} {means[k]:.3f}" for k in REFERENCES if k in means))
    print(f"trained in {run.seconds:.0f}s (folds: {run.folds})")
    return {"packages": rows, "evaluation": evaluation, "tuning": sorted(set(rows) - set(evaluation)),
            "means": means, "folds": run.folds, "seconds": run.seconds, "versions": run.versions}


def add_pool_term(directory: Path, run: OutOfFold, levels: list[float]) -> dict:
    """The pool term fitted on these out-of-fold scores of every package (centred by their fold models' levels),
    through the stratum maps fitted on the same scores (as ``train_base`` fits its own), written into the saved
    model's calibration, its maps and level kept: the term corrects a likelihood map fitted on scores like those
    it serves, so it carries to a model trained before the term without a retrain."""
    meta_path = directory / "bugprm_model.json"
    meta = json.loads(meta_path.read_text())
    saved = calibration_from_json(meta.get("calibration"))
    if not isinstance(saved, StratifiedCalibration):
        raise SystemExit(f"{meta_path}: a base model's stratified calibration is needed, found {saved.kind}")
    centred_raw = centred_by_fold(run.folds, run.packages, run.raw, levels)
    examples = [(name, e) for name, found in run.packages.items() for e in found]
    scores, labels = [centred_raw[e.id] for _, e in examples], [e.trajectory_label for _, e in examples]
    strata = [stratum(e.kind, e.features) for _, e in examples]
    fitted = with_pool_term(fit_stratified(CALIBRATION, scores, labels, strata), scores, labels, strata,
                            [name for name, _ in examples])
    meta["calibration"] = calibration_json(replace(saved, pool=fitted.pool))
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n")
    _note_in_card(directory / "CARD.md", fitted.pool, len(run.packages))
    print(f"pool term written into {meta_path}: {fitted.pool}")
    return asdict(fitted.pool)


def _note_in_card(card_path: Path, pool, packages: int) -> None:
    """The model card says its calibration changed after it was written."""
    if card_path.exists():
        note = (f"\n## Pool term (added after training)\n\nThe covered map's log-odds move by {pool.shift:.3f} + "
                f"{pool.slope:.3f} x (the pool's covered share - {pool.centre:.3f}), fitted on the leave-packages-out "
                f"scores of {packages} packages for the mean per-package ACE (`bench_base_model.py --pool-term-into`; "
                "BENCHMARKS.md, ace19); the tables above were measured without it.\n")
        card_path.write_text(card_path.read_text() + note)


def pool_term_effect(run: OutOfFold, scores: dict[str, float], without: dict[str, float], evaluation) -> dict:
    """Each evaluation package's ACE and low-10% gap with the pool term minus without it (the same out-of-fold
    scores, paired by package): the mean difference and its 95% t-interval."""
    effect = {}
    for key in ("ace", "gap10"):
        differences = np.array([package_quality(run.packages[n], scores)[key]
                                - package_quality(run.packages[n], without)[key] for n in evaluation])
        half = stats.t.ppf(0.975, len(differences) - 1) * differences.std(ddof=1) / np.sqrt(len(differences))
        effect[key] = {"mean": float(differences.mean()), "low": float(differences.mean() - half),
                       "high": float(differences.mean() + half), "packages": len(differences)}
        print(f"pool term minus none, {key}, paired over {len(differences)} evaluation packages: "
              f"{effect[key]['mean']:+.4f} (95% CI {effect[key]['low']:+.4f} to {effect[key]['high']:+.4f})")
    return effect


def cross_fitted(folds: list[list[str]], raw: dict[str, float], packages: dict, levels: list[float] | None = None,
                 stratified: bool = True, pool_term: bool = True) -> dict[str, float]:
    """Each fold's scores through the calibration fitted on the other folds' scores: one map per coverage stratum
    on scores centred by their fold model's level (what ships; ``levels`` None: uncentred), its covered map moved by
    the pool term fitted by package (``pool_term`` False: without it, as shipped before ace19), or one pooled map
    (``stratified`` False: what shipped before the strata)."""
    levels = levels or [0.0] * len(folds)
    centred_raw = centred_by_fold(folds, packages, raw, levels)
    package_of = {e.id: name for name, found in packages.items() for e in found}
    calibrated: dict[str, float] = {}
    for fold, level in zip(folds, levels):
        others = [e for name in packages if name not in fold for e in packages[name]]
        inside = [e for name in fold for e in packages[name]]
        scores, labels = [centred_raw[e.id] for e in others], [e.trajectory_label for e in others]
        if stratified:
            strata = [stratum(e.kind, e.features) for e in others]
            calibration = fit_stratified(CALIBRATION, scores, labels, strata, level)
            if pool_term:
                calibration = with_pool_term(calibration, scores, labels, strata, [package_of[e.id] for e in others])
                print(f"pool term for {', '.join(fold)}: {calibration.pool}")
            for name in fold:  # each package is a pool of its own: its covered share is bound to the map
                found = packages[name]
                served = calibration.for_pool(pool_covered_share([e.features for e in found]))
                mapped = served([raw[e.id] for e in found], [stratum(e.kind, e.features) for e in found])
                calibrated.update(zip((e.id for e in found), mapped.tolist()))
        else:
            mapped = fit_calibration(CALIBRATION, scores, labels)([raw[e.id] for e in inside])
            calibrated.update(zip((e.id for e in inside), mapped.tolist()))
    return calibrated


def write_predictions(path: Path, rebuilt, result, calibrated: dict[str, dict[str, float]]) -> None:
    fold_of = {name: i for i, fold in enumerate(result.folds) for name in fold}
    rows = ({"id": c.id, "package": p.name, "fold": fold_of[p.name], "outcome": str(p.outcomes[c.id]),
             "operator": c.operator, "family": c.family, "file": c.file, "line": c.line,
             "raw": result.out_of_fold[c.id], **{k: v[c.id] for k, v in calibrated.items()},
             **{f"prior_{n}": v[c.id] for n, v in result.prior_out_of_fold.items()},
             "features": c.features} for p in rebuilt for c in p.candidates if c.kind is Kind.BUG)
    with gzip.open(path, "wt") as out:
        out.writelines(json.dumps(row) + "\n" for row in rows)
    print(f"out-of-fold predictions written to {path}")


def ace_references(examples: list, raw: dict[str, float], scores: dict[str, float]) -> dict:
    """What ACE can reach on this package: with labels drawn from its own scores (a perfectly calibrated model, so
    the rest is sampling noise of 10 bins of n/10), with its covered scores moved by the one log-odds offset that
    meets their own kill rate (the level known), and with the stratified map fitted on its own labels (level and
    slope known, the ranking as it is). In-sample: each is optimistic by its fitted numbers' worth of noise."""
    s = np.array([scores[e.id] for e in examples])
    y = np.array([e.trajectory_label for e in examples])
    draws = np.random.default_rng(0).random((NOISE_DRAWS, len(s))) < s
    strata = [stratum(e.kind, e.features) for e in examples]
    own = fit_stratified(CALIBRATION, [raw[e.id] for e in examples], y, strata)([raw[e.id] for e in examples], strata)
    return {"ace_floor": float(np.mean([adaptive_calibration_error(s, d) for d in draws])),
            "ace_own_level": adaptive_calibration_error(own_level_moved(s, y, np.array(strata) == COVERED), y),
            "ace_own_labels": adaptive_calibration_error(own, y)}


def own_level_moved(scores: np.ndarray, labels: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """``scores`` with the covered ones' log-odds moved by the offset whose mean meets their kill rate."""
    if not covered.any() or labels[covered].min() == labels[covered].max():
        return scores
    z = logit(scores[covered])
    offset = brentq(lambda b: np.mean(1 / (1 + np.exp(-(z + b)))) - labels[covered].mean(), -30, 30)
    moved = scores.copy()
    moved[covered] = 1 / (1 + np.exp(-(z + offset)))
    return moved


def package_quality(examples: list, scores: dict[str, float]) -> dict:
    y = np.array([e.trajectory_label for e in examples], dtype=float)
    s = np.array([scores[e.id] for e in examples], dtype=float)
    covered = np.array([bool(e.features.get("line_covered")) for e in examples])
    parts = np.array_split(np.argsort(s, kind="stable"), 10)
    low = np.argsort(s, kind="stable")[: max(1, len(s) // 10)]
    return {"n": len(y), "kill_rate": float(y.mean()), "mean": float(s.mean()), "covered": int(covered.sum()),
            "auroc": auroc(y, s), "auroc_covered": auroc(y[covered], s[covered]),
            "ace": float(sum(abs(s[p].mean() - y[p].mean()) * len(p) for p in parts if len(p)) / len(s)),
            "lift10": float((1 - y[low].mean()) / max(1e-9, 1 - y.mean())),
            "gap10": float(abs(s[low].mean() - y[low].mean())),
            "p10": float(np.percentile(s, 10)), "p90": float(np.percentile(s, 90))}


def ship(result, rebuilt, out: Path, report: dict) -> dict:
    from bugprm.model.io import save_model

    result.model.summary["base"]["versions"] = report["versions"]
    save_model(result.model, out)
    save_repair_ranker(rebuilt, result.prior_out_of_fold.get("forest"), out, print)
    (out / "CARD.md").write_text(card(rebuilt, report))
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    seconds = load_seconds(out)
    print(f"model at {out}: {size / 1e6:.2f} MB, loads in {seconds:.2f}s (load_model, in a fresh interpreter)")
    return {"bytes": size, "load_seconds": seconds}


def load_seconds(directory: Path) -> float:
    code = ("import time; from bugprm.model.io import load_model; t = time.perf_counter(); "
            f"load_model({str(directory)!r}); print(time.perf_counter() - t)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def card(rebuilt, report: dict) -> str:
    rows = report["packages"]
    lines = ["# bugprm base model", "",
             "Trained by `bugprm corpus train-base` on the executed corpus (`corpora/verdicts/`); numbers from",
             "`python benchmarks/bench_base_model.py --out bugprm/model/shipped` (BENCHMARKS.md, base model).", "",
             "## Data", "", "| package | version | labelled candidates | kill rate | covered |", "|---|---|---:|---:|---:|"]
    lines += [f"| {p.name} | {p.version} | {rows[p.name]['n']} | {rows[p.name]['kill_rate']:.3f} | "
              f"{rows[p.name]['covered']} |" for p in rebuilt]
    lines += ["", "## Leave-packages-out metrics (zero local labels)", "",
              f"Folds of packages: {report['folds']}. Each package scored by the model trained without its fold,",
              f"calibrated ({CALIBRATION}) on the other folds' scores. Tuning packages (they chose the design, so "
              f"their figures are not held against the bars): {', '.join(report['tuning']) or 'none'}; evaluation "
              f"packages: {', '.join(report['evaluation']) or 'none'}.", "", _table(rows, report["tuning"]), "",
              _bars(report["means"], report["evaluation"]), "",
              "References, means over the same packages: " + ", ".join(
                  f"{k} {report['means'][k]:.3f}" for k in REFERENCES if k in report["means"]), "",
              "Level: each package's kill rate against its mean score, with one pooled map (before) and one map per",
              "coverage stratum (shipped), both cross-fitted on the same out-of-fold scores.", "",
              _levels(rows, report["tuning"]), "",
              "## Calibration", "",
              f"{CALIBRATION} regression per coverage stratum (`bugprm.stratified_calibration`), fitted on nested",
              "leave-packages-out scores of every training package: candidates no passing test covers (never killed:",
              "`no_coverage`) get a constant at their smoothed rate, covered ones their own map, other trajectories",
              "(patches) a pooled one; applied to every head's step probabilities in the model's scoring path",
              "(`bugprm_model.json`, `calibration`). Each score is first centred by its model's level (the mean",
              "log-odds it adds to its forest prior's, read without labels): the maps are fitted on other models'",
              "scores, each centred by its own model's level, and serve this model at its own. The covered map's",
              "log-odds then move by the pool term (`bugprm.pool_level`): a shift plus a slope times the scored",
              "pool's covered share, fitted on the training packages for the mean per-package ACE; `bugprm score`",
              "binds the repository's pool (unbound, e.g. in `bugprm train`'s base scores, the shift alone).", "",
              "## Known limits", "",
              "- Packages differ in kill rate (see Data), and not only through coverage: among covered candidates it",
              "  runs from under 0.5 (parsimonious, decorator: many import-time mutants stop collection, which counts",
              "  as not killed) to over 0.9. A new package's level is only known as far as coverage and the operators",
              "  predict it; of the baseline run's figures only the pool's covered share carried to other packages",
              "  (the pool term; BENCHMARKS.md, ace19), so calibration is weakest on packages far from the corpus's",
              "  rate. 'ACE, own level' above is what the covered scores reach moved by their own kill rate's offset,",
              "  'ACE, own labels' map' what a map fitted on the package's own labels would reach with this ranking;",
              "  'ACE if calibrated' is the sampling noise.",
              "- Every uncovered candidate gets the same score (their stratum's constant): none is ever killed, so",
              "  their order among themselves carries nothing.",
              "- Trained on the packages whose verdicts existed when it was shipped (Data); the bars the means line",
              "  marks MISSED are not met. The forest prior carries the ranking: the backbone and heads add nothing",
              "  measurable to the forest alone (table).",
              _repair_limit(rebuilt),
              "- `bugprm train` (warm from this model) fits a calibration of its own on its local labels; this one is for the base model alone.", ""]
    return "\n".join(lines)


def _repair_limit(rebuilt) -> str:
    counts = {p.name: sum(c.kind is Kind.REPAIR for c in p.candidates) for p in rebuilt}
    given = [f"{name} ({n})" for name, n in counts.items() if n]
    if not given:
        return "- Bug trajectories only: no repair trajectories were trained on (no state ranker: `bugprm repair` ranks by the PRM)."
    return ("- Repair trajectories (patches labelled without running them, `corpus_build/repair_trajectories.py`) of "
            f"{len(given)} packages, in the priors and the shipped model only (the folds above measure bugs): "
            f"{', '.join(given)}; `repair_ranker.json` ranks `bugprm repair`'s patches (BENCHMARKS.md, repair).")


def _table(rows: dict, tuning) -> str:
    head = ("| package | set | n | kill rate | AUROC | AUROC covered | forest alone | ACE | low-10% lift | low-10% gap "
            "| p10-p90 |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    body = [f"| {n} | {'tuning' if n in tuning else 'eval'} | {r['n']} | {r['kill_rate']:.3f} | {r['auroc']:.3f} | "
            f"{r['auroc_covered']:.3f} | {r.get('auroc_forest', float('nan')):.3f} | {r['ace']:.3f} | "
            f"{r['lift10']:.2f} | {r['gap10']:.3f} | {r['p10']:.2f}-{r['p90']:.2f} |" for n, r in rows.items()]
    return "\n".join([head, *body])


def _levels(rows: dict, tuning) -> str:
    head = ("| package | set | kill rate | mean score: pooled map | per stratum | ACE: pooled | per stratum "
            "| low-10% gap: pooled | per stratum | ACE if calibrated (noise) | ACE, own level | ACE, own labels' map |"
            "\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    body = [f"| {n} | {'tuning' if n in tuning else 'eval'} | {r['kill_rate']:.3f} | {r['mean_pooled']:.3f} | "
            f"{r['mean']:.3f} | {r['ace_pooled']:.3f} | {r['ace']:.3f} | {r['gap10_pooled']:.3f} | {r['gap10']:.3f} | "
            f"{r['ace_floor']:.3f} | {r['ace_own_level']:.3f} | {r['ace_own_labels']:.3f} |"
            for n, r in rows.items()]
    return "\n".join([head, *body])


def _bars(means: dict, evaluation: list) -> str:
    if not means:
        return "no evaluation package"
    verdicts = [f"{key} {means[key]:.3f} {'holds' if _holds(means[key], *BARS[key]) else 'MISSED'} "
                f"({BARS[key][0]} {BARS[key][1]})" for key in BARS]
    return f"mean over {len(evaluation)} evaluation packages: " + "; ".join(verdicts)


def _holds(value: float, sign: str, bar: float) -> bool:
    return value >= bar if sign == ">=" else value <= bar


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=Path, default=VERDICT_DIR)
    parser.add_argument("--work", type=Path, default=default_destination())
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--tuning", type=lambda v: tuple(v.split(",")), default=TUNING)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--predictions", type=Path, default=None)
    parser.add_argument("--from-predictions", type=Path, default=None)
    parser.add_argument("--no-pool-term", action="store_true",
                        help="calibrate without the pool term (bugprm.pool_level), as before ace19")
    parser.add_argument("--pool-term-into", type=Path, default=None,
                        help="a saved base model whose calibration gets the pool term fitted on these scores")
    parser.add_argument("--repair-bugs", type=int, default=0, help="as train-base's: the shipped model only")
    parser.add_argument("--repair-package", action="append", default=[], help="as train-base's (repeatable, or names separated by commas)")
    parser.add_argument("--repair-cache", type=Path, default=None, help="as train-base's")
    parser.add_argument("--stores", type=Path, default=None, help="as train-base's")
    parser.add_argument("--messages", type=Path, default=MESSAGE_DIR, help="as train-base's")
    return parser.parse_args()


if __name__ == "__main__":
    main()
