"""The ensemble's training loss: binary cross-entropy per head at labelled step ends, and the bootstrap mask."""

from __future__ import annotations

import hashlib
from typing import Sequence

import torch
import torch.nn.functional as F


def step_bce(logits: torch.Tensor, labels: torch.Tensor, head_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Mean over heads of each head's mean BCE over the steps it sees (labels < 0 are unknown).

    logits [K, N], labels [N], head_mask [K, N] of 0/1. No labelled step gives exactly 0, never nan.
    """
    weights = (labels >= 0).float().expand_as(logits)
    if head_mask is not None:
        weights = weights * head_mask
    targets = labels.clamp(min=0).expand_as(logits)
    losses = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    per_head = (losses * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
    return per_head.mean()


def bootstrap_mask(ids: Sequence[str], heads: int, keep: float, seed: int) -> torch.Tensor:
    """[K, B] 0/1: whether head k trains on trajectory b. Fixed per (seed, head, id), so stable across epochs."""
    if keep <= 0.0:
        return torch.ones(heads, len(ids))
    draws = [[_unit(f"{seed}:{k}:{i}") for i in ids] for k in range(heads)]
    return (torch.tensor(draws) < keep).float()


def _unit(key: str) -> float:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2.0**64
