"""Encoded trajectories as padded tensors, and batch orders that keep padding low."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

import torch

from bugprm.model.encoding import IGNORE_INDEX, Encoded


@dataclass(frozen=True)
class Batch:
    input_ids: torch.Tensor  # [B, T]
    attention_mask: torch.Tensor  # [B, T]
    step_rows: torch.Tensor  # [N]: the trajectory of each step end
    step_cols: torch.Tensor  # [N]: its position
    step_labels: torch.Tensor  # [N] float, IGNORE_INDEX where unknown
    features: torch.Tensor  # [B, F]
    offsets: torch.Tensor  # [B]: added to every head's logit at the trajectory's steps (``model.prior_offset``)

    def to(self, device: torch.device) -> "Batch":
        return Batch(*(t.to(device) for t in (self.input_ids, self.attention_mask, self.step_rows,
                                               self.step_cols, self.step_labels, self.features, self.offsets)))


def collate(encoded: Sequence[Encoded], features: Sequence[Sequence[float]], pad_id: int,
            offsets: Sequence[float] | None = None) -> Batch:
    width = max(len(e.input_ids) for e in encoded)
    ids = torch.full((len(encoded), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(encoded), width), dtype=torch.long)
    for row, e in enumerate(encoded):
        ids[row, : len(e.input_ids)] = torch.tensor(e.input_ids)
        mask[row, : len(e.input_ids)] = 1
    rows = [row for row, e in enumerate(encoded) for _ in e.step_positions]
    cols = [p for e in encoded for p in e.step_positions]
    labels = [float(e.labels[p]) for e in encoded for p in e.step_positions]
    return Batch(ids, mask, torch.tensor(rows), torch.tensor(cols), torch.tensor(labels),
                 torch.tensor([list(f) for f in features], dtype=torch.float32).reshape(len(encoded), -1),
                 torch.tensor(offsets if offsets is not None else [0.0] * len(encoded), dtype=torch.float32))


def by_length(encoded: Sequence[Encoded], batch_size: int) -> list[list[int]]:
    """Index batches of similar lengths, in a fixed order (for scoring)."""
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].input_ids))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def shuffled_by_length(encoded: Sequence[Encoded], batch_size: int, rng: random.Random,
                       pool: int = 50) -> list[list[int]]:
    """Random batches of similar lengths: shuffle, sort within pools of ``pool`` batches, shuffle the batches."""
    order = list(range(len(encoded)))
    rng.shuffle(order)
    batches = []
    for start in range(0, len(order), batch_size * pool):
        chunk = sorted(order[start : start + batch_size * pool], key=lambda i: len(encoded[i].input_ids))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def has_labels(encoded: Encoded) -> bool:
    return any(label != IGNORE_INDEX for label in encoded.labels)
