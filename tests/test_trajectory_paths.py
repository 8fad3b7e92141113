"""One builder for a bug trajectory: the same mutant reads the same through ``score --diff`` as in the pool that
``generate`` wrote and ``label`` filled with the baseline's coverage (features and every step text)."""

from pathlib import Path

import git

from bugprm.execute.features import fill_features
from bugprm.execute.saved import current_baseline
from bugprm.execute.session import HarnessSession
from bugprm.mutate.run import generate_pool
from bugprm.records import Kind
from bugprm.scoring.sources import revision_range
from bugprm.store import Store

AUTHOR = git.Actor("bugprm tests", "tests@example.com")
FAST = {"timeout_constant": 3.0, "baseline_timeout": 60.0, "memory_mb": 512}


def commit_all(repo: git.Repo, message: str) -> None:
    repo.git.add(A=True)
    repo.index.commit(message, author=AUTHOR, committer=AUTHOR)


def test_a_mutant_reads_the_same_through_the_diff_path_as_through_the_pool(fixture_repo):
    root = fixture_repo("h_calc")
    repo = git.Repo.init(root)
    commit_all(repo, "before")
    ops = root / "src" / "calc" / "ops.py"
    ops.write_text(ops.read_text().replace("    if value > high:\n", "    if high < value:\n"))
    commit_all(repo, "after")

    generate_pool(root, None)
    with Store.open(root / ".bugprm") as store:
        with HarnessSession.open(store, root, **FAST) as session:
            fill_features(store, session.runner, store.candidates())
        pool = {c.id: c for c in store.candidates(kind=Kind.BUG)}
        baseline = current_baseline(store, root)

    found = revision_range(root, "HEAD~1..HEAD", baseline=baseline)
    bugs = [item.candidate for item in found.items if item.candidate.kind is Kind.BUG]
    assert bugs and all(c.id in pool for c in bugs)
    assert any(c.features["line_covered"] and c.features["covering_tests"] for c in bugs)  # coverage was read
    for bug in bugs:
        assert bug.features == pool[bug.id].features
        assert [(s.name, s.text) for s in bug.steps] == [(s.name, s.text) for s in pool[bug.id].steps]
