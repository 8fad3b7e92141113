"""Issue 18, part 2: a command opens its store once, at its edge, and passes it to the stage (score, train and
repair are not converted yet). Counted on the real Store.open, through the real console entry point."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bugprm.store import Store


@pytest.fixture
def opened(monkeypatch):
    """The module that called Store.open, once per call."""
    calls = []
    real = Store.open.__func__

    def counting(cls, directory, create=False):
        calls.append(Path(sys._getframe(1).f_code.co_filename).name)
        return real(cls, directory, create)

    monkeypatch.setattr(Store, "open", classmethod(counting))
    return calls


def test_each_command_opens_its_store_once_at_its_edge(fixture_repo, run_bugprm, opened, monkeypatch, tmp_path):
    monkeypatch.setenv("BUGPRM_TIMEOUT_CONSTANT", "3")
    repo = fixture_repo("h_calc")
    counts = {}
    for command in (["generate", repo], ["label", repo, "--limit", "2"], ["report", repo, "--format", "json"],
                    ["export", repo, "-o", tmp_path / "out.jsonl"], ["report", repo, "--format", "html", "-o",
                                                                   tmp_path / "r.html"]):
        opened.clear()
        code, _, err = run_bugprm(*command)
        assert code == 0, err
        counts[command[0] + (" html" if "html" in command else "")] = list(opened)
    candidate = (tmp_path / "out.jsonl").read_text().split('"id": "')[1][:8]
    opened.clear()
    assert run_bugprm("show", candidate, repo)[0] == 0
    counts["show"] = list(opened)
    assert counts == dict.fromkeys(["generate", "label", "report", "export", "report html", "show"], ["cli.py"])


def test_a_tree_without_sources_leaves_no_store(run_bugprm, tmp_path):
    (tmp_path / "README.md").write_text("docs only\n")
    code, _, err = run_bugprm("generate", tmp_path)
    assert code == 2 and "no source files" in err and not (tmp_path / ".bugprm").exists()
