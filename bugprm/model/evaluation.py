"""Evaluate a model on labelled trajectories: trajectory, step and ProcessBench metrics, and per-trajectory predictions.

Without a given threshold, one is chosen on a validation split (by id hash) to maximise ProcessBench F1 (or
trajectory F1 when no step labels tell a first wrong step), and the metrics are reported on the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from bugprm.errors import InputError
from bugprm.metrics import DEFAULT_THRESHOLD, aggregate, best_threshold, binary_summary, f1_at, json_ready, processbench
from bugprm.model.examples import Example, labels_for_training, read_examples, split_by_id
from bugprm.model.io import load_model
from bugprm.model.scores import TrajectoryScore

VALIDATION_FRACTION = 0.2


@dataclass(frozen=True)
class Evaluation:
    metrics: dict
    scores: list[TrajectoryScore]  # in the order of the examples, validation split included


def evaluate(model, examples: Sequence[Example], threshold: float | None = None, how: str = "min") -> Evaluation:
    scores = model.score(examples)
    drop = model.config.training.drop_after_first_negative
    if threshold is not None:
        metrics = score_metrics(examples, scores, threshold, how, drop)
        return Evaluation({**metrics, "threshold_source": "given"}, scores)
    rest, held = _split(examples, scores)
    threshold, source = choose_threshold(*held, how)
    metrics = score_metrics(*rest, threshold, how, drop)
    return Evaluation({**metrics, "threshold_source": source, "validation_trajectories": len(held[0])}, scores)


def evaluate_file(model_dir: Path, data: Path, threshold: float | None = None, predictions: Path | None = None,
                  how: str = "min") -> dict:
    """Load the model, score the jsonl file, write predictions if asked; returns JSON-ready metrics."""
    examples = read_examples(data)  # checked before the (slower) model load
    if not examples:
        raise InputError(f"{data} holds no trajectories")
    model = load_model(model_dir)
    result = evaluate(model, examples, threshold, how)
    if predictions is not None:
        write_predictions(predictions, result.scores, how)
    return json_ready(result.metrics)


def score_metrics(examples: Sequence[Example], scores: Sequence[TrajectoryScore], threshold: float, how: str = "min",
                  drop_after_first_negative: bool = True) -> dict:
    pairs = list(zip(examples, scores))
    trajectories = [(e.trajectory_label, aggregate(s.step_mean, how)) for e, s in pairs if e.trajectory_label is not None]
    steps = [(label, p) for e, s in pairs
             for label, p in zip(labels_for_training(e.labels, drop_after_first_negative), s.step_mean)
             if label is not None]
    bench = [(e.first_wrong_step, s.step_mean) for e, s in pairs if e.first_wrong_step is not None]
    return {
        "threshold": threshold, "aggregate": how,
        "trajectory": binary_summary(*_columns(trajectories), threshold),
        "step": binary_summary(*_columns(steps), threshold),
        "processbench": {"n": len(bench), **processbench(*_columns(bench), threshold)},
    }


def choose_threshold(examples: Sequence[Example], scores: Sequence[TrajectoryScore], how: str = "min"):
    """(threshold, source): the best on these examples, or the default when they cannot tell."""
    pairs = list(zip(examples, scores))
    truth, steps = _columns([(e.first_wrong_step, s.step_mean) for e, s in pairs if e.first_wrong_step is not None])
    if any(t < 0 for t in truth) and any(t >= 0 for t in truth):
        flat = [p for row in steps for p in row]
        return best_threshold(flat, lambda t: processbench(truth, steps, t)["f1"]), "validation"
    labels, values = _columns([(e.trajectory_label, aggregate(s.step_mean, how)) for e, s in pairs if e.trajectory_label is not None])
    if len(set(labels)) == 2:
        return best_threshold(values, lambda t: f1_at(labels, values, t)), "validation"
    return DEFAULT_THRESHOLD, "default"


def prediction_record(score: TrajectoryScore, how: str = "min") -> dict:
    steps = [{"reward": m, "std": s} for m, s in zip(score.step_mean, score.step_std)]
    return {"id": score.id, "score": aggregate(score.step_mean, how), "steps": steps}


def write_predictions(path: Path, scores: Sequence[TrajectoryScore], how: str = "min") -> None:
    with open(path, "w", encoding="utf-8") as out:
        for score in scores:
            out.write(json.dumps(json_ready(prediction_record(score, how))) + "\n")


def format_metrics(metrics: dict, prefix: str = "") -> str:
    """Metrics as ``section.name: value`` lines, for a terminal."""
    lines = []
    for key, value in metrics.items():
        if isinstance(value, dict):
            lines.append(format_metrics(value, f"{prefix}{key}."))
        else:
            lines.append(f"{prefix}{key}: {value:.4f}" if isinstance(value, float) else f"{prefix}{key}: {value}")
    return "\n".join(lines)


def _split(examples: Sequence[Example], scores: Sequence[TrajectoryScore]):
    _, held = split_by_id(list(examples), VALIDATION_FRACTION)
    held_ids = {e.id for e in held}
    pairs = list(zip(examples, scores))
    rest = [p for p in pairs if p[0].id not in held_ids] or pairs
    return _columns(rest), _columns([p for p in pairs if p[0].id in held_ids])


def _columns(pairs: Sequence[tuple]) -> tuple[list, list]:
    return tuple(map(list, zip(*pairs))) if pairs else ([], [])
