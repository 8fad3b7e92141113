"""Naturalness on a small module whose lines repeat one idiom: the patch that restores the idiom gains, the one that
breaks it further loses, and the edited line never explains itself."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from bugprm.repair.naturalness import NgramModel, grams_ending, naturalness_gain, tokens_of

IDIOM = "    if value is not None:\n        total += value\n"
BUGGY = "    if not (value is not None):\n        total += value\n"
SOURCE = "def f(items):\n    total = 0\n" + IDIOM * 6 + BUGGY + IDIOM * 2 + "    return total\n"


def _gain(source: str, old: str, new: str):
    data = source.encode()
    start = data.index(old.encode())
    return naturalness_gain(NgramModel([tokens_of(source)]), data, start, start + len(old.encode()), new)


def test_restoring_the_idiom_gains():
    gain = _gain(SOURCE, "not (value is not None)", "value is not None")
    assert gain.per_token > 0 and gain.total > 0


def test_breaking_it_further_loses():
    assert _gain(SOURCE, "not (value is not None)", "not (value is None)").per_token < 0


def test_a_line_seen_once_is_not_explained_by_itself():
    unique = "def f(x):\n    return x\n\ndef g(y):\n    return y ** 7 // 3\n"
    data = unique.encode()
    start = data.index(b"y ** 7")
    model = NgramModel([tokens_of(unique)])
    gain = naturalness_gain(model, data, start, start + len("y ** 7 // 3"), "y")
    assert gain.per_token > 0  # with the line counted in the model, its own n-grams would favour keeping it


def test_left_out_ngrams_are_removed_from_the_counts():
    tokens = tokens_of("a = b\na = b\n")
    model = NgramModel([tokens])
    positions = range(len(tokens))
    everything = Counter(grams_ending(tokens, positions))
    uniform = len(positions) * -math.log(model.vocabulary)
    assert model.log_prob(tokens, positions, everything) == pytest.approx(uniform)


def test_a_left_out_ngram_the_model_never_saw_removes_nothing():
    """A line cut out of a multi-line string tokenises unlike the whole file; its n-grams must not drive a context's
    counts to zero (a probability of 0, whose log failed on decorator's source)."""
    model = NgramModel([tokens_of("x = 1\n" * 3)])
    assert math.isfinite(model.log_prob(["x", "y"], range(1, 2), Counter({("x", "y"): 1})))
