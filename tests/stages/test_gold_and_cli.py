"""Gold files (reading, clear errors) and ``analyzer evaluate-stages`` on a small gold slice."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.errors import ReadError
from analyzer.stages.gold import read_gold

SLICE = [  # the first five lines of corpora/stages/gold_casino.tsv
    "938\topening=0\texploring=-\tbargaining=3\tclosing=10\t# a",
    "404\topening=-\texploring=-\tbargaining=0\tclosing=11\t# a",
    "790\topening=0\texploring=5\tbargaining=6\tclosing=10\t# a",
    "607\topening=-\texploring=0\tbargaining=2\tclosing=7\t# a",
    "727\topening=-\texploring=-\tbargaining=0\tclosing=7\t# a",
]


def write(tmp_path, lines, name="gold.tsv"):
    path = tmp_path / name
    path.write_text("# comment\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_gold(tmp_path):
    entries = read_gold(write(tmp_path, SLICE[:2]))
    assert [e.session for e in entries] == ["938", "404"]
    assert entries[0].starts == {"opening": 0, "exploring": None, "bargaining": 3,
                                 "closing": 10}
    assert entries[1].line == 3  # after the comment line
    assert entries[0].labels(12)[:4] == ["opening"] * 3 + ["bargaining"]


@pytest.mark.parametrize("line, problem", [
    ("938\topening=0\texploring=-\tbargaining=3", "tab-separated fields"),
    ("938\topening=0\texploring=x\tbargaining=3\tclosing=10", "neither a turn index"),
    ("938\topening=1\texploring=-\tbargaining=3\tclosing=10", "start at turn 0"),
    ("938\topening=0\texploring=5\tbargaining=3\tclosing=10", "increase in stage order"),
    ("938\topening=0\tbargaining=3\texploring=-\tclosing=10", "should be exploring"),
])
def test_bad_gold_lines_name_the_line_and_the_fix(tmp_path, line, problem):
    path = write(tmp_path, [SLICE[0], line])
    with pytest.raises(ReadError) as info:
        read_gold(path)
    assert info.value.line == 3
    assert problem in str(info.value)
    assert info.value.hint


@pytest.mark.casino
def test_evaluate_stages_on_a_gold_slice(tmp_path, casino_dir):
    gold = write(tmp_path, SLICE)
    result = CliRunner().invoke(app, ["evaluate-stages", str(gold), "--casino", str(casino_dir),
                                      "--cv", "0", "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["mode"] == "shipped"
    assert scores["model"]["sessions"] == 5
    assert [s["session"] for s in scores["sessions"]] == ["938", "404", "790", "607", "727"]
    # shipped parameters were fitted on these dialogues among others: they must do far better
    # than the keyword baseline here
    assert scores["model"]["pk"] < scores["baseline"]["pk"]
    assert scores["model"]["pk"] <= 0.2
    assert scores["model"]["boundaries"]["bargaining"]["gold"] == 3


@pytest.mark.casino
def test_evaluate_stages_table_and_cv(tmp_path, casino_dir):
    gold = write(tmp_path, SLICE)
    result = CliRunner().invoke(app, ["evaluate-stages", str(gold), "--casino", str(casino_dir),
                                      "--cv", "2"])
    assert result.exit_code == 0, result.output
    assert "mode: cv2" in result.output
    assert "Pk" in result.output and "WindowDiff" in result.output
    assert "closing start +-1" in result.output


def test_unknown_session_is_a_usage_error(tmp_path):
    gold = write(tmp_path, ["no-such-session\topening=0\texploring=-\tbargaining=-\t"
                            "closing=-\t# x"])
    result = CliRunner().invoke(app, ["evaluate-stages", str(gold), "--cv", "0",
                                      "--casino", str(tmp_path), "--examples", str(tmp_path)])
    assert result.exit_code == 2
    assert "no-such-session" in result.output
    assert "Traceback" not in result.output


def test_gold_names_a_transcript_by_its_path_from_the_gold_folder(tmp_path, examples_dir):
    """The spoken-style gold names files by their path from the folder above its own
    (``corpora/stages/gold_spoken.tsv`` -> ``spoken/x.vtt`` = ``corpora/spoken/x.vtt``),
    wherever ``--examples`` points; a file of several sessions takes ``#session``."""
    import shutil

    from analyzer.stages.gold import resolve

    (tmp_path / "spoken").mkdir()
    for name in ("zoom_salary.vtt", "procurement.csv"):
        shutil.copy(examples_dir / name, tmp_path / "spoken" / name)
    (tmp_path / "stages").mkdir()
    gold = write(tmp_path / "stages", [
        "spoken/zoom_salary.vtt\topening=0\texploring=-\tbargaining=3\tclosing=13\t# x",
        "spoken/procurement.csv#laptops-round-2\topening=-\texploring=0\tbargaining=1\t"
        "closing=4\t# x"])
    pairs = resolve(read_gold(gold), casino=tmp_path, examples=tmp_path / "elsewhere")
    assert [t.session_id for _, t in pairs] == ["zoom_salary", "laptops-round-2"]
    assert pairs[0][0].labels(len(pairs[0][1].turns))[3] == "bargaining"


def test_evaluate_stages_json_is_strict_json(repo):
    """No opening boundary in the examples' gold: its exact share is undefined, written as
    null, since a bare NaN is no JSON (JavaScript's JSON.parse rejects it; fresh user QA)."""
    result = CliRunner().invoke(app, ["evaluate-stages",
                                      str(repo / "corpora/stages/gold_examples.tsv"),
                                      "--examples", str(repo / "corpora/examples"),
                                      "--cv", "0", "--json"])
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.output and "Infinity" not in result.output
    json.loads(result.output, parse_constant=lambda name: pytest.fail(f"bare {name}"))
