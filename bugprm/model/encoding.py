"""A trajectory as token ids: pure functions over any tokenizer with ``encode`` (tested with a fake one).

Layout, as in TRL's PRM rows: ``<kind> [prompt] step_1 <step> step_2 <step> ... step_n <step>``. Only the
``<step>`` positions carry labels (-100 elsewhere, and at steps whose label is unknown). A long trajectory is
cut inside its texts: each text gets a share of the token budget, and no ``<step>`` token is ever dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from bugprm.errors import ModelError
from bugprm.model.examples import Example, labels_for_training

IGNORE_INDEX = -100
STEP_TOKEN = "<step>"
KIND_TOKENS = {"bug": "<bug>", "repair": "<repair>"}
PAD_TOKEN = "<pad>"
MASK_TOKEN = "<mask>"


class Tokenizer(Protocol):
    def __call__(self, texts: list[str], add_special_tokens: bool = ..., return_attention_mask: bool = ...,
                 return_token_type_ids: bool = ...) -> dict: ...  # {"input_ids": [[...], ...]}


@dataclass(frozen=True)
class SpecialIds:
    step: int
    kinds: dict[str, int]
    reserved: frozenset[int]  # ids a step text may never produce (they would fake a step boundary)


@dataclass(frozen=True)
class Encoded:
    input_ids: tuple[int, ...]
    labels: tuple[int, ...]  # IGNORE_INDEX except at step ends with a known label
    step_positions: tuple[int, ...]


def allocate_budgets(lengths: Sequence[int], budget: int) -> list[int]:
    """Tokens each text may keep: short texts keep all, long ones share what is left equally (water-filling)."""
    budgets = list(lengths)
    if sum(lengths) <= budget:
        return budgets
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    remaining = budget
    for rank, index in enumerate(order):
        budgets[index] = min(lengths[index], remaining // (len(order) - rank))
        remaining -= budgets[index]
    return budgets


def encode_example(
    example: Example, tokenizer: Tokenizer, special: SpecialIds, max_length: int, drop_after_first_negative: bool = True
) -> Encoded:
    return encode_examples([example], tokenizer, special, max_length, drop_after_first_negative)[0]


def encode_examples(examples: Sequence[Example], tokenizer: Tokenizer, special: SpecialIds, max_length: int,
                    drop_after_first_negative: bool = True) -> list[Encoded]:
    """Every text of every example tokenized in one batched call (a call per text cost more than the backbone)."""
    texts = [text for e in examples for text in (e.prompt, *e.texts)]
    ids = iter(_token_ids(tokenizer, texts) if texts else [])
    return [_encode_pieces(e, [_kept(next(ids), special) for _ in range(1 + len(e.texts))], special, max_length,
                           drop_after_first_negative) for e in examples]


def _encode_pieces(example: Example, pieces: list[list[int]], special: SpecialIds, max_length: int,
                   drop_after_first_negative: bool) -> Encoded:
    kind = _kind_id(example.kind, special)
    budget = max_length - 1 - len(example.texts)
    if budget < 0:
        raise ModelError(f"max_length {max_length} cannot hold the {len(example.texts)} steps of {example.id}")
    pieces = [piece[:keep] for piece, keep in zip(pieces, allocate_budgets([len(p) for p in pieces], budget))]
    labels = labels_for_training(example.labels, drop_after_first_negative)
    return _assemble(kind, pieces[0], pieces[1:], labels, special.step)


def _assemble(kind: int, prompt: list[int], steps: list[list[int]], labels, step_id: int) -> Encoded:
    ids, targets, positions = [kind, *prompt], [IGNORE_INDEX] * (1 + len(prompt)), []
    for piece, label in zip(steps, labels):
        ids += [*piece, step_id]
        targets += [IGNORE_INDEX] * len(piece) + [IGNORE_INDEX if label is None else int(label)]
        positions.append(len(ids) - 1)
    return Encoded(tuple(ids), tuple(targets), tuple(positions))


def _token_ids(tokenizer: Tokenizer, texts: list[str]) -> list[list[int]]:
    """Each distinct text tokenized once (a function's source is a step of every mutant in it: 57% of the
    characters of semver's pool repeat); ids alone (the masks a tokenizer adds by default cost a third of its time)."""
    distinct = list(dict.fromkeys(texts))
    encoded = tokenizer(distinct, add_special_tokens=False, return_attention_mask=False, return_token_type_ids=False)
    ids = dict(zip(distinct, encoded["input_ids"]))
    return [ids[text] for text in texts]


def _kept(ids: list[int], special: SpecialIds) -> list[int]:
    return ids if special.reserved.isdisjoint(ids) else [i for i in ids if i not in special.reserved]


def _kind_id(kind: str, special: SpecialIds) -> int:
    if kind not in special.kinds:
        raise ModelError(f"unknown trajectory kind {kind!r} (known: {', '.join(special.kinds)})")
    return special.kinds[kind]
