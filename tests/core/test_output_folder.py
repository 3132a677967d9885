"""Nothing is ever written outside the folder the user named, and writes are atomic."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analyzer.errors import OutputError
from analyzer.io.output import OutputFolder, safe_name


def test_refuses_paths_that_leave_the_folder(tmp_path):
    folder = OutputFolder(tmp_path / "out")
    for bad in ("../escape.txt", "/etc/passwd", "a/../../escape.txt"):
        with pytest.raises(OutputError):
            folder.write_text(bad, "x")
    assert not (tmp_path / "escape.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_write_leaves_no_temporary_file_on_failure(tmp_path):
    folder = OutputFolder(tmp_path)

    def explode(path):
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        folder.write_atomic("table.csv", explode)
    assert list(tmp_path.iterdir()) == []


def test_write_csv_and_nested_names(tmp_path):
    folder = OutputFolder(tmp_path)
    target = folder.write_csv("sub/t.csv", pd.DataFrame({"a": [1, 2]}))
    assert target == (tmp_path / "sub" / "t.csv").resolve()
    assert pd.read_csv(target)["a"].tolist() == [1, 2]


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", r"etc_passwd-[0-9a-f]{8}"),
    ("session 12/a", r"session_12_a-[0-9a-f]{8}"),
    ("", "session"),
    ("...", r"session-[0-9a-f]{8}"),
    ("ok-name_1.2", r"ok-name_1\.2"),
    ("会议", "会议"),
    ("Müller", "Müller"),
    ("con", r"con-[0-9a-f]{8}"),  # Windows device names: no file can have them there
    ("NUL.txt", r"NUL\.txt-[0-9a-f]{8}"),
    ("com1", r"com1-[0-9a-f]{8}"),
    ("console", "console"),
    ("com10", "com10"),
])
def test_safe_name(name, expected):
    assert re.fullmatch(expected, safe_name(name))


def test_safe_names_of_different_ids_differ_and_stay_the_same():
    """Reports are named after session ids: ids that clean up alike still get their own
    file, and the same id gets the same name in every run (batch resumes rely on it)."""
    ids = ["x/y", "x_y", "x:y", "x y", "x\ty", "a" * 300, "a" * 301, "会议", "谈判"]
    names = [safe_name(i) for i in ids]
    assert len(set(names)) == len(ids)
    assert names == [safe_name(i) for i in ids]
    assert all(len(n.encode()) < 200 and "/" not in n for n in names)


def test_out_under_a_file_is_an_output_error(tmp_path):
    f = tmp_path / "good.txt"
    f.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        OutputFolder(f / "x" / "y")


def test_out_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OutputError):
        OutputFolder(f)


def test_written_files_get_the_usual_permissions(tmp_path):
    import os
    import stat

    mask = os.umask(0o022)
    try:
        target = OutputFolder(tmp_path).write_text("a.md", "x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
