"""What every reader shares: decoding bytes, parsing times, merging cues, building transcripts.

Readers are plain functions ``read(path, text, **options) -> Iterator[Transcript]`` that work on
already-decoded text, so decoding and its errors (empty, binary, odd encodings) are handled
once, here, the same way for every format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import EmptyTranscriptError, EncodingError, TimingError
from ..transcript import PARTY, ROLES, Speaker, Transcript, Turn, speakers_in_order

# -- decoding -----------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise EncodingError(str(path), "this is a folder, not a transcript file",
                            hint="name the files inside it, or pass the folder to "
                                 "`analyzer analyze` (it reads every transcript in it)") from None
    except OSError as exc:
        raise EncodingError(str(path), f"cannot open the file: {exc.strerror or exc}",
                            hint="check that the file exists and that you may read it") from None


def decode(path: Path, data: bytes) -> str:
    """The text of a transcript file, whatever common encoding it was saved in.

    A byte-order mark decides first (UTF-8, UTF-16, UTF-32). Otherwise the bytes must be
    strict UTF-8, or UTF-16 without a mark (detected by its zero bytes); failing that they are
    read as Windows-1252 (Latin-1 for the five bytes cp1252 leaves undefined), which never
    fails: old Windows tools save transcripts that way. Files with NUL bytes that are none
    of these, or full of control characters, are refused as binary. An empty file (or one
    with only white space) is an error, since there is nothing to analyse.
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise EmptyTranscriptError(str(path), "the file is empty",
                                   hint="check that the export finished; an empty file has "
                                        "no turns to analyse")
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise EncodingError(str(path), f"starts with a {encoding} byte-order mark but "
                                    f"is not valid {encoding} ({exc.reason})",
                                    line=_line_of(data, exc.start),
                                    hint="save the file again as UTF-8") from None
            break
    if text is None and b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise EncodingError(str(path), "this looks like a binary file (it has NUL bytes), "
                                "not a transcript", line=_line_of(data, data.index(b"\x00")),
                                hint="give a text transcript (txt, vtt, srt, csv, json); "
                                     "if it is UTF-16 text, save it with a byte-order mark "
                                     "or as UTF-8")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _cp1252(data)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise EmptyTranscriptError(str(path), "the file is empty",
                                   hint="check that the export finished; an empty file has "
                                        "no turns to analyse")
    bad = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    if bad > max(8, len(text[:4096]) // 20):
        raise EncodingError(str(path), "this looks like a binary file (it is full of control "
                            "characters), not a transcript",
                            hint="give a text transcript (txt, vtt, srt, csv, json)")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark: every other byte is zero for ASCII."""
    sample = data[:2000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / len(sample[1::2])
    encoding = "utf-16-le" if odd > 0.4 and even < 0.05 else (
        "utf-16-be" if even > 0.4 and odd < 0.05 else None)
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _cp1252(data: bytes) -> str:
    """Windows-1252, with Latin-1 for the five bytes cp1252 leaves undefined (never fails)."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(_byte_cp1252(b) for b in data)


def _byte_cp1252(b: int) -> str:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(b)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


# -- times ---------------------------------------------------------------------------------

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")


def parse_clock(value: str) -> float | None:
    """``"01:02:03.5"``, ``"1:02:03,500"``, ``"02:03"`` -> seconds; ``None`` if not a time."""
    match = _CLOCK.match(value.strip())
    if not match:
        return None
    hours, minutes, seconds, frac = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if frac:
        total += int(frac) / (10 ** len(frac))
    return float(total)


def parse_seconds(value: Any) -> float | None:
    """Seconds from a number, a numeric string or a clock string; ``None`` when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    seconds = parse_clock(text)
    if seconds is None:
        raise ValueError(f"not a time: {text!r}")
    return seconds


def format_clock(seconds: float) -> str:
    """Seconds -> ``HH:MM:SS`` (with ``.mmm`` when not whole)."""
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    if millis == 1000:
        whole, millis = whole + 1, 0
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{text}.{millis:03d}" if millis else text


# -- building transcripts -------------------------------------------------------------------

@dataclass
class Segment:
    """A piece of speech as a reader finds it (a cue, a row, a labelled line), before merging."""

    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    line: int | None = None
    where: str | None = None  # "cue 12", "segments[3]": where a user finds it
    meta: dict[str, Any] | None = None  # source fields kept on the turn
    source: int | None = None  # Turn.source_line when it is not ``line`` (a JSON index)


def check_times(path: Path, segments: list[Segment], unit: str = "line") -> None:
    """Refuse a start time earlier than the previous one.

    Recorders and transcription services write cues in time order; a cue that goes back in
    time means the file was edited, concatenated or corrupted, and every later duration and
    stage boundary would be wrong, so it is an error rather than something to sort away.
    """
    previous: Segment | None = None
    for segment in segments:
        if segment.start is None:
            continue
        if segment.end is not None and segment.end < segment.start:
            raise TimingError(str(path), f"ends ({format_clock(segment.end)}) before it starts "
                              f"({format_clock(segment.start)})", line=segment.line,
                              where=segment.where,
                              hint="correct the end time so it is not before the start time")
        if previous is not None and segment.start < previous.start:
            raise TimingError(
                str(path),
                f"time goes backwards: starts at {format_clock(segment.start)}, before the "
                f"previous {unit} ({format_clock(previous.start)}, "
                f"{previous.where or f'line {previous.line}'})",
                line=segment.line, where=segment.where,
                hint="put the cues in time order and check that the file was not joined from "
                     "two recordings; times must never decrease")
        previous = segment


def merge_segments(segments: list[Segment]) -> list[Segment]:
    """Consecutive segments of the same speaker become one turn (start of first, end of last).

    Captioning tools cut one person's speech into many short cues; a turn is everything a
    speaker says until someone else speaks.
    """
    merged: list[Segment] = []
    for segment in segments:
        last = merged[-1] if merged else None
        if last is not None and last.speaker == segment.speaker:
            last.text = f"{last.text} {segment.text}".strip()
            if segment.end is not None:
                last.end = segment.end
            if last.start is None:
                last.start = segment.start
        else:
            merged.append(replace(segment))
    return merged


def normalise_role(value: Any) -> str | None:
    """A role name from a source (``"Mediator"``, ``"third party"``) -> one of ``ROLES``.

    Source roles that are not third-party roles (``buyer``, ``seller``, ``union``) mean a
    negotiating party; they are kept in the speaker's meta as ``source_role``.
    """
    if value is None:
        return None
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if not text:
        return None
    if text in ROLES:
        return text
    if text in ("third", "thirdparty", "neutral", "moderator", "facilitator"):
        return "facilitator" if text in ("moderator", "facilitator") else "third_party"
    return PARTY


def build_speakers(turns: list[Turn], roles: Mapping[str, Any] | None = None,
                   meta: Mapping[str, Mapping[str, Any]] | None = None) -> tuple[Speaker, ...]:
    """Speakers in order of first appearance; roles from the source, else from the name."""
    source_roles = {name: role for name, role in (roles or {}).items() if role}
    normal = {name: normalise_role(role) for name, role in source_roles.items()}
    speakers = []
    for speaker in speakers_in_order(turns, {k: v for k, v in normal.items() if v}):
        extra = dict((meta or {}).get(speaker.name, {}))
        raw = source_roles.get(speaker.name)
        if raw is not None and str(raw).strip().lower() not in (speaker.role, PARTY):
            extra.setdefault("source_role", str(raw))
        speakers.append(Speaker(speaker.name, speaker.role, extra) if extra else speaker)
    return tuple(speakers)


def make_turns(segments: list[Segment]) -> list[Turn]:
    return [Turn(index=i, speaker=s.speaker, text=s.text, start=s.start, end=s.end,
                 source_line=s.line if s.source is None else s.source, meta=s.meta or {})
            for i, s in enumerate(segments)]


def make_transcript(path: Path, fmt: str, segments: list[Segment], *,
                    session_id: str | None = None, roles: Mapping[str, Any] | None = None,
                    meta: Mapping[str, Any] | None = None, merge: bool = True,
                    unit: str = "line") -> Transcript:
    """Check times, merge same-speaker runs, and build a ``Transcript``."""
    if not segments:
        raise EmptyTranscriptError(str(path), "no turns found in the file",
                                   hint="a transcript needs at least one turn with a speaker "
                                        "and text; see `analyzer formats`")
    check_times(path, segments, unit)
    if merge:
        segments = merge_segments(segments)
    turns = make_turns(segments)
    return Transcript(session_id=session_id or path.stem, source=str(path), format=fmt,
                      speakers=build_speakers(turns, roles), turns=tuple(turns),
                      meta=dict(meta or {}))


__all__ = [
    "Segment", "build_speakers", "check_times", "decode", "format_clock", "make_transcript",
    "make_turns", "merge_segments", "normalise_role", "parse_clock", "parse_seconds",
    "read_bytes",
]
