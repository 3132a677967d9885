"""``analyzer train`` / ``evaluate`` on a researcher's own coded CSV: what a messy coding
file does (training QA, 28 Nov 2026: case variants of one code, a typo in the orientation
map, a broken quote, one category, a Windows-1252 file, an unnamed session column)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def scheme(repo) -> Path:
    return repo / "corpora" / "custom_scheme"


@pytest.fixture(scope="module")
def trained(scheme, tmp_path_factory):
    """The custom scheme's model, trained once for the tests that only read it."""
    out = tmp_path_factory.mktemp("trained") / "model"
    result = runner.invoke(app, ["train", str(scheme / "coded.csv"), "--out", str(out),
                                 "--orientation-map", str(scheme / "orientation_map.csv")])
    assert result.exit_code == 0, result.output
    return out, result


def test_card_and_meta_quote_the_hash_of_the_model_file_on_disk(trained):
    """train saved twice (the second save for the card) and skops archives differ from save
    to save: the card quoted a hash no file had."""
    out, _ = trained
    sha = hashlib.sha256((out / "model.skops").read_bytes()).hexdigest()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["model_file"]["sha256"] == sha
    assert f"model file sha256 {sha}" in (out / "README.md").read_text()


def _rows(scheme) -> list[list[str]]:
    import csv

    with (scheme / "coded.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows, encoding="utf-8") -> Path:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding=encoding)
    return path


def test_case_variants_of_a_code_are_one_code_and_the_map_gaps_are_named(scheme, tmp_path):
    """"Claim" and "CLAIM" among the "claim"s became categories of their own, neutral for
    the orientation map; a typo in the map ("questionn") and a capital "Integrative" made
    codes neutral or failed. Now one code, a note naming where each spelling first occurs,
    warnings naming the map's unused line and the codes left unmapped."""
    rows = _rows(scheme)
    claims = [i for i, r in enumerate(rows) if r[3] == "claim"]
    rows[claims[0]][3] = "Claim"
    rows[claims[1]][3] = "CLAIM"
    rows[claims[2]][3] = " claim "
    coded = _write(tmp_path / "coded.csv", rows)
    omap = tmp_path / "map.csv"
    omap.write_text("label,orientation\nCLAIM,distributive\ncreate,Integrative\n"
                    "questionn,integrative\n", encoding="utf-8")
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", str(coded), "--out", str(out),
                                 "--orientation-map", str(omap)])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["labels"] == ["claim", "create", "procedural", "question"]
    assert meta["orientation_map"] == {"claim": "distributive", "create": "integrative"}
    assert f"'Claim' (1 rows, first at {coded}:{claims[0] + 1})" in result.stderr
    assert f"'CLAIM' (1 rows, first at {coded}:{claims[1] + 1})" in result.stderr
    assert "merged into 'claim'" in result.stderr
    assert f"orientation map {omap}: 1 entry matches no code" in result.stderr
    assert "line 4: 'questionn'" in result.stderr
    assert "no entry for 'procedural', 'question'" in result.stderr


def test_unknown_orientation_names_the_line(scheme, tmp_path):
    omap = tmp_path / "map.csv"
    omap.write_text("label,orientation\nclaim,distributive\ncreate,competitive\n")
    result = runner.invoke(app, ["evaluate", str(scheme / "coded.csv"), "--cv", "2",
                                 "--orientation-map", str(omap)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{omap}:3: label 'create': unknown orientation 'competitive'" in result.output


@pytest.mark.parametrize("broken_line", [2, 40])
def test_a_quote_never_closed_is_the_formats_error_at_its_row(scheme, tmp_path, broken_line):
    """The row swallowed the rest of the file into one label (or, in the first data row,
    "no labelled rows"); `analyzer formats` said E104 at the row."""
    from analyzer.errors import MalformedError
    from analyzer.moves.data import read_coded_csv

    lines = (scheme / "coded.csv").read_text(encoding="utf-8").splitlines()
    session, speaker, text = lines[broken_line - 1].split(",")[:3]
    lines[broken_line - 1] = f'{session},{speaker},"{text} and then,claim'
    path = tmp_path / "coded.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(MalformedError) as caught:
        read_coded_csv(path)
    assert caught.value.code == "E104" and caught.value.line == broken_line
    assert "a quoted field is never closed" in str(caught.value)
    result = runner.invoke(app, ["train", str(path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and f"[E104] {path}:{broken_line}:" in result.output


def test_one_code_only_is_a_usage_error_in_train_and_cv(scheme, tmp_path):
    rows = _rows(scheme)
    one = _write(tmp_path / "one.csv", [rows[0]] + [r[:3] + ["procedural"] for r in rows[1:]])
    for command in (["train", str(one), "--out", str(tmp_path / "m")],
                    ["evaluate", str(one), "--cv", "3"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "[E300]" in result.output and str(one) in result.output
        assert "at least two different codes" in result.output
    assert not (tmp_path / "m").exists()


def test_a_windows_1252_coded_csv_reads_like_a_transcript(scheme, tmp_path):
    """UnicodeDecodeError traceback before; the transcript readers take cp1252."""
    from analyzer.moves.data import read_coded_csv

    rows = _rows(scheme)
    rows[1][2] = "Un café? Let's take a short break – ten minutes."
    path = _write(tmp_path / "cp1252.csv", rows, encoding="cp1252")
    turns = [turn for t in read_coded_csv(path) for turn in t.turns]
    assert turns[0].text == rows[1][2]


def test_session_column_by_option_or_alias_and_a_warning_without_one(scheme, tmp_path):
    """A ``Conv`` column was ignored without a word, every row a session: --cv split turns
    ("148 coded turns in 148 sessions")."""
    from analyzer.moves.data import load_coded

    rows = _rows(scheme)
    renamed = _write(tmp_path / "conv.csv", [["Conv", "Who", "text", "label"]] + rows[1:])
    sessions = len({r[0] for r in rows[1:]})

    plain = load_coded([renamed])
    assert plain.coded_sessions == len(rows) - 1
    assert any("no session column" in n and "--session-col" in n and str(renamed) in n
               for n in plain.notes)
    named = load_coded([renamed], session_col="Conv", speaker_col="Who")
    assert named.coded_sessions == sessions
    assert not any("session" in n for n in named.notes)
    assert {turn.speaker for t in named.transcripts for turn in t.turns} == \
        {r[1] for r in rows[1:]}
    aliased = _write(tmp_path / "alias.csv", [["dialogue_id", "speaker", "text", "label"]]
                     + rows[1:])
    assert load_coded([aliased]).coded_sessions == sessions

    result = runner.invoke(app, ["evaluate", str(renamed), "--session-col", "Nope"])
    assert result.exit_code == 2 and "no column 'Nope' (given as --session-col)" in \
        result.output


def test_uncoded_rows_are_not_sessions_and_rare_codes_are_named(scheme, tmp_path):
    from analyzer.moves.data import load_coded

    rows = _rows(scheme)
    extra = [[f"uncoded-{i}", "Buyer", "Hello there.", ""] for i in range(5)]
    rare = [["job-01", "Buyer", "Sorry about that, my mistake.", "apology"]] * 3
    path = _write(tmp_path / "coded.csv", rows + extra + rare)
    data = load_coded([path])
    assert data.coded_sessions == len({r[0] for r in rows[1:]})
    notes = data.rare_label_notes()
    assert len(notes) == 1 and "'apology' (3 turns)" in notes[0]
    one_session = _write(tmp_path / "one.csv", rows + rare * 2)
    assert "'apology' (all 6 turns in one session)" in load_coded([one_session]) \
        .rare_label_notes()[0]
    result = runner.invoke(app, ["train", str(path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "rare codes: 'apology' (3 turns)" in result.stderr
    assert f"from {data.coded_sessions} sessions" in result.stderr


def test_model_option_naming_a_file_says_so(scheme, tmp_path, trained):
    out, _ = trained
    for path, hint in ((scheme / "coded.csv", "name it as DATA"),
                       (out / "model.skops", f"--model {out}")):
        result = runner.invoke(app, ["evaluate", str(scheme / "coded.csv"), "--model",
                                     str(path)])
        assert result.exit_code == 2
        assert f"{path} is a file, not a model folder" in result.output
        assert hint in result.output


def test_spoken_weight_help_shows_its_default():
    """Rich read "[default: 0.4, ...]" as markup and dropped it from --help."""
    for command in ("train", "evaluate"):
        result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert "[default: 0.4, the shipped model's]" in result.output


def test_the_docs_train_your_models_outside_the_shipped_models_folder(repo):
    """The walkthrough trained into models/, the folder the package ships from; only the
    project's own build commands (casino-moves-N) belong there."""
    import re

    for doc in ("README.md", "docs/study.md", "docs/moves.md", "analyzer/cli/train.py"):
        text = (repo / doc).read_text(encoding="utf-8")
        for found in re.findall(r"(?:--out|--model) (\S+)", text):
            assert not found.startswith("models/") or \
                found.startswith("models/casino-moves"), f"{doc}: {found}"


def test_evaluate_prints_the_label_confusion_as_text(scheme):
    """It was in --json only; the per-code confusion is what a scheme's author reads."""
    from analyzer.cli.evaluate import label_confusion

    result = runner.invoke(app, ["evaluate", str(scheme / "coded.csv"), "--cv", "2",
                                 "--level", "strategy"])
    assert result.exit_code == 0, result.output
    tail = result.stdout[result.stdout.index("Move labels"):]
    assert "confusion (rows = human, columns = model)" in tail
    assert tail.split("columns = model):\n")[1].split("\n")[0].split() == \
        ["claim", "create", "procedural", "question"]
    wide = {"confusion": {"labels": [f"category-{i}" for i in range(10)],
                          "rows_true_cols_pred": [[1] * 10] * 10}}
    assert "see --json" in label_confusion(wide)
