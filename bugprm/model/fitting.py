"""``fit``: train a new (or saved) model on labelled trajectories, measure it on a held-out split, save it.

``fit_store`` does this for the labels already in a store, executing nothing; the store's unlabelled candidates
(and any source folders given) still feed the tokenizer and the optional LM warm-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from bugprm.config import Config
from bugprm.errors import InputError
from bugprm.metrics import DEFAULT_THRESHOLD
from bugprm.model.evaluation import score_metrics
from bugprm.model.examples import Example, as_example, from_candidate, split_by_id
from bugprm.model.io import load_model, save_model
from bugprm.model.prm import PRM
from bugprm.model.training import TrainLog, new_model, train, with_training
from bugprm.records import Candidate

MIN_FOR_VALIDATION = 20
SOURCE_SUFFIXES = (".py", ".js", ".jsx", ".ts", ".tsx", ".java", ".go")
MAX_SOURCE_BYTES = 20_000_000


def fit(items: Sequence[Candidate | Example], config: Config, out: Path | None = None,
        init_from: Path | None = None, corpus: Sequence[str] = ()) -> PRM:
    """A model trained on ``items`` (from scratch, or continuing the one saved at ``init_from``)."""
    examples = [as_example(item) for item in items]
    fraction = config.training.validation_fraction if len(examples) >= MIN_FOR_VALIDATION else 0.0
    train_set, held_out = split_by_id(list(examples), fraction)
    model = with_training(load_model(init_from), config) if init_from else new_model(config, train_set, corpus)
    log = train(model, train_set)
    run = _run_summary(model, train_set, held_out, log)
    model.summary = {**model.summary, "runs": [*model.summary.get("runs", []), run], "metrics": run["validation"]}
    if out is not None:
        save_model(model, out)
    return model


def fit_store(store, config: Config, out: Path | None = None, init_from: Path | None = None,
              source_dirs: Iterable[Path] = (), extra_stores: Sequence = ()) -> PRM:
    from bugprm.labels import step_labels

    examples = [from_candidate(c) for s in (store, *extra_stores) for c in step_labels(s.candidates(), s.verdicts())]
    labelled = [e for e in examples if e.has_labels]
    if not labelled:
        raise InputError(f"the store at {store.directory} has no labelled trajectories yet (run the harness first)")
    corpus = [t for e in examples if not e.has_labels for t in e.texts] + source_texts(source_dirs)
    return fit(labelled, config, out, init_from, corpus)


def source_texts(directories: Iterable[Path]) -> list[str]:
    """Source files under the directories (hidden folders skipped), up to MAX_SOURCE_BYTES in all."""
    texts, size = [], 0
    for directory in directories:
        for path in sorted(Path(directory).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and not _hidden(path, directory) and size < MAX_SOURCE_BYTES:
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
                size += len(texts[-1])
    return texts


def data_summary(examples: Sequence[Example]) -> dict:
    labels = [label for e in examples for label in e.labels if label is not None]
    kinds = sorted({e.kind for e in examples})
    return {
        "trajectories": len(examples), "labelled_steps": len(labels), "positive_steps": sum(labels),
        "negative_steps": len(labels) - sum(labels), "kinds": {k: sum(e.kind == k for e in examples) for k in kinds},
    }


def _run_summary(model: PRM, train_set: Sequence[Example], held_out: Sequence[Example], log: TrainLog) -> dict:
    validation = None
    if held_out:
        drop = model.config.training.drop_after_first_negative
        validation = score_metrics(held_out, model.score(held_out), DEFAULT_THRESHOLD, "min", drop)
    return {
        "config_fingerprint": model.config.fingerprint(), "trained_on": data_summary(train_set),
        "held_out": data_summary(held_out), "optimizer_steps": log.steps, "seconds": round(log.seconds, 2),
        "loss_first": log.losses[0] if log.losses else None, "loss_last": log.losses[-1] if log.losses else None,
        "validation": validation,
    }


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def describe_fit(model: PRM, out: Path) -> str:
    """A few lines on the last training run, for the terminal."""
    run = model.summary["runs"][-1]
    trained, validation = run["trained_on"], run["validation"] or {}
    lines = [f"trained on {trained['trajectories']} trajectories ({trained['labelled_steps']} labelled steps): "
             f"{run['optimizer_steps']} steps in {run['seconds']:.1f}s, "
             f"loss {_number(run['loss_first'])} -> {_number(run['loss_last'])}"]
    for level in ("trajectory", "step"):
        if level in validation:
            held = validation[level]
            lines.append(f"held-out {level} AUROC {_number(held['auroc'])} (n={held['n']}, threshold 0.5 "
                         f"accuracy {_number(held['accuracy'])})")
    return "\n".join([*lines, f"model written to {out}"])


def _number(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.4f}"
