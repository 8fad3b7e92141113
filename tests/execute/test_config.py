"""The fingerprint changes with everything that can change a verdict, and with nothing else."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bugprm.execute.config import HarnessConfig, source_digest

BASE = HarnessConfig(python="/usr/bin/python3", python_version="3.11.7 8.0", source_digest="abc")


@pytest.mark.parametrize("change", [
    {"python": "/other/python"}, {"python_version": "3.12.0 8.0"}, {"pytest_args": ("-k", "x")},
    {"full_matrix": True}, {"timeout_multiplier": 5.0}, {"timeout_constant": 1.0}, {"memory_mb": 100},
    {"isolation": "spawn"},
])
def test_a_verdict_setting_changes_the_fingerprint(change):
    assert replace(BASE, **change).fingerprint() != BASE.fingerprint()
    assert replace(BASE, **change).baseline_fingerprint() != BASE.baseline_fingerprint()


def test_the_sources_change_the_baseline_fingerprint_only():
    edited = replace(BASE, source_digest="def")
    assert edited.fingerprint() == BASE.fingerprint()
    assert edited.baseline_fingerprint() != BASE.baseline_fingerprint()


def test_the_baseline_time_limit_does_not():
    assert replace(BASE, baseline_timeout=5.0).fingerprint() == BASE.fingerprint()


def test_the_source_digest_follows_python_and_config_files_only(tmp_path):
    (tmp_path / "m.py").write_text("x = 1\n")
    (tmp_path / "README.md").write_text("hello\n")
    (tmp_path / ".bugprm").mkdir()
    first = source_digest(tmp_path)
    (tmp_path / "README.md").write_text("changed\n")
    (tmp_path / ".bugprm" / "junk.py").write_text("ignored\n")
    assert source_digest(tmp_path) == first
    (tmp_path / "m.py").write_text("x = 2\n")
    assert source_digest(tmp_path) != first
