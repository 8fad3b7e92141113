"""What the state ranker learns from: each package's labelled repair states (the repair trajectory cache that
``train-base --repair-bugs N --repair-cache DIR`` reads), counted by ``bugprm.bench.ranker_states``; with
``--model DIR`` (a base model that never saw these packages) also how much each feature reorders a state's
patches under that model's ranker, and where each order puts the state's first correct patch.

    python benchmarks/repair_ranker_states.py --cache DIR --work WORK --packages NAME,NAME,... [--repair-bugs 15]
        [--model DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bugprm.bench.ranker_states import contrast, summary, within_state_spread
from bugprm.corpus_build.base import BaseRequest, chosen_packages
from bugprm.corpus_build.build import VERDICT_DIR
from bugprm.corpus_build.failure_messages import document_messages
from bugprm.corpus_build.message_record import MESSAGE_DIR
from bugprm.corpus_build.repair_cache import cached_repairs
from bugprm.corpus_build.repair_trajectories import RepairSample
from bugprm.corpus_build.trajectories import package_trajectories
from bugprm.corpus_build.verdicts import read_verdicts
from bugprm.model.examples import from_candidate
from bugprm.model.repair_ranker import StatePatches, states_of


def main() -> None:
    args = _arguments()
    files = chosen_packages(BaseRequest(Path("/nonexistent"), args.verdicts, args.work, only=tuple(args.packages)))
    ranker = _ranker(args.model) if args.model else None
    report, everything = {}, []
    for name in args.packages:
        states = package_states(files[name], args)
        if ranker is not None:
            states = [_with_log_odds(s, ranker.forest) for s in states]
        everything += states
        report[name] = {**summary([contrast(s) for s in states]), **(_orders(states, ranker) if ranker else {})}
        print(f"{name}: {report[name]}", flush=True)
    report["pooled"] = {**summary([contrast(s) for s in everything]),
                        **(_orders(everything, ranker) if ranker else {})}
    if ranker is not None:
        report["within_state_spread"] = within_state_spread(ranker.ranker, everything)
        print(f"within-state spread: {report['within_state_spread']}")
    print(f"pooled: {report['pooled']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


def package_states(verdict_file: Path, args) -> list[StatePatches]:
    found = package_trajectories(verdict_file, args.work)
    messages = document_messages(None, read_verdicts(verdict_file), verdict_file, args.messages)
    repairs = cached_repairs(found, verdict_file, args.work, RepairSample(args.repair_bugs), args.cache,
                             messages=messages)
    patches = list(repairs.candidates)
    correct = {p.id: from_candidate(p).trajectory_label for p in patches}
    return states_of(patches, {p.id: 0.0 for p in patches}, correct)


def _ranker(directory: Path):
    from bugprm.model.repair_ranker import load_patch_ranker

    found = load_patch_ranker(directory)
    if found is None:
        raise SystemExit(f"no state ranker in {directory}")
    return found


def _with_log_odds(state: StatePatches, forest) -> StatePatches:
    log_odds = forest.log_odds([from_candidate(p) for p in state.patches])
    return StatePatches(state.patches, tuple(float(v) for v in log_odds), state.correct)


def _orders(states: list[StatePatches], ranker) -> dict:
    """Over the states with a correct and an incorrect patch: how often each order puts a correct patch first."""
    fitted = [s for s in states if contrast(s).ranks]
    firsts = {"ranker": [], "forest": [], "heuristic": [], "ranker_is_forest_first": []}
    for state in fitted:
        correct = np.array(state.correct)
        by_ranker = int(np.argmax(ranker.ranker.scores(state)))
        by_forest = int(np.argmax(state.log_odds))
        by_heuristic = int(np.argmin([p.features.get("heuristic_rank", 1e9) for p in state.patches]))
        firsts["ranker"].append(correct[by_ranker]), firsts["forest"].append(correct[by_forest])
        firsts["heuristic"].append(correct[by_heuristic])
        firsts["ranker_is_forest_first"].append(int(by_ranker == by_forest))
    return {f"top1_{name}": round(float(np.mean(v)), 3) if v else None for name, v in firsts.items()}


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--packages", type=lambda v: [n for n in v.split(",") if n], required=True)
    parser.add_argument("--repair-bugs", type=int, default=15)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--verdicts", type=Path, default=VERDICT_DIR)
    parser.add_argument("--messages", type=Path, default=MESSAGE_DIR)
    parser.add_argument("--json", type=Path, default=None)
    return parser.parse_args()


if __name__ == "__main__":
    main()
