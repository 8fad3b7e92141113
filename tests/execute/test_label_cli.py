"""`bugprm label` through click: options reach the library, the summary is printed, errors map to exit codes."""

from __future__ import annotations

from click.testing import CliRunner

from bugprm.cli import cli, main


def test_label_prints_a_summary_and_remembers_its_settings(h, tmp_path):
    repo = h.copy_fixture("h_calc", tmp_path)
    h.store_with(repo, [h.calc_candidates(repo)["killed"], h.calc_candidates(repo)["survived"]])
    ids = tmp_path / "ids.txt"
    ids.write_text(h.calc_candidates(repo)["killed"].id + "\n")
    result = CliRunner().invoke(cli, ["label", str(repo), "--ids", str(ids), "--pytest-args", "-p no:warnings"])
    assert result.exit_code == 0, result.output
    assert "executed 1 candidates" in result.output and "1 killed" in result.output
    again = CliRunner().invoke(cli, ["label", str(repo), "--limit", "1"])
    assert again.exit_code == 0, again.output
    assert "executed 1 candidates" in again.output or "already done" in again.output


def test_conflicting_choices_are_a_usage_error(h, tmp_path, monkeypatch, capsys):
    repo = h.copy_fixture("h_calc", tmp_path)
    h.store_with(repo, [h.calc_candidates(repo)["killed"]])
    monkeypatch.setattr("sys.argv", ["bugprm", "label", str(repo), "--limit", "1", "--fraction", "0.5"])
    code = _exit_code(main)
    assert code == 2 and "at most one of" in capsys.readouterr().err


def test_a_corrupt_store_is_a_clear_input_error(h, tmp_path, monkeypatch, capsys):
    repo = h.copy_fixture("h_calc", tmp_path)
    (repo / ".bugprm").mkdir()
    (repo / ".bugprm" / "bugprm.sqlite").write_bytes(b"this is not a database" * 100)
    monkeypatch.setattr("sys.argv", ["bugprm", "label", str(repo)])
    assert _exit_code(main) == 2
    assert "corrupt" in capsys.readouterr().err


def _exit_code(entry) -> int:
    try:
        entry()
    except SystemExit as exc:
        return exc.code
    return 0
