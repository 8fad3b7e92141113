"""What the model reads: a trajectory as step texts and step labels, whatever it came from (no torch here).

Sources: a store ``Candidate``, a line of ``bugprm export``, or a ProcessBench line (``problem``, ``steps`` as
strings, ``label`` = index of the first wrong step or -1).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from bugprm.errors import InputError
from bugprm.records import POSITIVE_OUTCOMES, UNLABELLED_OUTCOMES, Candidate, Kind, Outcome


@dataclass(frozen=True)
class Example:
    id: str
    kind: str
    texts: tuple[str, ...]
    labels: tuple[int | None, ...]
    features: dict = field(default_factory=dict, compare=False, hash=False)
    prompt: str = ""  # read before the first step (a ProcessBench problem); carries no label
    outcome_label: int | None = None  # 1: the whole trajectory is on course (a valid bug, a correct patch)

    @property
    def has_labels(self) -> bool:
        return any(label is not None for label in self.labels)

    @property
    def first_wrong_step(self) -> int | None:
        """Index of the first step labelled 0; -1 when the trajectory is known correct; None when unknown."""
        if 0 in self.labels:
            return self.labels.index(0)
        return -1 if self.trajectory_label == 1 else None

    @property
    def trajectory_label(self) -> int | None:
        if self.outcome_label is not None:
            return self.outcome_label
        if 0 in self.labels:
            return 0
        return 1 if self.labels and None not in self.labels else None


def from_candidate(candidate: Candidate) -> Example:
    return Example(
        id=candidate.id, kind=str(candidate.kind), texts=tuple(s.text for s in candidate.steps),
        labels=tuple(s.label for s in candidate.steps), features=dict(candidate.features),
    )


def as_example(item: Candidate | Example) -> Example:
    return item if isinstance(item, Example) else from_candidate(item)


def labels_for_training(labels: tuple[int | None, ...], drop_after_first_negative: bool) -> tuple[int | None, ...]:
    """Step labels the loss sees: after the first 0 a step's fate is already sealed, so its label is dropped."""
    if not drop_after_first_negative or 0 not in labels:
        return labels
    cut = labels.index(0) + 1
    return labels[:cut] + (None,) * (len(labels) - cut)


def split_by_id(examples: list[Example], fraction: float) -> tuple[list[Example], list[Example]]:
    """(rest, held out): about ``fraction`` of the examples, chosen by a hash of the id so the split is stable."""
    held = [_unit_hash(e.id) < fraction for e in examples]
    return [e for e, h in zip(examples, held) if not h], [e for e, h in zip(examples, held) if h]


def from_export_record(record: dict) -> Example:
    steps = record["steps"]
    return Example(
        id=str(record["id"]), kind=record.get("kind", str(Kind.BUG)), texts=tuple(s["text"] for s in steps),
        labels=tuple(s.get("label") for s in steps), features=record.get("features") or {},
        outcome_label=_outcome_label(record.get("outcome")),
    )


def from_processbench_record(record: dict, line_number: int) -> Example:
    first_wrong = int(record["label"])
    count = len(record["steps"])
    if not -1 <= first_wrong < count:
        raise ValueError(f"label {first_wrong} is not a step: it must be the index of the first wrong step "
                         f"(0 to {count - 1}) or -1 when every step is right")
    labels = tuple(1 for _ in range(count)) if first_wrong < 0 else _first_wrong_labels(first_wrong, count)
    return Example(
        id=str(record.get("id", line_number)), kind=record.get("kind", str(Kind.BUG)),
        texts=tuple(str(s) for s in record["steps"]), labels=labels, prompt=str(record.get("problem", "")),
        outcome_label=int(first_wrong < 0),
    )


def read_examples(path: Path) -> list[Example]:
    """Trajectories from a jsonl file of ``bugprm export`` lines or ProcessBench lines (told apart per line)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (byte {exc.start}): give a jsonl file of `bugprm export` "
                         "or ProcessBench lines") from exc
    return [_parse_line(line, number, path) for number, line in enumerate(lines, 1) if line.strip()]


def _parse_line(line: str, number: int, path: Path) -> Example:
    try:
        record = json.loads(line)
        steps = record.get("steps")
        if not isinstance(steps, list) or not steps:
            raise ValueError(f'"steps" must be a non-empty list, not {json.dumps(steps)[:40]}')
        if all(isinstance(step, str) for step in steps):
            return from_processbench_record(record, number)
        return from_export_record(record)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise InputError(f"{path}:{number}: not a `bugprm export` or ProcessBench line ({exc}); each line is a "
                         'JSON object with "steps": a list of step objects, or of strings with "label"') from exc


def _unit_hash(text: str) -> float:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16) / 16**12


def _first_wrong_labels(first_wrong: int, count: int) -> tuple[int | None, ...]:
    return tuple(1 if i < first_wrong else 0 if i == first_wrong else None for i in range(count))


def _outcome_label(outcome: str | None) -> int | None:
    if outcome is None or Outcome(outcome) in UNLABELLED_OUTCOMES:
        return None
    return int(Outcome(outcome) in POSITIVE_OUTCOMES)
