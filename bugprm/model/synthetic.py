"""Synthetic labelled trajectories of realistic shape and length, for tests and benchmarks (no torch).

The learnable rule: a trajectory is on course iff its inject text contains ``<=``; otherwise the inject step is its
first wrong step (labels 1, 1, 1, 0, 0, as the labeller gives: no completion of a wrong prefix ends well).
"""

from __future__ import annotations

import random

from bugprm.records import BUG_STEPS, Candidate, Kind, Step
from bugprm.trajectory import analyze_text, locate_text, select_text, validate_text

NAMES = ("count", "total", "index", "items", "value", "limit", "offset", "result", "buffer", "node", "key", "size")
OPERATORS = (("<", "<="), ("<", ">"), ("==", "!="), ("+", "-"), (">=", "<="), ("and", "or"), ("<=", "<"))


def synthetic_candidates(count: int, seed: int = 0, window_lines: int = 12) -> list[Candidate]:
    rng = random.Random(seed)
    return [_candidate(rng, number, window_lines) for number in range(count)]


def _candidate(rng: random.Random, number: int, window_lines: int) -> Candidate:
    original, replacement = rng.choice(OPERATORS)
    left, right = rng.sample(NAMES, 2)
    function = f"{rng.choice(NAMES)}_{rng.choice(NAMES)}"
    features = {"depth": rng.randint(0, 6), "lines": rng.randint(3, 80), "covered": rng.random() < 0.8,
                "tests": rng.randint(0, 40), "complexity": round(rng.uniform(1, 15), 2), "returns": rng.randint(0, 4)}
    node = f"{left} {original} {right}"
    window = "\n".join(_code_line(rng) for _ in range(window_lines))
    tests = [f"tests/test_{rng.choice(NAMES)}.py::test_{rng.choice(NAMES)}" for _ in range(rng.randint(0, 8))]
    texts = (
        locate_text(f"pkg/{rng.choice(NAMES)}.py", function, f"def {function}({left}, {right}):", window),
        analyze_text(features),
        select_text(f"swap_{original}", "comparison", "binary_operator", node, rng.randint(1, 400)),
        f"replace `{node}` with `{left} {replacement} {right}`",
        validate_text(tests),
    )
    good = "<=" in texts[3]
    labels = (1, 1, 1, 1, 1) if good else (1, 1, 1, 0, 0)
    steps = tuple(Step(name, text, label) for name, text, label in zip(BUG_STEPS, texts, labels))
    return Candidate(id=f"syn{number:05d}", kind=Kind.BUG, repo="synthetic", file="pkg/x.py", function=function,
                     line=1, operator=f"swap_{original}", family="comparison", diff="", steps=steps, features=features)


def _code_line(rng: random.Random) -> str:
    a, b, c = rng.sample(NAMES, 3)
    indent = "    " * rng.randint(1, 3)
    return indent + rng.choice((
        f"if {a} < {b}:", f"{a} = {b} + {c}", f"for {a} in range({b}):", f"return {a}[{b}:{c}]",
        f"{a}.append({b} * 2)", f"while {a} and not {b}:", f"{a} += len({b})", f"raise ValueError('{a} {b}')",
    ))
