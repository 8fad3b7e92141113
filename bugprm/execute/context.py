"""A verdict's context: what it depends on beyond the harness settings, so that it is reused across commits exactly
while that stays the same (mutmut keeps a verdict while its function's hash does; we add the tests).

- the text of the candidate's enclosing function now (its id names the function as generated; this also catches a
  pool that was not regenerated after an edit),
- the tests that would run for it (those covering its lines, then the other tests of its function), by id,
- the source of each of those tests: the test function itself, the module-level code of its file (imports, fixtures,
  helpers) and every ``conftest.py`` from its folder up to the root; for a doctest, the docstring it runs.

Coverage comes from the baseline of the current sources, so a test that starts covering the candidate, or stops,
changes the context too. An edit anywhere else leaves the context, and so the verdict, as it was.
"""

from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

from bugprm.execute.executor import CandidateRunner
from bugprm.execute.selection import function_lines
from bugprm.records import Candidate, Kind, content_id

UNKNOWN = ""  # no context: the verdict is never reused


class VerdictContexts:
    """Contexts under one runner's baseline; test sources are read once per instance (one state of the files)."""

    def __init__(self, runner: CandidateRunner):
        self.runner = runner
        self._tests: dict[str, str] = {}

    def of(self, candidate: Candidate) -> str:
        """The context of a candidate bug's verdict; UNKNOWN for anything else."""
        if candidate.kind is not Kind.BUG or not candidate.edits:
            return UNKNOWN
        try:
            plan = self.runner.plan(candidate)
            functions = [_function_text(self.runner.source(f), tuple(e for e in candidate.edits if e.file == f))
                         for f in dict.fromkeys(e.file for e in candidate.edits)]
        except (OSError, ValueError):
            return UNKNOWN
        tests = sorted(plan.tests) if plan is not None else []
        return content_id(candidate.id, functions, tests, [self.digest_of_test(t) for t in tests])

    def digest_of_test(self, test_id: str) -> str:
        if test_id not in self._tests:
            self._tests[test_id] = digest_of_test(self.runner.repo, test_id)
        return self._tests[test_id]


def _function_text(source: bytes, edits) -> str:
    lines = source.decode("utf-8", "replace").split("\n")
    return "\n".join(lines[n - 1] for n in sorted(function_lines(source, edits)) if n <= len(lines))


def digest_of_test(repo: Path, test_id: str) -> str:
    """A digest of the source a test runs from its own file and conftest files (see the module docstring)."""
    file, _, rest = test_id.partition("::")
    names = tuple(part.split("[")[0] for part in rest.split("::") if part)
    return content_id(_test_source(repo / file, names), _conftests(repo, file))


def _test_source(path: Path, names: tuple[str, ...]) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError:
        return "", ""
    parts = _module_parts(data)
    if parts is None:
        return _sha(data), ""
    shared, definitions = parts
    own = definitions.get(names[:2]) or definitions.get(names[:1])
    if own is not None:
        return shared, own
    docstring = _docstring(data, names[0], path.stem) if len(names) == 1 and "." in names[0] else None
    return ("doctest", docstring) if docstring is not None else ("file", _sha(data))  # unknown: the whole file


def _docstring(data: bytes, dotted: str, module: str) -> str | None:
    """A doctest's own text (pytest names it ``package.module.Class.method``): the docstring it runs, so an edit of
    the module's code elsewhere leaves it as it was."""
    tree = ast.parse(data)
    parts = dotted.split(".")
    found = (_resolve(tree, parts[start:]) for start in range(len(parts)))
    node = next((n for n in found if n is not None), tree if parts[-1] == module else None)
    return None if node is None else _sha((ast.get_docstring(node, clean=False) or "").encode())


def _resolve(tree: ast.AST, path: list[str]) -> ast.AST | None:
    node = tree
    for name in path:
        node = next((n for n in getattr(node, "body", ()) if getattr(n, "name", None) == name), None)
        if node is None:
            return None
    return node


@lru_cache(maxsize=256)
def _module_parts(data: bytes) -> tuple[str, dict[tuple[str, ...], str]] | None:
    """(digest of the module-level code outside test definitions, {(name,) or (class, method): digest})."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    text = data.decode("utf-8", "replace")
    definitions, shared = {}, []
    for node in tree.body:
        segment = ast.get_source_segment(text, node) or ""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _is_test(node.name):
            definitions[(node.name,)] = _sha(segment.encode())
            definitions.update(_methods(node, text))
        else:
            shared.append(segment)
    return _sha("\n".join(shared).encode()), definitions


def _methods(node: ast.stmt, text: str) -> dict[tuple[str, ...], str]:
    if not isinstance(node, ast.ClassDef):
        return {}
    inner = [n for n in node.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) or not
             _is_test(n.name)]
    shared = "\n".join(ast.get_source_segment(text, n) or "" for n in inner)
    return {(node.name, n.name): _sha(f"{shared}\n{ast.get_source_segment(text, n)}".encode())
            for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_test(n.name)}


def _is_test(name: str) -> bool:
    return name.startswith(("test", "Test"))


def _conftests(repo: Path, file: str) -> list[str]:
    folders = [repo, *(repo / p for p in _prefixes(Path(file).parent.parts))]
    return [_sha(c.read_bytes()) for c in (f / "conftest.py" for f in folders) if c.is_file()]


def _prefixes(parts: tuple[str, ...]) -> list[Path]:
    return [Path(*parts[:n]) for n in range(1, len(parts) + 1)]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]
