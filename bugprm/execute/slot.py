"""A slot: one workspace and the warm worker that runs jobs in it. Each worker thread owns exactly one."""

from __future__ import annotations

import itertools
from pathlib import Path

from bugprm.execute.config import HarnessConfig
from bugprm.execute.results import RunResults, read_results
from bugprm.execute.warm import ChildReport, WarmWorker
from bugprm.execute.workspace import Workspace

HARNESS_ARGS = ("-p", "no:cacheprovider", "-p", "no:randomly", "--tb=short", "-q")


class Slot:
    def __init__(self, workspace: Workspace, config: HarnessConfig, preload: tuple[str, ...] = ()):
        self.workspace = workspace
        self.config = config
        self.worker = WarmWorker(config, workspace, preload)
        self._runs = itertools.count()
        self._purge = top_level_names(workspace.root)

    def run(self, wanted: tuple[str, ...] | None, timeout: float, *, files: tuple[str, ...] = (),
            extra_args: tuple[str, ...] = (), mode: str | None = None, **job_options) -> tuple[ChildReport, RunResults]:
        """One pytest session in this slot's workspace; a WorkerDied escapes for the caller to retry."""
        results = self.workspace.tmp / f"run-{next(self._runs)}.jsonl"
        job = {"root": str(self.workspace.root), "args": self.pytest_args(extra_args, files), "results": str(results),
               "wanted": list(wanted) if wanted is not None else None, "log": str(results.with_suffix(".log")),
               "purge": self._purge, "memory_mb": self.config.memory_mb, "file_size_mb": self.config.file_size_mb,
               "cpu_seconds": int(timeout) + 2, **job_options}
        report = self.worker.run(job, timeout, mode or self.config.isolation)
        found = read_results(results)
        found.log = job["log"]
        return report, found

    def pytest_args(self, extra_args: tuple[str, ...], files: tuple[str, ...]) -> list[str]:
        root = ["--rootdir", str(self.workspace.root)]
        return [*root, *HARNESS_ARGS, *extra_args, *self.config.pytest_args, *files]

    def close(self) -> None:
        self.worker.close()


def top_level_names(root: Path) -> list[str]:
    """Importable top-level names in the workspace (root and ``src/``): the modules a forked child must re-import."""
    names = set()
    for folder in (root, root / "src"):
        if folder.is_dir():
            names.update(_importable(folder))
    return sorted(names)


def _importable(folder: Path):
    for entry in folder.iterdir():
        if entry.suffix == ".py" and entry.stem.isidentifier():
            yield entry.stem
        elif entry.is_dir() and entry.name.isidentifier() and any(entry.glob("*.py")):
            yield entry.name
