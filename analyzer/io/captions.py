"""WebVTT and SRT caption files, as meeting recorders write them.

Speakers come from a ``<v Name>`` voice tag (Microsoft Teams), a ``Name:`` prefix (Zoom,
most SRT exports) or a ``[Name]`` / ``>> Name:`` prefix. A cue with no speaker continues the
previous speaker's speech (captioners split long speech into many cues); a first cue with
no speaker is an error. Consecutive cues of one speaker merge into one turn that starts
when the first cue starts and ends when the last one ends. Cue times must not go back in
time (see ``base.check_times``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import MalformedError, NoSpeakerError, TimingError
from ..transcript import Transcript
from .base import Segment, make_transcript
from .text import not_a_speaker
from .times import parse_clock

_TIMING = re.compile(r"^\s*(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?P<settings>.*)$")
_TIMING_LINE = re.compile(r"^\s*\d[\d:.,]*\s+-->\s+\d")  # starts a cue, wherever it is
_CUE_NUMBER = re.compile(r"^\s*\d+\s*$")
_LOOSE_TIMING = re.compile(r"^\s*\d[\d:.,]*\s*\S{1,4}\s*\d[\d:.,]*")
_VTT_TIME = re.compile(r"^(?:\d+:)?\d{2}:\d{2}\.\d{3}$")
_SRT_TIME = re.compile(r"^(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}$")
_VOICE = re.compile(r"<v(?:\.[^ \t>]*)?[ \t]+([^>]+)>(.*?)(?:</v>|(?=<v[ .\t])|$)", re.S)
_TAG = re.compile(r"</?[^>]{0,80}>|\{\\[^}]{0,40}\}")
_PREFIX = re.compile(r"^\s*(?:>>\s*|-\s*)?"
                     r"(?:\[(?P<b>[^\]\n]{1,40})\]\s*:?|(?P<n>[^\W\d_][\w.'&\- ]{0,39}?)\s*[:：])"
                     r"(?:\s+|(?<=：))(?P<t>\S.*)$", re.S)


def _blocks(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based number of their first line."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line.rstrip())
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _cues(blocks: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """Blocks cut again at every timing line after the block's own: one cue each.

    Why: some exporters (and hand edits) leave out the blank line between cues, so the next
    cue's number and timing would be read as the previous cue's text, and every later cue
    would get the first one's times. A line ``00:00:04,000 --> 00:00:06,000`` always starts
    a cue; a line holding only a number right above it is that cue's index. A number line
    that is not followed by a timing line stays text.
    """
    for first, block in blocks:
        own = next((i for i, line in enumerate(block[:2]) if _TIMING_LINE.match(line)), None)
        if own is None:  # no timing where it belongs: the reader reports this block
            yield first, block
            continue
        start = 0
        for i in range(own + 1, len(block)):
            if not _TIMING_LINE.match(block[i]):
                continue
            cut = i - 1 if i - 1 > own and _CUE_NUMBER.match(block[i - 1]) else i
            if cut > start:
                yield first + start, block[start:cut]
            start = cut
        yield first + start, block[start:]


def _speaker_and_text(payload: str) -> list[tuple[str | None, str]]:
    """Split a cue's text into (speaker or None, text) parts."""
    voices = _VOICE.findall(payload)
    if voices:
        before = payload[:payload.find("<v")]
        parts: list[tuple[str | None, str]] = []
        if _clean(before):
            parts.append((None, _clean(before)))
        parts.extend((" ".join(name.split()), _clean(text)) for name, text in voices)
        return [(n, t) for n, t in parts if t]
    parts = []
    for line in payload.splitlines():  # "- Anna: hi" / "- Ben: hello" share a cue in SRT
        text = _clean(line)
        if not text:
            continue
        name, said = _prefix(text)
        if name is None and parts:
            parts[-1] = (parts[-1][0], f"{parts[-1][1]} {text}")
        else:
            parts.append((name, said))
    return parts


def _prefix(text: str) -> tuple[str | None, str]:
    """``("Anna", "hi")`` for ``"Anna: hi"``, ``"[Anna] hi"`` or ``">> Anna: hi"``."""
    match = _PREFIX.match(text)
    if match:
        name = (match["b"] or match["n"]).strip()
        if len(name.split()) <= 4 and (match["b"] or not name[0].islower()) \
                and not not_a_speaker(name):
            return name, match["t"].strip()
    return None, text


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _read_cues(path: Path, text: str, fmt: str) -> list[Segment]:
    lines = text.splitlines()
    time_pattern = _VTT_TIME if fmt == "vtt" else _SRT_TIME
    segments: list[Segment] = []
    speaker: str | None = None
    cue = 0
    blocks = _blocks(lines)
    if fmt == "vtt":
        header = next(blocks, None)
        if header is None or not header[1][0].lstrip("\ufeff").startswith("WEBVTT"):
            raise MalformedError(str(path), "a WebVTT file must start with the line 'WEBVTT'",
                                 line=1, hint="add 'WEBVTT' as the first line, or read the "
                                              "file as SRT with --input-format srt")
        # A header block may run straight into the first cue when the blank line is missing.
        rest = header[1][1:]
        if any("-->" in line for line in rest):
            at = next(i for i, line in enumerate(rest) if "-->" in line)
            blocks = _chain([(header[0] + 1 + max(at - 1, 0), rest[max(at - 1, 0):])], blocks)
    for first, block in _cues(blocks):
        keyword = block[0].split(" ")[0].split("\t")[0]
        if fmt == "vtt" and keyword in ("NOTE", "STYLE", "REGION"):
            continue
        cue += 1
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:  # a timing written wrongly ("->", "--", "=>")
            timing_at = next((i for i, line in enumerate(block[:2])
                              if _LOOSE_TIMING.match(line)), None)
        where = f"cue {cue}"
        if timing_at is None:
            raise TimingError(str(path), f"no timing line ('00:00:01.000 --> 00:00:04.000') in "
                              f"this cue: {block[0].strip()[:50]!r}", line=first, where=where,
                              hint="every cue needs a line 'start --> end' after its optional "
                                   "id; check for a missing blank line between cues")
        number = first + timing_at
        match = _TIMING.match(block[timing_at])
        if not match or not time_pattern.match(match["start"]) or \
                not time_pattern.match(match["end"]):
            example = ("00:01:02.500 --> 00:01:05.000" if fmt == "vtt"
                       else "00:01:02,500 --> 00:01:05,000")
            raise TimingError(str(path), f"cannot read the cue timing "
                              f"{block[timing_at].strip()[:60]!r}", line=number, where=where,
                              hint=f"write the timing as '{example}'")
        start, end = parse_clock(match["start"]), parse_clock(match["end"])
        payload = "\n".join(block[timing_at + 1:])
        for name, part in _speaker_and_text(payload):
            if name is None:
                if speaker is None:
                    raise NoSpeakerError(
                        str(path), f"cue without a speaker: {part[:60]!r}", line=number + 1,
                        where=where,
                        hint="start the cue text with the speaker's name and a colon "
                             "('Anna: Hello') or use a voice tag ('<v Anna>Hello</v>'); "
                             "a caption file without speakers cannot be analysed by turn")
                name = speaker
            speaker = name
            segments.append(Segment(name, part, start=start, end=end, line=number, where=where))
    return segments


def _chain(first, rest):
    yield from first
    yield from rest


def read_vtt(path: Path, text: str, **options) -> Iterator[Transcript]:
    yield make_transcript(path, "vtt", _read_cues(path, text, "vtt"), unit="cue")


def read_srt(path: Path, text: str, **options) -> Iterator[Transcript]:
    yield make_transcript(path, "srt", _read_cues(path, text, "srt"), unit="cue")
