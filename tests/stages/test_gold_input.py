"""Gold files with awkward input (QA round of 28 Nov 2026): encodings, odd digits,
duplicated sessions, files of several sessions, names that find nothing."""

from __future__ import annotations

import pytest

from analyzer.errors import ReadError
from analyzer.stages.gold import read_gold

LINE = "938\topening=0\texploring=-\tbargaining=3\tclosing=10\t# café “quoted”"


def test_a_utf8_bom_is_not_part_of_the_first_session(tmp_path):
    path = tmp_path / "bom.tsv"
    path.write_bytes(b"\xef\xbb\xbf" + (LINE + "\n").encode("utf-8"))
    entries = read_gold(path)
    assert entries[0].session == "938"


def test_a_windows_1252_gold_file_reads(tmp_path):
    path = tmp_path / "cp1252.tsv"
    path.write_bytes((LINE + "\n").encode("cp1252"))
    entries = read_gold(path)
    assert entries[0].session == "938"
    assert "café “quoted”" in entries[0].rationale


def test_a_missing_gold_file_is_a_read_error(tmp_path):
    with pytest.raises(ReadError) as info:
        read_gold(tmp_path / "nope.tsv")
    assert "nope.tsv" in str(info.value) and info.value.hint


@pytest.mark.parametrize("value", ["³", "٣", "²"])
def test_a_non_ascii_digit_is_no_turn_index(tmp_path, value):
    path = tmp_path / "gold.tsv"
    path.write_text(f"938\topening=0\texploring={value}\tbargaining=3\tclosing=10\n",
                    encoding="utf-8")
    with pytest.raises(ReadError) as info:
        read_gold(path)
    assert info.value.line == 1
    assert "neither a turn index" in str(info.value)


def gold(tmp_path, lines, name="gold.tsv"):
    path = tmp_path / name
    path.write_text("".join(f"{line}\topening=0\texploring=-\tbargaining=-\tclosing=-\n"
                            for line in lines), encoding="utf-8")
    return path


def test_a_session_on_two_lines_is_an_error_naming_both(tmp_path, examples_dir):
    from analyzer.errors import UsageError
    from analyzer.stages.gold import resolve

    path = gold(tmp_path, ["supplier_contract.txt", "zoom_salary.vtt",
                           "supplier_contract.txt"])
    with pytest.raises(UsageError) as info:
        resolve(read_gold(path), casino=tmp_path, examples=examples_dir)
    assert f"{path}:3" in str(info.value) and f"{path}:1" in str(info.value)


def test_the_same_session_by_file_and_by_file_id_is_a_duplicate(tmp_path, examples_dir):
    from analyzer.errors import UsageError
    from analyzer.stages.gold import resolve

    path = gold(tmp_path, ["zoom_salary.vtt", "zoom_salary.vtt#zoom_salary"])
    with pytest.raises(UsageError, match="already annotated"):
        resolve(read_gold(path), casino=tmp_path, examples=examples_dir)


def test_a_gold_file_given_twice_is_a_usage_error(tmp_path, examples_dir):
    from typer.testing import CliRunner

    from analyzer.cli import app

    path = gold(tmp_path, ["supplier_contract.txt"])
    result = CliRunner().invoke(app, ["evaluate-stages", str(path), str(path), "--cv", "0",
                                      "--no-moves", "--casino", str(tmp_path),
                                      "--examples", str(examples_dir)])
    assert result.exit_code == 2, result.output
    assert "given twice" in result.output
    assert "Traceback" not in result.output


def test_a_file_of_several_sessions_needs_its_id(tmp_path, examples_dir):
    from analyzer.errors import UsageError
    from analyzer.stages.gold import resolve

    path = gold(tmp_path, ["procurement.csv"])
    with pytest.raises(UsageError) as info:
        resolve(read_gold(path), casino=tmp_path, examples=examples_dir)
    message = str(info.value)
    assert "holds 2 sessions" in message
    assert "procurement.csv#laptops-round-1" in message
    assert "procurement.csv#laptops-round-2" in message


def resolve_error(path, **kwargs):
    from analyzer.errors import UsageError
    from analyzer.stages.gold import resolve

    with pytest.raises(UsageError) as info:
        resolve(read_gold(path), **kwargs)
    return str(info.value)


def test_a_missing_file_says_it_does_not_exist_and_where(tmp_path, examples_dir):
    message = resolve_error(gold(tmp_path, ["nope.txt"]), casino=tmp_path,
                            examples=examples_dir)
    assert "'nope.txt' does not exist" in message
    assert str(examples_dir / "nope.txt") in message
    assert "--casino" not in message
    absolute = str(tmp_path / "sub" / "nope.vtt")
    message = resolve_error(gold(tmp_path, [absolute]), casino=tmp_path,
                            examples=examples_dir)
    assert f"{absolute!r} does not exist (looked for {absolute})" in message


def test_an_unknown_id_lists_the_file_sessions(tmp_path, examples_dir):
    message = resolve_error(gold(tmp_path, ["procurement.csv#nosuch"]), casino=tmp_path,
                            examples=examples_dir)
    assert "holds no session 'nosuch'" in message
    assert "laptops-round-1, laptops-round-2" in message


def test_a_digit_id_without_casino_says_casino_was_not_found(tmp_path, examples_dir,
                                                             monkeypatch):
    monkeypatch.setattr("analyzer.stages.gold.find_casino", lambda casino=None: None)
    message = resolve_error(gold(tmp_path, ["938"]), casino=tmp_path, examples=examples_dir)
    assert "CaSiNo was not found" in message and "--casino" in message


def test_a_bare_name_suggests_the_file_with_its_extension(tmp_path, examples_dir,
                                                          monkeypatch):
    monkeypatch.setattr("analyzer.stages.gold.find_casino", lambda casino=None: None)
    message = resolve_error(gold(tmp_path, ["zoom_salary"]), casino=tmp_path,
                            examples=examples_dir)
    assert "did you mean zoom_salary.vtt?" in message
