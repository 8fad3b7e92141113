"""Training and scoring throughput (trajectories/s) and peak memory (RSS) of the PRM on this machine's CPU.

    python benchmarks/bench_model.py                       # tiny and default configs
    python benchmarks/bench_model.py --fit 1000            # also a full default-config fit on 1,000 trajectories
    python benchmarks/bench_model.py --warmup-effect       # held-out AUROC with and without the LM warm-up

Synthetic trajectories (``bugprm.model.synthetic``) with 36-line code windows: about 300-500 tokens each.
Each measurement runs in a fresh subprocess so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

WINDOW_LINES = 36


def main() -> None:
    args = _arguments()
    print(f"torch threads: {_threads()}, load average {os.getloadavg()[0]:.1f}, "
          f"synthetic trajectories with {WINDOW_LINES}-line windows")
    print("| config | tokens/trajectory | train traj/s | score traj/s | score MC-8 traj/s | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for name in args.configs:
        r = _child("throughput", name, args.trajectories, args.train_steps)
        print(f"| {name} | {r['tokens']:.0f} | {r['train_tps']:.1f} | {r['score_tps']:.1f} | {r['mc_tps']:.1f} "
              f"| {r['peak_rss_mb']:.0f} (after imports: {r['base_rss_mb']:.0f}) |")
    if args.fit:
        r = _child("fit", "default", args.fit, 0)
        print(f"\ndefault fit on {args.fit} trajectories: {r['seconds']:.0f}s wall "
              f"({r['train_seconds']:.0f}s training), {r['steps']} optimizer steps, "
              f"held-out step AUROC {r['step_auroc']:.3f}, peak RSS {r['peak_rss_mb']:.0f} MB, "
              f"load average before/after {r['load']}")
    if args.warmup_effect:
        for steps in (0, 300):
            r = _child("warmup", "tiny", steps, 0)
            print(f"tiny, {steps} LM warm-up steps: held-out inject-step AUROC {r['auroc']:.3f} "
                  f"(warm-up {r['warmup_seconds']:.0f}s, last LM loss {r['lm_loss']})")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=["tiny", "default"])
    parser.add_argument("--trajectories", type=int, default=256, help="Scored trajectories per config.")
    parser.add_argument("--train-steps", type=int, default=12, help="Timed optimizer steps per config.")
    parser.add_argument("--fit", type=int, default=0, metavar="N", help="Also time a default fit on N trajectories.")
    parser.add_argument("--warmup-effect", action="store_true")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    return parser.parse_args()


def _child(task: str, config: str, count: int, steps: int) -> dict:
    command = [sys.executable, __file__, "--child", task, config, str(count), str(steps)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_child(task: str, config_name: str, count: int, steps: int) -> dict:
    import torch  # noqa: F401  (the baseline RSS includes torch and transformers)
    import transformers  # noqa: F401

    from bugprm.config import load_config

    base = _rss_mb()
    config = load_config(config_name)
    result = {"throughput": _throughput, "fit": _fit, "warmup": _warmup}[task](config, count, steps)
    return {**result, "base_rss_mb": base, "peak_rss_mb": _rss_mb()}


def _throughput(config, count: int, steps: int) -> dict:
    from bugprm.model.training import new_model, train

    examples = _examples(count, seed=0)
    model = new_model(config, examples)
    tokens = statistics.mean(len(e.input_ids) for e in model.encode(examples))
    train(model, examples, max_steps=1)  # first-call costs out of the timing
    started = time.perf_counter()
    log = train(model, examples, max_steps=steps)
    train_tps = steps * config.training.batch_size * config.training.gradient_accumulation / log.seconds
    score_tps = count / _timed(lambda: model.score(examples))
    mc_tps = count / _timed(lambda: model.score(examples, mc_passes=8))
    return {"tokens": tokens, "train_tps": train_tps, "score_tps": score_tps, "mc_tps": mc_tps,
            "seconds": time.perf_counter() - started}


def _fit(config, count: int, _steps: int) -> dict:
    from bugprm.model.fitting import fit

    load, started = os.getloadavg()[0], time.perf_counter()
    model = fit(_examples(count, seed=0), config)
    run = model.summary["runs"][-1]
    return {"seconds": time.perf_counter() - started, "train_seconds": run["seconds"], "steps": run["optimizer_steps"],
            "step_auroc": run["validation"]["step"]["auroc"], "load": f"{load:.1f}/{os.getloadavg()[0]:.1f}"}


def _warmup(config, warmup_steps: int, _steps: int) -> dict:
    from bugprm.config import with_overrides
    from bugprm.metrics import auroc
    from bugprm.model.training import new_model, train

    config = with_overrides(config, {"model.warmup_lm_steps": warmup_steps, "training.epochs": 3})
    labelled, test = _examples(64, seed=1), _examples(300, seed=2)
    corpus = [t for e in _examples(2000, seed=3) for t in e.texts]
    started = time.perf_counter()
    model = new_model(config, labelled, corpus)
    warmup_seconds = time.perf_counter() - started
    train(model, labelled)
    scores = model.score(test)
    lm = model.summary.get("warmup_lm")
    return {"auroc": auroc([e.labels[3] for e in test], [s.step_mean[3] for s in scores]),
            "warmup_seconds": warmup_seconds, "lm_loss": round(lm["loss_last"], 3) if lm else None}


def _examples(count: int, seed: int):
    from bugprm.model.examples import from_candidate
    from bugprm.model.synthetic import synthetic_candidates

    return [from_candidate(c) for c in synthetic_candidates(count, seed=seed, window_lines=WINDOW_LINES)]


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--child"]:
        task, name, count, steps = arguments[1:5]
        print(json.dumps(_run_child(task, name, int(count), int(steps))))
    else:
        main()
