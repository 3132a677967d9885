"""The Python API as the package docstring and the docs show it (Python API QA, 28 Nov 2026:
the docstring's example read a folder with ``read_transcripts`` and failed)."""

from __future__ import annotations

import os

import pytest

import analyzer
from analyzer import Analyzer, expand_inputs


def test_the_package_docstring_example_runs(repo, capsys):
    code = "\n".join(line[4:] for line in analyzer.__doc__.split("::", 1)[1].splitlines())
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        exec(compile(code, "analyzer.__doc__", "exec"), {})
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 11 and any(line.startswith("zoom_salary ") for line in printed)


def test_one_path_is_one_path_not_its_letters(examples_dir):
    assert expand_inputs(str(examples_dir)) == expand_inputs([str(examples_dir)])
    assert expand_inputs(examples_dir / "zoom_salary.vtt") == [examples_dir / "zoom_salary.vtt"]


def test_analyze_says_what_it_takes():
    with pytest.raises(TypeError, match="takes a Transcript, not str"):
        Analyzer().analyze("corpora/examples/zoom_salary.vtt")
