"""A throwaway workspace with its own test files, and a slot (warm worker) running jobs in it."""

from __future__ import annotations

import sys
import textwrap
import pytest

from bugprm.execute.config import HarnessConfig
from bugprm.execute.slot import Slot
from bugprm.execute.workspace import Workspace


@pytest.fixture
def make_slot(tmp_path):
    slots = []

    def make(files: dict[str, str], **settings) -> Slot:
        repo = tmp_path / "repo"
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(textwrap.dedent(text))
        workspace = Workspace.copy_of(repo, tmp_path / f"ws{len(slots)}")
        slot = Slot(workspace, HarnessConfig(python=sys.executable, python_version="test", **settings))
        slots.append(slot)
        return slot

    yield make
    for slot in slots:
        slot.close()
