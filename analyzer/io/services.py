"""JSON as transcription services return it: AssemblyAI, Deepgram, AWS Transcribe, Rev.ai,
Fireflies.ai.

People download these files from the service and hand them over as they are; asking them
to convert first loses the speakers or the times (an AssemblyAI utterance list read as
plain segments had times 1000 times too large, since AssemblyAI counts milliseconds). Each
service gets a small adapter, recognised by the shape of the document (``kind_of``), that
turns its utterances or words into ``Segment``s; as for every reader, consecutive segments
of one speaker then merge into one turn and times must not go back.

Speakers are named as the service labels them: ``Speaker A`` (AssemblyAI), ``Speaker 0``
(Deepgram, Rev.ai without names; AWS's ``spk_0``). Rev.ai's and Fireflies.ai's
``speaker_name`` is used when set. A file without speaker labels is an error that says which
option of the service adds them: turns cannot be told apart without them.

Multichannel jobs (Deepgram with ``multichannel``, AWS with channel identification) record
each side on its own channel: the channel tells the speakers apart, so every channel is
read (reading the first alone lost the other side) and a speaker is ``Channel 1``, or
``Channel 1 Speaker 0`` when the channel was diarised too (diarisation numbers speakers
per channel, so ``Speaker 0`` alone would merge the two sides). Their words or utterances
are put in time order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import EmptyTranscriptError, MalformedError, NoSpeakerError, TimingError
from ..transcript import Transcript
from .base import Segment, expect, make_transcript
from .times import parse_seconds

#: ``Transcript.format`` of each service's documents, and how the docs name the service.
SERVICES = {"assemblyai": "AssemblyAI", "deepgram": "Deepgram", "aws_transcribe": "AWS Transcribe",
            "revai": "Rev.ai", "fireflies": "Fireflies.ai"}



def _time_key(value: Any) -> Any:
    """A start time as a key that matches however it is written: AWS gives "0.500" in one
    list and "0.5" in the other in older outputs, so the text alone misses the match."""
    if not isinstance(value, str | int | float):  # a list or an object: no time, and unhashable
        return None
    try:
        return round(float(value), 3)
    except (ValueError, OverflowError):
        return value

def _dicts(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _whole_numbers(item: dict) -> bool:
    return all(isinstance(item[k], int) and not isinstance(item[k], bool)
               for k in ("start", "end"))


def _assemblyai_utterances(items: Any) -> bool:
    """Whether a list of ``{speaker, text, start, end}`` is AssemblyAI's (milliseconds) rather
    than plain segments (seconds), decided once for the whole list.

    Whole-number times are needed (segments usually have fractions; whole seconds occur).
    Then the scale decides when only one reading is speech: the utterances' time per word,
    summed over the file, is 0.1-1 s in real speech, so over 100 units a word can only be
    milliseconds and under 3 only seconds. In between, AssemblyAI's own marks decide: its
    single-letter speakers (``A``, ``B``) or a ``confidence`` on every utterance. (The
    ``confidence`` alone misread whole-second segments as milliseconds, and utterances
    without it as seconds.)"""
    if not _dicts(items) or not all({"speaker", "text", "start", "end"} <= item.keys()
                                    and _whole_numbers(item) for item in items):
        return False
    words = sum(max(1, len(str(item["text"]).split())) for item in items)
    per_word = sum(item["end"] - item["start"] for item in items) / words
    if per_word > 100:
        return True
    if per_word < 3:
        return False
    return all(len(str(item["speaker"])) == 1 and str(item["speaker"]).isupper()
               for item in items) or all("confidence" in item for item in items)


def _fireflies_parts(data: Any) -> tuple[Any, str] | None:
    """(the transcript object, its JSON path prefix) of a Fireflies.ai document: the
    transcript itself, ``{"sentences": [...], "title": ...}``, or the API's answer around it,
    ``{"data": {"transcript": {...}}}`` (whose transcript is null when the API refused, with
    its reason in ``errors``); None for other documents. A transcript is recognised by its
    ``sentences`` of ``speaker_name``/``speaker_id``/``raw_text``, or by ``title`` or ``id``
    beside them (no other shape has ``sentences``)."""
    if not isinstance(data, dict):
        return None
    inner = data.get("data")
    if isinstance(inner, dict) and "transcript" in inner:
        if inner["transcript"] is None or _fireflies_parts(inner["transcript"]) is not None:
            return inner["transcript"], "data.transcript."
        return None
    sentences = data.get("sentences", False)
    if not isinstance(sentences, list | None):  # (False: no sentences key)
        return None
    first = sentences[0] if sentences else None
    if isinstance(first, dict) and {"speaker_name", "speaker_id", "raw_text"} & first.keys() \
            or "title" in data or "id" in data:
        return data, ""
    return None


def kind_of(data: Any) -> str | None:
    """The service whose output ``data`` looks like, or ``None``."""
    if _fireflies_parts(data) is not None:
        return "fireflies"
    if isinstance(data, dict):
        if "utterances" in data and ("speaker_labels" in data or "audio_duration" in data
                                     or _assemblyai_utterances(data["utterances"])):
            return "assemblyai"
        results = data.get("results")
        if isinstance(results, dict):
            if isinstance(results.get("utterances"), list) or isinstance(
                    results.get("channels"), list):
                return "deepgram"
            if isinstance(results.get("items"), list) or isinstance(
                    results.get("audio_segments"), list):
                return "aws_transcribe"
        if isinstance(data.get("monologues"), list):
            return "revai"
        return None
    if _dicts(data):
        if _assemblyai_utterances(data):
            return "assemblyai"
        if all({"transcript", "start", "end"} <= item.keys() for item in data):
            return "deepgram"
    return None


def _seconds(path: Path, value: Any, where: str, scale: float = 1.0) -> float | None:
    try:
        seconds = parse_seconds(value)
    except ValueError as exc:
        raise TimingError(str(path), f"{where}: cannot read the time: {exc}",
                          hint="the service writes times as numbers; check that the file "
                               "was not edited by hand") from None
    return None if seconds is None else round(seconds * scale, 3)


def _no_speakers(path: Path, where: str, service: str, option: str) -> NoSpeakerError:
    return NoSpeakerError(str(path), f"{where}: no speaker labels in this {service} output",
                          hint=f"transcribe again with speaker labels ({option}); without "
                               "them the turns of the two sides cannot be told apart")


def _label(value: Any) -> str:
    """``"A"`` -> ``"Speaker A"``, ``0`` -> ``"Speaker 0"``, ``"spk_1"`` -> ``"Speaker 1"``."""
    text = str(value).strip()
    if text.lower().startswith("spk_"):
        text = text[4:]
    return f"Speaker {text}"


def _channel_label(channel: Any, speaker: Any = None) -> str:
    """``ch_1`` -> ``"Channel 1"``; with a diarised speaker ``"Channel 1 Speaker 0"``."""
    text = str(channel).strip()
    if text.lower().startswith("ch_"):
        text = text[3:]
    return f"Channel {text}" + ("" if speaker is None else f" {_label(speaker)}")


def _in_time_order(segments: list[Segment]) -> list[Segment]:
    """Segments of several channels, each in time order, interleaved by start (stable, so
    one channel's order is kept; an untimed piece stays after the one before it)."""
    last = 0.0
    keyed = []
    for segment in segments:
        last = segment.start if segment.start is not None else last
        keyed.append((last, segment))
    return [segment for _, segment in sorted(keyed, key=lambda pair: pair[0])]


#: Top-level values kept in ``Transcript.meta``: what identifies the job and the audio.
#: Not everything: ``audio_url`` may be a signed link and ``accountId`` an account.
_META_KEYS = ("id", "jobName", "request_id", "created", "status", "language_code",
              "language", "audio_duration", "duration")


def _meta(data: Any, service: str) -> dict[str, Any]:
    """The service's name and the identifying values of the document (see ``_META_KEYS``),
    from the top level or Deepgram's ``metadata``; of Fireflies.ai's transcript, also its
    ``title`` and ``date`` (as given: milliseconds since 1970 from the API), and its
    duration as ``duration_minutes``, since Fireflies counts minutes where the other
    services' ``duration`` is seconds."""
    if service == "fireflies":
        data = (_fireflies_parts(data) or ({}, ""))[0]
    meta: dict[str, Any] = {"service": SERVICES[service]}
    for source in (data, data.get("metadata") if isinstance(data, dict) else None):
        if isinstance(source, dict):
            meta.update({k: source[k] for k in _META_KEYS
                         if isinstance(source.get(k), (str, int, float))})
    if service == "fireflies":
        if "duration" in meta:
            meta["duration_minutes"] = meta.pop("duration")
        meta.update({k: data[k] for k in ("title", "date")
                     if isinstance(data.get(k), (str, int, float))})
    return meta


def _utterances(path: Path, items: list, base: str, text_key: str, scale: float,
                service: str, option: str, by_channel: bool = False) -> list[Segment]:
    """Segments from a list of utterances ``{speaker, <text_key>, start, end}``; with
    ``by_channel``, the speaker is the utterance's ``channel`` (and its speaker if any)."""
    segments = []
    for number, item in enumerate(items):
        where = f"{base}[{number}]"
        if not isinstance(item, dict):
            raise MalformedError(str(path), f"{where}: an utterance is not an object",
                                 hint="check that the file is the service's JSON output, "
                                      "not edited by hand")
        said = " ".join(str(item.get(text_key) or "").split())
        if not said:
            continue
        if by_channel:
            speaker = _channel_label(item.get("channel"), item.get("speaker"))
        elif item.get("speaker") is None:
            raise _no_speakers(path, where, SERVICES[service], option)
        else:
            speaker = _label(item["speaker"])
        segments.append(Segment(speaker, said,
                                start=_seconds(path, item.get("start"), where, scale),
                                end=_seconds(path, item.get("end"), where, scale),
                                source=number, where=where))
    return _in_time_order(segments) if by_channel else segments


def _failed_job(path: Path, data: Any, service: str) -> None:
    """A job the service could not finish has no transcript: say so, with the service's
    reason, rather than that speaker labels are missing (which sent users to re-run with an
    option they had set)."""
    if isinstance(data, dict) and str(data.get("status", "")).lower() in ("error", "failed"):
        reason = data.get("error") or data.get("FailureReason") or "no reason given"
        raise EmptyTranscriptError(
            str(path), f"status: the {SERVICES[service]} job failed ({reason}); the file holds "
            "no transcript", hint="fix the cause the service names (e.g. an audio link it "
                                  "could not download) and transcribe again")


def _assemblyai(path: Path, data: Any) -> list[Segment]:
    _failed_job(path, data, "assemblyai")
    items = data["utterances"] if isinstance(data, dict) else data
    base = "utterances" if isinstance(data, dict) else ""
    if not isinstance(items, list):  # null when speaker_labels was off
        raise _no_speakers(path, "utterances", "AssemblyAI", "speaker_labels=true")
    return _utterances(path, items, base, "text", 0.001, "assemblyai", "speaker_labels=true")


def _runs(words: list[Segment]) -> list[Segment]:
    """Words (one segment each) grouped into one segment per run of one speaker: start and
    place of its first word, end of its last."""
    segments: list[Segment] = []
    for word in words:
        last = segments[-1] if segments else None
        if last is not None and last.speaker == word.speaker:
            last.text = f"{last.text} {word.text}"
            last.end = word.end if word.end is not None else last.end
        else:
            segments.append(word)
    return segments


def _deepgram_words(path: Path, words: list, base: str,
                    channel: int | None = None) -> list[Segment]:
    """Deepgram's words, one segment each; with ``channel`` (a multichannel file), the
    speaker is that channel (and its diarised speaker, if any)."""
    segments: list[Segment] = []
    for number, word in enumerate(words):
        where = f"{base}[{number}]"
        if not isinstance(word, dict):
            raise MalformedError(str(path), f"{where}: a word is not an object",
                                 hint="check that the file is Deepgram's JSON output")
        text = str(word.get("punctuated_word") or word.get("word") or "").strip()
        if not text:
            continue
        if channel is not None:
            speaker = _channel_label(channel, word.get("speaker"))
        elif word.get("speaker") is None:
            raise _no_speakers(path, where, "Deepgram", "diarize=true")
        else:
            speaker = _label(word["speaker"])
        segments.append(Segment(speaker, text, start=_seconds(path, word.get("start"), where),
                                end=_seconds(path, word.get("end"), where), source=number,
                                where=where))
    return segments


def _deepgram(path: Path, data: Any) -> list[Segment]:
    if isinstance(data, list):
        return _utterances(path, data, "", "transcript", 1.0, "deepgram", "diarize=true")
    results = data["results"]
    channels = results.get("channels")
    utterances = results.get("utterances")
    multichannel = isinstance(channels, list) and len(channels) > 1 or _dicts(utterances) \
        and len({str(u.get("channel")) for u in utterances}) > 1
    if isinstance(utterances, list):
        return _utterances(path, utterances, "results.utterances", "transcript",
                           1.0, "deepgram", "diarize=true", by_channel=multichannel)
    segments: list[Segment] = []
    for number in range(len(channels) if multichannel else 1):
        base = f"results.channels[{number}].alternatives[0].words"
        try:
            words = channels[number]["alternatives"][0]["words"]
        except (KeyError, IndexError, TypeError):
            raise MalformedError(str(path), f"{base}: not found",
                                 hint="export Deepgram's full JSON response (with "
                                      "utterances=true and diarize=true)") from None
        if not isinstance(words, list):
            raise MalformedError(str(path), f"{base}: not a list",
                                 hint="export Deepgram's full JSON response")
        segments += _deepgram_words(path, words, base, number if multichannel else None)
    return _runs(_in_time_order(segments) if multichannel else segments)


def _aws(path: Path, data: Any) -> list[Segment]:
    """Newer outputs have ``audio_segments`` (one per speaker turn, with its transcript): used
    when present. Otherwise words are ``items`` (punctuation without times, attached to the
    word before), their speaker on the item (newer) or in ``speaker_labels`` (older).
    A job with channel identification (``channel_labels``) has the channel on each item or
    segment (older output: in ``channel_labels.channels[].items``), which names the
    speaker; its items are put in time order."""
    results = data["results"]
    option = "ShowSpeakerLabels in the job's settings"
    by_channel = isinstance(results.get("channel_labels"), dict)
    channel_at: dict[str, str] = {}
    for part in (results.get("channel_labels") or {}).get("channels") or [] \
            if by_channel else []:
        for word in (part.get("items") if isinstance(part, dict) else None) or []:
            if isinstance(word, dict) and part.get("channel_label") is not None:
                channel_at[_time_key(word.get("start_time"))] = part["channel_label"]

    def speaker_of(item: dict, label: Any, where: str) -> str:
        channel = item.get("channel_label", channel_at.get(_time_key(item.get("start_time"))))
        if by_channel and channel is not None:
            return _channel_label(channel, label)
        if label is None:
            raise _no_speakers(path, where, "AWS Transcribe", option)
        return _label(label)

    if _dicts(results.get("audio_segments")):
        segments = []
        for number, item in enumerate(results["audio_segments"]):
            where = f"results.audio_segments[{number}]"
            said = " ".join(str(item.get("transcript") or "").split())
            if not said:
                continue
            segments.append(Segment(speaker_of(item, item.get("speaker_label"), where), said,
                                    start=_seconds(path, item.get("start_time"), where),
                                    end=_seconds(path, item.get("end_time"), where),
                                    source=number, where=where))
        return _in_time_order(segments) if by_channel else segments
    by_start: dict[str, str] = {}
    labels = results.get("speaker_labels")
    if isinstance(labels, dict):
        for part in labels.get("segments") or []:
            words = part.get("items") if isinstance(part, dict) else None
            for word in words or []:
                if isinstance(word, dict) and word.get("speaker_label") is not None:
                    by_start[_time_key(word.get("start_time"))] = word["speaker_label"]
    segments = []
    last_word: dict[Any, Segment] = {}  # by channel (None: of any channel)
    for number, item in enumerate(results.get("items") or []):
        where = f"results.items[{number}]"
        if not isinstance(item, dict):
            raise MalformedError(str(path), f"{where}: an item is not an object",
                                 hint="check that the file is AWS Transcribe's JSON output")
        alternatives = expect(path, item.get("alternatives"), "list",
                              f"{where}.alternatives", hint=_AWS_HINT) or [{}]
        content = str(alternatives[0].get("content") or "").strip() \
            if isinstance(alternatives[0], dict) else ""
        if not content:
            continue
        channel = item.get("channel_label") if by_channel else None
        if item.get("type") == "punctuation":  # to the word before, of its channel if any
            before = last_word.get(channel) or last_word.get(None)
            if before is not None:
                before.text += content
            continue
        label = item.get("speaker_label", by_start.get(_time_key(item.get("start_time"))))
        segments.append(Segment(speaker_of(item, label, where), content,
                                start=_seconds(path, item.get("start_time"), where),
                                end=_seconds(path, item.get("end_time"), where),
                                source=number, where=where))
        last_word[channel] = last_word[None] = segments[-1]
    return _runs(_in_time_order(segments) if by_channel else segments)


_AWS_HINT = ("AWS Transcribe writes an item's alternatives as a list of {\"content\": ...}; "
             "check that the file is its JSON output, not edited by hand")


def _revai(path: Path, data: Any) -> list[Segment]:
    """Each monologue is one speaker's stretch; its ``text`` and ``punct`` elements joined
    (Rev.ai writes the spaces as ``punct`` elements); ``unknown`` ones (``<inaudible>``)
    are no speech and left out."""
    segments = []
    for number, monologue in enumerate(data["monologues"]):
        where = f"monologues[{number}]"
        if not isinstance(monologue, dict):
            raise MalformedError(str(path), f"{where}: a monologue is not an object",
                                 hint="check that the file is Rev.ai's JSON output")
        found = expect(path, monologue.get("elements"), "list", f"{where}.elements",
                       hint="Rev.ai writes a monologue's elements as a list of {\"type\", "
                            "\"value\", \"ts\", \"end_ts\"}; check that the file is its "
                            "JSON output, not edited by hand")
        elements = [e for e in found or []
                    if isinstance(e, dict) and e.get("type") in ("text", "punct")]
        said = " ".join("".join(str(e.get("value") or "") for e in elements).split())
        if not said:
            continue
        name = monologue.get("speaker_name")
        if not name and monologue.get("speaker") is None:
            raise _no_speakers(path, where, "Rev.ai", "speaker diarization is on by default; "
                               "do not turn it off")
        timed = [e for e in elements if e.get("type") == "text"]
        segments.append(Segment(str(name).strip() if name else _label(monologue["speaker"]),
                                said,
                                start=_seconds(path, timed[0].get("ts"), where) if timed
                                else None,
                                end=_seconds(path, timed[-1].get("end_ts"), where) if timed
                                else None, source=number, where=where))
    return segments


def _fireflies(path: Path, data: Any) -> list[Segment]:
    """One segment per sentence (consecutive ones of a speaker then merge): its ``text``
    (``raw_text`` when there is none), times in seconds, the speaker its ``speaker_name``,
    else the name its ``speaker_id`` has in the transcript's ``speakers``, else
    ``Speaker <id>``."""
    transcript, base = _fireflies_parts(data)
    if transcript is None or transcript.get("sentences") is None:
        errors = data.get("errors") if isinstance(data, dict) else None
        reason = errors[0].get("message") if isinstance(errors, list) and errors \
            and isinstance(errors[0], dict) else None
        where = f"{base}sentences" if transcript is not None else base.rstrip(".")
        raise EmptyTranscriptError(
            str(path), f"{where}: Fireflies.ai returned no transcript "
            f"({reason or 'it is null'})",
            hint="check the transcript's id (and that your API key may read it), and download "
                 "it once Fireflies has processed the meeting, asking for the sentences: "
                 "transcript(id: ...) { title date sentences { index speaker_name speaker_id "
                 "text start_time end_time } }")
    people = expect(path, transcript.get("speakers"), "list", f"{base}speakers",
                    hint="Fireflies.ai writes speakers as a list of {\"id\", \"name\"}; "
                         "check that the file is its JSON output, not edited by hand")
    names = {str(s["id"]): str(s["name"]).strip() for s in people or []
             if isinstance(s, dict) and s.get("id") is not None and s.get("name")}
    segments = []
    for number, item in enumerate(transcript["sentences"]):
        where = f"{base}sentences[{number}]"
        if not isinstance(item, dict):
            raise MalformedError(str(path), f"{where}: a sentence is not an object",
                                 hint="check that the file is Fireflies.ai's JSON, not "
                                      "edited by hand")
        said = " ".join(str(item.get("text") or item.get("raw_text") or "").split())
        if not said:
            continue
        name, number_of = item.get("speaker_name"), item.get("speaker_id")
        if isinstance(name, str) and name.strip():
            speaker = name.strip()
        elif number_of is not None:
            speaker = names.get(str(number_of)) or _label(number_of)
        else:
            raise NoSpeakerError(str(path), f"{where}: a sentence without speaker_name or "
                                 f"speaker_id: {said[:60]!r}",
                                 hint="download the transcript with the sentences' "
                                      "speaker_name and speaker_id (Fireflies names the "
                                      "speakers it recognises, and numbers the others)")
        segments.append(Segment(speaker, said,
                                start=_seconds(path, item.get("start_time"), where),
                                end=_seconds(path, item.get("end_time"), where),
                                source=number, where=where))
    return segments


_ADAPTERS = {"assemblyai": _assemblyai, "deepgram": _deepgram, "aws_transcribe": _aws,
             "revai": _revai, "fireflies": _fireflies}


def read(path: Path, data: Any, kind: str, **options) -> Iterator[Transcript]:
    """One transcript from a service's document (``kind`` from ``kind_of``)."""
    segments = _ADAPTERS[kind](path, data)
    yield make_transcript(path, kind, segments, meta=_meta(data, kind), unit="utterance")


__all__ = ["SERVICES", "kind_of", "read"]
