import shutil
import subprocess

import pytest

from bugprm.mutate.diffs import edit_diff, unified_diff

SOURCE = "".join(f"line {i}\n" for i in range(1, 30)).encode()


@pytest.mark.parametrize("needle", [b"line 1\n", b"line 15", b"line 29\n", b"ne 2", b"line 10\nline 11\nline 12\nline 13\nline 14"])
def test_windowed_diff_equals_the_whole_file_diff(needle):
    start = SOURCE.index(needle)
    end = start + len(needle)
    mutated = SOURCE[:start] + b"changed\nlines" + SOURCE[end:]
    expected = unified_diff("m.txt", SOURCE.decode(), mutated.decode())
    assert edit_diff("m.txt", SOURCE, start, end, b"changed\nlines") == expected


def test_a_file_without_final_newline_says_so():
    diff = edit_diff("m.py", b"a = 1\nb = 2", 10, 11, b"3")
    assert diff.endswith("+b = 3\n\\ No newline at end of file\n")


def test_lines_split_on_newline_only():
    source = "s = 'a\u2028b'\nx = 1\n".encode()
    start = source.index(b"1")
    diff = edit_diff("m.py", source, start, start + 1, b"2")
    assert diff.count("\n@@") == 1 and " s = 'a\u2028b'\n" in diff


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_applies_with_git(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_bytes(SOURCE)
    start = SOURCE.index(b"line 20")
    diff = edit_diff("pkg/m.py", SOURCE, start, start + 7, b"LINE XX")
    subprocess.run(["git", "apply", "-"], input=diff.encode(), cwd=tmp_path, check=True)
    assert (tmp_path / "pkg" / "m.py").read_bytes() == SOURCE.replace(b"line 20\n", b"LINE XX\n")


def test_the_line_table_and_newline_counting_number_hunks_alike():
    from bugprm.parsing.lines import LineTable

    start = SOURCE.index(b"line 20")
    counted = edit_diff("pkg/m.py", SOURCE, start, start + 7, b"LINE XX")
    assert edit_diff("pkg/m.py", SOURCE, start, start + 7, b"LINE XX", LineTable(SOURCE)) == counted
    assert counted.startswith("--- a/pkg/m.py\n+++ b/pkg/m.py\n@@ -17,7 +17,7 @@\n")
