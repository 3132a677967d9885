"""Gold too small for the folds asked for: a usage error up front, not a crash in the
text model (QA, 28 Nov 2026: 2 sessions with --cv 2 ended in a ValueError traceback)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.stages.evaluate import min_sessions


def slice_of_examples_gold(repo, tmp_path, n):
    lines = [line for line in (repo / "corpora/stages/gold_examples.tsv")
             .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    path = tmp_path / "gold.tsv"
    path.write_text("\n".join(lines[:n]) + "\n", encoding="utf-8")
    return path


def run(path, examples_dir, tmp_path, *args):
    return CliRunner().invoke(app, ["evaluate-stages", str(path), "--no-moves",
                                    "--casino", str(tmp_path), "--examples",
                                    str(examples_dir), *args])


def test_min_sessions():
    assert min_sessions(2) == 4
    assert [min_sessions(k) for k in (3, 5, 10)] == [3, 3, 3]


@pytest.mark.parametrize("n, cv", [(2, 2), (3, 2), (2, 5)])
def test_too_few_sessions_for_the_folds(repo, examples_dir, tmp_path, n, cv):
    result = run(slice_of_examples_gold(repo, tmp_path, n), examples_dir, tmp_path,
                 "--cv", str(cv))
    assert result.exit_code == 2, result.output
    assert f"too few sessions for {cv} folds" in result.output
    assert f"found {n}" in result.output
    assert "Traceback" not in result.output


def test_one_session_is_too_few_to_fit(repo, examples_dir, tmp_path):
    result = run(slice_of_examples_gold(repo, tmp_path, 1), examples_dir, tmp_path,
                 "--cv", "0", "--fit-out", str(tmp_path / "p.json"))
    assert result.exit_code == 2, result.output
    assert "too few sessions to fit" in result.output


def test_the_minimum_runs(repo, examples_dir, tmp_path):
    result = run(slice_of_examples_gold(repo, tmp_path, 3), examples_dir, tmp_path,
                 "--cv", "3")
    assert result.exit_code == 0, result.output
    assert "mode: cv3" in result.output


def test_examples_help_says_where_names_are_looked_for():
    """The help said the default was corpora/examples; the code looks beside the gold
    file's folder (QA, 28 Nov 2026)."""
    import re

    result = CliRunner().invoke(app, ["evaluate-stages", "--help"], terminal_width=200)
    text = re.sub(r"[\s│]+", " ", result.output)
    assert "<the gold file's folder>/../examples" in text
    assert "absolute paths are used as they are" in text


def test_readme_commands_name_existing_gold_files(repo):
    """Commands in corpora/stages/README.md and docs/stages.md run on files that exist
    (the heldout_* files merged into gold_* said otherwise), or say the file was merged."""
    import re

    for doc in ("corpora/stages/README.md", "docs/stages.md"):
        for line in (repo / doc).read_text(encoding="utf-8").splitlines():
            for name in re.findall(r"evaluate-stages (corpora/stages/\S+\.tsv)", line):
                assert (repo / name).exists() or "merged" in line, (doc, line)
