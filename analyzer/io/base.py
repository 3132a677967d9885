"""What every reader shares: segments as found, time checks, merging, building transcripts.

Readers are plain functions ``read(path, text, **options) -> Iterator[Transcript]`` that work on
already-decoded text (see ``decoding``); each turns its format into ``Segment``s and hands them
to ``make_transcript``, so time checks, merging and roles work the same for every format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import (
    EmptyTranscriptError,
    MalformedError,
    PartialReadError,
    ReadError,
    TimingError,
    TooManyTurnsError,
    TurnTooLongError,
)
from ..transcript import (
    PARTY,
    PAUSE_SECONDS,
    Speaker,
    Transcript,
    Turn,
    role_word,
    speakers_in_order,
)
from .times import MAX_SECONDS, TOO_LATE_HINT, format_clock, too_late

#: The most characters one turn may have: spaCy's default ``Language.max_length``, which
#: the analyser's pipeline keeps. A longer turn would fail deep in the analysis (spaCy's E088)
#: with no file or line; it is refused when read instead. A real turn is far shorter: one this
#: long is a file whose speaker labels or line breaks were lost.
MAX_TURN_CHARS = 1_000_000
#: The most turns one session may have (``check_lengths``)
MAX_TURNS = 100_000


#: JSON's names for the Python types ``json`` gives, as the errors of ``expect`` say them.
_JSON_NAMES = {dict: "object", list: "list", str: "string", bool: "true/false", int: "number",
               float: "number", type(None): "null"}
_KINDS = {"object": (dict,), "list": (list,), "string": (str,), "number": (int, float),
          "true/false": (bool,)}


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type ("object", "list", "true/false"...)."""
    return _JSON_NAMES.get(type(value), type(value).__name__)


def json_preview(value: Any, most: int = 40) -> str:
    """The start of a value as JSON, for an error (a 5,000-digit number cannot be shown:
    Python refuses to write it, so its length is said instead)."""
    import json

    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:  # an int over sys.get_int_max_str_digits()
        return f"a number of more than {4300:,} digits"
    return text if len(text) <= most else text[:most] + "..."


def expect(path: Path | str, value: Any, kinds: str, where: str, *, hint: str,
           line: int | None = None, optional: bool = True) -> Any:
    """``value`` when it is one of the JSON ``kinds`` ("object", "list", "string",
    "number", "true/false"; several as "string|number"), or null when ``optional``; else
    ``MalformedError`` (E104) naming the file, the JSON path ``where`` (or ``line``) and
    what was found.

    Why one helper: every JSON reader walks documents it did not write, and a field of an
    unexpected type (``"speakers": true``, ``"alternatives": true``) used to reach Python as
    ``TypeError: 'bool' object is not iterable``, reported as a bug in the analyser with no
    place in the file (fuzzing QA, 28 Nov 2026). True and false are no number here, though
    Python counts them as ints."""
    if value is None and optional:
        return value
    wanted = kinds.split("|")
    for kind in wanted:
        types = _KINDS[kind]
        if isinstance(value, types) and (kind == "true/false" or not isinstance(value, bool)):
            return value
    names = " or ".join(f"{'an' if k[0] in 'aeiou' else 'a'} {k}" for k in wanted)
    found = json_type(value)
    if isinstance(value, bool) or value is None:
        found = json_preview(value)  # "found true", "found null"
    else:
        shown = f" {json_preview(value)}" if found not in ("object", "list") else ""
        found = f"{'an' if found[0] in 'aeiou' else 'a'} {found}{shown}"
    raise MalformedError(str(path), f"{where}: expected {names}, found {found}",
                         line=line, hint=hint)


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


def _place(segment: Segment) -> tuple[str, str | None]:
    """Message prefix and ``where`` for an error about ``segment``.

    With a line number the place shows as ``file:line (cue 3)``; without one (JSON) the
    JSON path starts the message, so it survives into the failures table too.
    """
    if segment.line is None and segment.where:
        return f"{segment.where}: ", None
    return "", segment.where


#: How far a start may fall behind the one before it and pass as a caption tool's jitter
#: (a cue 11 ms early rejected a two-hour Zoom file: long-sessions QA, 28 Nov 2026).
JITTER_SECONDS = 1.0


def check_times(path: Path, segments: list[Segment], unit: str = "line") -> None:
    """Refuse a start time earlier than the previous one by more than ``JITTER_SECONDS``,
    and a time past ``times.MAX_SECONDS`` (ten years).

    Recorders and transcription services write cues in time order; a cue that goes back in
    time means the file was edited, concatenated or corrupted, and every later duration and
    stage boundary would be wrong, so it is an error rather than something to sort away.
    """
    previous: Segment | None = None
    for segment in segments:
        late = max((t for t in (segment.start, segment.end) if t is not None), default=0.0)
        if late > MAX_SECONDS:  # (any reader: an ELAN 1e40 ms, a WhatsApp date in 2999)
            prefix, where = _place(segment)
            raise TimingError(str(path), f"{prefix}a time of {too_late(late)}",
                              line=segment.line, where=where, hint=TOO_LATE_HINT)
        if segment.start is None:
            continue
        prefix, where = _place(segment)
        if previous is not None and 0 < previous.start - segment.start <= JITTER_SECONDS:
            continue  # a caption tool's jitter, not a jump (the previous start stays the mark)
        if segment.end is not None and segment.end < segment.start:
            raise TimingError(str(path), f"{prefix}ends ({format_clock(segment.end)}) before it "
                              f"starts ({format_clock(segment.start)})", line=segment.line,
                              where=where,
                              hint="correct the end time so it is not before the start time")
        if previous is not None and segment.start < previous.start:
            raise TimingError(
                str(path),
                f"{prefix}time goes backwards: starts at {format_clock(segment.start)}, before the "
                f"previous {unit} ({format_clock(previous.start)}, "
                f"{previous.where or f'line {previous.line}'})",
                line=segment.line, where=where,
                hint=("the times start again here: if the file joins several recordings or "
                      "days, split it into one file per recording (each is then a session "
                      "of its own)" if segment.start < 0.5 * previous.start else
                      "put the cues in time order and check that the file was not joined "
                      "from two recordings; times must never decrease"))
        previous = segment


def check_lengths(path: Path, segments: list[Segment]) -> None:
    """Refuse a turn longer than ``MAX_TURN_CHARS`` (after merging, which can join many
    cues into one turn), naming its place, before it reaches spaCy; and a session of more
    than ``MAX_TURNS`` turns (a VTT of a million cues took the whole run down with it, out
    of memory: security QA, 28 Nov 2026; two days of talk are ~10,000 turns)."""
    if len(segments) > MAX_TURNS:
        raise TooManyTurnsError(
            str(path), f"{len(segments):,} turns in one session; the analyser takes at most "
            f"{MAX_TURNS:,}", hint="split the file into one per meeting or day (a real "
            "session is far shorter: check the file is one session's transcript)")
    for segment in segments:
        if len(segment.text) > MAX_TURN_CHARS:
            prefix, where = _place(segment)
            raise TurnTooLongError(
                str(path), f"{prefix}this turn of {segment.speaker} is {len(segment.text):,} "
                f"characters; the analyser takes at most {MAX_TURN_CHARS:,} per turn",
                line=segment.line, where=where,
                hint="split it into several turns (a real turn is far shorter: check that the "
                     "speaker labels and line breaks of the file are there)")


def merge_segments(segments: list[Segment]) -> list[Segment]:
    """Consecutive segments of the same speaker become one turn (start of first, end of last).

    Captioning tools cut one person's speech into many short cues; a turn is everything a
    speaker says until someone else speaks. The silences between its cues are kept as the
    turn's ``PAUSE_SECONDS``: "Give me one second..." and 18 s of quiet before the same
    speaker's next cue are not 18 s of talk (sales QA, 28 Nov 2026: a buyer's time share
    was 61% from her captions' spans, 45% from the same call exported with start times).
    """
    merged: list[Segment] = []
    for segment in segments:
        last = merged[-1] if merged else None
        if last is not None and last.speaker == segment.speaker:
            last.text = f"{last.text} {segment.text}".strip()
            if last.end is not None and segment.start is not None and \
                    segment.start > last.end:
                meta = dict(last.meta or {})
                meta[PAUSE_SECONDS] = round(meta.get(PAUSE_SECONDS, 0.0)
                                            + segment.start - last.end, 3)
                last.meta = meta
            if segment.end is not None and (last.end is None or segment.end > last.end):
                # never back: a cue inside the last one ("um" at 5-6 in a 0-20 cue), or one
                # a jitter early, ended the turn at its own end (regression QA, 28 Nov 2026)
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
    text = str(value).strip()
    if not text:
        return None
    return role_word(text) or PARTY


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


#: Titles a name may carry or drop ("Dr. Patel", later "Patel").
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir",
                     "dame"})


def _name_key(name: str) -> str:
    return " ".join(name.casefold().replace(".", " ").split())


def one_spelling(segments: list[Segment]) -> dict[str, str]:
    """Speaker names that are one person spelled otherwise, mapped to the spelling used
    most (ties: the first): the same name in other case or punctuation ("PATEL", "Patel";
    "Dr Patel", "Dr. Patel"), and a name without the title it has elsewhere ("Patel",
    "Dr. Patel") when only one titled name fits it ("Mr. Patel" and "Mrs. Patel" make
    "Patel" ambiguous, so it stays apart).

    Why: a hand-typed transcript spelled one person four ways and the report had four
    parties with their own shares (multi-party QA, 28 Nov 2026)."""
    counts: dict[str, int] = {}
    for segment in segments:
        counts[segment.speaker] = counts.get(segment.speaker, 0) + 1
    groups: dict[str, list[str]] = {}
    for name in counts:  # in order of first appearance
        groups.setdefault(_name_key(name), []).append(name)
    untitled: dict[str, list[str]] = {}
    for key in groups:
        words = key.split(" ")
        if len(words) > 1 and words[0] in _TITLES:
            untitled.setdefault(" ".join(words[1:]), []).append(key)
    for bare, titled in untitled.items():
        if len(titled) == 1 and bare in groups:
            groups[titled[0]] += groups.pop(bare)
    mapping = {}
    for names in groups.values():
        if len(names) > 1:
            best = max(names, key=lambda n: (counts[n], -names.index(n)))
            mapping.update({n: best for n in names if n != best})
    return mapping


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
    meta = dict(meta or {})
    spelled = one_spelling(segments)
    if spelled:
        segments = [replace(s, speaker=spelled.get(s.speaker, s.speaker)) for s in segments]
        roles = {spelled.get(k, k): v for k, v in (roles or {}).items()}
        # one text, so a batch's sessions table gets one column however many names
        meta["speaker_spellings"] = "; ".join(
            f"{' = '.join(repr(k) for k in sorted(k for k, v in spelled.items() if v == name))}"
            f" -> {name!r}" for name in sorted(set(spelled.values())))
    if merge:
        segments = merge_segments(segments)
    check_lengths(path, segments)
    turns = make_turns(segments)
    return Transcript(session_id=session_id or path.stem, source=str(path), format=fmt,
                      speakers=build_speakers(turns, roles), turns=tuple(turns), meta=meta)


#: From how many speakers a session whose speakers nearly all say one turn is warned about.
CROWD = 50


def crowd_note(transcript: Transcript) -> str | None:
    """A warning for a session of ``CROWD`` or more speakers, four in five of them with a
    single turn: a file whose speaker labels were misread (every line "Speaker 17: ..."
    its own speaker, or text lines starting "Word:"), not a negotiation; None otherwise.

    Why: such a file analysed without a word (fuzzing QA, 28 Nov 2026: 20,000 one-turn
    speakers), and its shares and reciprocity mean nothing."""
    if len(transcript.speakers) < CROWD:
        return None
    counts: dict[str, int] = {}
    for turn in transcript.turns:
        counts[turn.speaker] = counts.get(turn.speaker, 0) + 1
    single = sum(1 for n in counts.values() if n == 1)
    if single < 0.8 * len(transcript.speakers):
        return None
    return (f"warning: session {transcript.session_id}: {len(transcript.speakers):,} speakers, "
            f"{single:,} of them with a single turn: check that the speaker labels were read "
            "right (in a text file, a line starting 'Word:' is a speaker's label)")


def sessions_or_partial(read: list, errors: list[ReadError], total: int,
                        what: str = "session") -> list:
    """The sessions of a file of ``total`` sessions (``read``) when none failed; else the
    error of its one session, or ``PartialReadError`` carrying the sessions read and one
    error per session that failed, each saying the file's others were read.

    Why: a CaSiNo file or a list of turns sessions with one bad dialogue lost all the
    others (fuzzing QA, 28 Nov 2026: E104 and 0 of 5 good dialogues analysed); ``analyze``
    and ``batch`` analyse the sessions of a ``PartialReadError`` and give each broken one its
    own failure row, as for a Slack export's broken channel."""
    if not errors:
        return read
    if total == 1:
        raise errors[0]
    if read:
        others = (f"the file's {len(read)} other {what}{'s were' if len(read) > 1 else ' was'}"
                  " read")
        errors = [type(e)(e.path, f"{e.problem}; {others}", line=e.line, where=e.where,
                          hint=f"{e.hint}; then run again to read this {what} too")
                  for e in errors]
    raise PartialReadError(errors, read)


__all__ = [
    "MAX_TURNS", "MAX_TURN_CHARS", "Segment", "build_speakers", "check_lengths", "check_times",
    "crowd_note", "expect", "json_preview", "json_type", "make_transcript", "make_turns",
    "merge_segments", "normalise_role", "sessions_or_partial",
]
