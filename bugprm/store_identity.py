"""Which repository, and which state of its source, a store describes.

``generate`` records the repository (its path, and its first commit when it is a git repository) and a hash of every
file it drew candidates from. Before anything is executed:

- a FOREIGN store (another repository's: another path, and neither the same first commit nor mostly the same files)
  is refused, exit 2;
- a STALE store (a file its candidates were drawn from changed since ``generate``) is refused, exit 2, naming the
  files: a candidate's byte offsets would point into the new text, and its coverage, features and verdict would
  describe code that no longer exists. ``bugprm generate`` again refreshes the pool: the candidates of the changed
  files are dropped and drawn afresh.

Stores written before this module have no recorded sources and are taken as they are.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Iterable

from bugprm.errors import InputError, StoreError
from bugprm.store import Store

REPO_META = "repo"
ROOT_COMMIT_META = "identity.root_commit"
SHOWN = 5
_TABLE = "CREATE TABLE IF NOT EXISTS source_files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL)"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_sources(store: Store, root: Path, sources: dict[str, bytes]) -> None:
    """What ``generate`` read: each file's hash, and the repository's first commit."""
    with store.transaction() as db:
        db.execute(_TABLE)
        db.executemany("INSERT OR REPLACE INTO source_files VALUES (?, ?)",
                       [(path, digest(data)) for path, data in sources.items()])
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (ROOT_COMMIT_META, root_commit(root)))


def recorded_sources(store: Store) -> dict[str, str]:
    with store.transaction() as db:
        db.execute(_TABLE)
        return dict(db.execute("SELECT path, sha256 FROM source_files"))


def check_repository(store: Store, repo: Path) -> None:
    """Refuse a store that describes another repository (exit 2)."""
    recorded = store.get_meta(REPO_META)
    here = Path(repo).resolve()
    if recorded is None or Path(recorded) == here or _same_history(store, here) or _same_files(store, here):
        return
    raise StoreError(f"the store at {store.directory} describes {recorded}, not {here}: pass the --store of {here} "
                     f"(or none, for {here / '.bugprm'}), or run `bugprm generate {here} --store NEW_DIR`")


def refuse_stale(store: Store, repo: Path, files: Iterable[str] | None = None) -> None:
    """Refuse to execute when a file the candidates were drawn from changed since ``generate`` (exit 2)."""
    changed = stale_files(store, repo, files)
    if changed:
        listed = ", ".join(changed[:SHOWN]) + (f" and {len(changed) - SHOWN} more" if len(changed) > SHOWN else "")
        raise InputError(f"the source changed since `bugprm generate`: {listed}. The candidates drawn from it describe "
                         f"code that no longer exists; run `bugprm generate {Path(repo)}` again to refresh the pool")


def stale_files(store: Store, repo: Path, files: Iterable[str] | None = None) -> list[str]:
    recorded = recorded_sources(store)
    wanted = recorded if files is None else {f: recorded[f] for f in files if f in recorded}
    return sorted(p for p, sha in wanted.items() if _current(Path(repo) / p) != sha)


def _current(path: Path) -> str | None:
    if path.is_symlink() or not path.is_file():  # never read a FIFO or a device that now sits at a source path
        return None
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def _same_history(store: Store, here: Path) -> bool:
    recorded = store.get_meta(ROOT_COMMIT_META)
    return bool(recorded) and recorded == root_commit(here)


def _same_files(store: Store, here: Path) -> bool:
    """A copy or a move of the same tree: most recorded files are there with the same content."""
    recorded = recorded_sources(store)
    return bool(recorded) and 2 * len(stale_files(store, here)) < len(recorded)


def root_commit(repo: Path) -> str:
    """The repository's first commit (the same for every clone), or "" when REPO is not a git repository's root."""
    if not (Path(repo) / ".git").exists():
        return ""
    try:
        done = subprocess.run(["git", "-C", str(repo), "rev-list", "--max-parents=0", "HEAD"], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    roots = sorted(done.stdout.split()) if done.returncode == 0 else []
    return roots[0] if roots else ""
