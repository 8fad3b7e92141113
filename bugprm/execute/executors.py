"""Where candidates run: ``local`` (the session's own workspaces and warm workers, in threads) or ``ray`` (actors
on a Ray cluster, one per CPU, each with its own workspace on its node; see ``ray_pool``).

``ExecutorChoice`` is the one seam every command that executes candidates takes: ``label``, ``train`` and any
other caller pass it to ``HarnessSession.open(..., executor=...)`` (or ``label_pool``/``execute_candidates``).
Ray is imported only when ``ray`` is chosen, so the local path and ``bugprm --help`` never pay for it.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from bugprm.errors import InputError
from bugprm.records import StrEnum


class ExecutorName(StrEnum):
    LOCAL = "local"
    RAY = "ray"


@dataclass(frozen=True)
class ExecutorChoice:
    name: ExecutorName = ExecutorName.LOCAL
    ray_address: str | None = None

    def describe(self) -> str:
        return f"ray at {self.ray_address}" if self.ray_address else str(self.name)


LOCAL = ExecutorChoice()


def executor_choice(name: str | None = None, ray_address: str | None = None) -> ExecutorChoice:
    """The choice from a command's ``--executor`` and ``--ray-address``, checked before any work."""
    try:
        chosen = ExecutorName(name or ExecutorName.LOCAL)
    except ValueError:
        raise InputError(f"--executor {name!r}: choose one of {', '.join(n.value for n in ExecutorName)}") from None
    if ray_address and chosen is not ExecutorName.RAY:
        raise InputError("--ray-address needs --executor ray")
    return ExecutorChoice(chosen, ray_address or None)


def project_executor(repo, name: str | None, ray_address: str | None) -> ExecutorChoice:
    """The flags' choice, else the repository's ``[tool.bugprm]`` ``executor`` and ``ray_address``, else local."""
    from pathlib import Path

    from bugprm.config import load_config

    if name is None:
        project = load_config(repo=Path(repo)).project
        name, ray_address = project.executor, ray_address or project.ray_address or None
    return executor_choice(name, ray_address)


def local_node() -> str:
    """The node name the local executor records its CPU-seconds under."""
    return platform.node() or "local"
