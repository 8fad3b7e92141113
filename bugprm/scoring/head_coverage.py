"""The baseline of the head that ``score --diff`` scores: which tests run which line, measured once per state of the
sources (one traced run of the suite, no candidate executed) and kept in the store, so that the default gate knows
the changed lines no test runs before it looks at any prediction."""

from __future__ import annotations

from pathlib import Path

from bugprm.errors import BugprmError
from bugprm.store import Store


def head_checked_out(repo: Path, rev_range: str) -> str | None:
    """None when the head of ``rev_range`` is checked out (its tests can run), else why not; a range git cannot
    read is an input error, raised before any store is made."""
    from bugprm.scoring.sources.revisions import open_git_repo, resolve_range

    git_repo = open_git_repo(repo)
    head = resolve_range(git_repo, rev_range)[1]
    if git_repo.head.commit == head:
        return None
    return (f"the working tree is not at the head of {rev_range} ({head.hexsha[:10]}), so its tests cannot say "
            "which lines they run: check that commit out")


def ensure_head_coverage(store: Store, repo: Path, python: str | None = None,
                         pytest_args: str | None = None) -> str | None:
    """None once the store holds the baseline of the sources as they are now (measured now where it did not, with
    the interpreter and pytest arguments given, else remembered or configured); else why it cannot, for a warning:
    the gate then has the model's predictions only."""
    from bugprm.execute.saved import current_baseline
    from bugprm.execute.session import HarnessSession
    from bugprm.scoring.sources.revisions import open_git_repo

    if current_baseline(store, Path(repo)) is not None:
        return None
    try:
        root = Path(open_git_repo(repo).working_tree_dir)
        with HarnessSession.open(store, root, python=python, pytest_args=pytest_args) as session:
            session.baseline  # noqa: B018 - measured and saved on first use
    except BugprmError as exc:
        return str(exc)
    return None
