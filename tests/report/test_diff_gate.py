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


class ConstantScorer:
    """A model that gives every step of every candidate the same reward: the tests catch each with that chance."""

    def __init__(self, reward: float):
        self.reward = reward

    def score(self, candidates):
        from bugprm.records import TrajectoryScore

        return [TrajectoryScore(c.id, (self.reward,) * len(c.steps), (0.0,) * len(c.steps)) for c in candidates]


def checked_out_helpers(project: Path):
    """(name, REV_RANGE) of each helper's commit, with that commit checked out while its turn lasts."""
    repo = git.Repo(project)
    base, tested, untested = (c.hexsha for c in reversed(list(repo.iter_commits())))
    for name, before, after in (("tested", base, tested), ("untested", tested, untested)):
        repo.git.checkout(after)
        yield name, f"{before}..{after}"


def test_the_default_gate_and_verify_tell_the_helpers_apart(bugprm_cli, helpers, monkeypatch, tmp_path,
                                                            store_footprint):
    """No store, no gate flag: the head's baseline is measured (no candidate runs). With no model coverage alone
    decides; with one, candidates on lines the tests run count by their survival probability (20% each passes
    the tested helper, 80% each fails it), and the untested helper fails however sure the model is. Then, on the
    same heads (one baseline each), --verify runs the three most uncertain candidates for real. Scoring the last
    head again, both ways, leaves the store as it was."""
    results = {}
    monkeypatch.setattr("bugprm.model.base.SHIPPED_DIRECTORY", tmp_path / "no-base-model")  # "no model" means none
    for name, rev_range in checked_out_helpers(helpers):
        executed = verdict_count(helpers)
        results[name, "no model"] = score(bugprm_cli, helpers, rev_range)
        for reward in (0.8, 0.2):
            monkeypatch.setattr("bugprm.scoring.run.load_scorer", lambda model_dir: ConstantScorer(reward))
            results[name, reward] = score(bugprm_cli, helpers, rev_range, "--model", str(tmp_path))
        assert verdict_count(helpers) == executed  # the default gate executed no candidate
        results[name, "verify"] = verified(bugprm_cli, helpers, rev_range, monkeypatch)
    before = store_footprint(helpers / ".bugprm")
    assert score(bugprm_cli, helpers, rev_range)[0] == 1
    assert verified(bugprm_cli, helpers, rev_range, monkeypatch) == results["untested", "verify"]
    assert store_footprint(helpers / ".bugprm") == before
    code, document, err = results["tested", "no model"]
    assert code == 0 and document["model"] == "coverage only (no model)" and not document["test_gaps"], err
    assert results["tested", 0.8][0] == 0
    code, _, err = results["tested", 0.2]
    assert code == 1 and "expected to let through" in err and "no test runs" not in err
    for model in ("no model", 0.8, 0.2):
        code, document, err = results["untested", model]
        assert code == 1 and "no test runs them" in err and "on 1 changed lines: app.py:10;" in err
        bugs = {c["id"] for c in document["candidates"] if c["kind"] == "bug"}
        assert bugs and set(document["test_gaps"]) == bugs
        assert {(g["untested"], g["survival"]) for g in document["test_gap_details"]} == {(True, 1.0)}
    assert results["tested", "verify"] == (0, {"killed"})
    code, outcomes = results["untested", "verify"]
    assert code == 1 and outcomes <= {"survived", "no_coverage"}


def verdict_count(project: Path) -> int:
    if not (project / ".bugprm").exists():
        return 0
    with Store.open(project / ".bugprm") as store:
        return len(store.verdicts(store.fingerprint()))


def verified(bugprm_cli, project: Path, rev_range: str, monkeypatch) -> tuple[int, set[str]]:
    """--verify 3 with every prediction "caught" (threshold 0): only what the verified runs found fails the gate.
    The store holds the three candidates after."""
    monkeypatch.setattr("bugprm.scoring.run.load_scorer", lambda model_dir: ConstantScorer(0.5))
    code, document, err = score(bugprm_cli, project, rev_range, "--threshold", "0", "--verify", "3",
                                "--max-gaps", "0", "--model", str(project / "stand-in-model"))
    assert len(document["verified"]) == 3, err
    with Store.open(project / ".bugprm") as store:
        assert len(store.candidates(ids=[v["id"] for v in document["verified"]])) == 3
    return code, {v["outcome"] for v in document["verified"]}
