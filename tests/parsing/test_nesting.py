"""``Nesting`` finds the same innermost range as a scan of every range would, on random trees of ranges."""

import random

from bugprm.parsing.functions import Nesting


def _tree(rng: random.Random, start: int, end: int, depth: int) -> list[tuple[int, int]]:
    ranges, at = [], start
    while depth and at < end - 2 and rng.random() < 0.8:
        low = rng.randrange(at, end - 1)
        high = rng.randrange(low + 1, min(end, low + 40) + 1)
        ranges += [(low, high), *_tree(rng, low, high, depth - 1)]
        at = high
    return ranges


def _scan(ranges, start, end):
    inside = [r for r in ranges if r[0] <= start and end <= r[1]]
    return min(inside, key=lambda r: r[1] - r[0]) if inside else None


def test_innermost_range_agrees_with_a_full_scan():
    rng = random.Random(5)
    for _ in range(50):
        ranges = list(dict.fromkeys(_tree(rng, 0, 300, 4)))
        nesting = Nesting(ranges)
        for _ in range(40):
            start = rng.randrange(300)
            end = min(299, start + rng.randrange(5))
            around = nesting.around(start, end)
            found = nesting.ranges[around[0]] if around else None
            expected = _scan(ranges, start, end)
            assert (found[1] - found[0] if found else None) == (expected[1] - expected[0] if expected else None)
