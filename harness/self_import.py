"""Which lines run while the package under test imports itself, traced in the subject's interpreter.

pytest itself imports some packages (pluggy, iniconfig) and runs their functions before any test, so a mutant there
is killed like any other; other packages run their own functions while importing themselves (parsimonious builds
its grammar), so a mutant there breaks the import and no test can even be collected. The baseline's import-time
context holds both. This traces a plain import of every module of the mutated source, apart from pytest, so the
lines that belong to the package's own import are known.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

from .tracing import make_tracer


def module_names(root: str, source: str) -> tuple[str, list[str]]:
    """(the folder to import from, every importable module of ``source``: a package folder or one ``.py`` file)."""
    path = os.path.join(root, source.strip("/"))
    parent, base = os.path.split(os.path.normpath(path))
    if base.endswith(".py"):
        return parent, [base[:-3]]
    names = []
    for folder, subfolders, files in os.walk(path):
        subfolders[:] = sorted(d for d in subfolders if d.isidentifier())
        package = os.path.relpath(folder, parent).replace(os.sep, ".")
        names += [package if f == "__init__.py" else f"{package}.{f[:-3]}" for f in sorted(files)
                  if f.endswith(".py") and f[:-3].isidentifier() and f != "__main__.py"]
    return parent, names


def trace_self_import(root: str, sources: list[str], out: str) -> None:
    """Import every module of each source (a package folder or one ``.py`` file, relative to ``root``) under the
    line tracer and write ``{file: [lines]}`` (relative to root) to ``out``, with ``errors`` naming any module whose
    import raised; the modules are dropped again afterwards, so whatever runs next imports them afresh."""
    before, errors = set(sys.modules), {}
    tracer = make_tracer(root)
    tracer.start()
    try:
        for source in sources:
            errors.update(_imported_all(*module_names(root, source)))
    finally:
        tracer.stop()
    for name in set(sys.modules) - before:
        del sys.modules[name]
    lines = {f: sorted(int(n) for n in by_line) for f, by_line in tracer.lines().items()}
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"lines": lines, "errors": {n: e for n, e in errors.items() if e}}, handle)


def _imported_all(folder: str, names: list[str]) -> dict[str, str]:
    sys.path.insert(0, folder)
    try:
        return {name: _imported(name) for name in names}
    finally:
        sys.path.remove(folder)


def _imported(name: str) -> str:
    try:
        importlib.import_module(name)
    except BaseException as exc:  # noqa: BLE001 - a module that cannot import is reported, not fatal
        return f"{type(exc).__name__}: {exc}"[:300]
    return ""
