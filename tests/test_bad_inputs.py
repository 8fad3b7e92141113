"""Bad inputs, one row each: the documented exit code (2 input, 3 runtime; 1 is only a failed gate) and a message
that says what to do, never a traceback unless ``--debug`` asks for one (issue 19)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from bugprm.failures import classified, store_database_error
from bugprm.mutate.run import generate_pool
from bugprm.store import DB_NAME, Store

MODULE = "def add(a, b):\n    if a > b:\n        return a - b\n    return a + b\n"


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text(MODULE)
    (root / "tests").mkdir()
    (root / "tests" / "test_mod.py").write_text(
        "from pkg.mod import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n")
    return root


@pytest.fixture
def generated(repo) -> Path:
    generate_pool(repo, None)
    return repo


def _write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def _not_executable(tmp_path: Path) -> Path:
    path = _write(tmp_path / "python3", "#!/bin/sh\n")
    path.chmod(0o644)
    return path


def _corrupt_pages(repo: Path) -> Path:
    database = repo / ".bugprm" / DB_NAME
    data = bytearray(database.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = b"\xa5" * (len(data) - page)  # every page but the first (the schema stays readable)
    database.write_bytes(bytes(data))
    return repo


# (name, fixture, args after `bugprm` with {repo} and {tmp} filled in, setup, exit code, message fragment)
ROWS = [
    ("budget nan", "repo", ["train", "{repo}", "--budget", "nan"], None, 2, "positive, finite"),
    ("budget inf", "repo", ["train", "{repo}", "--budget", "inf"], None, 2, "positive, finite"),
    ("budget cpu:nan", "repo", ["train", "{repo}", "--budget", "cpu:nan"], None, 2, "positive, finite"),
    ("unbalanced quotes", "generated", ["label", "{repo}", "--pytest-args", "-k 'not slow"], None, 2,
     "No closing quotation"),
    ("non-executable python", "generated", ["label", "{repo}", "--python", "{tmp}/python3"], _not_executable, 2,
     "not an executable file"),
    ("missing python", "generated", ["label", "{repo}", "--python", "{tmp}/nope"], None, 2, "no such interpreter"),
    (".bugprm is a file", "repo", ["generate", "{repo}"], lambda t: _write(t / "repo" / ".bugprm", "x"), 2,
     "a file stands where bugprm needs a folder"),
    ("corrupted store pages", "generated", ["report", "{repo}", "--format", "json"],
     lambda t: _corrupt_pages(t / "repo"), 2, "corrupt"),
    ("processbench label past the last step", "repo", ["eval", "--model", "{tmp}/m", "--data", "{tmp}/pb.jsonl"],
     lambda t: _write(t / "pb.jsonl", json.dumps({"problem": "p", "steps": ["a", "b"], "label": 5})), 2,
     "label 5 is not a step"),
    ("binary eval file", "repo", ["eval", "--model", "{tmp}/m", "--data", "{tmp}/pb.jsonl"],
     lambda t: _write(t / "pb.jsonl", b"\x89PNG\r\n\x1a\n\x00\xff\xfe"), 2, "not UTF-8 text"),
    ("steps not a list", "repo", ["eval", "--model", "{tmp}/m", "--data", "{tmp}/pb.jsonl"],
     lambda t: _write(t / "pb.jsonl", json.dumps({"steps": "notalist", "label": -1})), 2,
     '"steps" must be a non-empty list'),
    ("negative hidden_size", "repo", ["train", "{repo}", "--config", "{tmp}/bad.yaml"],
     lambda t: _write(t / "bad.yaml", "model:\n  hidden_size: -8\n"), 2, "model.hidden_size must be at least 1"),
    ("link to /dev/zero", "repo", ["generate", "{repo}"],
     lambda t: (t / "repo" / "pkg" / "zero.py").symlink_to("/dev/zero"), 0, "zero.py"),
]


@pytest.mark.parametrize("name, fixture, args, setup, code, fragment", ROWS, ids=[row[0] for row in ROWS])
def test_bad_input_exits_with_its_code_and_a_message(request, run_bugprm, tmp_path, name, fixture, args, setup,
                                                      code, fragment):
    request.getfixturevalue(fixture)
    if setup:
        setup(tmp_path)
    filled = [a.format(repo=tmp_path / "repo", tmp=tmp_path) for a in args]
    got, out, err = run_bugprm(*filled)
    assert got == code, (out, err)
    assert fragment in (err if code else out) and "Traceback" not in err + out


def test_debug_shows_the_traceback(run_bugprm, repo):
    got, _, err = run_bugprm("--debug", "train", repo, "--budget", "inf")
    assert got == 2 and "Traceback" in err and "positive, finite" in err


def test_a_store_in_a_read_only_place_is_an_input_error(run_bugprm, repo, tmp_path):
    target = Path("/sys/bugprm-test-store")
    try:
        target.mkdir()
    except OSError:
        pass
    else:
        target.rmdir()
        pytest.skip("/sys is writable here")
    got, _, err = run_bugprm("generate", repo, "--store", target)
    assert got == 2 and "cannot write /sys/bugprm-test-store" in err and "--store DIR" in err


def test_a_read_only_store_is_reported_as_read_only_not_corrupt(tmp_path):
    path = tmp_path / "ro.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        read_only.execute("INSERT INTO t VALUES (1)")
    message = str(store_database_error(path, caught.value))
    assert "read-only" in message and "corrupt" not in message
    assert "corrupt" in str(classified(sqlite3.DatabaseError("database disk image is malformed")))


def test_a_bad_setting_is_not_remembered(run_bugprm, generated, tmp_path):
    got, _, _ = run_bugprm("label", generated, "--pytest-args", "-k 'oops")
    assert got == 2
    with Store.open(generated / ".bugprm") as store:
        assert "oops" not in (store.get_meta("harness.settings") or "")


def test_a_remembered_setting_that_fails_says_how_to_replace_it(run_bugprm, generated, tmp_path):
    python = _write(tmp_path / "python3", "#!/bin/sh\nexec python3 \"$@\"\n")
    python.chmod(0o755)
    with Store.open(generated / ".bugprm") as store:
        store.set_meta("harness.settings", json.dumps({"python": str(python)}))
    os.chmod(python, 0o644)  # the interpreter remembered by an earlier run is gone bad since
    got, _, err = run_bugprm("label", generated, "--limit", "1")
    assert got == 2 and "remembered from an earlier run" in err and "pass --python PATH" in err
