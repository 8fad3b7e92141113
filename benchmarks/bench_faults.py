"""Fault injection: ``kill -9`` at random moments of ``label``, ``train``, ``repair`` and ``score --verify``.

    python benchmarks/bench_faults.py [--trials 20] [--commands label,train,repair,score] [--seed 0] [--jobs 1]
        [--out FILE]

A small real repository (the ``h_calc`` fixture, made a git repository) gets a generated, partly labelled store and
a model once (a micro config: the faults are in the bookkeeping, not in the model's size). Each command is first run
cleanly on a copy (the reference). Then each trial copies the template, starts the command, kills it with SIGKILL
after a random share of the reference's wall time, runs the same command again to completion, and checks:

- the user's tree (everything outside ``.bugprm/``) is byte-identical after the kill and after the rerun;
- the store opens and SQLite's ``integrity_check`` is ``ok``;
- nothing lost: every verdict recorded before the kill is still there, with the same outcome;
- nothing executed twice: a recorded verdict keeps its ``executed_at`` through the rerun (re-executing it would
  replace the row); infrastructure errors, which are retried on purpose, are left out;
- ids stable: the candidate ids after the rerun are the reference's; the verdicts are the reference's;
- the killed run's workspace folder is gone after the rerun, and no process of it is left;
- ``train``: the resumed run's round log (each round's selection) is the reference's.

Exit status 0 when every check of every trial holds, 1 otherwise; one JSON line per trial on stderr, a summary on
stdout (``--out`` writes it as JSON too).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "h_calc"
ENV = {"BUGPRM_TIMEOUT_CONSTANT": "3", "BUGPRM_BASELINE_TIMEOUT": "60", "BUGPRM_LOCK_WAIT": "30"}
MICRO_CONFIG = """model: {backbone: scratch, architecture: llama, vocab_size: 256, hidden_size: 32, num_layers: 1,
  num_heads_attention: 2, heads: 2, head_hidden: 16, max_length: 128, prior: forest+text}
active_learning: {batch_size: 3, rounds: 4, seed_size: 3}
training: {epochs: 2, batch_size: 8, seed: 0}
"""
COMMANDS = {
    "label": ["label", "{repo}", "--all"],
    "train": ["train", "{repo}", "--config", "{repo}/../micro.yaml", "--budget", "9"],
    "repair": ["repair", "{repo}", "--from-store-killed", "1", "--execute", "3", "--top-sites", "2", "--format",
               "json"],
    "score": ["score", "--bugs", "--all", "--verify", "3", "--format", "json", "--repo", "{repo}", "--store",
              "{repo}/.bugprm"],
}


def bugprm(args: list[str], repo: Path, **options) -> subprocess.Popen:
    argv = [a.replace("{repo}", str(repo)) for a in args]
    return subprocess.Popen([sys.executable, "-m", "bugprm", *argv], cwd=repo, env={**os.environ, **ENV},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)


def finished(args: list[str], repo: Path) -> str:
    process = bugprm(args, repo)
    out, err = process.communicate(timeout=900)
    if process.returncode != 0:
        raise RuntimeError(f"bugprm {' '.join(args)} failed ({process.returncode}):\n{err[-2000:]}")
    return out


def template(scratch: Path, with_model: bool, pool: int = 20, labelled: int = 8) -> Path:
    """h_calc as a git repository with a pool of bugs, some labelled (so some are killed), and a tiny model."""
    repo = shutil.copytree(FIXTURE, scratch / "template" / "h_calc")
    for step in (["init", "-q"], ["add", "-A"], ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "x"]):
        subprocess.run(["git", *step], cwd=repo, check=True, capture_output=True)
    finished(["generate", "{repo}", "--max", str(pool)], repo)
    finished(["label", "{repo}", "--limit", str(labelled)], repo)
    if with_model:
        (repo.parent / "micro.yaml").write_text(MICRO_CONFIG)
        finished(["fit", "--config", "{repo}/../micro.yaml", "--store", "{repo}/.bugprm"], repo)
    return repo


def copy_of(repo: Path, target: Path) -> Path:
    copy = shutil.copytree(repo, target / repo.name, symlinks=True)
    (target / "micro.yaml").write_text(MICRO_CONFIG)
    return copy


def tree_digest(repo: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in repo.rglob("*") if ".bugprm" not in p.relative_to(repo).parts):
        digest.update(str(path.relative_to(repo)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def store_state(repo: Path) -> dict:
    """Integrity, candidate ids, verdicts (outcome and executed_at) and round selections of the store."""
    with sqlite3.connect(repo / ".bugprm" / "bugprm.sqlite", timeout=30) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        ids = sorted(r[0] for r in db.execute("SELECT id FROM candidates"))
        verdicts = {f"{c}/{f}": (o, t) for c, f, o, t in
                    db.execute("SELECT candidate_id, fingerprint, outcome, executed_at FROM executions")}
        sql = "SELECT round, selected FROM rounds ORDER BY run_id, round"
        rounds = [(r, json.loads(s)) for r, s in db.execute(sql)]
    return {"integrity": integrity, "ids": ids, "verdicts": verdicts, "rounds": rounds}


def leftovers(pid: int) -> list[str]:
    base = Path(tempfile.gettempdir()) / "bugprm-workspaces"
    folders = [str(f) for f in base.glob(f"run-{pid}-*")]
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and any(f in os.readlink(entry / "cwd") for f in folders):
                folders.append(f"process {entry.name}")
        except OSError:
            continue
    return folders


def reference(command: str, repo: Path) -> dict:
    started = time.monotonic()
    finished(COMMANDS[command], repo)
    return {"seconds": time.monotonic() - started, **store_state(repo)}


def trial(command: str, repo: Path, ref: dict | None, rng: random.Random, window: tuple[float, float] = (2, 8)) -> dict:
    """One kill and rerun; without a reference run the kill falls in ``window`` seconds and the comparisons with a
    clean run are left out."""
    before_tree, before = tree_digest(repo), store_state(repo)
    delay = rng.uniform(0.05, 0.95) * ref["seconds"] if ref else rng.uniform(*window)
    process = bugprm(COMMANDS[command], repo, start_new_session=False)
    time.sleep(delay)
    mid_run = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.communicate()
    time.sleep(0.3)
    killed = store_state(repo)
    tree_after_kill = tree_digest(repo)
    finished(COMMANDS[command], repo)
    final = store_state(repo)
    checks = _checks(command, before_tree, tree_after_kill, tree_digest(repo), before, killed, final, ref)
    checks["no_leftover_workspace"] = not leftovers(process.pid)
    return {"command": command, "kill_after_s": round(delay, 2), "killed_mid_run": mid_run,
            "verdicts_at_kill": len(killed["verdicts"]) - len(before["verdicts"]), "checks": checks,
            "ok": all(checks.values())}


def _checks(command, before_tree, tree_after_kill, tree_after, before, killed, final, ref) -> dict:
    kept = {k: v for k, v in killed["verdicts"].items() if v[0] != "infra_error"}
    found = {
        "tree_unmodified": before_tree == tree_after_kill == tree_after,
        "store_opens": killed["integrity"] == final["integrity"] == "ok",
        "nothing_lost": all(k in final["verdicts"] and final["verdicts"][k][0] == v[0] for k, v in kept.items()),
        "nothing_executed_twice": all(final["verdicts"][k][1] == v[1] for k, v in kept.items()
                                      if k in final["verdicts"]),
        "ids_stable": set(before["ids"]) <= set(final["ids"]) and (ref is None or final["ids"] == ref["ids"]),
    }
    if ref is not None:
        found["verdicts_as_reference"] = _outcomes(final) == _outcomes(ref)
        found["rounds_as_reference"] = command != "train" or final["rounds"] == ref["rounds"]
    return found


def _outcomes(state: dict) -> dict[str, str]:
    return {k: v[0] for k, v in state["verdicts"].items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--commands", default="label,train,repair,score")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="Trials run side by side (each is its own processes).")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    commands = [c.strip() for c in args.commands.split(",") if c.strip()]
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as folder:
        scratch = Path(folder)
        base = template(scratch, with_model="score" in commands)
        with ThreadPoolExecutor(args.jobs) as pool:
            refs = dict(zip(commands, pool.map(lambda c: reference(c, copy_of(base, scratch / f"ref-{c}")), commands)))
            plan = [(commands[i % len(commands)], copy_of(base, scratch / f"trial-{i}"), random.Random(rng.random()))
                    for i in range(args.trials)]
            results = list(pool.map(lambda p: _reported(trial(p[0], p[1], refs[p[0]], p[2])), plan))
    summary = _summary(results, refs)
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "trials": results}, indent=2))
    return 0 if summary["failed_trials"] == 0 else 1


def _reported(result: dict) -> dict:
    print(json.dumps(result), file=sys.stderr, flush=True)
    return result


def _summary(results: list[dict], refs: dict) -> dict:
    failed = [r for r in results if not r["ok"]]
    checks = sorted({c for r in results for c in r["checks"]})
    return {"trials": len(results), "killed_mid_run": sum(r["killed_mid_run"] for r in results),
            "failed_trials": len(failed),
            "by_command": {c: sum(r["command"] == c for r in results) for c in refs},
            "reference_seconds": {c: round(ref["seconds"], 1) for c, ref in refs.items()},
            "check_failures": {c: sum(not r["checks"][c] for r in results) for c in checks}}


if __name__ == "__main__":
    sys.exit(main())
