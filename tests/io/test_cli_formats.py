"""``analyzer formats``: the list of formats, and checking files."""

from __future__ import annotations

from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.io import FORMATS

runner = CliRunner()


def test_lists_every_format_with_an_example():
    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0
    for name in ("text", "vtt", "srt", "csv", "json", "convokit", "eaf", "docx"):
        assert f"\n{name} " in "\n" + result.output
    assert result.output.count("e.g. ") == len(FORMATS)  # one example each


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
    bad = runner.invoke(app, ["formats", str(path), "--input-format", "pdf"])
    assert bad.exit_code == 2 and "unknown format 'pdf'" in bad.output


def test_check_reports_each_bad_value_and_goes_on(tmp_path, monkeypatch):
    files = {"nan.csv": "speaker,text,start\nAna,hi,nan\n",
             "meta.json": '{"turns": [{"speaker": "Ana", "text": "hi"}], "meta": "x"}',
             "deep.json": "[" * 50_000 + "]" * 50_000,
             "good.txt": "Ana: hi\nBen: ho\n"}
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["formats", *(str(tmp_path / n) for n in files)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"[E106] {tmp_path / 'nan.csv'}:2: cannot read the time" in result.output
    assert f"[E104] {tmp_path / 'meta.json'}: meta: expected a JSON object" in result.output
    assert f"[E104] {tmp_path / 'deep.json'}: the JSON is nested too deeply" in result.output
    assert "good.txt: text, session 'good', 2 turns" in result.output

    def broken(*args, **kwargs):  # an unexpected error in a reader is reported, not raised
        raise KeyError("oops")

    monkeypatch.setattr("analyzer.io.read_transcripts", broken)
    result = runner.invoke(app, ["formats", str(tmp_path / "good.txt")])
    assert result.exit_code == 1 and "KeyError: 'oops'" in result.output
    assert "bug in the analyser" in result.output and "Traceback" not in result.output
