"""Study tables in a terminal: figures never split, a table too wide is printed in parts
(fresh user QA, 28 Nov 2026: "0.780" folded into "0.78" / "0", and rich dropped the last
column of a wide table at 80 columns without a word)."""

from __future__ import annotations

import io

import pandas as pd

from analyzer.cli.pipes import study_console
from analyzer.study.display import frame_table

WIDE = pd.DataFrame({
    "behaviour": ["bargaining_integrative_share", "integrative_share"],
    "outcome": ["partner_opponent_likeness", "joint_points"],
    "n": [708, 674], "r model": [0.112, -0.128], "95% CI model": ["[0.04, 0.18]", "[-0.20, -0.05]"],
    "r human": [0.090, 0.079], "95% CI human": ["[-0.04, 0.10]", "[0.00, 0.15]"],
    "difference": [0.0223, -0.0041]})


def _printed(frame: pd.DataFrame, width: int, monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    console = study_console()
    console.file = io.StringIO()
    console.print(frame_table(frame, "Pearson r"))
    return console.file.getvalue()


def test_every_figure_whole_and_every_column_shown_at_80_columns(monkeypatch):
    text = _printed(WIDE, 80, monkeypatch)
    assert max(len(line) for line in text.splitlines()) <= 80
    for figure in ("708", "674", "0.112", "-0.128", "[-0.20, -0.05]", "[-0.04, 0.10]",
                   "0.022", "-0.004"):
        assert figure in text, figure
    assert "difference" in text and "(1 of 2)" in text and "(2 of 2)" in text
    assert text.count("behaviour") == 2  # the name columns head every part


def test_a_table_that_fits_is_printed_whole(monkeypatch):
    text = _printed(WIDE, 160, monkeypatch)
    assert "(1 of" not in text and text.count("behaviour") == 1
    assert "bargaining_integrative_share" in text  # names unfolded when there is room


def test_transition_cells_keep_their_counts_when_z_is_undefined(results_dir):
    from typer.testing import CliRunner

    from analyzer.cli import app

    res = CliRunner().invoke(app, ["sequences", str(results_dir), "--lag", "2",
                                   "--scope", "across"])
    assert res.exit_code == 0, res.output
    body = res.output.split("from \\ to", 1)[1]
    rows = [line.split() for line in body.splitlines()[2:5]]
    assert rows[0][:4] == ["integrative", "1", "0", "0"]  # the counts, not "-" (no z)


def test_a_rerun_into_the_same_folder_leaves_no_outputs_of_the_run_before(results_dir,
                                                                         tmp_path):
    """Only files the earlier manifest of the same command names are removed."""
    from typer.testing import CliRunner

    from analyzer.cli import app

    out = tmp_path / "seq"
    runner = CliRunner()
    assert runner.invoke(app, ["sequences", str(results_dir), "--by-stage", "--out",
                               str(out)]).exit_code == 0
    staged = sorted(p.name for p in out.glob("*.svg"))
    assert any("opening" in name for name in staged)
    (out / "mine.svg").write_text("<svg/>")
    assert runner.invoke(app, ["sequences", str(results_dir), "--out", str(out)]).exit_code == 0
    assert not any("opening" in p.name for p in out.glob("*.svg"))
    assert (out / "mine.svg").exists()
    exported = tmp_path / "exp"
    assert runner.invoke(app, ["export", str(results_dir), "--to", "csv,parquet", "--out",
                               str(exported)]).exit_code == 0
    assert (exported / "parquet").is_dir()
    assert runner.invoke(app, ["export", str(results_dir), "--to", "csv", "--out",
                               str(exported)]).exit_code == 0
    assert not (exported / "parquet").exists() and (exported / "csv").is_dir()
