"""``analyzer formats``: the list of formats, and checking files."""

from __future__ import annotations

from typer.testing import CliRunner

from analyzer.cli import app

runner = CliRunner()


def test_lists_every_format_with_an_example():
    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0
    for name in ("text", "vtt", "srt", "csv", "json", "convokit"):
        assert f"\n{name} " in "\n" + result.output
    assert result.output.count("e.g. ") == 6


def test_check_reports_sessions_and_errors(data_dir):
    good = data_dir / "good" / "zoom.vtt"
    bad = data_dir / "broken" / "backwards.srt"
    result = runner.invoke(app, ["formats", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{good}: vtt, session 'zoom', 3 turns (timed)" in result.output
    assert "Priya Shah (party), Marco (party)" in result.output
    assert f"[E106] {bad}:10 (cue 3): time goes backwards" in result.output
    assert "Traceback" not in result.output


def test_check_missing_path_and_help_example():
    result = runner.invoke(app, ["formats", "no/such/file.vtt"])
    assert result.exit_code == 1 and "no such file or folder" in result.output
    help_text = runner.invoke(app, ["formats", "--help"]).output
    assert "Example:" in help_text and "analyzer formats corpora/examples" in help_text


def test_check_all_examples(examples_dir):
    result = runner.invoke(app, ["formats", str(examples_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.count("session ") == 11


def test_input_format_override_and_unknown_format(data_dir, tmp_path):
    path = tmp_path / "subs.dat"
    path.write_bytes((data_dir / "good" / "subtitles.srt").read_bytes())
    ok = runner.invoke(app, ["formats", str(path), "--input-format", "srt"])
    assert ok.exit_code == 0 and "srt, session 'subs', 3 turns" in ok.output
    bad = runner.invoke(app, ["formats", str(path), "--input-format", "docx"])
    assert bad.exit_code == 2 and "unknown format 'docx'" in bad.output
