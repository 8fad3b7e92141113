"""A bare subject interpreter: ``python -m venv`` plus ``pip install pytest``, built once per test session, and
the command run as a user would (a real process).

The fixture package (h_calc) has no dependencies of its own, so this is all a subject needs (issue 17, part 1).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def bare_venv(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "pytest"], check=True, timeout=300,
                   capture_output=True)
    return python



@pytest.fixture(scope="session")
def bugprm_process():
    """``bugprm_process(*args, cwd=DIR)``: ``python -m bugprm ARGS`` in its own process (CompletedProcess)."""

    def run(*args, cwd):
        return subprocess.run([sys.executable, "-m", "bugprm", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=600)

    return run
