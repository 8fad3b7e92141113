"""Who may import whom (ARCHITECTURE.md), read from the code itself rather than trusted to review."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers")


def imported_modules(path: Path) -> set[str]:
    """Every absolute module a file imports, at any depth (a lazy import inside a function counts too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_model_never_imports_the_active_loop():
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p) if m.startswith("bugprm.active"))
                 for p in modules_under("bugprm/model")}
    assert modules_under("bugprm/model") and not {k: v for k, v in offenders.items() if v}


def test_only_the_model_and_the_learner_adapter_import_torch_at_module_level():
    allowed = {ROOT / "bugprm" / "active" / "learner.py"}
    offenders = [str(p.relative_to(ROOT)) for p in modules_under("bugprm")
                 if "model" not in p.relative_to(ROOT / "bugprm").parts[:1] and p not in allowed
                 and any(m.split(".")[0] in HEAVY for m in top_level_imports(p))]
    assert offenders == []


def test_the_harness_uses_only_the_standard_library_and_pytest():
    # coverage: imported lazily, only by a job that asks for per-test coverage (it needs coverage in the subject)
    allowed = set(sys.stdlib_module_names) | {"pytest", "_pytest", "pluggy", "coverage"}
    foreign = {str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p) if m.split(".")[0] not in allowed)
               for p in modules_under("harness")}
    assert modules_under("harness") and not {k: v for k, v in foreign.items() if v}


@pytest.mark.parametrize("code", [
    "from bugprm.cli import cli; cli.main(['--help'], standalone_mode=False)",
    "from bugprm.cli import cli; cli.main(['score', '--help'], standalone_mode=False)",
    "import bugprm.parsing, bugprm.mutate, bugprm.mutate.run, bugprm.config, bugprm.store, bugprm.active.loop, "
    "bugprm.active.run, bugprm.active.settings, bugprm.scoring.records, bugprm.execute.session",
])
def test_help_parsing_and_the_loop_never_load_torch(code):
    probe = f"import sys\n{code}\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_benchmark_scripts_share_helpers_through_the_library_not_each_other():
    scripts = {p.stem for p in (ROOT / "benchmarks").glob("*.py")}
    borrowing = {p.name: sorted(scripts & {m.split(".")[0] for m in imported_modules(p)})
                 for p in (ROOT / "benchmarks").glob("*.py")}
    assert scripts and not {name: found for name, found in borrowing.items() if found}
