"""Transcription-service JSON as downloaded: AssemblyAI, Deepgram, AWS Transcribe, Rev.ai."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analyzer.errors import (
    EmptyTranscriptError,
    NoSpeakerError,
    TimingError,
    UnknownFormatError,
)
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


def _dg_word(word, start, speaker=None):
    item = {"word": word.lower(), "punctuated_word": word, "start": start, "end": start + 0.3}
    return item if speaker is None else {**item, "speaker": speaker}


@pytest.mark.parametrize("diarised", [False, True])
def test_deepgram_multichannel_words_read_every_channel_in_time_order(tmp_path, diarised):
    spk = 0 if diarised else None
    left = [_dg_word("Hello.", 0.1, spk), _dg_word("Fine.", 3.0, spk)]
    right = [_dg_word("Offer", 1.2, spk), _dg_word("forty?", 1.6, spk)]
    t = read_json(tmp_path, {"results": {"channels": [{"alternatives": [{"words": left}]},
                                                       {"alternatives": [{"words": right}]}]}})
    a, b = ("Channel 0 Speaker 0", "Channel 1 Speaker 0") if diarised else ("Channel 0",
                                                                             "Channel 1")
    assert rows(t) == [(a, "Hello.", 0.1, 0.4), (b, "Offer forty?", 1.2, 1.9),
                       (a, "Fine.", 3.0, 3.3)]


def test_deepgram_multichannel_utterances_tell_speakers_apart_by_channel(tmp_path):
    utterances = [{"start": 0.1, "end": 1.0, "channel": 0, "speaker": 0, "transcript": "Hi."},
                  {"start": 1.2, "end": 2.0, "channel": 1, "speaker": 0, "transcript": "Yo."},
                  {"start": 3.0, "end": 3.5, "channel": 0, "transcript": "Bye."}]
    t = read_json(tmp_path, {"results": {"utterances": utterances, "channels": []}})
    assert [x.speaker for x in t.turns] == ["Channel 0 Speaker 0", "Channel 1 Speaker 0",
                                             "Channel 0"]


def _aws_word(content, start, channel):
    return {"type": "pronunciation", "start_time": str(start), "end_time": str(start + 0.2),
            "alternatives": [{"content": content}], "channel_label": channel}


def test_aws_channel_identification_one_speaker_per_channel(tmp_path):
    items = [_aws_word("We", 0.5, "ch_0"), _aws_word("Too", 0.9, "ch_1"),
             _aws_word("offer", 1.0, "ch_0"),
             {"type": "punctuation", "alternatives": [{"content": "?"}], "channel_label": "ch_1"},
             {"type": "punctuation", "alternatives": [{"content": "."}], "channel_label": "ch_0"}]
    t = read_json(tmp_path, {"results": {"channel_labels": {"channels": [],
                                                            "number_of_channels": 2},
                                         "items": items}})
    assert rows(t) == [("Channel 0", "We", 0.5, 0.7), ("Channel 1", "Too?", 0.9, 1.1),
                       ("Channel 0", "offer.", 1.0, 1.2)]
    segs = [{"transcript": "We offer.", "start_time": "0.5", "end_time": "1.2",
             "channel_label": "ch_0"},
            {"transcript": "Too low?", "start_time": "2.0", "end_time": "2.5",
             "channel_label": "ch_1"}]
    t = read_json(tmp_path, {"results": {"channel_labels": {"channels": []}, "items": items,
                                         "audio_segments": segs}})
    assert [x.speaker for x in t.turns] == ["Channel 0", "Channel 1"]


def test_failed_assemblyai_job_says_it_failed(tmp_path):
    path = tmp_path / "job.json"
    path.write_text(json.dumps({"id": "x", "status": "error", "error": "Download error",
                                "speaker_labels": True, "utterances": None}), encoding="utf-8")
    with pytest.raises(EmptyTranscriptError, match=r"job failed \(Download error\)"):
        list(read_transcripts(path))


@pytest.mark.parametrize("items, fmt, first", [
    # AssemblyAI without confidence: single-letter speakers, hundreds of units per word
    ([{"speaker": "A", "text": "Hi", "start": 500, "end": 2100},
      {"speaker": "B", "text": "Hello", "start": 2500, "end": 4100}], "assemblyai",
     ("Speaker A", "Hi", 0.5, 2.1)),
    # whole-second segments with a confidence: seconds, not milliseconds
    ([{"speaker": "SPEAKER_00", "text": "Hi", "start": 1, "end": 3, "confidence": 0.9},
      {"speaker": "SPEAKER_01", "text": "Hello", "start": 4, "end": 6, "confidence": 0.8}],
     "segments", ("SPEAKER_00", "Hi", 1.0, 3.0)),
    # single letters, but a few units for many words: seconds
    ([{"speaker": "A", "text": "We could meet in the middle then", "start": 0, "end": 3},
      {"speaker": "B", "text": "Fine", "start": 4, "end": 5}], "segments",
     ("A", "We could meet in the middle then", 0.0, 3.0))])
def test_assemblyai_or_segments_decided_by_speakers_and_time_scale(tmp_path, items, fmt, first):
    t = read_json(tmp_path, items)
    assert (t.format, rows(t)[0]) == (fmt, first)
    if fmt == "assemblyai":
        assert read_json(tmp_path, {"utterances": items}).format == "assemblyai"


def test_aws_older_speaker_labels_match_times_written_differently(tmp_path):
    """Older AWS output may write a word's start as "0.500" in speaker_labels and "0.5" in
    items: the times are matched as numbers, not as text."""
    items = [{"type": "pronunciation", "start_time": "0.5", "end_time": "0.9",
              "alternatives": [{"content": "Forty"}]},
             {"type": "punctuation", "alternatives": [{"content": "."}]},
             {"type": "pronunciation", "start_time": "2.0", "end_time": "2.5",
              "alternatives": [{"content": "No"}]}]
    labels = {"segments": [
        {"speaker_label": "spk_0", "items": [{"start_time": "0.500", "speaker_label": "spk_0"}]},
        {"speaker_label": "spk_1", "items": [{"start_time": "2.000", "speaker_label": "spk_1"}]}]}
    t = read_json(tmp_path, {"results": {"items": items, "speaker_labels": labels}})
    assert rows(t) == [("Speaker 0", "Forty.", 0.5, 0.9), ("Speaker 1", "No", 2.0, 2.5)]


FIREFLIES = Path(__file__).resolve().parents[1] / "data" / "chats" / "fireflies_deposit_call.json"


def test_fireflies_api_answer_speakers_merging_and_meta():
    (t,) = read_transcripts(FIREFLIES)
    assert (t.format, t.session_id) == ("fireflies", "fireflies_deposit_call")
    # sentences 0 and 1 are one turn; sentence 4 has no speaker_name: its speaker_id's name
    assert [(x.source_line, x.speaker, x.start, x.end) for x in t.turns] == [
        (0, "Ana Lopez", 0.62, 5.1), (2, "Ben Okoro", 5.9, 9.3), (3, "Ana Lopez", 9.8, 13.0),
        (4, "Carla Mendes", 13.6, 17.9), (5, "Ben Okoro", 18.5, 22.7),
        (6, "Ana Lopez", 23.1, 26.0)]
    assert t.turns[0].text == ("Hi Ben, thanks for calling back. I wanted to go over the "
                               "deposit before we sign.")  # text, not the lower-case raw_text
    # no links or e-mail addresses; Fireflies' duration is in minutes
    assert t.meta == {"service": "Fireflies.ai", "id": "01HRZK4M7Q2Y9D0XV3EXAMPLE",
                      "duration_minutes": 0.45, "title": "Unit 4 deposit call",
                      "date": 1710421200000}


def test_fireflies_bare_transcript_raw_text_and_numbered_speakers(tmp_path):
    sentences = [{"index": 0, "speaker_id": 0, "raw_text": "forty then", "start_time": 1.0,
                  "end_time": 2.0},
                 {"index": 1, "speaker_name": "", "speaker_id": 1, "text": "Fifty.",
                  "start_time": 2.5, "end_time": 3.0}]
    t = read_json(tmp_path, {"title": "Call", "sentences": sentences})
    assert (t.format, rows(t)) == ("fireflies", [("Speaker 0", "forty then", 1.0, 2.0),
                                                 ("Speaker 1", "Fifty.", 2.5, 3.0)])
    assert t.meta == {"service": "Fireflies.ai", "title": "Call"}


def test_fireflies_errors_name_the_place(tmp_path, data_dir):
    path = data_dir / "chats" / "broken" / "fireflies_not_found.json"
    with pytest.raises(EmptyTranscriptError) as caught:
        list(read_transcripts(path))
    assert caught.value.message.endswith(
        "fireflies_not_found.json: data.transcript: Fireflies.ai returned no transcript "
        "(Object not found)")
    with pytest.raises(EmptyTranscriptError, match=r"sentences: Fireflies.ai returned no"):
        read_json(tmp_path, {"data": {"transcript": {"id": "x", "sentences": None}}})
    with pytest.raises(NoSpeakerError) as caught:
        read_json(tmp_path, {"data": {"transcript": {"title": "Call", "sentences": [
            {"index": 0, "text": "Hello", "raw_text": "hello", "start_time": 0.0}]}}})
    assert "data.transcript.sentences[0]: a sentence without speaker_name or speaker_id" \
        in caught.value.message
    with pytest.raises(TimingError, match=r"sentences\[0\]: cannot read the time"):
        read_json(tmp_path, {"sentences": [{"speaker_name": "Ana", "text": "Hi",
                                            "start_time": "soon"}]})
    with pytest.raises(UnknownFormatError, match=re.escape("Fireflies.ai API answer")):
        read_json(tmp_path, {"data": {"transcripts": [{"id": "x", "title": "Call"}]}})
