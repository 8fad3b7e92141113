"""An executed store for ``bench_repair_base.py``, rebuilt from a committed verdict file (the corpus build's stores
that the bench copied are gone).

    python benchmarks/repair_bench_store.py --package NAME [--package ...] --work WORK --fetched FETCHED \
        --scratch SCRATCH [--verdicts corpora/verdicts]

For each package: the fetched repository (``FETCHED/corpora/repos/NAME-VERSION``, a ``corpus fetch`` folder) is
copied to ``SCRATCH/NAME/NAME-VERSION``, where the bench looks first; its store gets the regenerated pool (``WORK``,
the ``train-base`` work folder), one baseline run of the suite (with ``FETCHED/corpora/venvs/NAME``'s python, as the
bench runs it), and every verdict the file keeps, recorded under this session's fingerprint and context so the
bench's ``killed_bugs`` sample and ``KnownPrograms`` see the build's verdicts. Those verdicts were made by the corpus
build (then recounted), not here: nothing but the baseline is executed. Then run the bench with
``--corpus-build FETCHED --scratch SCRATCH``. An existing target is left as it is.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import replace
from pathlib import Path

from bugprm.corpus_build.fetch import manifest
from bugprm.corpus_build.trajectories import POOLS, replayed_package
from bugprm.corpus_build.verdicts import verdict_path
from bugprm.execute.session import HarnessSession
from bugprm.records import Kind
from bugprm.store import STORE_DIRNAME, Store


def bench_store(name: str, args) -> Path:
    spec = manifest(name)
    target = args.scratch / spec.name / f"{spec.name}-{spec.version}"
    if target.exists():
        return target
    package = replayed_package(verdict_path(args.verdicts, spec.name, spec.version), args.work)
    shutil.copytree(args.fetched / "corpora" / "repos" / target.name, target, symlinks=True,
                    ignore=shutil.ignore_patterns(STORE_DIRNAME))
    python = str(args.fetched / "corpora" / "venvs" / spec.name / "bin" / "python")
    with Store.open(target / STORE_DIRNAME, create=True) as store:
        store.add_candidates(_pool_in_store_order(args.work, spec.name))
        with HarnessSession.open(store, target, python=python, pytest_args=spec.pytest_args or None) as session:
            recorded = _record_verdicts(session, package.executions)
    print(f"{name}: {recorded} verdicts recorded at {target}", file=sys.stderr)
    return target


def _pool_in_store_order(work: Path, name: str):
    """Every generated candidate bug, in the order ``write_pool`` stored them: the bench's seeded sample of killed
    bugs is drawn in store order."""
    with Store.open(work / POOLS / name) as pools:
        return pools.candidates(kind=Kind.BUG)


def _record_verdicts(session: HarnessSession, executions: dict) -> int:
    session.baseline  # noqa: B018 - measured first: the fingerprint and the verdicts' contexts depend on it
    bugs = {c.id: c for c in session.store.candidates(kind=Kind.BUG, ids=executions)}
    for candidate_id, execution in executions.items():
        context = session.contexts.of(bugs[candidate_id])
        session.store.record_execution(replace(execution, fingerprint=session.fingerprint, context=context))
    return len(executions)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", action="append", required=True)
    parser.add_argument("--work", type=Path, required=True, help="train-base's work folder (regenerated pools)")
    parser.add_argument("--fetched", type=Path, required=True, help="a folder with corpora/repos and corpora/venvs")
    parser.add_argument("--scratch", type=Path, required=True, help="the bench's --scratch")
    parser.add_argument("--verdicts", type=Path, default=Path("corpora/verdicts"))
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    for package_name in arguments.package:
        bench_store(package_name, arguments)
