"""JSON: transcription segments and the plain turns format."""

from __future__ import annotations

import json

import pytest

from analyzer.errors import NoSpeakerError, UnknownFormatError
from analyzer.io import read_transcripts


def test_whisperx_segments_merge_by_speaker(data_dir):
    (t,) = read_transcripts(data_dir / "good" / "segments.json")
    assert t.format == "segments" and t.session_id == "segments"
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [
        ("SPEAKER_00", 0.0, 2.1), ("SPEAKER_01", 2.3, 6.0), ("SPEAKER_00", 6.5, 9.0)]
    assert t.turns[1].text == "Thanks for having me. About the salary range..."
    assert t.meta == {"language": "en"}


def test_top_level_segment_list(tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{"start": 0, "end": 1, "speaker": "A", "text": "hi"},
                                {"start": 1, "end": 2, "speaker": "B", "text": "yo"}]))
    (t,) = read_transcripts(path)
    assert [x.speaker for x in t.turns] == ["A", "B"]


def test_turns_format_with_roles_and_meta(data_dir):
    (t,) = read_transcripts(data_dir / "good" / "turns.json")
    assert t.format == "turns" and t.session_id == "fence-dispute"
    assert t.meta == {"topic": "a shared fence"}
    assert t.role_of("Dana") == "mediator" and t.parties == ("Lee", "Kai")
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [
        ("Dana", None, None), ("Lee", 5.0, None), ("Kai", 9.0, 11.0)]
    assert t.turns[2].meta == {"mood": "tense"}
    assert t.turns[2].source_line == 2


def test_list_of_turn_sessions(tmp_path):
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"turns": [{"speaker": "A", "text": "x"}]},
                                {"session_id": "s2", "turns": [{"speaker": "B", "text": "y"}]}]))
    assert [t.session_id for t in read_transcripts(path)] == ["many-1", "s2"]


def test_json_file_that_is_really_json_lines(tmp_path):
    lines = '{"speaker": "Ana", "text": "Hi"}\n{"speaker": "Bo", "text": "Yo"}\n'
    for name in ("lines.json", "lines.log"):
        path = tmp_path / name
        path.write_text(lines, encoding="utf-8")
        (t,) = read_transcripts(path)
        assert t.session_id == "lines" and [x.speaker for x in t.turns] == ["Ana", "Bo"]


def test_lists_decoded_item_by_item_equal_json_loads(casino_dir):
    """``jsonfile.loads`` decodes a top-level list one item at a time (so a reading thread
    lets the others run): the same value as ``json.loads``, and for a malformed document the
    same error, with its line and column."""
    import json

    from analyzer.io.jsonfile import loads

    text = (casino_dir / "casino_valid.json").read_text(encoding="utf-8")
    assert loads(text) == json.loads(text)
    for doc in ("[]", " [ ]\n", "[1, 2 ,3]\n", '[{"a": [1, 2]}, null, "x", [[]]]', '{"a": 1}',
                '"x"', "[NaN, Infinity, -0.0]", "[1,]", "[1 2]", "[1, 2] x", "[", "", "[{]",
                "[1]]"):
        try:
            want = ("value", json.loads(doc))
        except json.JSONDecodeError as exc:
            want = ("error", exc.msg, exc.lineno, exc.colno)
        try:
            got = ("value", loads(doc))
        except json.JSONDecodeError as exc:
            got = ("error", exc.msg, exc.lineno, exc.colno)
        assert repr(got) == repr(want), doc


def test_whisperx_segment_without_speaker_continues_the_previous_turn(tmp_path):
    path = tmp_path / "gap.json"
    segments = [{"start": 0.0, "end": 3.4, "text": " We offer 85.", "speaker": "SPEAKER_00"},
                {"start": 3.9, "end": 4.3, "text": " Mm-hmm."},
                {"start": 4.5, "end": 7.1, "text": " Closer to 95.", "speaker": "SPEAKER_01"}]
    path.write_text(json.dumps({"segments": segments}))
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.text, x.end) for x in t.turns] == [
        ("SPEAKER_00", "We offer 85. Mm-hmm.", 4.3), ("SPEAKER_01", "Closer to 95.", 7.1)]
    path.write_text(json.dumps({"segments": segments[1:]}))  # a first "Mm-hmm": the next one's
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.text) for x in t.turns] == [("SPEAKER_01", "Mm-hmm. Closer to 95.")]
    path.write_text(json.dumps({"segments": [dict(s, speaker=None) for s in segments]}))
    with pytest.raises(NoSpeakerError, match="segment without a speaker") as info:
        list(read_transcripts(path))  # no diarisation at all: still refused
    assert "diarisation" in info.value.hint


def test_unknown_shapes_show_keys_cut_with_an_ellipsis_and_a_list_item_s_keys(tmp_path):
    path = tmp_path / "odd.json"
    cases = [({k: 1 for k in "abcdefghij"}, "keys a, b, c, d, e, f, g, h, ..."),
             ([{"word": "hi", "start": 0.1}], "the first an object with keys word, start"),
             ({"metadata": {}, "results": {}}, "looks like Deepgram or AWS Transcribe")]
    for data, words in cases:
        path.write_text(json.dumps(data))
        with pytest.raises(UnknownFormatError, match="unknown JSON transcript shape") as info:
            list(read_transcripts(path))
        assert words in info.value.message


def test_whisperx_words_with_another_speaker_split_their_segment(tmp_path):
    path = tmp_path / "words.json"
    words = [{"word": w, "start": a, "end": b, "speaker": who} for w, a, b, who in [
        ("We", 0.0, 0.2, "SPEAKER_00"), ("offer", 0.2, 0.6, "SPEAKER_00"),
        ("forty.", 0.6, 1.2, "SPEAKER_00"), ("Too", 2.0, 2.3, "SPEAKER_01"),
        ("low.", 2.3, 3.0, "SPEAKER_01")]]
    path.write_text(json.dumps({"segments": [{"start": 0.0, "end": 3.0, "speaker": "SPEAKER_00",
                                              "text": " We offer forty. Too low.",
                                              "words": words}]}))
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.text, x.start, x.end) for x in t.turns] == [
        ("SPEAKER_00", "We offer forty.", 0.0, 1.2), ("SPEAKER_01", "Too low.", 2.0, 3.0)]


def test_a_turn_without_text_is_an_error_and_an_empty_one_is_skipped(tmp_path):
    """A turn the export lost its text for was dropped without a word (researcher QA,
    28 Nov 2026); an empty text is a turn with nothing said, skipped as before."""
    from analyzer.errors import MalformedError

    path = tmp_path / "turns.json"
    path.write_text(json.dumps({"turns": [{"speaker": "A", "text": "Hello."},
                                          {"speaker": "B"}, {"speaker": "A", "text": "Hi?"}]}))
    with pytest.raises(MalformedError, match=r"turns\[1\]: a turn without 'text'"):
        list(read_transcripts(path))
    path.write_text(json.dumps({"turns": [{"speaker": "A", "text": "Hello."},
                                          {"speaker": "B", "text": ""},
                                          {"speaker": "B", "text": "Hi."}]}))
    (t,) = read_transcripts(path)
    assert [turn.text for turn in t.turns] == ["Hello.", "Hi."]


def test_a_bad_session_of_a_list_fails_alone(tmp_path):
    """A turns list (and a JSON-lines file of several conversations) with one bad session
    keeps the others in a ``PartialReadError`` (fuzzing QA, 28 Nov 2026)."""
    from analyzer.errors import MalformedError, NoSpeakerError, PartialReadError

    good = {"turns": [{"speaker": "Ana", "text": "Hi"}, {"speaker": "Ben", "text": "Ho"}]}
    path = tmp_path / "three.json"
    path.write_text(json.dumps([good, {"turns": [{"speaker": "Ana"}]}, good]),
                    encoding="utf-8")
    with pytest.raises(PartialReadError) as caught:
        list(read_transcripts(path))
    assert [t.session_id for t in caught.value.transcripts] == ["three-1", "three-3"]
    (error,) = caught.value.errors
    assert isinstance(error, MalformedError)
    assert error.problem == ("[1].turns[0]: a turn without 'text'; the file's 2 other "
                             "sessions were read")
    lines = tmp_path / "talk.jsonl"
    lines.write_text("".join(json.dumps(u) + "\n" for u in [
        {"conversation_id": "c1", "speaker": "al", "text": "hi"},
        {"conversation_id": "c2", "text": "nobody"},
        {"conversation_id": "c3", "speaker": "bo", "text": "ho"}]), encoding="utf-8")
    with pytest.raises(PartialReadError) as caught:
        list(read_transcripts(lines))
    assert [t.session_id for t in caught.value.transcripts] == ["c1", "c3"]
    (error,) = caught.value.errors
    assert isinstance(error, NoSpeakerError) and error.line == 2
