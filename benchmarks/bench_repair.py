"""Repair ranking on killed bugs of a real package: top-1 and top-5 of a PRM against random ranking and smallest diff
first, and an independent re-execution of every patch the harness judged ``correct``.

    python benchmarks/bench_repair.py REPO [--store DIR] [--bugs 20] [--seed 0] [--top-sites 10] [--max-patches 60]
        [--model DIR] [--fit-config PRESET] [--splits 3] [--no-fit-features] [--corpus NAME] [--workers 1]
        [--out FILE] [--keep DIR]

REPO must have a labelled store (``.bugprm/``, or ``--store DIR``). It is snapshotted first (the tree and the SQLite
files copied) into a scratch folder, so the original store is never written. Bugs killed under older harness settings
(another fingerprint) are executed again in the snapshot first. For a seeded sample of killed bugs, the candidate
patches at the top suspicious lines are generated and ALL executed (at most --max-patches per bug, most suspicious
lines first), so every ranking is judged on known outcomes.

Rankings: (a) ``--model DIR``, a trained PRM; (b) ``--fit-config PRESET``, a PRM trained from scratch on the repairs
of the other half of the bugs (two folds split by bug: no bug's patches are seen in training), on ``--splits`` fold
splits (their mean is reported too). It keeps every step label (see ``repair_config``) and its heads read the step
features directly (``model.use_features``; ``--no-fit-features`` leaves the config's setting); (c) random ranking,
its exact expectation; (d) smallest diff first; (e) Ochiai, then the smallest diff; (f) naturalness alone; (g) the
no-model heuristic of ``bugprm repair`` (Ochiai, then naturalness).
top-k: the share of bugs, among those with at least one correct patch, whose first k patches hold one.

Failing states carry the bug's full failing spectrum (``bugprm.execute.spectrum``): the summary reports how many tests
fail per state and where Ochiai ranks the bug's line (the bug is known to the benchmark, never to the rankings).

Re-execution: each ``correct`` patch is applied with ``patch -p1`` after its bug's diff to a fresh copy, and the
FULL suite runs with plain pytest (``bugprm.bench.reference``, as in ``verify_labels.py``, sharing no code with the
harness): no test may fail that passes on the unmodified copy, and as many tests must pass. ``--corpus NAME`` takes
the pytest arguments from that manifest.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from math import comb
from statistics import median
from pathlib import Path
from types import SimpleNamespace

from bugprm.bench.reference import fresh_copy, run_suite
from bugprm.bench.repair_checks import check_patch, line_rank, snapshot
from bugprm.execute.failing import passing_tests
from bugprm.execute.repair import RepairRunner
from bugprm.execute.session import HarnessSession
from bugprm.execute.workspace import apply_edits
from bugprm.records import Candidate, Execution, Outcome
from bugprm.repair.candidates import generate_repairs
from bugprm.repair.ranking import by_features, by_heuristic, by_model, by_smallest_diff
from bugprm.repair.run import killed_bugs
from bugprm.repair.sites import StateFiles, localise
from bugprm.store import STORE_DIRNAME, Store

TOP_K = (1, 5)


@dataclass
class BugRepairs:
    bug: Candidate
    patches: list[Candidate]
    executions: dict[str, Execution] = field(default_factory=dict)
    inverse: bool = False  # some patch restores the original code (the same syntax tree)
    failing_tests: int = 0  # in the bug's full failing spectrum
    line_rank: int | None = None  # the Ochiai rank of the bug's line; None when no failing test runs it

    @property
    def correct(self) -> set[str]:
        return {i for i, e in self.executions.items() if e.outcome is Outcome.CORRECT}


def main() -> int:
    args = _arguments()
    started = time.monotonic()
    with _scratch(args.keep) as scratch:
        repo = Path(scratch) / args.repo.name
        if not repo.exists():
            snapshot(args.repo, args.store or args.repo / STORE_DIRNAME, repo)
        with Store.open(repo / STORE_DIRNAME) as store:
            settings = store.harness_settings()
            bugs = repaired_bugs(store, repo, args)
        rankings = all_rankings(bugs, args)
        checked = reexecute(bugs, repo, settings, args, Path(scratch))
    summary = summarise(bugs, rankings, checked, time.monotonic() - started)
    print_summary(summary)
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2))
    return 0 if all(c["ok"] for c in checked) else 1


def _scratch(keep: Path | None):
    """A temporary folder, or ``--keep DIR`` (created if needed) whose snapshot and verdicts a rerun reuses."""
    if keep is None:
        return tempfile.TemporaryDirectory()
    keep.mkdir(parents=True, exist_ok=True)
    return contextlib.nullcontext(str(keep))


def repaired_bugs(store: Store, repo: Path, args) -> list[BugRepairs]:
    with HarnessSession.open(store, repo, workers=args.workers) as session:
        return [repair_one(session, bug_id, args) for bug_id in killed_now(session, args)]


def killed_now(session: HarnessSession, args) -> list[str]:
    """A sample of bugs killed under the current settings; a sample of those killed under older ones runs again."""
    earlier = sorted(i for i, e in session.store.executions().items() if e.outcome is Outcome.KILLED)
    current = session.executed()
    again = [i for i in random.Random(args.seed).sample(earlier, min(len(earlier), 2 * args.bugs)) if i not in current]
    if again:
        print(f"  executing {len(again)} bugs killed under older settings again", file=sys.stderr)
        session.execute(session.store.candidates(ids=again))
    return killed_bugs(session, args.bugs, args.seed)


def repair_one(session: HarnessSession, bug_id: str, args) -> BugRepairs:
    state = session.failing_state(bug_id)
    files = StateFiles(session.repo, state)
    localisation = localise(state, files, session.baseline.coverage, passing_tests(state, session.baseline))
    patches = generate_repairs(localisation, files, session.repo.name, args.top_sites)[:args.max_patches]
    runner, bug = RepairRunner(session.runner, state), session.store.candidate(bug_id)
    found = BugRepairs(bug, patches, inverse=any(restores(runner, p) for p in patches),
                       failing_tests=len(state.failing_tests), line_rank=line_rank(localisation, bug))
    session.store.add_candidates(patches)
    found.executions = {e.candidate_id: e for e in session.execute(patches)}
    print(f"  bug {bug_id}: {found.failing_tests} failing tests, line ranked {found.line_rank}, {len(patches)} "
          f"patches, {len(found.correct)} correct", file=sys.stderr)
    return found


def restores(runner: RepairRunner, patch: Candidate) -> bool:
    """Whether bug and patch together leave every file's syntax tree as it was (``(x)`` restores ``x``)."""
    for edit in runner.net_edits(patch):
        original = runner.runner.source(edit.file)
        try:
            changed = ast.dump(ast.parse(apply_edits(original, [edit], edit.file))) != ast.dump(ast.parse(original))
        except (SyntaxError, ValueError):
            return False
        if changed:
            return False
    return True


def all_rankings(bugs: list[BugRepairs], args) -> dict[str, dict[str, list[str]]]:
    """ranking name -> bug id -> patch ids, best first."""
    rankings = {
        "smallest diff first": _ordered(bugs, by_smallest_diff),
        "Ochiai, then smallest diff": _ordered(bugs, lambda patches: by_features(patches, "ochiai")),
        "naturalness, then smallest diff": _ordered(bugs, lambda patches: by_features(patches, "naturalness")),
        "Ochiai, then naturalness (bugprm repair without a model)": _ordered(
            bugs, lambda patches: [r.candidate for r in by_heuristic(patches)]),
    }
    if args.model:
        from bugprm.scoring.adapter import load_scorer

        scorer = load_scorer(args.model)
        rankings[f"PRM {args.model}"] = {b.bug.id: _ids(by_model(b.patches, scorer)) for b in bugs}
    if args.fit_config:
        config, name = repair_config(args)
        for split in range(args.splits):
            rankings[f"{name} split {split}"] = cross_fitted(bugs, config, args.seed + split)
    return rankings


def repair_config(args):
    """The config to fit with, and the ranking's name. Every step label is kept: with the default, the labels after
    a trajectory's first 0 are dropped, and a wrong patch's first 0 is always before its last step, so the last
    step (whose reward decides a patch's score once the steps are made consistent) never sees a wrong patch."""
    from bugprm.config import load_config, with_overrides

    overrides = {"training": {"drop_after_first_negative": False}}
    if args.fit_features:
        overrides["model"] = {"use_features": True}
    features = ", heads read the step features" if args.fit_features else ""
    return with_overrides(load_config(args.fit_config), overrides), f"PRM fitted ({args.fit_config}{features})"


def cross_fitted(bugs: list[BugRepairs], config, seed: int) -> dict[str, list[str]]:
    """Each bug ranked by a PRM fitted on the repairs of the other half of the bugs (two folds, drawn by ``seed``)."""
    from bugprm.scoring.adapter import ModelScorer

    order = [b.bug.id for b in bugs]
    random.Random(seed).shuffle(order)
    ranked = {}
    for held in (set(order[0::2]), set(order[1::2])):
        scorer = ModelScorer(fitted([b for b in bugs if b.bug.id not in held], config))
        ranked.update({b.bug.id: _ids(by_model(b.patches, scorer)) for b in bugs if b.bug.id in held})
    return ranked


def fitted(bugs: list[BugRepairs], config):
    from bugprm.labels import step_labels
    from bugprm.model.fitting import fit

    patches = [p for b in bugs for p in b.patches]
    executions = {i: e for b in bugs for i, e in b.executions.items()}
    labelled = [c for c in step_labels(patches, executions) if any(s.label is not None for s in c.steps)]
    return fit(labelled, config, corpus=[s.text for p in patches for s in p.steps])


def reexecute(bugs: list[BugRepairs], repo: Path, settings: dict, args, scratch: Path) -> list[dict]:
    runner = SimpleNamespace(python=settings.get("python", sys.executable), timeout=args.timeout,
                             pytest_args=_pytest_args(settings, args.corpus).split())
    _, baseline = run_suite(runner.python, runner.pytest_args, runner.timeout, fresh_copy(repo, scratch / "baseline"))
    by_id = {p.id: (b.bug, p) for b in bugs for p in b.patches}
    return [check_patch(*by_id[i], repo, baseline, runner, scratch) for b in bugs for i in sorted(b.correct)]


def summarise(bugs: list[BugRepairs], rankings: dict, checked: list[dict], seconds: float) -> dict:
    solvable = [b for b in bugs if b.correct]
    outcomes = Counter(str(e.outcome) for b in bugs for e in b.executions.values())
    scores = {name: {f"top{k}": _top(order, solvable, k) for k in TOP_K} for name, order in rankings.items()}
    first = {name: {b.bug.id: _first_correct(order[b.bug.id], b) for b in solvable} for name, order in rankings.items()}
    scores.update(split_means(scores))
    scores["random (expected)"] = {f"top{k}": _random_top(solvable, k) for k in TOP_K}
    return {"bugs": len(bugs), "with_correct_patch": len(solvable), "with_inverse": sum(b.inverse for b in bugs),
            "patches": sum(len(b.patches) for b in bugs), "outcomes": dict(outcomes), "rankings": scores,
            "first_correct_rank": first, "localisation": localisation_summary(bugs),
            "reexecuted": len(checked), "reexecution_agrees": sum(c["ok"] for c in checked),
            "disagreements": [c for c in checked if not c["ok"]], "seconds": round(seconds, 1),
            "test_cpu_seconds": round(sum(e.cpu_seconds for b in bugs for e in b.executions.values()), 1)}


def split_means(scores: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """``NAME (mean of N splits)`` for every ranking scored on N fold splits (``NAME split I``)."""
    grouped: dict[str, list[dict]] = {}
    for name, score in scores.items():
        if " split " in name:
            grouped.setdefault(name.rsplit(" split ", 1)[0], []).append(score)
    return {f"{name} (mean of {len(group)} splits)": {k: round(sum(g[k] for g in group) / len(group), 4)
                                                       for k in group[0]} for name, group in grouped.items()}


def localisation_summary(bugs: list[BugRepairs]) -> dict:
    ranks = [b.line_rank if b.line_rank is not None else float("inf") for b in bugs]
    return {"median_failing_tests": median(b.failing_tests for b in bugs), "bug_line_rank_median": median(ranks),
            **{f"bug_line_in_top{k}": sum(r <= k for r in ranks) for k in (1, 5, 10)}}


def print_summary(summary: dict) -> None:
    print(f"{summary['bugs']} killed bugs, {summary['patches']} patches executed "
          f"({', '.join(f'{n} {o}' for o, n in sorted(summary['outcomes'].items()))}) in {summary['seconds']}s")
    where = summary["localisation"]
    print(f"localisation: median {where['median_failing_tests']} failing tests per state; the bug's line ranked "
          f"{where['bug_line_rank_median']} by Ochiai (median), first in {where['bug_line_in_top1']} states, in the "
          f"top 5 in {where['bug_line_in_top5']}, in the top 10 in {where['bug_line_in_top10']}")
    print(f"bugs with a correct patch among the candidates: {summary['with_correct_patch']}; "
          f"with the bug's inverse among them: {summary['with_inverse']}")
    for name, score in summary["rankings"].items():
        ranks = summary["first_correct_rank"].get(name)
        shown = f"  first correct at {sorted(ranks.values())}" if ranks else ""
        print(f"  {name:45s} " + "  ".join(f"{k} {v:.3f}" for k, v in score.items()) + shown)
    print(f"independent re-execution: {summary['reexecution_agrees']}/{summary['reexecuted']} correct patches "
          "fail no test that passes on the unmodified copy, and pass as many")
    for bad in summary["disagreements"]:
        print(f"  DISAGREE bug {bad['bug']} patch {bad['patch']}: {bad}")


def _top(order: dict[str, list[str]], solvable: list[BugRepairs], k: int) -> float:
    hits = [bool(set(order[b.bug.id][:k]) & b.correct) for b in solvable]
    return round(sum(hits) / len(hits), 4) if hits else 0.0


def _first_correct(order: list[str], bug: BugRepairs) -> int:
    return next(rank for rank, patch in enumerate(order, start=1) if patch in bug.correct)


def _random_top(solvable: list[BugRepairs], k: int) -> float:
    """The chance that k patches drawn at random hold a correct one, averaged over the bugs."""
    chances = [1 - comb(len(b.patches) - len(b.correct), k) / comb(len(b.patches), k) for b in solvable]
    return round(sum(chances) / len(chances), 4) if chances else 0.0


def _ordered(bugs: list[BugRepairs], order) -> dict[str, list[str]]:
    return {b.bug.id: [c.id for c in order(b.patches)] for b in bugs}


def _ids(ranked) -> list[str]:
    return [r.candidate.id for r in ranked]


def _pytest_args(settings: dict, corpus: str | None) -> str:
    if corpus:
        from bugprm.corpus_build.fetch import manifest

        return manifest(corpus).pytest_args
    return settings.get("pytest_args") or ""


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--bugs", type=int, default=20, help="killed bugs to repair (a seeded sample)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top-sites", type=int, default=10)
    parser.add_argument("--max-patches", type=int, default=60, help="patches executed per bug at most")
    parser.add_argument("--model", type=Path, default=None, help="a trained PRM to rank with")
    parser.add_argument("--fit-config", default=None, help="also rank with a PRM fitted on the other fold's repairs")
    parser.add_argument("--splits", type=int, default=3, help="fold splits a fitted PRM is measured on")
    parser.add_argument("--no-fit-features", dest="fit_features", action="store_false",
                        help="leave model.use_features as the config has it (on by default: see the docstring)")
    parser.add_argument("--corpus", default=None, help="take the re-execution's pytest arguments from this manifest")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for one full-suite re-execution")
    parser.add_argument("--out", type=Path, default=None, help="write the summary as JSON here")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the snapshot and its verdicts here; a rerun with the same folder executes nothing anew")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
