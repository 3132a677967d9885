"""Microsoft Teams' older WebVTT: unpadded cue times (``0:0:5.420 --> 0:0:9.10``), ``Last,
First`` display names in voice tags, and the GUID cue ids of newer Teams files."""

from __future__ import annotations

import pytest

from analyzer.errors import TimingError
from analyzer.io import read_transcripts
from analyzer.io.times import is_teams_clock, parse_teams_clock


def test_old_teams_vtt_reads_with_times_in_seconds(data_dir):
    path = data_dir / "good" / "teams_old.vtt"
    (t,) = read_transcripts(path)
    assert t.format == "vtt" and t.session_id == "teams_old"
    assert [s.name for s in t.speakers] == ["Okafor, Grace", "Lindqvist, Erik",
                                            "Moreau, Camille"]
    # Grace's two cues merge, as captions always do; 9.10 is 9 s 10 ms, 2.60 is 2 s 60 ms.
    assert [(x.speaker, x.start, x.end, x.source_line) for x in t.turns] == [
        ("Okafor, Grace", 0.0, 9.01, 3),
        ("Lindqvist, Erik", 9.09, 15.48, 9),
        ("Moreau, Camille", 15.48, 21.35, 12),
        ("Okafor, Grace", 22.0, 27.72, 15),
        ("Lindqvist, Erik", 62.06, 66.9, 18)]
    assert t.turns[0].text == ("Morning both. Thanks for making time for the cleaning contract "
                               "renewal. Our main concern this year is the weekend cover at the "
                               "Leeds site.")
    assert "4 & a half percent" in t.turns[3].text


def test_teams_guid_cue_ids_are_skipped(tmp_path):
    path = tmp_path / "teams_new.vtt"
    path.write_text(
        "WEBVTT\n\n3f1c9a2e-7b4d-4e8a-9c21-5d6e7f8a9b0c/12-0\n00:00:00.000 --> 00:00:05.420\n"
        "<v Doe, John>Hello everyone, shall we start?</v>\n\n"
        "3f1c9a2e-7b4d-4e8a-9c21-5d6e7f8a9b0c/13-0\n00:00:05.420 --> 00:00:09.100\n"
        "<v Smith, Anna>Yes.</v>\n", encoding="utf-8")
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.text, x.start, x.end, x.source_line) for x in t.turns] == [
        ("Doe, John", "Hello everyone, shall we start?", 0.0, 5.42, 4),
        ("Smith, Anna", "Yes.", 5.42, 9.1, 8)]


def test_the_briefs_two_cue_example(tmp_path):
    path = tmp_path / "old.vtt"
    path.write_text("WEBVTT\n\n0:0:0.0 --> 0:0:5.420\n<v Doe, John>Hello everyone, shall we "
                    "start?</v>\n\n0:0:5.420 --> 0:0:9.10\n<v Smith, Anna>Yes.</v>\n",
                    encoding="utf-8")
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [
        ("Doe, John", 0.0, 5.42), ("Smith, Anna", 5.42, 9.01)]


@pytest.mark.parametrize("timings, line, shown", [
    # a standard file with one slip stays an error: the whole file decides
    (["00:00:01.000 --> 00:00:03.000", "00:00:03.500 --> 00:00:5.0"], 8, "00:00:5.0"),
    # a Teams file whose times go back is refused like any other (4.0 s, then 0.5 s; a
    # second or less back is a caption tool's jitter and passes)
    (["0:0:4.0 --> 0:0:6.0", "0:0:0.500 --> 0:0:5.0"], 8, None),
    # Teams never writes a two-digit hour: a file mixing the two ways is not Teams', and its
    # first unpadded timing is the error
    (["0:0:1.0 --> 0:0:3.0", "00:00:4.5 --> 00:00:05.000"], 4, "0:0:1.0"),
])
def test_unreadable_or_backward_teams_timings(tmp_path, timings, line, shown):
    path = tmp_path / "x.vtt"
    path.write_text("WEBVTT\n\n" + "".join(
        f"{n}\n{timing}\n<v Ana Lee>Line {n}.</v>\n\n" for n, timing in enumerate(timings, 1)),
        encoding="utf-8")
    with pytest.raises(TimingError) as caught:
        list(read_transcripts(path))
    assert caught.value.line == line and caught.value.where == f"cue {1 + (line == 8)}"
    if shown:
        assert "cannot read the cue timing" in caught.value.message
        assert shown in caught.value.message
    else:
        assert "time goes backwards" in caught.value.message


def test_teams_clock():
    assert [parse_teams_clock(v) for v in ("0:0:0.0", "0:0:9.10", "0:1:2.60", "1:2:3.456")] \
        == [0.0, 9.01, 62.06, 3723.456]
    assert parse_teams_clock("00:05.000") is None and parse_teams_clock("0:0:5") is None
    assert is_teams_clock("0:0:5.420") and is_teams_clock("0:12:5.420")
    assert not is_teams_clock("0:00:05.420") and not is_teams_clock("00:00:5.0")


def test_teams_text_copied_from_the_docx(tmp_path):
    """Teams' transcript pasted into a .txt: 'Doe, John   0:03' lines, text below."""
    path = tmp_path / "teams.txt"
    path.write_text("Lease renewal\nMarch 4, 2025, 10:02AM\n18m 42s\n\nDoe, John   0:03\n"
                    "Hello everyone, shall we start?\n\nSmith, Anna   1:02:09\nYes.\n",
                    encoding="utf-8")
    (t,) = read_transcripts(path)
    assert t.format == "text"
    assert [(x.speaker, x.text, x.start, x.source_line) for x in t.turns] == [
        ("Doe, John", "Hello everyone, shall we start?", 3.0, 5),
        ("Smith, Anna", "Yes.", 3729.0, 8)]
    assert t.meta["header"]["preamble"] == "Lease renewal\nMarch 4, 2025, 10:02AM\n18m 42s"
