"""Naturalness: how much a patch makes the code it edits look like the rest of the project.

Code is repetitive, and a bug usually makes a line less like the project's other lines (Ray et al., "On the
"naturalness" of buggy code", ICSE 2016). A token n-gram model of the project's own source files, as they are in the
failing state (the bug's edit is in them; the original code is not), scores the tokens from the edited lines to
``ORDER - 1`` tokens past them, before and after the patch. The gain is the difference of the two mean log-probabilities
per token (nats): positive when the patch makes the code more probable. The difference of the sums is kept too, but
it ranks badly: removing code always gains, since fewer tokens are left to predict.

The n-grams ending on the scored tokens of the failing state are left out of the model while it scores them, so an
edited line never explains itself: a bug's line is, after all, part of the failing state.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from bugprm.parsing import Language
from bugprm.parsing.discovery import discover_sources

ORDER = 4
DISCOUNT = 0.75
TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'"
                   r"|==|!=|<=|>=|\*\*|//|->|\+=|-=|\n|[^\s\w]")
NEWLINE = "\n"

Gram = tuple[str, ...]


@dataclass(frozen=True)
class Gain:
    per_token: float  # the mean ln P per scored token, after minus before: what ranks patches
    total: float  # the sum, after minus before: a deletion gains by predicting fewer tokens


class NgramModel:
    """Interpolated absolute discounting over token n-grams of orders 1 to ``ORDER``."""

    def __init__(self, streams: Iterable[list[str]]):
        self.grams: Counter[Gram] = Counter()
        for tokens in streams:
            self.grams.update(grams_ending(tokens, range(len(tokens))))
        self.contexts, self.kinds = _context_counts(self.grams, self.grams)
        self.vocabulary = self.kinds[()] + 1

    def log_prob(self, tokens: list[str], positions: range, left_out: Counter[Gram]) -> float:
        """Sum of ln P(token | the ORDER - 1 before it) over ``positions``, with ``left_out`` n-grams removed."""
        removed = _context_counts(left_out, self.grams)
        return sum(math.log(self._prob(tuple(tokens[max(0, i - ORDER + 1):i + 1]), left_out, removed))
                   for i in positions)

    def _prob(self, gram: Gram, left_out: Counter[Gram], removed: tuple[Counter, Counter]) -> float:
        lower = 1.0 / self.vocabulary if len(gram) == 1 else self._prob(gram[1:], left_out, removed)
        context = gram[:-1]
        seen = self.contexts[context] - removed[0][context]
        if seen <= 0:
            return lower
        kinds = self.kinds[context] - removed[1][context]
        return (max(self.grams[gram] - left_out[gram] - DISCOUNT, 0.0) + DISCOUNT * kinds * lower) / seen


def tokens_of(text: str) -> list[str]:
    return TOKEN.findall(text)


def grams_ending(tokens: list[str], positions: Iterable[int]) -> Iterable[Gram]:
    for i in positions:
        for order in range(1, min(ORDER, i + 1) + 1):
            yield tuple(tokens[i - order + 1:i + 1])


def project_model(root: Path, text_of: Callable[[str], str], language: Language) -> NgramModel:
    """The model of every source file of ``language`` under ``root``, each read through ``text_of(relative)``."""
    sources, _ = discover_sources(root)
    return NgramModel(tokens_of(text_of(s.relative)) for s in sources if s.language is language)


def naturalness_gain(model: NgramModel, source: bytes, start: int, end: int, replacement: str) -> Gain:
    """The gain in ln P of the tokens from the edited lines' start to ORDER - 1 tokens past their end; ``start``
    and ``end`` are the byte offsets of the replaced text in ``source``."""
    line_start, line_end = source.rfind(b"\n", 0, start) + 1, _line_end(source, end)
    head, tail = _text(source[:line_start]), _text(source[line_end:])
    before = _scored(head, _text(source[line_start:line_end]), tail)
    after = _scored(head, _text(source[line_start:start]) + replacement + _text(source[end:line_end]), tail)
    left_out = Counter(grams_ending(*before))
    was, now = model.log_prob(*before, left_out), model.log_prob(*after, left_out)
    return Gain(now / len(after[1]) - was / len(before[1]), now - was)


def _context_counts(grams: Counter[Gram], full: Counter[Gram]) -> tuple[Counter[Gram], Counter[Gram]]:
    """Per context: the n-grams' total count, and how many kinds of n-gram ``grams`` has that ``full`` has no more
    of (all of them when ``grams`` is ``full``). Only what ``full`` holds counts: a left-out n-gram the model never
    saw (a line cut inside a multi-line string tokenises differently from its whole file) removes nothing."""
    totals, kinds = Counter(), Counter()
    for gram, count in grams.items():
        held = min(count, full[gram])
        totals[gram[:-1]] += held
        kinds[gram[:-1]] += held > 0 and count >= full[gram]
    return totals, kinds


def _scored(head: str, lines: str, tail: str) -> tuple[list[str], range]:
    """Tokens (history, edited lines, ORDER - 1 after them) and the positions to score."""
    history = tokens_of(head)[-(ORDER - 1):]
    edited, after = tokens_of(lines), tokens_of(tail)[:ORDER - 1]
    return history + edited + after, range(len(history), len(history) + len(edited) + len(after))


def _line_end(source: bytes, end: int) -> int:
    if end > 0 and source[end - 1:end] == b"\n":
        return end
    found = source.find(b"\n", end)
    return len(source) if found < 0 else found + 1


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
