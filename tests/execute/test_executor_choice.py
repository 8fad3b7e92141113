"""Where candidates run: the flags win, else the repository's [tool.bugprm], else the local executor."""

from __future__ import annotations

import pytest

from bugprm.errors import ConfigError, InputError
from bugprm.execute.executors import ExecutorName, project_executor


def _project(tmp_path, table: str):
    (tmp_path / "pyproject.toml").write_text(f"[tool.bugprm]\n{table}\n")
    return tmp_path


def test_without_flags_or_table_candidates_run_locally(tmp_path):
    assert project_executor(tmp_path, None, None).name is ExecutorName.LOCAL


def test_the_table_chooses_ray_and_its_cluster(tmp_path):
    repo = _project(tmp_path, 'executor = "ray"\nray_address = "head:6379"')
    chosen = project_executor(repo, None, None)
    assert (chosen.name, chosen.ray_address) == (ExecutorName.RAY, "head:6379")


def test_the_flag_wins_over_the_table(tmp_path):
    repo = _project(tmp_path, 'executor = "ray"')
    assert project_executor(repo, "local", None).name is ExecutorName.LOCAL


def test_a_misspelled_executor_in_the_table_names_the_key(tmp_path):
    repo = _project(tmp_path, 'executor = "rayy"')
    with pytest.raises(ConfigError, match="project.executor"):
        project_executor(repo, None, None)


def test_a_cluster_address_without_ray_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="--ray-address needs --executor ray"):
        project_executor(tmp_path, "local", "head:6379")
