"""Optional language-model warm-up of the backbone on the corpus's unlabelled code, before any PRM training.

Causal backbones predict the next token, encoders fill 15% masked tokens; the output layer is the input embedding
matrix (tied), so nothing but the backbone is kept afterwards.
"""

from __future__ import annotations

import random
from typing import Iterable

import torch
import torch.nn.functional as F

from bugprm.model.backbone import is_masked_lm
from bugprm.model.encoding import IGNORE_INDEX

MASK_RATE = 0.15


def warm_up(backbone, tokenizer, texts: Iterable[str], steps: int, batch_size: int, learning_rate: float,
            length: int, seed: int) -> list[float]:
    """Train ``backbone`` in place for ``steps`` LM steps on ``texts`` cut into windows; returns the losses."""
    windows = token_windows(tokenizer, texts, length)
    if not windows or steps <= 0:
        return []
    rng, device = random.Random(seed), backbone.device
    optimizer = torch.optim.AdamW(backbone.parameters(), lr=learning_rate)
    masked = is_masked_lm(backbone)
    backbone.train()
    losses = []
    for _ in range(steps):
        ids = torch.tensor(rng.choices(windows, k=batch_size), device=device)
        loss = _masked_loss(backbone, ids, tokenizer.mask_token_id) if masked else _causal_loss(backbone, ids)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def token_windows(tokenizer, texts: Iterable[str], length: int) -> list[list[int]]:
    """The texts' tokens concatenated and cut into full windows of ``length`` tokens."""
    stream = [i for text in texts for i in tokenizer.encode(text, add_special_tokens=False)]
    return [stream[i : i + length] for i in range(0, len(stream) - length + 1, length)]


def _causal_loss(backbone, ids: torch.Tensor) -> torch.Tensor:
    logits = _logits(backbone, ids)
    return F.cross_entropy(logits[:, :-1].flatten(0, 1), ids[:, 1:].flatten())


def _masked_loss(backbone, ids: torch.Tensor, mask_id: int) -> torch.Tensor:
    chosen = torch.rand(ids.shape, device=ids.device) < MASK_RATE
    targets = torch.where(chosen, ids, torch.full_like(ids, IGNORE_INDEX))
    logits = _logits(backbone, torch.where(chosen, torch.full_like(ids, mask_id), ids))
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX)


def _logits(backbone, ids: torch.Tensor) -> torch.Tensor:
    states = backbone(input_ids=ids).last_hidden_state
    return states @ backbone.get_input_embeddings().weight.T
