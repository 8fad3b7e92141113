"""The diff path end to end: the test-gap gate (``--max-gaps``) and ``--verify`` on candidates made at the head,
with the real harness running the project's own tests. Two commits: a helper with a test, a helper without."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from bugprm.store import Store

AUTHOR = git.Actor("bugprm tests", "tests@example.com")
APP = "def clamp(x, low, high):\n    return max(low, min(x, high))\n"
TESTS = ("from app import clamp\n\n\ndef test_clamp():\n    assert clamp(5, 0, 3) == 3\n"
         "    assert clamp(-1, 0, 3) == 0\n")
TESTED_HELPER = "\n\ndef double(x):\n    return x * 2\n"
DOUBLE_TEST = ("\n\ndef test_double():\n    from app import double\n    assert double(3) == 6\n"
               "    assert double(-2) == -4\n")
UNTESTED_HELPER = "\n\ndef triple(x):\n    return x * 3\n"


def commit(repo: git.Repo, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        path = Path(repo.working_tree_dir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    repo.index.add(list(files))
    repo.index.commit(message, author=AUTHOR, committer=AUTHOR)


@pytest.fixture
def helpers(tmp_path) -> Path:
    """base, then a tested helper (HEAD~1), then an untested one (HEAD)."""
    repo = git.Repo.init(tmp_path / "project")
    commit(repo, {"app.py": APP, "tests/test_app.py": TESTS}, "base")
    commit(repo, {"app.py": APP + TESTED_HELPER, "tests/test_app.py": TESTS + DOUBLE_TEST}, "tested helper")
    commit(repo, {"app.py": APP + TESTED_HELPER + UNTESTED_HELPER}, "untested helper")
    return Path(repo.working_tree_dir)


def score(bugprm_cli, project, rev_range, *options):
    code, out, err = bugprm_cli("score", "--diff", rev_range, "--repo", str(project), "--format", "json",
                                *options)
    assert out, err
    return code, json.loads(out), err


def test_the_gap_gate_counts_predicted_survivors(bugprm_cli, hash_scorer, helpers, tmp_path):
    sarif = tmp_path / "gaps.sarif"
    code, document, err = score(bugprm_cli, helpers, "HEAD~1", "--threshold", "1", "--max-gaps", "0",
                                "--sarif", str(sarif))
    assert code == 1 and "likely test gaps (more than --max-gaps 0)" in err
    assert document["candidates"]  # the report and the alerts are written before the gate fails
    alerts = json.loads(sarif.read_text())["runs"][0]["results"]
    assert {a["locations"][0]["physicalLocation"]["region"]["startLine"] for a in alerts} == {10}
    assert score(bugprm_cli, helpers, "HEAD~1", "--threshold", "0", "--max-gaps", "0")[0] == 0


def test_verify_runs_the_heads_candidates_and_the_gate_tells_the_helpers_apart(bugprm_cli, hash_scorer, helpers):
    """No pool was generated: --verify adds the change's candidates to a new store and runs them for real; with
    every prediction "caught" (threshold 0), only what the verified runs found can fail the gate."""
    repo = git.Repo(helpers)
    base, tested, untested = (c.hexsha for c in reversed(list(repo.iter_commits())))
    verdicts = {}
    for name, before, after in (("tested", base, tested), ("untested", tested, untested)):
        repo.git.checkout(after)
        code, document, err = score(bugprm_cli, helpers, f"{before}..{after}", "--threshold", "0", "--verify",
                                    "3", "--max-gaps", "0")
        assert len(document["verified"]) == 3, err
        verdicts[name] = (code, {v["outcome"] for v in document["verified"]})
    assert verdicts["tested"] == (0, {"killed"})
    assert verdicts["untested"][0] == 1 and verdicts["untested"][1] <= {"survived", "no_coverage"}
    with Store.open(helpers / ".bugprm") as store:
        assert len(store.candidates(ids=[v["id"] for v in document["verified"]])) == 3
