"""A fixed score report, built by hand, for the renderers: every number in it is chosen, none computed."""

from pathlib import Path

import pytest

from bugprm.records import BUG_STEPS, REPAIR_STEPS, Candidate, Edit, Kind, Outcome, Step, TrajectoryScore
from bugprm.scoring.records import (
    Located, Recommendation, Region, ScoredCandidate, ScoreReport, ScoreSettings, SourceFile, StepScore,
    Verification,
)

SOURCE = "def clamp(x, low, high):\n    if x < low:\n        return low\n    return min(x, high)\n"
BUG_DIFF = ("--- a/app.py\n+++ b/app.py\n@@ -2,1 +2,1 @@\n-    if x < low:\n+    if x <= low:\n")
APP = (Path(__file__).parents[1] / "data" / "sample_app.py").read_text()
PATCH_DIFF = ("--- a/app.py\n+++ b/app.py\n@@ -4,1 +4,1 @@\n-    return min(x, high)\n+    return max(x, high)\n")


def bug(ident: str, line: int, operator: str, outcome=None) -> Located:
    steps = tuple(Step(name, f"{name} text of {ident}\nsecond line") for name in BUG_STEPS)
    edit = Edit("app.py", 34, 35, "<", "<=")
    candidate = Candidate(ident, Kind.BUG, "/repo", "app.py", "clamp", line, operator, "comparison", BUG_DIFF,
                          steps, (edit,))
    return Located(candidate, Region(line, 10, line, 11), outcome)


def patch(ident: str) -> Located:
    steps = tuple(Step(name, f"{name} text of {ident}") for name in REPAIR_STEPS)
    candidate = Candidate(ident, Kind.REPAIR, "/repo", "app.py", "clamp", 4, "user_patch", "patch", PATCH_DIFF,
                          steps)
    return Located(candidate, Region(4, 1, 4, 24))


def scored(item: Located, rewards, stds, score, recommendation, uncertainty) -> ScoredCandidate:
    names = [str(s.name) for s in item.candidate.steps]
    steps = tuple(StepScore(n, r, s, f"{n} text of {item.candidate.id}") for n, r, s in zip(names, rewards, stds))
    weakest = min(steps, key=lambda s: s.reward)
    return ScoredCandidate(item.candidate, item.region, steps, score, Recommendation(recommendation), weakest,
                           uncertainty, item.outcome)


@pytest.fixture
def sample_report() -> ScoreReport:
    candidates = (
        scored(bug("b1aaaaaaaaaaaaaa", 2, "comparison_flip", Outcome.KILLED), (0.95, 0.9, 0.92, 0.88, 0.91),
               (0.01, 0.02, 0.01, 0.03, 0.02), 0.88, "use", 0.018),
        scored(patch("p1bbbbbbbbbbbbbb"), (0.9, 0.8, 0.75, 0.72, 0.8), (0.05, 0.05, 0.1, 0.1, 0.05), 0.72, "use",
               0.07),
        scored(bug("b2cccccccccccccc", 3, "return_drop"), (0.9, 0.85, 0.6, 0.7, 0.31),
               (0.02, 0.03, 0.1, 0.05, 0.2), 0.31, "refine", 0.08),
    )
    verified = (Verification("b1aaaaaaaaaaaaaa", 0.88, Recommendation.USE, Outcome.KILLED, True),)
    return ScoreReport("models/prm-v1", "unexecuted candidate bugs in /repo/.bugprm", ScoreSettings("min", 0.7),
                       candidates, (SourceFile("app.py", "python", SOURCE),), verified)


class HashScorer:
    """A deterministic stand-in for the PRM: each step's reward and spread come from a hash of its text."""

    def score(self, candidates):
        return [TrajectoryScore(c.id, tuple(_unit(s.text) for s in c.steps),
                                tuple(_unit("std" + s.text) / 5 for s in c.steps)) for c in candidates]


def _unit(text: str) -> float:
    import hashlib

    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


@pytest.fixture
def hash_scorer(monkeypatch) -> HashScorer:
    """``bugprm score`` loads this scorer whatever --model says; without --model, as the store's trained model."""
    scorer = HashScorer()
    monkeypatch.setattr("bugprm.scoring.run.load_scorer", lambda model_dir: scorer)
    monkeypatch.setattr("bugprm.scoring.run.chosen_model",
                        lambda store_dir, given: (Path(given or Path(store_dir) / "model"), False))
    return scorer


@pytest.fixture
def bugprm_cli(run_bugprm):
    """``bugprm_cli("report", "--store", DIR)`` -> (exit code, stdout, stderr): the root conftest's runner."""
    return run_bugprm


@pytest.fixture
def executed_store(tmp_path) -> Path:
    """A committed one-file git project and its generated store: the first four candidate bugs executed (killed,
    survived, no coverage, killed) under fingerprint ``fp``, the baseline's coverage of the survivor's line saved,
    and the rest pending."""
    import git

    from bugprm.mutate.run import generate_pool
    from bugprm.records import Execution
    from bugprm.store import Store

    repo = git.Repo.init(tmp_path / "project")
    (tmp_path / "project" / "app.py").write_text(APP)
    repo.index.add(["app.py"])
    author = git.Actor("bugprm tests", "tests@example.com")
    repo.index.commit("base", author=author, committer=author)
    summary = generate_pool(tmp_path / "project", None)
    with Store.open(summary.store_dir) as store:
        store.set_meta("fingerprint", "fp")
        bugs = store.candidates(Kind.BUG)
        for candidate, outcome in zip(bugs, (Outcome.KILLED, Outcome.SURVIVED, Outcome.NO_COVERAGE, Outcome.KILLED)):
            failing = ("tests/test_app.py::test_clamp",) if outcome is Outcome.KILLED else ()
            store.record_execution(Execution(candidate.id, outcome, failing_tests=failing, fingerprint="fp"))
        store.save_baseline("fp", [("tests/test_app.py::test_clamp", "passed", 0.01, 2, "tests.test_app")],
                            [("app.py", bugs[1].line, "tests/test_app.py::test_clamp")])
    return Path(summary.store_dir)
