"""Transcription-service JSON as downloaded: AssemblyAI, Deepgram, AWS Transcribe, Rev.ai."""

from __future__ import annotations

import json

import pytest

from analyzer.errors import NoSpeakerError
from analyzer.io import read_transcripts
from analyzer.io.formats import BY_NAME


def read_json(tmp_path, data, name="call.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    (transcript,) = list(read_transcripts(path))
    return transcript


def rows(t):
    return [(x.speaker, x.text, x.start, x.end) for x in t.turns]


UTTERANCES = [
    {"speaker": "A", "text": "The price is above budget.", "start": 240, "end": 4100,
     "confidence": 0.97, "words": []},
    {"speaker": "A", "text": "Can you move?", "start": 4200, "end": 5000, "confidence": 0.9,
     "words": []},
    {"speaker": "B", "text": "Seven percent off.", "start": 5600, "end": 8000,
     "confidence": 0.96, "words": []}]


def test_assemblyai_transcript_and_bare_utterance_list_in_milliseconds(tmp_path):
    whole = {"id": "abc", "status": "completed", "audio_url": "https://x/a.mp3?sig=1",
             "text": "...", "speaker_labels": True, "utterances": UTTERANCES}
    expected = [("Speaker A", "The price is above budget. Can you move?", 0.24, 5.0),
                ("Speaker B", "Seven percent off.", 5.6, 8.0)]
    t = read_json(tmp_path, whole)
    assert (t.format, rows(t)) == ("assemblyai", expected)
    assert t.meta == {"service": "AssemblyAI", "id": "abc", "status": "completed"}
    t = read_json(tmp_path, UTTERANCES, "utts.json")  # was read as segments, times x1000
    assert (t.format, rows(t)) == ("assemblyai", expected)


def test_assemblyai_without_speaker_labels_says_which_option(tmp_path):
    with pytest.raises(NoSpeakerError, match="no speaker labels") as info:
        read_json(tmp_path, {"id": "x", "speaker_labels": False, "utterances": None})
    assert "speaker_labels=true" in info.value.hint


def test_deepgram_utterances_and_words(tmp_path):
    utterances = [{"start": 0.48, "end": 2.5, "transcript": "Net sixty.", "speaker": 0,
                   "channel": 0, "confidence": 0.99},
                  {"start": 3.1, "end": 5.8, "transcript": "Net forty five.", "speaker": 1,
                   "channel": 0, "confidence": 0.99}]
    expected = [("Speaker 0", "Net sixty.", 0.48, 2.5), ("Speaker 1", "Net forty five.", 3.1, 5.8)]
    t = read_json(tmp_path, {"metadata": {"request_id": "r1", "duration": 6.0},
                             "results": {"utterances": utterances, "channels": []}})
    assert (t.format, rows(t), t.meta["request_id"]) == ("deepgram", expected, "r1")
    assert rows(read_json(tmp_path, utterances, "bare.json")) == expected
    words = [{"word": w, "punctuated_word": p, "start": s, "end": s + 0.2, "speaker": k}
             for w, p, s, k in [("net", "Net", 0.48, 0), ("sixty", "sixty.", 2.3, 0),
                                ("net", "Net", 3.1, 1), ("forty", "forty", 3.4, 1),
                                ("five", "five.", 5.6, 1)]]
    t = read_json(tmp_path, {"results": {"channels": [{"alternatives": [{"words": words}]}]}},
                  "words.json")
    assert rows(t) == [("Speaker 0", "Net sixty.", 0.48, 2.5),
                       ("Speaker 1", "Net forty five.", 3.1, 5.8)]
    for word in words:
        del word["speaker"]
    with pytest.raises(NoSpeakerError, match=r"words\[0\]: no speaker labels") as info:
        read_json(tmp_path, {"results": {"channels": [{"alternatives": [{"words": words}]}]}},
                  "nodiarize.json")
    assert "diarize=true" in info.value.hint


def _aws_items(with_labels):
    items = []
    for content, start, kind, spk in [("Thanks", "0.44", "pronunciation", "spk_0"),
                                      (".", None, "punctuation", "spk_0"),
                                      ("Ninety", "3.90", "pronunciation", "spk_1"),
                                      ("five", "4.10", "pronunciation", "spk_1"),
                                      ("?", None, "punctuation", "spk_1")]:
        item = {"type": kind, "alternatives": [{"confidence": "0.99", "content": content}]}
        if start:
            item.update(start_time=start, end_time=f"{float(start) + 0.2:.2f}")
        if with_labels:
            item["speaker_label"] = spk
        items.append(item)
    return items


def test_aws_transcribe_items_with_speakers_on_items_or_in_speaker_labels(tmp_path):
    expected = [("Speaker 0", "Thanks.", 0.44, 0.64), ("Speaker 1", "Ninety five?", 3.9, 4.3)]
    newer = {"jobName": "call", "accountId": "123", "status": "COMPLETED",
             "results": {"transcripts": [{"transcript": "..."}], "items": _aws_items(True)}}
    t = read_json(tmp_path, newer)
    assert (t.format, rows(t)) == ("aws_transcribe", expected)
    assert t.meta == {"service": "AWS Transcribe", "jobName": "call", "status": "COMPLETED"}
    older = {"results": {"items": _aws_items(False), "speaker_labels": {"segments": [
        {"speaker_label": "spk_0", "items": [{"start_time": "0.44", "speaker_label": "spk_0"}]},
        {"speaker_label": "spk_1", "items": [{"start_time": "3.90", "speaker_label": "spk_1"},
                                             {"start_time": "4.10", "speaker_label": "spk_1"}]},
    ]}}}
    assert rows(read_json(tmp_path, older, "older.json")) == expected


def test_aws_transcribe_audio_segments_are_used_when_present(tmp_path):
    data = {"results": {"items": _aws_items(True), "audio_segments": [
        {"id": 0, "transcript": "Thanks.", "start_time": "0.44", "end_time": "0.64",
         "speaker_label": "spk_0", "items": [0, 1]},
        {"id": 1, "transcript": "Ninety five?", "start_time": "3.90", "end_time": "4.30",
         "speaker_label": "spk_1", "items": [2, 3, 4]}]}}
    assert [x.source_line for x in read_json(tmp_path, data).turns] == [0, 1]


def test_revai_monologues_with_and_without_speaker_names(tmp_path):
    def element(kind, value, ts=None):
        return {"type": kind, "value": value, **({"ts": ts, "end_ts": ts + 0.3} if ts else {})}

    data = {"monologues": [
        {"speaker": 0, "speaker_name": "Interviewer",
         "elements": [element("text", "What", 0.5), element("punct", " "),
                      element("text", "range", 0.9), element("punct", "?")]},
        {"speaker": 1, "elements": [element("text", "Eighty", 3.0), element("punct", "."),
                                    element("punct", " "), element("unknown", "<inaudible>")]}]}
    t = read_json(tmp_path, data)
    assert (t.format, rows(t)) == ("revai", [("Interviewer", "What range?", 0.5, 1.2),
                                             ("Speaker 1", "Eighty.", 3.0, 3.3)])


def test_every_json_example_in_analyzer_formats_reads(tmp_path):
    for number, example in enumerate(BY_NAME["json"].more):
        name, _, rest = example.partition(": ")
        document = rest[:rest.rindex("}") + 1]
        t = read_json(tmp_path, json.loads(document), f"example{number}.json")
        assert [x.text for x in t.turns] == ["Hi"], name
