"""Stratified sampling for ``--max``: round-robin across files, then functions, then operator families."""

from __future__ import annotations

import random
from collections import deque
from typing import Callable, Iterator, Sequence

from bugprm.records import Candidate

_STRATA: tuple[Callable[[Candidate], str], ...] = (
    lambda c: c.file,
    lambda c: c.function,
    lambda c: c.family,
)


def stratified_sample(candidates: Sequence[Candidate], limit: int, seed: int) -> list[Candidate]:
    """At most ``limit`` candidates; the same candidates and seed always give the same sample."""
    rng = random.Random(seed)
    ordered = sorted(candidates, key=lambda c: c.id)
    stream = _interleaved(ordered, _STRATA, rng)
    return [candidate for _, candidate in zip(range(limit), stream)]


def _interleaved(items: list[Candidate], strata: tuple, rng: random.Random) -> Iterator[Candidate]:
    if not strata:
        shuffled = list(items)
        rng.shuffle(shuffled)
        return iter(shuffled)
    groups: dict[str, list[Candidate]] = {}
    for item in items:
        groups.setdefault(strata[0](item), []).append(item)
    keys = sorted(groups)
    rng.shuffle(keys)
    return _round_robin([_interleaved(groups[key], strata[1:], rng) for key in keys])


def _round_robin(streams: list[Iterator[Candidate]]) -> Iterator[Candidate]:
    queue = deque(streams)
    while queue:
        stream = queue.popleft()
        item = next(stream, None)
        if item is not None:
            yield item
            queue.append(stream)
