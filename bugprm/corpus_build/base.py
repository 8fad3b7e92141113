"""``bugprm corpus train-base``: the base model, trained from the committed verdict files without running a test.

Each verdict file's package is rebuilt into labelled trajectories (``trajectories.py``), and the base PRM is trained
on all of them with leave-packages-out folds (``bugprm.model.base_training``). ``--exclude`` leaves packages out
(a held-out package for leave-one-package-out measurements), ``--only`` keeps just the named ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from bugprm.corpus_build.fetch import MANIFEST_DIR, default_destination
from bugprm.corpus_build.build import VERDICT_DIR
from bugprm.corpus_build.message_record import MESSAGE_DIR
from bugprm.corpus_build.trajectories import PackageTrajectories, package_trajectories
from bugprm.corpus_build.verdicts import SUFFIX
from bugprm.errors import InputError
from bugprm.records import Kind

BASE_PRESET = "base"


@dataclass(frozen=True)
class BaseRequest:
    out: Path
    verdicts: Path = VERDICT_DIR
    work: Path = field(default_factory=default_destination)
    exclude: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    config: str = BASE_PRESET
    manifests: Path = MANIFEST_DIR
    repair_bugs: int = 0  # killed bugs per package whose patches join as repair trajectories (repair_trajectories)
    stores: Path | None = None  # the corpus build's stores/ folder: the repair states' failing-test messages
    messages: Path = MESSAGE_DIR  # else the committed records of them (message_record), read where --stores is not
    repair_packages: tuple[str, ...] = ()  # the packages whose repair trajectories join (none named: every one)
    repair_cache: Path | None = None  # where each package's repair trajectories are kept between runs (repair_cache)
    import_contexts: bool = False  # candidates with collection_line and startup_line (BaselineCoverage): measured only


def chosen_packages(request: BaseRequest) -> dict[str, Path]:
    """Package name -> its verdict file, after --only and --exclude; a name that matches no file is an error."""
    files = {_package_name(path): path for path in sorted(Path(request.verdicts).glob(f"*{SUFFIX}"))}
    unknown = sorted({*request.exclude, *request.only} - set(files))
    if unknown:
        raise InputError(f"no verdict file in {request.verdicts} for {', '.join(unknown)} "
                         f"(there are: {', '.join(files) or 'none'})")
    _check_repair_choice(request, files)
    kept = {n: p for n, p in files.items() if (not request.only or n in request.only) and n not in request.exclude}
    if not kept:
        raise InputError(f"no package left to train on in {request.verdicts} after --only/--exclude")
    return kept


def rebuilt_packages(request: BaseRequest, say: Callable[[str], None] = print) -> list[PackageTrajectories]:
    rebuilt = []
    for name, path in chosen_packages(request).items():
        rebuilt.append(package_trajectories(path, Path(request.work), request.manifests, request.import_contexts))
        say(f"{rebuilt[-1].label}: {len(rebuilt[-1].candidates)} labelled trajectories")
        if repairs_wanted(request, name):
            rebuilt[-1] = _with_repairs(rebuilt[-1], path, request, say)
    return rebuilt


def repairs_wanted(request: BaseRequest, name: str) -> bool:
    return bool(request.repair_bugs) and (not request.repair_packages or name in request.repair_packages)


def _with_repairs(found: PackageTrajectories, path: Path, request: BaseRequest, say) -> PackageTrajectories:
    from bugprm.corpus_build.failure_messages import document_messages
    from bugprm.corpus_build.repair_cache import cached_repairs
    from bugprm.corpus_build.repair_trajectories import RepairSample, built_repairs
    from bugprm.corpus_build.verdicts import read_verdicts

    sample, work = RepairSample(request.repair_bugs), Path(request.work)
    messages = document_messages(request.stores, read_verdicts(path), path, request.messages)
    repairs = (built_repairs(found, path, work, sample, request.manifests, messages)
               if request.repair_cache is None else
               cached_repairs(found, path, work, sample, request.repair_cache, request.manifests, messages))
    say(f"{found.label}: {len(repairs.candidates)} labelled repair trajectories ({repairs.by_identity} patches "
        f"labelled by identity, {repairs.assumed_incorrect} assumed incorrect, {repairs.unlabelled} unlabelled); "
        f"failure messages of {len(messages)} bugs ({'--stores' if request.stores else request.messages})")
    return replace(found, candidates=found.candidates + repairs.candidates)


def split_by_kind(rebuilt: list[PackageTrajectories]) -> tuple[dict[str, list], dict[str, list]]:
    """Package name -> its bug trajectories' examples, and -> its repair trajectories' examples."""
    from bugprm.model.examples import from_candidate

    bugs = {p.name: [from_candidate(c) for c in p.candidates if c.kind is Kind.BUG] for p in rebuilt}
    repairs = {p.name: [from_candidate(c) for c in p.candidates if c.kind is Kind.REPAIR] for p in rebuilt}
    return bugs, {name: found for name, found in repairs.items() if found}


def train_base_model(request: BaseRequest, say: Callable[[str], None] = print) -> Path:
    from bugprm.config import load_config
    from bugprm.model.base_training import train_base
    from bugprm.model.io import save_model

    rebuilt = rebuilt_packages(request, say)
    packages, repairs = split_by_kind(rebuilt)
    result = train_base(packages, load_config(request.config), say, repairs)
    result.model.summary["base"]["versions"] = {p.name: p.version for p in rebuilt}
    save_model(result.model, request.out)
    say(f"base model on {len(packages)} packages written to {request.out} in {result.seconds:.0f}s")
    save_repair_ranker(rebuilt, result.prior_out_of_fold.get("forest"), Path(request.out), say)
    return Path(request.out)


def save_repair_ranker(rebuilt: list[PackageTrajectories], forest: dict | None, out: Path, say) -> None:
    """The ranker of one state's patches (``model.repair_ranker``), on the repair trajectories and the forest's
    out-of-fold estimates of them; a stale one is removed where there are none."""
    from bugprm.errors import ModelError
    from bugprm.model.repair_ranker import RANKER_FILE, fit_repair_ranker

    (out / RANKER_FILE).unlink(missing_ok=True)
    patches = [c for p in rebuilt for c in p.candidates if c.kind is Kind.REPAIR]
    if not patches or forest is None:
        return
    try:
        saved = fit_repair_ranker(patches, forest).save(out)
    except ModelError as exc:
        say(f"no state ranker: {exc}")
        return
    say(f"state ranker of {len({p.bug_id for p in patches})} failing states' patches written to {saved}")


def _check_repair_choice(request: BaseRequest, files: dict[str, Path]) -> None:
    if request.repair_packages and not request.repair_bugs:
        raise InputError("--repair-package names packages for repair trajectories: give --repair-bugs N too")
    unknown = sorted(set(request.repair_packages) - set(files))
    if unknown:
        raise InputError(f"no verdict file in {request.verdicts} for --repair-package {', '.join(unknown)}")


def _package_name(path: Path) -> str:
    """``NAME-VERSION.json.gz`` -> NAME (a name may hold dashes; a version starts with a digit)."""
    stem = path.name[: -len(SUFFIX)]
    head, _, version = stem.rpartition("-")
    return head if head and version[:1].isdigit() else stem
