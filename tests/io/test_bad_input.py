"""Every kind of bad input gives a ReadError naming the file, the place and the fix."""

from __future__ import annotations

import pytest

from analyzer import errors
from analyzer.io import read_transcripts

# file -> (error class, line or None, where or None, words the message must contain).
# JSON has no useful lines: there the JSON path starts the message ("segments[0]: ...").
CASES = {
    "empty.txt": (errors.EmptyTranscriptError, None, None, "empty"),
    "blank.txt": (errors.EmptyTranscriptError, None, None, "empty"),
    "binary.bin": (errors.EncodingError, 1, None, "binary"),
    "nul.txt": (errors.EncodingError, 2, None, "binary"),
    "truncated.json": (errors.MalformedError, 3, "column 30", "cut off"),
    "malformed.json": (errors.MalformedError, 3, "column 3", "Expecting ',' delimiter"),
    "unknown_shape.json": (errors.UnknownFormatError, None, None, "title, items"),
    "no_speaker_segments.json": (errors.NoSpeakerError, None, None,
                                 "segments[0]: segment without a speaker: 'Hello there'"),
    "missing_columns.csv": (errors.MissingColumnsError, 1, None, "who_spoke, words, when"),
    "broken_quote.csv": (errors.MalformedError, 2, None, "never closed"),
    "extra_fields.csv": (errors.MalformedError, 2, None, "3 fields but the header has 2"),
    "no_speaker.csv": (errors.NoSpeakerError, 3, None, "Who am I"),
    "bad_timing.vtt": (errors.TimingError, 8, "cue 2", "00:00:5.0"),
    "bad_timing_arrow.vtt": (errors.TimingError, 8, "cue 2", "00:00:03,5 -> 00:00:05.000"),
    "no_timing.vtt": (errors.TimingError, 7, "cue 2", "no timing line"),
    "no_header.vtt": (errors.MalformedError, 1, None, "WEBVTT"),
    "ends_before_start.vtt": (errors.TimingError, 3, "cue 1", "before it starts"),
    "no_speaker.vtt": (errors.NoSpeakerError, 4, "cue 1", "is anyone there"),
    "backwards.srt": (errors.TimingError, 10, "cue 3", "goes backwards"),
    "backwards.txt": (errors.TimingError, 3, None, "goes backwards"),
    "no_speaker.txt": (errors.NoSpeakerError, 1, None, "Hello everyone"),
    "no_labels.txt": (errors.NoSpeakerError, 1, None, "just some prose"),
    "unknown.xyz": (errors.UnknownFormatError, None, None, ".xyz"),
    "cut_off.eaf": (errors.MalformedError, 17, "column 1", "the XML ends too early"),
    "missing_slot.eaf": (errors.TimingError, 18, "annotation a2",
                         "tier 'B': TIME_SLOT_REF2 'ts4' names no TIME_SLOT in TIME_ORDER"),
    "no_speech_tier.eaf": (errors.EmptyTranscriptError, 5, None,
                           "its tiers are 'A' (empty), 'A-de' (depends on 'A')"),
}


def test_every_broken_file_has_a_case(data_dir):
    assert sorted(p.name for p in (data_dir / "broken").iterdir()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file_names_file_place_and_fix(data_dir, name):
    kind, line, where, words = CASES[name]
    path = data_dir / "broken" / name
    with pytest.raises(errors.ReadError) as caught:
        list(read_transcripts(path))
    error = caught.value
    assert type(error) is kind
    assert error.path == str(path) and error.line == line and error.where == where
    assert words in error.message
    shown = str(error)
    assert shown.startswith(f"[{kind.code}] {path}")
    assert "fix: " in shown and len(error.hint) > 15


def test_unknown_format_name(data_dir):
    with pytest.raises(errors.UnknownFormatError) as caught:
        list(read_transcripts(data_dir / "good" / "untimed.txt", format="pdf"))
    assert "text, whatsapp, slack, vtt, srt, csv, json, convokit, eaf, docx" in caught.value.hint


def test_missing_file_and_folder(tmp_path, data_dir):
    with pytest.raises(errors.InputNotFoundError):
        list(read_transcripts(tmp_path / "nope.txt"))
    with pytest.raises(errors.UnknownFormatError, match="folder"):
        list(read_transcripts(data_dir / "good"))


def test_format_override_reads_a_txt_as_srt(tmp_path, data_dir):
    path = tmp_path / "subs.txt"
    path.write_bytes((data_dir / "good" / "subtitles.srt").read_bytes())
    (t,) = read_transcripts(path, format="srt")
    assert t.format == "srt" and len(t.turns) == 3


def test_json_paths_reach_the_failures_table(tmp_path):
    path = tmp_path / "late.json"
    path.write_text('{"segments": [{"start": 5, "speaker": "A", "text": "x"},'
                    ' {"start": 2, "speaker": "B", "text": "y"}]}', encoding="utf-8")
    with pytest.raises(errors.TimingError) as caught:
        list(read_transcripts(path))
    failure = errors.Failure.from_exception(str(path), caught.value)
    assert failure.error.startswith("[E106] segments[1]: time goes backwards")
    assert "segments[0]" in failure.error and failure.line is None


def test_a_failure_keeps_the_code_and_the_place_inside_the_line(tmp_path):
    """The failures table and the summary say what a ``--quiet`` run says: the error code
    and the cue, not only the line (coach QA, 28 Nov 2026)."""
    path = tmp_path / "broken.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>Hello.\n\n"
                    "00:00:03.000 -> 00:00:04.000\n<v B>Hi.\n", encoding="utf-8")
    with pytest.raises(errors.ReadError) as caught:
        list(read_transcripts(path))
    failure = errors.Failure.from_exception(str(path), caught.value)
    assert failure.error.startswith(f"[{caught.value.code}]")
    if caught.value.where:
        assert f"({caught.value.where})" in failure.error
    assert caught.value.problem in failure.error and failure.line == caught.value.line


TWO = '[{"speaker": "Ana", "text": "Could we talk?"}, {"speaker": "Ben", "text": "Sure."}]'
CASINO = ('[{"dialogue_id": 1, "participant_info": {}, "annotations": [], "chat_logs": ['
          '{"text": "Hello", "task_data": {}, "id": "mturk_agent_1"}, '
          '{"text": "Hi", "task_data": {}, "id": "mturk_agent_2"}]}]')

# Inline files with a bad value -> (error class, line, words the message must contain).
BAD_VALUES = {
    "nan.csv": ("speaker,text,start\nAna,hi,nan\nBen,ho,inf\n",
                errors.TimingError, 2, "not a time: 'nan'"),
    "inf_end.csv": ("speaker,text,start,end\nAna,hi,0,1\nBen,ho,2,inf\n",
                    errors.TimingError, 3, "not a time: 'inf'"),
    "negative.csv": ("speaker,text,start,end\nAna,hi,-5,-2\nBen,ho,0,1\n",
                     errors.TimingError, 2, "negative time: '-5'"),
    "nan.json": ('{"segments": [{"start": NaN, "end": Infinity, "speaker": "A", "text": "hi"}]}',
                 errors.TimingError, None, "segments[0]: cannot read 'start': not a time: nan"),
    "negative.json": ('{"turns": [{"speaker": "A", "text": "hi", "start": 1},'
                      ' {"speaker": "B", "text": "ho", "start": -2}]}',
                      errors.TimingError, None, "turns[1]: cannot read 'start': negative time"),
    "negative.jsonl": ('{"speaker": "A", "text": "hi", "meta": {"start": -1}}\n',
                       errors.TimingError, 1, "negative time"),
    "meta.json": ('{"turns": [{"speaker": "Ana", "text": "hi"}], "meta": "x"}',
                  errors.MalformedError, None, 'meta: expected a JSON object, found "x"'),
    "meta.jsonl": ('{"speaker": "ana", "conversation_id": "c1", "text": "hi", "meta": "x"}\n',
                   errors.MalformedError, 1, "meta is not a JSON object"),
    "deep.json": ("[" * 50_000 + "]" * 50_000, errors.MalformedError, None, "nested too deeply"),
    "deep.jsonl": ('{"speaker": "A", "text": "hi"}\n{"x": ' + "[" * 50_000 + "]" * 50_000 + "}\n",
                   errors.MalformedError, 2, "nested too deeply"),
    "speaker_object.json": ('{"turns": [{"speaker": {"name": "Ana"}, "text": "hi"}]}',
                            errors.MalformedError, None,
                            "turns[0].speaker: expected a string or a number, found an object"),
    "text_list.json": ('{"segments": [{"speaker": "A", "text": ["a", "b"], "start": 0}]}',
                       errors.MalformedError, None,
                       "segments[0].text: expected a string or a number, found a list"),
    "text_list.jsonl": ('{"speaker": "A", "text": ["a", "b"]}\n',
                        errors.MalformedError, 1, "text: expected a string or a number"),
    # fields of an unexpected JSON type (fuzzing QA, 28 Nov 2026): were TypeErrors reported
    # as bugs in the analyser, with no place; or became a speaker "True", a text "True"
    "speakers_true.json": (f'{{"speakers": true, "turns": {TWO}}}', errors.MalformedError,
                           None, "speakers: expected a list, found true"),
    "speaker_true.json": ('{"turns": [{"speaker": true, "text": "hi"}]}',
                          errors.MalformedError, None,
                          "turns[0].speaker: expected a string or a number, found true"),
    "text_true.json": ('{"turns": [{"speaker": "A", "text": true}]}', errors.MalformedError,
                       None, "turns[0].text: expected a string or a number, found true"),
    "text_false.json": ('{"turns": [{"speaker": "A", "text": false}]}', errors.MalformedError,
                        None, "turns[0].text: expected a string or a number, found false"),
    "text_null.json": ('{"turns": [{"speaker": "A", "text": null}]}', errors.MalformedError,
                       None, "turns[0]: a turn without 'text' (it is null)"),
    "bigint.json": ('{"turns": [{"speaker": "A", "text": "hi", "start": ' + "9" * 5000 + "}]}",
                    errors.MalformedError, None, "more than 4,300 digits"),
    "bigint.jsonl": ('{"speaker": "A", "text": "hi", "start": ' + "9" * 5000 + "}\n",
                     errors.MalformedError, 1, "more than 4,300 digits"),
    "extra.json": (f'{{"turns": {TWO}}} garbage', errors.MalformedError, 1,
                   "extra data after the JSON"),
    "aws_alternatives.json": (
        '{"results": {"items": [{"type": "pronunciation", "alternatives": true, "start_time": '
        '"0.5", "end_time": "0.7", "speaker_label": "spk_0"}]}}', errors.MalformedError, None,
        "results.items[0].alternatives: expected a list, found true"),
    "aws_start_list.json": (
        '{"results": {"items": [{"type": "pronunciation", "alternatives": [{"content": "Hi"}], '
        '"start_time": [], "end_time": "0.7", "speaker_label": "spk_0"}]}}',
        errors.TimingError, None, "results.items[0]: cannot read the time: not a time: a list"),
    "revai_elements.json": ('{"monologues": [{"speaker": 0, "elements": 5}]}',
                            errors.MalformedError, None,
                            "monologues[0].elements: expected a list, found a number 5"),
    "fireflies_speakers.json": (
        '{"data": {"transcript": {"title": "x", "speakers": true, "sentences": [{"index": 0, '
        '"speaker_name": "Ana", "text": "Hi", "start_time": 0.5, "end_time": 1.0}]}}}',
        errors.MalformedError, None, "data.transcript.speakers: expected a list, found true"),
    "casino_participants.json": (CASINO.replace('"participant_info": {}',
                                                '"participant_info": "x"'),
                                 errors.MalformedError, None,
                                 '[0].participant_info: expected an object, found a string "x"'),
    "casino_outcomes.json": (CASINO.replace(
        '"participant_info": {}', '"participant_info": {"mturk_agent_1": {"outcomes": [1]}}'),
        errors.MalformedError, None,
        "[0].participant_info.mturk_agent_1.outcomes: expected an object, found a list"),
    "casino_value2issue.json": (CASINO.replace(
        '"participant_info": {}', '"participant_info": {"mturk_agent_1": {"value2issue": "x"}}'),
        errors.MalformedError, None,
        "[0].participant_info.mturk_agent_1.value2issue: expected an object"),
    "casino_annotations.json": (CASINO.replace('"annotations": []', '"annotations": true'),
                                errors.MalformedError, None,
                                "[0].annotations: expected a list, found true"),
    "gold.jsonl": ('{"id": "u1", "conversation_id": "c1", "speaker": "al", "text": "hi", '
                   '"meta": {"gold": 5}}\n', errors.MalformedError, 1,
                   "meta.gold: expected a list or a string, found a number 5"),
    # impossible clock times (fuzzing QA): were read as 01:40:39, or 3660 s, and a later
    # line then got a misleading "time goes backwards"; or E107 "text without a speaker"
    "clock.txt": ("[00:99:99] Anna: hi\n[00:00:05] Ben: ho\n", errors.TimingError, 1,
                  "cannot read the time '00:99:99': minutes 99 and seconds 99 must be under 60"),
    "clock_alone.txt": ("Anna: hi\n00:75:00\nBen: ho\n", errors.TimingError, 2,
                        "minutes 75 must be under 60"),
    "hours.txt": ("[99999:00:00] Anna: hi\nBen: ho\n", errors.TimingError, 1,
                  "cannot read the time '99999:00:00'"),
    "minus.txt": ("[-00:00:05] Anna: hi\nBen: ho\n", errors.TimingError, 1,
                  "cannot read the time '-00:00:05'"),
    "clock.vtt": ("WEBVTT\n\n00:00:01.000 --> 00:61:00.000\nAnna: hi\n\n"
                  "00:00:05.000 --> 00:00:06.000\nBen: ho\n", errors.TimingError, 3,
                  "(minutes 61 must be under 60)"),
    "clock.csv": ("speaker,text,start\nAnna,hi,00:00:99\nBen,ho,5\n", errors.TimingError, 2,
                  "seconds 99 must be under 60"),
    # absurdly large finite times (fuzzing QA): the Markdown report printed a 300-digit
    # duration
    "huge.csv": ("speaker,text,start\nAnna,hi,1e300\nBen,ho,5\n", errors.TimingError, 2,
                 "time too large: 3.17e+292 years from the start; the most is 10 years"),
    "huge.json": ('{"turns": [{"speaker": "A", "text": "hi", "start": 1e300}]}',
                  errors.TimingError, None, "turns[0]: cannot read 'start': time too large"),
    "huge.jsonl": ('{"speaker": "A", "text": "hi", "meta": {"start": 1e300}}\n',
                   errors.TimingError, 1, "time too large"),
    "year2999.txt": ("01/01/1900, 10:01 - Ana: hi\n01/01/2999, 10:02 - Ben: fine\n",
                     errors.TimingError, 2, "a time of 1.1e+03 years from the start"),
    "speaker_list.jsonl": ('{"speaker": ["al"], "text": "hi"}\n', errors.MalformedError, 1,
                           "speaker: expected a string or a number, found a list"),
}


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_bad_values_name_file_place_and_fix(tmp_path, name):
    content, kind, line, words = BAD_VALUES[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(kind) as caught:
        list(read_transcripts(path))
    error = caught.value
    assert error.path == str(path) and error.line == line
    assert words in error.message and len(error.hint) > 15


@pytest.mark.parametrize("name", ["nan.csv", "nan.json", "deep.json", "bigint.json",
                                  "casino_participants.json", "casino_outcomes.json",
                                  "casino_annotations.json"])
def test_bad_values_stop_the_batch_reader_too(tmp_path, name):
    from analyzer.io.deferred import read_sessions

    content, kind, _, words = BAD_VALUES[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(kind, match=words.split(":")[-1].strip()):
        read_sessions(path, defer=True)


def test_a_turn_longer_than_spacy_takes_is_refused_when_read(tmp_path):
    from analyzer.io.base import MAX_TURN_CHARS
    from analyzer.nlp import make_nlp

    assert MAX_TURN_CHARS == make_nlp().max_length  # what would otherwise fail with E088
    path = tmp_path / "long.txt"
    path.write_text("Ana: hi\nBen: " + "x" * MAX_TURN_CHARS + "\n", encoding="utf-8")
    (t,) = read_transcripts(path)  # exactly the limit reads
    assert len(t.turns[1].text) == MAX_TURN_CHARS
    path.write_text("Ana: hi\nBen: " + "x" * (MAX_TURN_CHARS + 1) + "\n", encoding="utf-8")
    with pytest.raises(errors.TurnTooLongError) as caught:
        list(read_transcripts(path))
    assert caught.value.line == 2 and caught.value.code == "E109"
    assert f"is {MAX_TURN_CHARS + 1:,} characters" in caught.value.message
    assert "split it" in caught.value.hint
    # captions: the limit applies to the turn that merged cues make
    cue = "x" * (MAX_TURN_CHARS // 2)
    path = tmp_path / "long.srt"
    path.write_text(f"1\n00:00:01,000 --> 00:00:02,000\nAna: {cue}\n\n"
                    f"2\n00:00:02,000 --> 00:00:03,000\n{cue}\n", encoding="utf-8")
    with pytest.raises(errors.TurnTooLongError) as caught:
        list(read_transcripts(path))
    assert (caught.value.line, caught.value.where) == (2, "cue 1")
    path = tmp_path / "long.jsonl"
    path.write_text(f'{{"speaker": "A", "text": "{cue}{cue}x"}}\n', encoding="utf-8")
    with pytest.raises(errors.TurnTooLongError) as caught:
        list(read_transcripts(path))
    assert caught.value.line == 1


def test_a_zip_archive_says_unzip_it(tmp_path):
    """Slack and the iPhone's WhatsApp deliver exports as .zip: the error says to unzip."""
    import zipfile

    from analyzer.errors import EncodingError
    from analyzer.io import read_transcripts

    path = tmp_path / "slack_export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("general/2024-03-12.json", "[]")
    with pytest.raises(EncodingError) as caught:
        list(read_transcripts(path))
    assert "zip archive" in caught.value.message and "unzip it" in caught.value.hint


def test_a_session_of_a_million_turns_is_refused_by_name(tmp_path, monkeypatch):
    """Security QA, 28 Nov 2026: a VTT of a million cues ran out of memory and took the
    whole run down with it; now it is one failure with its reason (the limit lowered here
    to keep the test fast)."""
    import analyzer.io.base as base
    from analyzer.io import read_transcripts

    monkeypatch.setattr(base, "MAX_TURNS", 10)
    path = tmp_path / "many.txt"
    path.write_text("".join(f"{'Ana' if k % 2 else 'Ben'}: turn {k}\n" for k in range(11)),
                    encoding="utf-8")
    with pytest.raises(errors.TooManyTurnsError) as caught:
        list(read_transcripts(path))
    assert "11 turns in one session" in str(caught.value) and caught.value.code == "E110"


def test_a_bulleted_time_is_no_bad_time(tmp_path):
    """A list item "- 10:30 start: ..." under a turn stays its text (only a bracketed
    negative time is taken for a misread one)."""
    path = tmp_path / "list.txt"
    path.write_text("Anna: the plan\n- 10:30 start: now\nBen: fine\n", encoding="utf-8")
    (t,) = read_transcripts(path)
    assert t.turns[0].text == "the plan\n- 10:30 start: now"


def test_clock_limits():
    from analyzer.io.times import clock_problem, parse_clock, parse_teams_clock

    assert parse_clock("100:59:59") == 100 * 3600 + 59 * 60 + 59  # hours are unbounded
    assert parse_clock("75:30") == 75 * 60 + 30  # so are the minutes of MM:SS
    assert parse_clock("00:60:00") is None and parse_clock("00:00:60") is None
    assert parse_teams_clock("0:60:5.420") is None
    assert clock_problem("01:02:03") is None
    assert clock_problem("1:61:60.5") == "minutes 61 and seconds 60 must be under 60"
