"""What can change a verdict, gathered in one frozen record, and its fingerprints.

Every Execution carries the fingerprint it was made under; readers ask for the current fingerprint only, so a changed
interpreter, pytest option, harness version, selection mode or timeout setting never reuses a verdict. Source files
are not in it: a verdict also carries its context (``bugprm.execute.context``: the candidate's function and its
covering tests), so an edit elsewhere keeps it. The baseline (coverage, durations) belongs to one state of the
sources: ``baseline_fingerprint`` adds their digest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from harness import HARNESS_VERSION

from bugprm.errors import HarnessError, InputError
from bugprm.execute.containment import DEFAULT_ENV_ALLOW, settings_from_environ
from bugprm.files import entry_bytes

PYTHON_META = "harness.python"
PYTEST_ARGS_META = "harness.pytest_args"
CONFIG_FILES = ("pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", ".pytest.ini", "conftest.py")
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".bugprm", "__pycache__", ".tox", ".nox", ".venv", "venv",
                          "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", "mutants", "build", "dist"})


@dataclass(frozen=True)
class HarnessConfig:
    python: str
    python_version: str
    pytest_args: tuple[str, ...] = ()
    full_matrix: bool = False
    timeout_multiplier: float = 10.0
    timeout_constant: float = 5.0
    memory_mb: int = 4096
    isolation: str = "fork"
    baseline_timeout: float = 600.0
    file_size_mb: int = 1024
    env_allow: tuple[str, ...] = DEFAULT_ENV_ALLOW
    network: str = "isolate"
    hash_seed: str = field(default_factory=lambda: hash_seed())
    source_digest: str = field(default="", compare=False)

    def fingerprint(self) -> str:
        """What verdicts are made under: every setting but the sources and the baseline's time limit."""
        fields = {k: v for k, v in asdict(self).items() if k not in ("baseline_timeout", "source_digest")}
        blob = json.dumps({"harness": HARNESS_VERSION, **fields}, sort_keys=True, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def baseline_fingerprint(self) -> str:
        """What a baseline is measured under: the verdict fingerprint and the state of the sources."""
        return hashlib.sha256(f"{self.fingerprint()}:{self.source_digest}".encode()).hexdigest()[:16]


def make_config(repo: Path, python: str | None, pytest_args: str | None, *, full_matrix: bool = False,
                **settings) -> HarnessConfig:
    """Resolve the interpreter, ask it for its version, and hash the sources the verdicts depend on. ``BUGPRM_*``
    variables (``containment``) set limits, timeouts, the environment allow-list and the network; ``settings`` win."""
    settings = {**settings_from_environ(), **settings}
    interpreter = resolve_python(python)
    return HarnessConfig(python=interpreter, python_version=_python_version(interpreter),
                         pytest_args=split_pytest_args(pytest_args), full_matrix=full_matrix,
                         source_digest=source_digest(repo), **settings)


def with_settings(config: HarnessConfig, **settings) -> HarnessConfig:
    return replace(config, **settings)


def hash_seed() -> str:
    """One hash seed for every process of a run (the user's, if set): parametrised ids built by iterating a set of
    strings (isodate's are) are then the same in the baseline, in every worker and in every candidate run."""
    return os.environ.get("PYTHONHASHSEED", "0")


def resolve_python(python: str | None) -> str:
    path = Path(python or sys.executable).expanduser()
    if not path.exists():
        raise InputError(f"--python {python}: no such interpreter")
    if not path.is_file() or not os.access(path, os.X_OK):
        raise InputError(f"--python {python}: not an executable file (give the subject's interpreter, "
                         "e.g. .venv/bin/python)")
    return str(path.absolute())


def split_pytest_args(pytest_args: str | None) -> tuple[str, ...]:
    """The arguments as a shell would split them; unbalanced quotes are an input error, not a crash."""
    try:
        return tuple(shlex.split(pytest_args or ""))
    except ValueError as exc:
        raise InputError(f"--pytest-args {pytest_args!r}: {exc} (quote as in a shell: \"-k 'not slow'\")") from exc


def _python_version(python: str) -> str:
    probe = "import sys, pytest; print(sys.version.split()[0], pytest.__version__)"
    try:
        done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=120)
    except OSError as exc:
        raise InputError(f"--python {python}: cannot run it ({exc.strerror})") from exc
    except subprocess.TimeoutExpired as exc:
        raise HarnessError(f"the subject interpreter {python} did not answer within 120 s") from exc
    if done.returncode != 0:
        raise HarnessError(f"the subject interpreter {python} cannot import pytest: {done.stderr.strip()[-300:]}")
    return done.stdout.strip()


def source_digest(repo: Path) -> str:
    """A hash of every Python file and pytest config file in the repository (the state the verdicts belong to).
    Links are hashed by their target and never followed, as discovery and the workspace copy treat them."""
    digest = hashlib.sha256()
    for path in sorted(_source_files(repo)):
        digest.update(str(path.relative_to(repo)).encode() + b"\0" + entry_bytes(path) + b"\0")
    return digest.hexdigest()[:16]


def _source_files(repo: Path):
    for folder, dirs, files in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if not is_skipped_dir(Path(folder) / d))
        yield from (Path(folder) / f for f in files if f.endswith(".py") or f in CONFIG_FILES)


def is_skipped_dir(path: Path) -> bool:
    """Folders never copied nor hashed: VCS data, caches, build output and virtual environments."""
    return path.name in SKIPPED_DIRS or (path / "pyvenv.cfg").exists()
