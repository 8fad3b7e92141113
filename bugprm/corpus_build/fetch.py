"""Real repositories to learn from: pinned PyPI sdists described by ``corpora/*.toml`` manifests.

``fetch`` downloads with pip, checks the sha256, unpacks, makes a venv with pytest, coverage and the test
dependencies, checks the suite is green, and records where it lives in ``registry.json`` under the destination.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from bugprm.errors import InputError, RepoError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "corpora"
HARNESS_REQUIREMENTS = ("pytest>=8", "coverage>=7.4")


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    sdist: str
    sha256: str
    root: str
    source: str
    tests: str
    test_deps: tuple[str, ...]
    pytest_args: str


@dataclass(frozen=True)
class FetchedRepo:
    name: str
    path: str
    python: str
    pytest_args: str
    source: str


def default_destination() -> Path:
    return Path(os.environ.get("BUGPRM_CORPORA", Path.home() / ".cache" / "bugprm" / "corpora"))


def load_manifests(directory: Path = MANIFEST_DIR) -> dict[str, Manifest]:
    manifests = {}
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        data["test_deps"] = tuple(data.get("test_deps", ()))
        manifests[data["name"]] = Manifest(**data)
    return manifests


def manifest(name: str, directory: Path = MANIFEST_DIR) -> Manifest:
    manifests = load_manifests(directory)
    if name not in manifests:
        raise InputError(f"no corpus manifest named {name!r}; known: {', '.join(manifests)}")
    return manifests[name]


def fetch(name: str, destination: Path | None = None, check_suite: bool = True, *,
          manifests: Path = MANIFEST_DIR, python: str | None = None) -> FetchedRepo:
    """``python`` given: run the suite with that interpreter instead of a fresh venv (it must have pytest)."""
    spec, destination = manifest(name, manifests), Path(destination or default_destination())
    destination.mkdir(parents=True, exist_ok=True)
    repo = unpacked(spec, destination)
    python = python or _make_venv(spec, destination / "venvs" / spec.name)
    fetched = FetchedRepo(spec.name, str(repo), str(python), spec.pytest_args, spec.source)
    if check_suite:
        _check_green(fetched)
    _register(destination, fetched)
    return fetched


def prepared(spec: Manifest, destination: Path, manifests: Path = MANIFEST_DIR,
             python: str | None = None) -> FetchedRepo:
    """The package as fetched into ``destination`` before (its version, with its interpreter), else fetched now."""
    try:
        repo = fetched(spec.name, destination)
        if Path(repo.path).is_dir() and Path(repo.python).exists() and f"-{spec.version}" in repo.path:
            return repo
    except RepoError:
        pass  # not fetched yet
    return fetch(spec.name, destination, manifests=manifests, python=python)


def unpacked(spec: Manifest, destination: Path) -> Path:
    """The package's pinned sdist (downloaded into ``destination`` unless already there, checked) unpacked, and
    nothing more: no venv, no test run."""
    return _unpack(_download(spec, destination), destination) / spec.root


def fetched(name: str, destination: Path | None = None) -> FetchedRepo:
    registry = _registry(Path(destination or default_destination()))
    if name not in registry:
        raise RepoError(f"corpus {name!r} is not fetched yet: run `bugprm corpus fetch {name}`")
    return FetchedRepo(**registry[name])


def _download(spec: Manifest, destination: Path) -> Path:
    archive = destination / "sdists" / spec.sdist
    if not archive.exists():
        archive.parent.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
              f"{spec.name}=={spec.version}", "-d", str(archive.parent)], f"downloading {spec.name}")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != spec.sha256:
        archive.unlink()
        raise InputError(f"{spec.sdist}: sha256 {digest} does not match the manifest's {spec.sha256}")
    return archive


def _unpack(archive: Path, destination: Path) -> Path:
    target = destination / "repos"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def _make_venv(spec: Manifest, venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        _run([sys.executable, "-m", "venv", str(venv)], f"creating a venv for {spec.name}")
    _run([str(python), "-m", "pip", "install", "-q", *HARNESS_REQUIREMENTS, *spec.test_deps],
         f"installing test dependencies of {spec.name}")
    return python


def _check_green(repo: FetchedRepo) -> None:
    command = [repo.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *shlex.split(repo.pytest_args)]
    env = {**os.environ, "PYTHONPATH": _pythonpath(repo)}
    result = subprocess.run(command, cwd=repo.path, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-15:])
        raise RepoError(f"the test suite of {repo.name} is not green after fetching:\n{tail}")


def _pythonpath(repo: FetchedRepo) -> str:
    src = Path(repo.path) / "src"
    return os.pathsep.join([str(src), repo.path] if src.is_dir() else [repo.path])


def _registry(destination: Path) -> dict:
    path = destination / "registry.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _register(destination: Path, repo: FetchedRepo) -> None:
    registry = _registry(destination)
    registry[repo.name] = asdict(repo)
    with tempfile.NamedTemporaryFile("w", dir=destination, delete=False) as handle:
        json.dump(registry, handle, indent=2)
    os.replace(handle.name, destination / "registry.json")


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RepoError(f"{what} failed: {result.stderr.strip()[-2000:]}")
