"""A bare subject interpreter: ``python -m venv`` plus ``pip install pytest``, built once per test session.

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
