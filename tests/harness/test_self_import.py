"""The package's own import, traced: a function it calls while importing itself, against one only a test calls."""

from __future__ import annotations

import json
import sys

from harness.self_import import module_names, trace_self_import

PACKAGE = {
    "src/grammar/__init__.py": "from .rules import build\n\nRULES = build()\n",
    "src/grammar/rules.py": "def build():\n    return {'a': 1}\n\n\ndef parse(text):\n    return text.split()\n",
    "src/grammar/broken.py": "raise RuntimeError('not importable')\n",
}


def _write(root, files):
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def test_lines_run_by_the_own_import_are_kept_apart_from_functions_it_only_defines(tmp_path):
    _write(tmp_path, PACKAGE)
    out = tmp_path / "own.json"
    trace_self_import(str(tmp_path), ["src/grammar"], str(out))
    found = json.loads(out.read_text())
    rules = found["lines"]["src/grammar/rules.py"]
    assert 2 in rules  # build's body runs while grammar imports itself
    assert 6 not in rules  # parse's body does not
    assert list(found["errors"]) == ["grammar.broken"]
    assert not any(name == "grammar" or name.startswith("grammar.") for name in sys.modules)  # dropped again


def test_a_single_module_source_imports_from_its_folder(tmp_path):
    _write(tmp_path, {"six.py": "X = 1\n", "tests/test_six.py": "def test(): pass\n"})
    assert module_names(str(tmp_path), "six.py") == (str(tmp_path), ["six"])
