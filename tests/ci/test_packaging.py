"""The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml), run as far as they can run
here: the YAML parsed as GitHub and pre-commit read it, and the shell they run executed against a real git
repository with a real (tiny, briefly trained) model. The install and upload steps need GitHub; they are checked
for what they install and upload."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import git
import jsonschema
import pytest
import yaml

ROOT = Path(__file__).parents[2]
SCHEMAS = ROOT / "tests" / "data" / "schemas"
AUTHOR = git.Actor("bugprm tests", "tests@example.com")
APP = "def clamp(x, low, high):\n    return max(low, min(x, high))\n"
TESTS = "from app import clamp\n\n\ndef test_clamp():\n    assert clamp(5, 0, 3) == 3\n"
HELPER = "\n\ndef triple(x):\n    if x > 10:\n        return x * 3\n    return x + x + x\n"


def action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def step(name_prefix: str) -> dict:
    return next(s for s in action()["runs"]["steps"] if s.get("name", "").startswith(name_prefix))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """The tiny config, untrained (no LM warm-up, no priors): a real model to load and score with, not a good one;
    the gates below are driven by --threshold, not by what it predicts."""
    from bugprm.config import load_config, with_overrides
    from bugprm.model.examples import from_candidate
    from bugprm.model.io import save_model
    from bugprm.model.synthetic import synthetic_candidates
    from bugprm.model.training import new_model

    config = with_overrides(load_config("tiny"), {"model": {"warmup_lm_steps": 0, "prior": "none",
                                                            "prior_offset": "none"}})
    model = new_model(config, [from_candidate(c) for c in synthetic_candidates(24, seed=1)])
    return save_model(model, tmp_path_factory.mktemp("model") / "model")


@pytest.fixture
def pull_request(tmp_path) -> tuple[Path, str]:
    """A repository whose HEAD adds an untested helper on top of ``origin/HEAD``: (work tree, base commit)."""
    repo = git.Repo.init(tmp_path / "project")
    for files, message in (({"app.py": APP, "tests/test_app.py": TESTS}, "base"), ({"app.py": APP + HELPER}, "helper")):
        for name, text in files.items():
            path = tmp_path / "project" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        repo.index.add(list(files))
        repo.index.commit(message, author=AUTHOR, committer=AUTHOR)
    base = repo.commit("HEAD~1").hexsha
    repo.git.update_ref("refs/remotes/origin/HEAD", base)
    return Path(repo.working_tree_dir), base


@pytest.fixture
def bugprm_on_path(tmp_path) -> dict:
    """An environment whose ``bugprm`` runs this checkout's code with this interpreter."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "bugprm"
    shim.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m bugprm \"$@\"\n")
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}


def test_the_action_is_a_composite_that_installs_from_its_own_repository():
    document = action()
    assert document["runs"]["using"] == "composite"
    names = [s.get("name", s.get("uses", "")) for s in document["runs"]["steps"]]
    assert [n for n in names if not n.startswith("actions/setup-python")] == [
        "Install bugprm from this action's repository", "Restore the trained model", "Score the change",
        "Upload the alerts", "Comment on the pull request", "The gate"]
    install = step("Install")
    assert install["env"]["BUGPRM_SOURCE"] == "${{ github.action_path }}"
    assert not re.search(r"pip install (-q )?bugprm\b", install["run"])  # the PyPI name is not ours
    assert step("Restore")["uses"].startswith("actions/cache/restore@")
    assert step("Upload")["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "gh pr comment" in step("Comment")["run"]
    used = set(re.findall(r"inputs\.([\w-]+)", (ROOT / "action.yml").read_text()))
    assert used == set(document["inputs"])  # every input used, none undeclared


def run_step(name: str, env: dict, cwd: Path, **values) -> tuple[subprocess.CompletedProcess, dict]:
    """A ``run`` step of the action under bash as GitHub runs it, with its env and a GITHUB_OUTPUT file."""
    spec = step(name)
    inputs = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()} | values
    step_env = {k: re.sub(r"\$\{\{ *inputs\.([\w-]+) *\}\}", lambda m: inputs[m.group(1)], str(v))
                for k, v in spec.get("env", {}).items()}
    outputs = cwd / "github_output"
    outputs.write_text("")
    result = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", spec["run"]], cwd=cwd,
                            env={**env, **step_env, "GITHUB_OUTPUT": str(outputs)}, capture_output=True, text=True,
                            timeout=300)
    found = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return result, found


def test_the_actions_score_and_gate_steps_run_on_a_pull_request(pull_request, tiny_model, bugprm_on_path):
    project, base = pull_request
    result, outputs = run_step("Score the change", bugprm_on_path, project, **{
        "base-ref": base, "model-path": str(tiny_model), "threshold": "1"})
    assert outputs.get("exit-code") == "1", result.stderr  # every candidate under threshold 1: the gate fails
    sarif = json.loads((project / "bugprm.sarif").read_text())
    jsonschema.Draft4Validator(json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())).validate(sarif)
    lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in sarif["runs"][0]["results"]}
    assert lines and len(lines) == len(sarif["runs"][0]["results"]) and lines <= set(range(5, 9))
    assert (project / "bugprm.md").read_text().startswith("### bugprm: ")
    assert step("The gate")["env"]["CODE"] == "${{ steps.score.outputs.exit-code }}"
    gate = [subprocess.run(["bash", "-c", step("The gate")["run"]], env={"CODE": code}).returncode
            for code in (outputs["exit-code"], "0", "")]
    assert gate == [1, 0, 3]  # no exit code at all (the score step died): a runtime error


def test_the_pre_commit_hook_runs_its_entry_on_a_push(pull_request, tiny_model, monkeypatch, capsys):
    """The hook's command line, run in the repository as pre-commit runs it (in this process: one interpreter start
    with torch is enough for the action's test above)."""
    from bugprm.cli import main

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["stages"] == ["pre-push"]
    program, *arguments = [*shlex.split(hook["entry"]), *hook["args"], "--model", str(tiny_model), "--threshold", "1"]
    assert program == "bugprm"
    monkeypatch.chdir(pull_request[0])
    monkeypatch.setattr(sys, "argv", [program, *arguments])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    assert "likely test gaps (more than --max-gaps 0)" in capsys.readouterr().err


def test_the_ci_docs_use_the_action_and_the_hook_and_install_from_the_repository():
    text = (ROOT / "docs" / "ci.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)]
    workflow, hooks = blocks
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    [uses] = [s for s in steps if s.get("uses", "").startswith("OWNER/bugprm@")]
    assert set(uses["with"]) <= set(action()["inputs"])
    [hook_id] = [h["id"] for r in hooks["repos"] for h in r["hooks"]]
    assert hook_id == yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]["id"]
    assert not re.search(r"pip install (-q )?bugprm\b", text)


def test_ci_runs_the_readmes_test_command_browser_included():
    readme = (ROOT / "README.md").read_text()
    command = readme.split("Tests (exactly what `.ci/run` runs):\n\n    ", 1)[1].splitlines()[0]
    assert command.startswith("(command -v chromium") and "apt-get install -y -qq chromium" in command
    script = (ROOT / ".ci" / "run").read_text().replace(" -q -e", " -e").replace("install -q torch", "install torch")
    assert command in " ".join(line.strip().rstrip("\\").strip() for line in script.splitlines()).replace("  ", " ")


def test_every_test_the_friction_list_names_exists():
    text = (ROOT / "docs" / "friction.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)((?:::\w+)?)`", text)
    assert len(named) > 20
    for path, test in named:
        source = (ROOT / path).read_text() if (ROOT / path).is_file() else ""
        assert source, f"{path} named in docs/friction.md does not exist"
        assert not test or f"def {test[2:]}(" in source, f"{path}{test} named in docs/friction.md does not exist"
    for test in re.findall(r"`::(\w+)`", text):  # a second test of the file named just before
        assert any(f"def {test}(" in (ROOT / p).read_text() for p, _ in named), test
