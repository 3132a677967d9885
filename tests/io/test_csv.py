"""CSV/TSV tables: aliases, sessions, roles, delimiters, options."""

from __future__ import annotations

import pytest

from analyzer.errors import MalformedError, MissingColumnsError, TimingError
from analyzer.io import read_transcripts


def test_aliases_sessions_roles_and_clock_times(data_dir):
    first, second = read_transcripts(data_dir / "good" / "sessions.csv")
    assert (first.session_id, second.session_id) == ("neg-1", "neg-2")
    assert [(x.speaker, x.text, x.start) for x in first.turns] == [
        ("Kim", "Hello, Lou.", 0.0), ("Lou", "Hi Kim; shall we start?", 3.5)]
    assert first.speaker("Kim").meta["source_role"] == "buyer" and first.role_of("Kim") == "party"
    assert second.role_of("Mediator") == "mediator" and second.parties == ("Ada",)
    assert [x.source_line for x in second.turns] == [4, 5]


def test_tsv_with_start_and_end(data_dir):
    (t,) = read_transcripts(data_dir / "good" / "simple.tsv")
    assert t.session_id == "simple"
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [("Ana", 0.0, 2.0),
                                                             ("Ben", 2.5, 5.0)]


def test_semicolon_delimiter_and_named_columns_and_extra_columns(tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("spoken_by;said_text;mood\nAnna;Hello, there;calm\nBen;Hi;\n",
                    encoding="utf-8")
    with pytest.raises(MissingColumnsError) as caught:
        list(read_transcripts(path))
    assert "spoken_by, said_text, mood" in str(caught.value) and caught.value.line == 1
    (t,) = read_transcripts(path, speaker_col="spoken_by", text_col="said_text")
    assert [(x.speaker, x.text) for x in t.turns] == [("Anna", "Hello, there"), ("Ben", "Hi")]
    assert t.turns[0].meta == {"mood": "calm"} and t.turns[1].meta == {}


def test_multiline_quoted_field_keeps_line_numbers(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('speaker,text\nAnna,"first line\nsecond line"\nBen,ok\n', encoding="utf-8")
    (t,) = read_transcripts(path)
    assert t.turns[0].text == "first line\nsecond line"
    assert [x.source_line for x in t.turns] == [2, 4]


def test_date_times_become_seconds_from_the_first(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text("timestamp,from,message\n2025-03-12 10:04:05,Ana,Hi\n"
                    "2025-03-12 10:05:35,Ben,Hello\n2025/03/12 10:06:00,Ana,Deal?\n",
                    encoding="utf-8")
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.start) for x in t.turns] == [("Ana", 0.0), ("Ben", 90.0),
                                                       ("Ana", 115.0)]
    path.write_text("time,from,message\nsoon,Ana,Hi\n", encoding="utf-8")
    with pytest.raises(TimingError) as caught:
        list(read_transcripts(path))
    assert caught.value.line == 2 and "'soon'" in caught.value.message


def test_a_long_unquoted_cell_reads(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("speaker,text\nAna," + "x" * 200_000 + "\nBen,ok\n", encoding="utf-8")
    (t,) = read_transcripts(path)
    assert [len(x.text) for x in t.turns] == [200_000, 2]


def test_a_row_without_the_text_field_is_an_error(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("speaker,text,start\nAna\nBen,Price.,2\n", encoding="utf-8")
    with pytest.raises(MalformedError) as caught:
        list(read_transcripts(path))
    assert caught.value.path == str(path) and caught.value.line == 2
    assert "only 1 field: no 'text' field" in caught.value.message
    assert "quoted" in caught.value.hint
    path.write_text("speaker,text,start,end\nAna,hi\nBen,ho,2\n", encoding="utf-8")
    (t,) = read_transcripts(path)  # only optional fields missing: read as empty
    assert [(x.speaker, x.start) for x in t.turns] == [("Ana", None), ("Ben", 2.0)]


def test_twelve_hour_chat_times_with_and_without_a_date(tmp_path):
    path = tmp_path / "teams_chat.csv"
    path.write_text("Date,Time,Sender,Message\n5/14/2024,11:58 PM,Priya,Hi Marco\n"
                    "5/15/2024,12:01 AM,Marco,Hi\n5/15/2024,12:30 PM,Priya,Deal\n",
                    encoding="utf-8")
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.start) for x in t.turns] == [("Priya", 0.0), ("Marco", 180.0),
                                                       ("Priya", 45120.0)]
    assert t.turns[0].meta == {"Date": "5/14/2024"}  # still kept with the turn
    path.write_text("Timestamp,Sender,Message\n5/14/2024 10:02:11 AM,Priya,Hi\n"
                    "5/14/2024 1:10:00 PM,Marco,Deal\n", encoding="utf-8")
    (t,) = read_transcripts(path)
    assert [x.start for x in t.turns] == [0.0, 11269.0]


def test_start_col_none_ignores_a_time_column(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("time,speaker,text\nyesterday,Ana,Hi\nlater,Ben,Hello\n", encoding="utf-8")
    with pytest.raises(TimingError) as info:
        list(read_transcripts(path))
    assert "--read-option start_col=none" in info.value.hint
    (t,) = read_transcripts(path, start_col="none")
    assert [(x.speaker, x.start) for x in t.turns] == [("Ana", None), ("Ben", None)]
    assert t.turns[0].meta == {"time": "yesterday"}


def test_missing_column_hint_names_the_command_line_option(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("who_spoke,words\nAna,Hi\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError) as info:
        list(read_transcripts(path))
    assert "--read-option speaker_col=" in info.value.hint


@pytest.mark.parametrize("rows, starts", [
    # 24-hour times beside a date are times of day, across midnight too
    ("27/11/2026,23:58,Priya,Late.\n28/11/2026,00:01,Marco,Past midnight.\n", [0.0, 180.0]),
    ("2026-11-27,09:58:00,Priya,Morning.\n2026-11-27,10:05:00,Marco,Hello.\n", [0.0, 420.0]),
    # 11/11 then 12/11 minutes apart: day first for the whole file, not a month apart
    ("11/11/2026,11:58 PM,Priya,Late.\n12/11/2026,12:01 AM,Marco,Past midnight.\n",
     [0.0, 180.0])])
def test_csv_times_of_day_joined_with_the_date_column(tmp_path, rows, starts):
    path = tmp_path / "chat.csv"
    path.write_text("Date,Time,Speaker,Message\n" + rows, encoding="utf-8")
    (t,) = read_transcripts(path)
    assert [x.start for x in t.turns] == starts


def test_csv_column_mixing_kinds_of_time_is_refused(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text("time,speaker,text\n10:02 AM,Priya,Hi.\n2026-11-27 10:03:00,Marco,Hello.\n",
                    encoding="utf-8")
    with pytest.raises(TimingError, match="the times mix kinds: '2026-11-27 10:03:00'"):
        list(read_transcripts(path))


def test_excel_semicolon_csv_with_decimal_comma_seconds(tmp_path):
    """Excel in a locale that separates fields by ";" writes seconds as "2,34"; such files
    were refused (formats QA, 28 Nov 2026)."""
    from analyzer.io import read_transcripts

    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffspeaker;start;end;text\r\nAna;0;2,34;Hola, ¿empezamos?\r\n"
                     "Ben;2,5;6,75;Yes, the price first.\r\n".encode("utf-8"))
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [("Ana", 0.0, 2.34),
                                                              ("Ben", 2.5, 6.75)]


def test_a_misspelled_reader_option_is_an_error_from_python(tmp_path):
    """The CLI checked --read-option keys; from Python a typo was ignored and the reader
    then missed the column (Python API QA, 28 Nov 2026)."""
    import pytest

    from analyzer.io import read_transcripts

    path = tmp_path / "t.csv"
    path.write_text("who,said\nAna,Hi.\nBen,Hello.\n", encoding="utf-8")
    with pytest.raises(TypeError, match=r"unknown reader option.*speakr_col"):
        list(read_transcripts(path, speakr_col="who"))
    (t,) = read_transcripts(path, speaker_col="who", text_col="said")
    assert [x.speaker for x in t.turns] == ["Ana", "Ben"]
