"""Train and test sets of one simulated run: held-out candidates of the same repository, or a repository left out."""

from __future__ import annotations

from dataclasses import dataclass, field

from bugprm.active.run import held_out_split
from bugprm.bench.pools import JudgedPool
from bugprm.errors import InputError
from bugprm.labels import step_labels
from bugprm.records import Candidate, Execution

SPLITS = ("within", "cross")


@dataclass(frozen=True)
class Split:
    """``target`` is the tested repository's whole judged pool: its mutation score is what a run estimates."""

    kind: str
    seed: int
    train: tuple[Candidate, ...]
    test: tuple[Candidate, ...]
    target: JudgedPool
    verdicts: dict[str, Execution] = field(compare=False)
    first_wrong: dict[str, int] = field(compare=False)

    @property
    def repo(self) -> str:
        return self.target.name


def within_split(pool: JudgedPool, held_out: float, seed: int) -> Split:
    train, test = held_out_split(list(pool.candidates), held_out, seed)
    return Split("within", seed, tuple(train), tuple(test), pool, pool.verdicts, first_wrong_steps(pool))


def cross_split(pools: list[JudgedPool], target: JudgedPool, seed: int) -> Split:
    """Train on every other repository, test on all of ``target``."""
    others = [p for p in pools if p is not target]
    train = tuple(c for p in others for c in p.candidates)
    verdicts = {i: e for p in pools for i, e in p.verdicts.items()}
    return Split("cross", seed, train, target.candidates, target, verdicts, first_wrong_steps(target))


def first_wrong_steps(pool: JudgedPool) -> dict[str, int]:
    """ProcessBench's truth per candidate, from step labels over the whole pool: the first step labelled 0, or -1."""
    labelled = step_labels(list(pool.candidates), pool.verdicts)
    return {c.id: _first_zero([s.label for s in c.steps]) for c in labelled}


def check_distinct(pools: list[JudgedPool]) -> None:
    """Candidate ids are content hashes without the repository, so the same package twice would share them."""
    seen: dict[str, str] = {}
    for pool in pools:
        clash = next((seen[c.id] for c in pool.candidates if c.id in seen), None)
        if clash:
            raise InputError(f"{pool.name} and {clash} share candidate ids (the same package twice?): "
                             "a cross-project split needs distinct repositories")
        seen.update({c.id: pool.name for c in pool.candidates})


def _first_zero(labels: list[int | None]) -> int:
    return labels.index(0) if 0 in labels else -1
