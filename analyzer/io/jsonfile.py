"""JSON transcripts: CaSiNo, transcription-service segments, and our plain ``turns`` format.

The shape decides the reader:

- a list of objects with ``chat_logs``: CaSiNo (``casino``);
- AssemblyAI, Deepgram, AWS Transcribe, Rev.ai or Fireflies.ai output, as the service
  returns it (``assemblyai``, ``deepgram``, ``aws_transcribe``, ``revai``, ``fireflies``;
  see ``services``);
- ``{"segments": [...]}`` or a list of objects with ``start`` and ``text``: segments from
  WhisperX or faster-whisper with diarisation (``segments``);
- ``{"turns": [...]}`` (or a list of such objects, one per session): the plain format
  (``turns``), the simplest one for users to write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import (
    MalformedError,
    NoSpeakerError,
    ReadError,
    TimingError,
    UnknownFormatError,
)
from ..transcript import Transcript
from . import casino, services
from .base import Segment, expect, json_type, make_transcript, sessions_or_partial
from .times import parse_seconds

_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's white space, as the json module defines it
_DECODER = json.JSONDecoder()


def loads(text: str) -> Any:
    """``json.loads(text)``, with a top-level list decoded one item at a time.

    Why: ``json.loads`` holds the interpreter lock for the whole document (50-80 ms for one
    CaSiNo file of 900 dialogues), and the batch driver reads inputs in a thread while other
    threads pass work to the workers and take their results: a long hold left both workers
    idle. Between items the lock can change hands. Same value as ``json.loads`` (tested);
    anything but a well-formed list goes to ``json.loads``, so errors are its own."""
    found = list_items(text)
    return found[0] if found is not None else json.loads(text)


def list_items(text: str) -> tuple[list[Any], list[tuple[int, int]]] | None:
    """(the items, each item's span in ``text``) when ``text`` is a well-formed JSON list,
    else None. The spans let a batch hand each item to a worker as its own text."""
    i = _SPACE.match(text).end()
    if not text.startswith("[", i):
        return None
    items: list[Any] = []
    spans: list[tuple[int, int]] = []
    try:
        i = _SPACE.match(text, i + 1).end()
        if not text.startswith("]", i):
            while True:
                start = i
                value, i = _DECODER.raw_decode(text, i)
                items.append(value)
                spans.append((start, i))
                i = _SPACE.match(text, i).end()
                if text.startswith(",", i):
                    i = _SPACE.match(text, i + 1).end()
                    continue
                if not text.startswith("]", i):
                    return None
                break
        if _SPACE.match(text, i + 1).end() != len(text):
            return None
    except (ValueError, RecursionError):  # ``load`` reports it
        return None
    return items, spans


#: What a JSON document nested too deeply for the json module (RecursionError) is told.
TOO_DEEP = ("the JSON is nested too deeply (thousands of brackets inside each other), so it "
            "is not a transcript")
TOO_DEEP_HINT = ('a transcript needs only a few levels, e.g. {"turns": [{"speaker": "Anna", '
                 '"text": "Hello"}]}; check that this is the right file and not damaged')


def load(path: Path, text: str) -> Any:
    """The parsed document; ``MalformedError`` (file, line, column) when it does not parse.

    Deep nesting makes the json module raise ``RecursionError`` rather than a decode error;
    it is refused here too, so it is an input error and not a crash. So is a number of more
    than 4,300 digits, which Python refuses to read (a ``ValueError`` that is no decode
    error, and escaped as a crash until 28 Nov 2026: fuzzing QA)."""
    try:
        return loads(text)
    except RecursionError:
        raise MalformedError(str(path), TOO_DEEP, hint=TOO_DEEP_HINT) from None
    except json.JSONDecodeError as exc:
        raise decode_error(path, text, exc) from None
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string ..."
        problem = ("a number in the JSON has more than 4,300 digits, more than can be read"
                   if "digits" in str(exc) else f"a value in the JSON cannot be read ({exc})")
        raise MalformedError(str(path), problem, hint=HUGE_NUMBER_HINT) from None


#: What a number of thousands of digits is told (no time, count or id is that long).
HUGE_NUMBER_HINT = ("no time, count or id in a transcript has thousands of digits: check that "
                    "this is the right file and not damaged")


def decode_error(path: Path, text: str, exc: json.JSONDecodeError) -> MalformedError:
    """The ``MalformedError`` for a document ``json`` could not decode: cut off, extra data
    after a complete document (said as such: "ends too early" sent users looking for a cut
    the file does not have), or malformed, with its line and column."""
    stripped = text.rstrip()
    if exc.msg == "Extra data":
        return MalformedError(str(path), "extra data after the JSON: the document is complete "
                              "before this place, and more follows it", line=exc.lineno,
                              where=f"column {exc.colno}",
                              hint="remove what follows the document's last closing bracket; "
                                   "a .json file holds one JSON document (several objects, "
                                   "one per line, are JSON lines: name the file .jsonl)")
    cut = exc.pos >= len(stripped) - 1 or stripped[-1:] not in ("]", "}")
    problem = ("the JSON ends too early (the file is cut off)" if cut
               else f"the JSON is malformed ({exc.msg})")
    return MalformedError(str(path), problem, line=exc.lineno, where=f"column {exc.colno}",
                          hint="check the file at that place: a missing comma, bracket or "
                               "quote; a cut-off file must be exported again")


def kind_of(data: Any) -> str | None:
    """``casino``, a service (``assemblyai``...), ``segments`` or ``turns`` for a parsed
    JSON document, else ``None``. Services come before segments: AssemblyAI's utterance
    list also has ``start`` and ``text``, but in milliseconds."""
    if casino.looks_like(data):
        return "casino"
    service = services.kind_of(data)
    if service is not None:
        return service
    if isinstance(data, dict):
        if isinstance(data.get("segments"), list):
            return "segments"
        if isinstance(data.get("turns"), list):
            return "turns"
    if isinstance(data, list) and data and isinstance(data[0], dict):
        if isinstance(data[0].get("turns"), list):
            return "turns"
        if "text" in data[0] and ("start" in data[0] or "speaker" in data[0]):
            return "segments"
    return None


def looks_like_json_lines(text: str) -> bool:
    """One JSON object per line (a ``.json`` that is really JSON lines, a common mix-up)."""
    lines = [line for line in text.splitlines()[:3] if line.strip()]
    if len(lines) < 2 or not lines[1].lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except (ValueError, RecursionError):  # (a decode error, or a number too long to read)
        return False


def read(path: Path, text: str, **options) -> Iterator[Transcript]:
    if looks_like_json_lines(text):
        from .convokit import read as read_json_lines

        yield from read_json_lines(path, text, **options)
        return
    yield from read_data(path, load(path, text), **options)


def read_data(path: Path, data: Any, **options) -> Iterator[Transcript]:
    """``read`` of a document already parsed."""
    kind = kind_of(data)
    if kind == "casino":
        yield from casino.read(path, data, **options)
    elif kind == "segments":
        yield from read_segments(path, data, **options)
    elif kind == "turns":
        yield from read_turns(path, data, **options)
    elif kind in services.SERVICES:
        yield from services.read(path, data, kind, **options)
    else:
        resembles = _resembles(data)
        if resembles == SLACK_DAY:  # the fix is to name its folder, not to rewrite it
            raise UnknownFormatError(
                str(path), f"unknown JSON transcript shape: {_shape(data)}; {resembles}",
                hint=f"name the folder it is in ({path.parent}: the channel) or the export "
                     "folder above it (every channel), not the day file; no need to rewrite "
                     "it as turns")
        raise UnknownFormatError(
            str(path), f"unknown JSON transcript shape: {_shape(data)}"
            + (f"; {resembles}" if resembles else ""),
            hint='write {"turns": [{"speaker": "Anna", "text": "Hello"}, ...]} (see '
                 "docs/formats.md), or segments {\"segments\": [{\"start\", \"end\", "
                 "\"speaker\", \"text\"}]}, or give the file as the transcription service "
                 "(AssemblyAI, Deepgram, AWS Transcribe, Rev.ai, Fireflies.ai) returned it, "
                 "or a CaSiNo dialogue list; `analyzer formats` shows an example of each")


def _keys(data: dict, most: int = 8) -> str:
    """The first keys of an object, with an ellipsis when there are more (a cut list read
    as the whole one hid the key that mattered)."""
    keys = [str(k) for k in data]
    return ", ".join(keys[:most]) + (", ..." if len(keys) > most else "") or "none"


def _shape(data: Any) -> str:
    """What the document is, for an error: its keys, or its first item's keys."""
    if isinstance(data, dict):
        return f"an object with keys {_keys(data)}"
    if isinstance(data, list):
        if not data:
            return "an empty list"
        first = data[0]
        if isinstance(first, dict):
            return f"a list of {len(data):,} items, the first an object with keys {_keys(first)}"
        return f"a list of {len(data):,} items, the first a {_json_type(first)}"
    return f"a {_json_type(data)}"


_json_type = json_type


SLACK_DAY = ("it looks like one day of a Slack export: name the channel's folder or the "
             "export folder, which are read whole")


def _resembles(data: Any) -> str:
    """Which service's output a document nearly matches, and what it lacks, if any."""
    if isinstance(data, dict):
        if isinstance(data.get("results"), dict):
            return ("it looks like Deepgram or AWS Transcribe output, but without their "
                    "results.utterances, results.channels or results.items")
        if "words" in data and ("audio_url" in data or "status" in data):
            return ("it looks like AssemblyAI output without utterances: transcribe with "
                    "speaker_labels=true")
        if "monologues" in data:
            return "it looks like Rev.ai output, but 'monologues' is not a list"
        if isinstance(data.get("data"), dict):
            return ("it looks like a Fireflies.ai API answer without a transcript's sentences: "
                    "ask for transcript(id: ...) { title date sentences { speaker_name "
                    "speaker_id text start_time end_time } }")
    items = data if isinstance(data, list) else []
    if items and isinstance(items[0], dict) and ("word" in items[0] or "punctuated_word"
                                                 in items[0]):
        return ("it looks like a list of words; give the whole file the service returned, "
                "which has the speakers' turns")
    if items and isinstance(items[0], dict) and "ts" in items[0] and "user" in items[0]:
        return SLACK_DAY
    return ""


def _speaker(path: Path, item: dict, where: str) -> str:
    """The speaker's name; a number is taken as a name (diarisation numbers speakers), an
    object, a list or true/false is refused (turning ``{"name": "Ana"}`` into the text
    "{'name': 'Ana'}", or ``true`` into a speaker "True", would invent a speaker)."""
    key = next((k for k in ("speaker", "speaker_name", "name") if k in item), "speaker")
    value = expect(path, item.get(key), "string|number", f"{where}.{key}",
                   hint=f'write the speaker as a name, e.g. "{key}": "Anna"')
    return str(value).strip() if value is not None else ""


def _text(path: Path, item: dict, where: str) -> str:
    """The text of a turn or segment: a string, or a number taken as its digits ("text":
    20 is "20"); an object, a list or true/false is refused rather than written into the
    turn as Python's rendering of it ("True"). Null is no text."""
    value = expect(path, item.get("text"), "string|number", f"{where}.text",
                   hint='write the text as one string, e.g. "text": "Hello there"')
    return "" if value is None else str(value)


def _time(path: Path, item: dict, key: str, where: str) -> float | None:
    try:
        return parse_seconds(item.get(key))
    except ValueError as exc:
        raise TimingError(str(path), f"{where}: cannot read {key!r}: {exc}",
                          hint="write times as seconds from the start of the recording "
                               "(0 or more, e.g. 12.5) or as 'HH:MM:SS.mmm'") from None


def read_segments(path: Path, data: Any, **options) -> Iterator[Transcript]:
    """Speech segments with diarised speakers; same-speaker segments merge into turns.

    WhisperX leaves ``speaker`` out of a segment its diarisation could not assign (often a
    short "Mm-hmm" between two speakers). Refusing the whole file for that lost every
    other turn, so such a segment continues the previous speaker's turn, as a caption cue
    without a speaker does; a first segment without one goes to the first speaker named
    after it. A file where no segment has a speaker (diarisation not run) is still an
    error: there is nobody to give it to. When the words of a segment carry speakers that
    change inside it, the segment is split where they change (``_word_speaker_pieces``)."""
    items = data["segments"] if isinstance(data, dict) else data
    base = "segments" if isinstance(data, dict) else ""
    diarised = any(isinstance(item, dict) and item.get("speaker") not in (None, "")
                   for item in items)
    first_speaker = next((item["speaker"] for item in items if isinstance(item, dict)
                          and isinstance(item.get("speaker"), str | int)
                          and str(item["speaker"]).strip()), None)
    segments: list[Segment] = []
    for number, item in enumerate(items):
        where = f"{base}[{number}]"
        if not isinstance(item, dict):
            raise MalformedError(str(path), f"{where}: a segment is not an object",
                                 hint='each segment is {"start", "end", "speaker", "text"}')
        said = " ".join(_text(path, item, where).split())
        if not said:
            continue
        pieces = _word_speaker_pieces(item)
        if pieces:  # WhisperX assigned the words of this segment to different speakers
            for speaker, words, start, end in pieces:
                segments.append(Segment(speaker, words, start=start, end=end, source=number,
                                        where=where))
            continue
        speaker = _speaker(path, item, where)
        if not speaker and diarised and segments:
            speaker = segments[-1].speaker
        elif not speaker and diarised and not segments and first_speaker is not None:
            speaker = str(first_speaker).strip()  # a first "Mm-hmm": the next speaker's
        if not speaker:
            hint = ("run speaker diarisation (e.g. WhisperX with diarize) so the segments have "
                    "a 'speaker', or add the speakers by hand") if not diarised else (
                    "add the speaker to this first segment; later segments without one "
                    "continue the turn before them")
            raise NoSpeakerError(
                str(path), f"{where}: segment without a speaker: {said[:60]!r}", hint=hint)
        segments.append(Segment(speaker, said, start=_time(path, item, "start", where),
                                end=_time(path, item, "end", where), source=number, where=where))
    meta = {k: v for k, v in data.items() if k != "segments" and not isinstance(v, list)} \
        if isinstance(data, dict) else {}
    session_id = data.get("session_id") if isinstance(data, dict) else None
    yield make_transcript(path, "segments", segments, meta=meta, unit="segment",
                          session_id=str(session_id) if session_id is not None else None)


def _word_speaker_pieces(item: dict) -> list[tuple[str, str, float | None, float | None]]:
    """A segment's runs of words by one speaker, when WhisperX's word-level ``speaker``
    changes inside it ("We can offer forty. Too low." with the last two words another
    speaker's); empty when it does not, so the segment is read whole. Words without a
    speaker stay with the run before them; times come from the words."""
    words = item.get("words")
    if not isinstance(words, list) or not words:
        return []
    if not all(isinstance(w, dict) and isinstance(w.get("word", w.get("text")), str)
               for w in words):
        return []
    named = {str(w["speaker"]).strip() for w in words
             if isinstance(w.get("speaker"), str | int) and str(w["speaker"]).strip()}
    if len(named) < 2:
        return []
    pieces: list[list] = []
    current = None
    for w in words:
        who = w.get("speaker")
        who = str(who).strip() if isinstance(who, str | int) and str(who).strip() else None
        if who is None:
            who = current if current is not None else str(item.get("speaker") or "").strip()
        if not who:
            who = next(iter(sorted(named)))
        text = str(w.get("word", w.get("text"))).strip()
        start = w.get("start") if isinstance(w.get("start"), int | float) else None
        end = w.get("end") if isinstance(w.get("end"), int | float) else None
        if pieces and pieces[-1][0] == who:
            pieces[-1][1].append(text)
            pieces[-1][3] = end if end is not None else pieces[-1][3]
        else:
            pieces.append([who, [text], start, end])
        current = who
    return [(who, " ".join(t for t in texts if t), start, end)
            for who, texts, start, end in pieces if any(texts)]


def read_turns(path: Path, data: Any, **options) -> Iterator[Transcript]:
    """``{"session_id"?, "speakers"?: [{"name", "role"}], "meta"?, "turns": [...]}``, or a
    list of such sessions, where one that cannot be read fails alone
    (``sessions_or_partial``)."""
    sessions = data if isinstance(data, list) else [data]
    transcripts, errors = [], []
    for position, session in enumerate(sessions):
        try:
            transcripts.append(_turns_session(path, data, position, session))
        except ReadError as exc:
            errors.append(exc)
    yield from sessions_or_partial(transcripts, errors, len(sessions))


def _turns_session(path: Path, data: Any, position: int, session: Any) -> Transcript:
    """Session ``position`` of a turns document ``data``."""
    prefix = f"[{position}]." if isinstance(data, list) else ""
    if not isinstance(session, dict) or not isinstance(session.get("turns"), list):
        raise MalformedError(str(path), f"[{position}]: a session without a 'turns' list",
                             hint='each session is {"turns": [...]}')
    roles: dict[str, Any] = {}
    speaker_meta: dict[str, dict] = {}
    people = expect(path, session.get("speakers"), "list", f"{prefix}speakers",
                    hint='write speakers as a list, e.g. "speakers": [{"name": "Dana", '
                         '"role": "mediator"}], or leave it out') or []
    for number, person in enumerate(people):
        if isinstance(person, str):
            continue
        if isinstance(person, dict):
            expect(path, person.get("name"), "string|number", f"{prefix}speakers[{number}]"
                   ".name", hint='write the name as a string, e.g. "name": "Dana"')
        if not isinstance(person, dict) or not person.get("name"):
            raise MalformedError(str(path),
                                 f"{prefix}speakers[{number}]: a speaker without a name",
                                 hint='write speakers as {"name": "Dana", "role": '
                                      '"mediator"}')
        roles[str(person["name"])] = person.get("role")
        speaker_meta[str(person["name"])] = {k: v for k, v in person.items()
                                             if k not in ("name", "role")}
    segments = []
    for number, item in enumerate(session["turns"]):
        where = f"{prefix}turns[{number}]"
        if not isinstance(item, dict):
            raise MalformedError(str(path), f"{where}: a turn is not an object",
                                 hint='write each turn as {"speaker": "Anna", "text": "..."}')
        if item.get("text") is None:  # a turn the export lost (an empty one is skipped)
            raise MalformedError(str(path), f"{where}: a turn without 'text'"
                                 + (" (it is null)" if "text" in item else ""),
                                 hint='write each turn as {"speaker": "Anna", "text": '
                                      '"..."}; an empty turn may have "text": ""')
        said = _text(path, item, where).strip()
        if not said:
            continue
        speaker = _speaker(path, item, where)
        if not speaker:
            raise NoSpeakerError(str(path), f"{where}: turn without a speaker: {said[:60]!r}",
                                 hint='give every turn a "speaker"')
        if item.get("role") and speaker not in roles:
            roles[speaker] = item["role"]
        extra = {k: v for k, v in item.items()
                 if k not in ("speaker", "speaker_name", "name", "text", "start", "end",
                              "role")}
        segments.append(Segment(speaker, said, start=_time(path, item, "start", where),
                                end=_time(path, item, "end", where), source=number,
                                where=where, meta=extra or None))
    meta = session.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise MalformedError(str(path), f"{prefix}meta: expected a JSON object, found "
                             f"{json.dumps(meta)[:40]}",
                             hint='write meta as an object, e.g. "meta": {"topic": '
                                  '"a shared fence"}, or leave it out')
    session_id = session.get("session_id")
    if session_id is None and isinstance(data, list):
        session_id = f"{path.stem}-{position + 1}"
    transcript = make_transcript(path, "turns", segments, roles=roles,
                                 session_id=str(session_id) if session_id is not None
                                 else None, meta=meta or {}, merge=False)
    if speaker_meta:
        from dataclasses import replace

        transcript = replace(transcript, speakers=tuple(
            replace(s, meta={**s.meta, **speaker_meta.get(s.name, {})})
            for s in transcript.speakers))
    return transcript
