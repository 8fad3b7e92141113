"""Repair ranking on killed bugs of a real package: top-1 and top-5 of a PRM against random ranking and smallest diff
first, and an independent re-execution of every patch the harness judged ``correct``.

    python benchmarks/bench_repair.py REPO [--store DIR] [--bugs 20] [--seed 0] [--top-sites 10] [--max-patches 60]
        [--model DIR] [--fit-config PRESET] [--corpus NAME] [--workers 1] [--out FILE]

REPO must have a labelled store (``.bugprm/``, or ``--store DIR``). It is snapshotted first (the tree and the SQLite
files copied) into a scratch folder, so the original store is never written. Bugs killed under older harness settings
(another fingerprint) are executed again in the snapshot first. For a seeded sample of killed bugs, the candidate patches at the top suspicious lines are generated and ALL executed (at
most --max-patches per bug, most suspicious lines first), so every ranking is judged on known outcomes.

Rankings: (a) ``--model DIR``, a trained PRM; (b) ``--fit-config PRESET``, a PRM trained from scratch on the repairs
of the other half of the bugs (two folds split by bug: no bug's patches are seen in training); (c) random ranking,
its exact expectation; (d) smallest diff first; (e) the no-model heuristic of ``bugprm repair`` (Ochiai, then the
smallest diff). top-k: the share of bugs, among those with at least one correct patch, whose first k patches hold one.

Re-execution: each ``correct`` patch is applied with ``patch -p1`` after its bug's diff to a fresh copy, and the
FULL suite runs with plain pytest (``verify_labels.py``'s runner, sharing no code with the harness); every test that
passes on the unmodified copy must pass. ``--corpus NAME`` takes the pytest arguments from that manifest.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from math import comb
from pathlib import Path
from types import SimpleNamespace

from verify_labels import _fresh_copy, _run_suite

from bugprm.execute.failing import passing_tests
from bugprm.execute.repair import RepairRunner
from bugprm.execute.session import SETTINGS_META, HarnessSession
from bugprm.execute.workspace import apply_edits
from bugprm.records import Candidate, Execution, Outcome
from bugprm.repair.candidates import generate_repairs
from bugprm.repair.ranking import by_heuristic, by_model, by_smallest_diff
from bugprm.repair.run import killed_bugs
from bugprm.repair.sites import StateFiles, localise
from bugprm.store import DB_NAME, STORE_DIRNAME, Store

TOP_K = (1, 5)


@dataclass
class BugRepairs:
    bug: Candidate
    patches: list[Candidate]
    executions: dict[str, Execution] = field(default_factory=dict)
    inverse: bool = False  # some patch restores the original code (the same syntax tree)

    @property
    def correct(self) -> set[str]:
        return {i for i, e in self.executions.items() if e.outcome is Outcome.CORRECT}


def main() -> int:
    args = _arguments()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        repo = snapshot(args.repo, args.store or args.repo / STORE_DIRNAME, Path(scratch) / args.repo.name)
        with Store.open(repo / STORE_DIRNAME) as store:
            settings = json.loads(store.get_meta(SETTINGS_META, "{}"))
            bugs = repaired_bugs(store, repo, args)
        rankings = all_rankings(bugs, args)
        checked = reexecute(bugs, repo, settings, args, Path(scratch))
    summary = summarise(bugs, rankings, checked, time.monotonic() - started)
    print_summary(summary)
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2))
    return 0 if all(c["ok"] for c in checked) else 1


def snapshot(repo: Path, store: Path, target: Path) -> Path:
    """A copy of the tree and of its store's files, the write-ahead log included (opening the original with SQLite,
    even to read, could write beside it)."""
    shutil.copytree(repo, target, symlinks=True, ignore=shutil.ignore_patterns(STORE_DIRNAME))
    (target / STORE_DIRNAME).mkdir()
    for name in (DB_NAME, f"{DB_NAME}-wal"):
        if (store / name).exists():
            shutil.copy2(store / name, target / STORE_DIRNAME / name)
    return target


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
    runner = RepairRunner(session.runner, state)
    found = BugRepairs(session.store.candidate(bug_id), patches, inverse=any(restores(runner, p) for p in patches))
    session.store.add_candidates(patches)
    found.executions = {e.candidate_id: e for e in session.execute(patches)}
    print(f"  bug {bug_id}: {len(patches)} patches, {len(found.correct)} correct", file=sys.stderr)
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
        "smallest diff first": {b.bug.id: [c.id for c in by_smallest_diff(b.patches)] for b in bugs},
        "heuristic (Ochiai, then smallest diff)": {b.bug.id: _ids(by_heuristic(b.patches)) for b in bugs},
    }
    if args.model:
        from bugprm.scoring import load_scorer

        scorer = load_scorer(args.model)
        rankings[f"PRM {args.model}"] = {b.bug.id: _ids(by_model(b.patches, scorer)) for b in bugs}
    if args.fit_config:
        rankings[f"PRM fitted ({args.fit_config}, 2 folds by bug)"] = cross_fitted(bugs, args)
    return rankings


def cross_fitted(bugs: list[BugRepairs], args) -> dict[str, list[str]]:
    from bugprm.config import load_config
    from bugprm.scoring import ModelScorer

    config = load_config(args.fit_config)
    order = [b.bug.id for b in bugs]
    random.Random(args.seed).shuffle(order)
    folds = [set(order[0::2]), set(order[1::2])]
    ranked = {}
    for held in folds:
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
    _, baseline = _run_suite(runner, _fresh_copy(repo, scratch / "baseline"))
    passing = {t for t, ok in baseline.items() if ok}
    by_id = {p.id: (b.bug, p) for b in bugs for p in b.patches}
    return [check_patch(*by_id[i], repo, passing, runner, scratch) for b in bugs for i in sorted(b.correct)]


def check_patch(bug: Candidate, patch: Candidate, repo: Path, passing: set[str], runner, scratch: Path) -> dict:
    copy = _fresh_copy(repo, scratch / "candidate")
    applied = [_patch(copy, diff) for diff in (bug.diff, patch.diff)]
    if not all(applied):
        return {"bug": bug.id, "patch": patch.id, "ok": False, "why": "patch -p1 failed"}
    code, tests = _run_suite(runner, copy)
    broken = sorted(t for t in passing if not tests.get(t, False))
    return {"bug": bug.id, "patch": patch.id, "ok": not broken and code in (0, 1), "exit": code, "broken": broken[:5]}


def summarise(bugs: list[BugRepairs], rankings: dict, checked: list[dict], seconds: float) -> dict:
    solvable = [b for b in bugs if b.correct]
    outcomes = Counter(str(e.outcome) for b in bugs for e in b.executions.values())
    scores = {name: {f"top{k}": _top(order, solvable, k) for k in TOP_K} for name, order in rankings.items()}
    first = {name: {b.bug.id: _first_correct(order[b.bug.id], b) for b in solvable} for name, order in rankings.items()}
    scores["random (expected)"] = {f"top{k}": _random_top(solvable, k) for k in TOP_K}
    return {"bugs": len(bugs), "with_correct_patch": len(solvable), "with_inverse": sum(b.inverse for b in bugs),
            "patches": sum(len(b.patches) for b in bugs), "outcomes": dict(outcomes), "rankings": scores,
            "first_correct_rank": first,
            "reexecuted": len(checked), "reexecution_agrees": sum(c["ok"] for c in checked),
            "disagreements": [c for c in checked if not c["ok"]], "seconds": round(seconds, 1),
            "test_cpu_seconds": round(sum(e.cpu_seconds for b in bugs for e in b.executions.values()), 1)}


def print_summary(summary: dict) -> None:
    print(f"{summary['bugs']} killed bugs, {summary['patches']} patches executed "
          f"({', '.join(f'{n} {o}' for o, n in sorted(summary['outcomes'].items()))}) in {summary['seconds']}s")
    print(f"bugs with a correct patch among the candidates: {summary['with_correct_patch']}; "
          f"with the bug's inverse among them: {summary['with_inverse']}")
    for name, score in summary["rankings"].items():
        ranks = summary["first_correct_rank"].get(name)
        shown = f"  first correct at {sorted(ranks.values())}" if ranks else ""
        print(f"  {name:45s} " + "  ".join(f"{k} {v:.3f}" for k, v in score.items()) + shown)
    print(f"independent re-execution: {summary['reexecution_agrees']}/{summary['reexecuted']} correct patches "
          "pass every test that passes on the unmodified copy")
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


def _ids(ranked) -> list[str]:
    return [r.candidate.id for r in ranked]


def _patch(copy: Path, diff: str) -> bool:
    done = subprocess.run(["patch", "-p1", "--quiet", "--no-backup-if-mismatch"], cwd=copy, input=diff, text=True,
                          capture_output=True)
    return done.returncode == 0


def _pytest_args(settings: dict, corpus: str | None) -> str:
    if corpus:
        from bugprm.corpus import manifest

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
    parser.add_argument("--corpus", default=None, help="take the re-execution's pytest arguments from this manifest")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for one full-suite re-execution")
    parser.add_argument("--out", type=Path, default=None, help="write the summary as JSON here")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
