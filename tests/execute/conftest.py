"""Helpers for harness tests: copy a fixture repository, build Candidate records directly, label in one call.

Candidates are built by hand (one byte-span edit, real step texts) so these tests never depend on the generator.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

from bugprm import trajectory
from bugprm.records import Candidate, Edit, Kind, content_id
from bugprm.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
FAST = {"timeout_constant": 3.0, "baseline_timeout": 60.0, "memory_mb": 512}


def copy_fixture(name: str, target: Path) -> Path:
    shutil.copytree(FIXTURES / name, target / name)
    return target / name


def replace_once(repo: Path, file: str, old: str, new: str, *, function: str = "f", occurrence: int = 0) -> Candidate:
    """A candidate replacing the ``occurrence``-th ``old`` in ``file`` by ``new``."""
    source = (repo / file).read_bytes()
    start = -1
    for _ in range(occurrence + 1):
        start = source.index(old.encode(), start + 1)
    line = source.count(b"\n", 0, start) + 1
    steps = trajectory.build_steps(
        Kind.BUG, trajectory.locate_text(file, function, f"def {function}(...)", old),
        trajectory.analyze_text({"line": line}), trajectory.select_text("replace", "test", "expr", old, line),
        f"replace {old!r} with {new!r}", trajectory.validate_text(None))
    return Candidate(id=content_id(file, start, old, new), kind=Kind.BUG, repo=str(repo), file=file,
                     function=function, line=line, operator="replace", family="test",
                     diff=f"--- a/{file}\n+++ b/{file}\n-{old}\n+{new}\n", steps=steps,
                     edits=(Edit(file, start, start + len(old.encode()), old, new),))


def store_with(repo: Path, candidates: list[Candidate]) -> Path:
    with Store.open(repo / ".bugprm", create=True) as store:
        store.add_candidates(candidates)
    return repo / ".bugprm"


def tree_digest(repo: Path) -> str:
    """Every file's path and bytes outside the store: equal digests mean a byte-identical tree."""
    digest = hashlib.sha256()
    for path in sorted(p for p in repo.rglob("*") if ".bugprm" not in p.parts):
        digest.update(str(path.relative_to(repo)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


OPS = "src/calc/ops.py"


def calc_candidates(repo: Path) -> dict[str, Candidate]:
    """Named candidates on h_calc, each with a known verdict."""
    return {
        "killed": replace_once(repo, OPS, "a + b", "a - b", function="add"),
        "survived": replace_once(repo, OPS, "a / b", "a * b", function="divide"),
        "boundary_survived": replace_once(repo, OPS, "value > high", "value >= high", function="clamp"),
        "no_coverage": replace_once(repo, OPS, "x - 1", "x + 1", function="unused"),
        "module_level": replace_once(repo, OPS, "FACTOR = 3", "FACTOR = 4"),
        "incompetent": replace_once(repo, OPS, "return a + b", "return (a +", function="add"),
        "timeout": replace_once(repo, OPS, "n % 2 == 0", "__import__('time').sleep(300)", function="is_even"),
        "segfault": replace_once(repo, OPS, "n % 2 == 0", "__import__('os').kill(__import__('os').getpid(), 11)",
                                 function="is_even"),
        "memory": replace_once(repo, OPS, "a / b", "len([bytearray(1 << 20) for _ in range(1 << 16)])",
                               function="divide"),
    }


@pytest.fixture(scope="session")
def h():
    """These helpers, for tests (a conftest cannot be imported by name under --import-mode=importlib)."""
    return sys.modules[__name__]


@pytest.fixture
def calc_repo(tmp_path) -> Path:
    return copy_fixture("h_calc", tmp_path)
