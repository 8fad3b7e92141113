"""K independent MLP heads (in -> hidden -> hidden -> 1) evaluated as one batched op over stacked weights.

Each head keeps a frozen copy of its initial weights (its anchor); ``anchor_penalty`` is each head's squared
distance to its anchor, the anchored-ensemble regulariser that keeps the heads from collapsing onto one answer.
"""

from __future__ import annotations

import math

import torch
from torch import nn

LAYERS = ("1", "2", "3")


class EnsembleHeads(nn.Module):
    def __init__(self, heads: int, in_features: int, hidden: int, dropout: float = 0.0, seed: int = 0):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        shapes = {"1": (in_features, hidden), "2": (hidden, hidden), "3": (hidden, 1)}
        for layer, (fan_in, fan_out) in shapes.items():
            bound = 1.0 / math.sqrt(fan_in)
            weight = _uniform((heads, fan_in, fan_out), bound, generator)
            bias = _uniform((heads, 1, fan_out), bound, generator)
            self.register_parameter(f"weight{layer}", nn.Parameter(weight))
            self.register_parameter(f"bias{layer}", nn.Parameter(bias))
            self.register_buffer(f"anchor_weight{layer}", weight.clone())
            self.register_buffer(f"anchor_bias{layer}", bias.clone())
        self.dropout = nn.Dropout(dropout)

    @property
    def count(self) -> int:
        return self.weight1.shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [N, in_features] -> logits [K, N]."""
        h = torch.relu(torch.einsum("ni,kih->knh", self.dropout(x), self.weight1) + self.bias1)
        h = torch.relu(torch.baddbmm(self.bias2, self.dropout(h), self.weight2))
        return torch.baddbmm(self.bias3, h, self.weight3).squeeze(-1)

    def anchor_penalty(self) -> torch.Tensor:
        """[K]: each head's squared L2 distance from its own initial weights."""
        return sum(
            (getattr(self, f"{kind}{layer}") - getattr(self, f"anchor_{kind}{layer}")).pow(2).sum(dim=(1, 2))
            for layer in LAYERS
            for kind in ("weight", "bias")
        )

    def single_head(self, k: int, x: torch.Tensor) -> torch.Tensor:
        """Head k alone, as a plain loop would compute it (the reference the batched op is tested against)."""
        h = torch.relu(x @ self.weight1[k] + self.bias1[k])
        h = torch.relu(h @ self.weight2[k] + self.bias2[k])
        return (h @ self.weight3[k] + self.bias3[k]).squeeze(-1)


def _uniform(shape: tuple[int, ...], bound: float, generator: torch.Generator) -> torch.Tensor:
    return (torch.rand(shape, generator=generator) * 2 - 1) * bound
