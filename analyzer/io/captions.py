"""WebVTT and SRT caption files, as meeting recorders write them.

Speakers come from a ``<v Name>`` voice tag (Microsoft Teams), a ``Name:`` prefix (Zoom,
most SRT exports) or a ``[Name]`` / ``>> Name:`` prefix. Zoom writes the participant's
display name, which people fill in freely (``Priya Shah (she/her)``, ``Marco Rossi | Acme``,
``marco@acme.com``, ``iPad``): which ``NAME:`` prefixes are speakers is decided for the whole
file by ``_Names``. A cue with no speaker continues the
previous speaker's speech (captioners split long speech into many cues); a first cue with
no speaker is an error. Consecutive cues of one speaker merge into one turn that starts
when the first cue starts and ends when the last one ends. Cue times must not go back in
time (see ``base.check_times``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import MalformedError, NoSpeakerError, TimingError
from ..transcript import Transcript
from .base import Segment, make_transcript
from .text import LEADING_SYMBOLS, NAME_PARTICLES, NOT_SPEAKERS, not_a_speaker
from .times import clock_problem, is_teams_clock, parse_clock, parse_teams_clock

_TIMING = re.compile(r"^\s*(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?P<settings>.*)$")
_TIMING_LINE = re.compile(r"^\s*\d[\d:.,]*\s+-->\s+\d")  # starts a cue, wherever it is
_CUE_NUMBER = re.compile(r"^\s*\d+\s*$")
_LOOSE_TIMING = re.compile(r"^\s*\d[\d:.,]*\s*\S{1,4}\s*\d[\d:.,]*")
_VTT_TIME = re.compile(r"^(?:\d+:)?\d{2}:\d{2}\.\d{3}$")
_SRT_TIME = re.compile(r"^(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}$")
_VOICE = re.compile(r"<v(?:\.[^ \t>]*)?[ \t]+([^>]+)>(.*?)(?:</v>|(?=<v[ .\t])|$)", re.S)
#: Any ``NAME: text`` at the start of a cue line; ``_Names`` decides whether NAME is a speaker.
_ANY_PREFIX = re.compile(r"^\s*(?:>>\s*|-\s*)?" + LEADING_SYMBOLS
                         + r"(?P<n>[^\W\d_][^:：\n]{0,79}?)\s*[:：]"
                         r"(?:\s+|(?<=：))(?P<t>\S.*)$", re.S)
_PAREN = re.compile(r"\s*\((?P<p>[^()]{1,30})\)\s*")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_PLAIN_NAME = re.compile(r"^[\w.'&\- ]+$")  # the characters a name had to have before
_TAG = re.compile(r"</?[^>]{0,80}>|\{\\[^}]{0,40}\}")
_PREFIX = re.compile(r"^\s*(?:>>\s*|-\s*)?" + LEADING_SYMBOLS +
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


#: Headings that start a line of notes in a cue (``Next Steps: ...``): a prefix used once
#: is no speaker when it is one of these, a word of ``text.NOT_SPEAKERS`` (``Note``,
#: ``Price``, ``Summary``), or starts with one of ``_HEADING_FIRST``.
HEADINGS = frozenset("""next steps|action items|bottom line|final offer|last offer|best offer|
key points|key takeaways|takeaways|open issues|open questions|recap|decision|decisions|status|
update|updates|follow up|follow-up|background|conclusion|outcome|overview|context
""".replace("\n", "").split("|"))
_HEADING_FIRST = frozenset("next action bottom final key open main follow".split())


def _heading(name: str) -> bool:
    lowered = " ".join(_PAREN.sub(" ", name).lower().rstrip(".").split())
    return lowered in HEADINGS or lowered in NOT_SPEAKERS or not_a_speaker(lowered) \
        or lowered.split(" ")[0] in _HEADING_FIRST


class _Names:
    """Which cue-leading ``NAME:`` prefixes of one file are speakers.

    Zoom writes each participant's display name before the text, and display names are
    free-form: pronouns or a tag in parentheses (``Priya Shah (she/her)``, ``Sam (Guest)``), a
    company after a pipe (``Marco Rossi | Acme Corp``), an e-mail address, a device
    (``iPad``), long names (``Maria Fernanda Gonzalez de la Rosa``). A cue whose name was not
    recognised used to be merged silently into the previous speaker's turn, name and all.
    But a cue may also start with ordinary words and a colon (``Note: we agreed``, ``The
    price: 40 euros``), so the whole file is looked at first:

    - a name whose words all look like a name (capitalised, a particle such as ``de`` or
      ``van``, a device such as ``iPad``, an e-mail address) is a speaker when it has at
      most four plain words (the rule before), or when it recurs, or when other cue lines
      of the file also start with names (the file uses the ``Name:`` convention);
    - a name with ordinary lower-case words (``The price``, ``here's why``) is a speaker only
      when it starts several cue lines;
    - a prefix used once must look like a person's name, not a heading (``Next Steps``,
      ``Action Items``, ``Bottom Line``, ``Note``, ``Price``: see ``_heading``); a heading
      word that starts several cues is a speaker (a participant named ``Note``), since notes
      inside a turn do not start cue after cue.

    A parenthesis after the name is the speaker's role or side, as in the text format:
    ``Dana (mediator):`` makes Dana a mediator, ``Priya Shah (she/her):`` is speaker
    ``Priya Shah`` with ``she/her`` kept as ``source_role``.
    """

    def __init__(self, payloads: list[str]) -> None:
        self.counts: dict[str, int] = {}
        self.cue_starts: dict[str, int] = {}  # headings: how many cues they start
        self.roles: dict[str, str] = {}
        named_lines = 0
        for payload in payloads:
            voices = _VOICE.findall(payload)
            if voices:
                named_lines += len(voices)
                continue
            for number, line in enumerate(payload.splitlines()):
                found = self._candidate(_clean(line))
                if found is None:
                    if number == 0 and (found := self._candidate(_clean(line), True)):
                        self.cue_starts[found[0]] = self.cue_starts.get(found[0], 0) + 1
                    continue
                key = found[0]
                self.counts[key] = self.counts.get(key, 0) + 1
                if not self._phrase(key):
                    named_lines += 1
        self.named_lines = named_lines
        self.spoken = self._said_inside(payloads)

    def _said_inside(self, payloads: list[str]) -> frozenset[str]:
        """The phrase prefixes (``we are``) that the file also has inside a line, after
        other words ("Let me summarise where I think we are: the gap..."): words of a
        sentence that a caption cut before its colon, not a display name. Why: in a
        two-hour Zoom file the mediator's sentence was cut there twice, so "we are" started
        two cues and became a party of its own (long-sessions QA, 28 Nov 2026)."""
        phrases = [key for key, n in self.counts.items() if n >= 2 and self._phrase(key)]
        if not phrases:
            return frozenset()
        inside = re.compile(r"\S\s+(" + "|".join(map(re.escape, phrases)) + r")\s*:")
        found = set()
        for payload in payloads:
            found.update(m.group(1) for m in inside.finditer(payload))
        return frozenset(found)

    @staticmethod
    def _candidate(text: str, headings: bool = False) -> tuple[str, str] | None:
        """``(NAME, text)`` for a line ``NAME: text``, if NAME could be a display name
        (with ``headings``, also if it is a word such as ``Note``)."""
        match = _ANY_PREFIX.match(text)
        if not match or any(ch in match["n"] for ch in '?!;"“”…'):
            return None
        name = " ".join(match["n"].split())
        if len(_PAREN.findall(name)) > 1:
            return None
        base = _PAREN.sub(" ", name).replace("|", " ").split()
        if not base or len(base) > 8 or not headings and (
                not_a_speaker(" ".join(base)) or not_a_speaker(name.split("(")[0].strip())):
            return None
        return name, match["t"].strip()

    @staticmethod
    def _phrase(name: str) -> bool:
        """True when a word of ``name`` is an ordinary lower-case word, as in a sentence."""
        if _EMAIL.match(_PAREN.sub("", name).strip()):
            return False
        for word in _PAREN.sub(" ", name).replace("|", " ").split():
            if not word[0].islower():
                continue
            if word.lower() in NAME_PARTICLES or any(c.isupper() or c.isdigit() for c in word):
                continue  # "de", "van"; "iPad", "galaxy-s21"
            return True
        return False

    def split(self, text: str) -> tuple[str | None, str, str | None, str | None]:
        """``(speaker, text, role, doubt)`` for one cue line; ``speaker`` None for no name.

        ``doubt`` is set when the line starts like a display name that nothing else in the
        file confirms: the caller reports it rather than guess."""
        match = _PREFIX.match(text)
        if match and match["b"]:
            return " ".join(match["b"].split()), match["t"].strip(), None, None
        found = self._candidate(text)
        if found is None:
            found = self._candidate(text, True)
            if found is None or self.cue_starts.get(found[0], 0) < 2 or self.named_lines < 2:
                return None, text, None, None
        name, said = found
        paren = _PAREN.search(name)
        speaker = " ".join(_PAREN.sub(" ", name).split()) if paren else name
        role = " ".join(paren["p"].split()) if paren else None
        words = speaker.replace("|", " ").split()
        if self.counts.get(name, 0) + self.cue_starts.get(name, 0) < 2 and _heading(name):
            return None, text, None, None
        if self._phrase(name):
            accepted = self.counts.get(name, 0) >= 2 and name not in self.spoken
            return (speaker, said, role, None) if accepted else (None, text, None, None)
        plain = paren is None and len(words) <= 4 and _PLAIN_NAME.match(speaker) is not None \
            and not speaker[0].islower()
        if plain or self.counts.get(name, 0) >= 2 or self.named_lines >= 2:
            return speaker, said, role, None
        return None, text, None, name


def _speaker_and_text(payload: str, names: _Names
                      ) -> list[tuple[str | None, str, str | None, str | None]]:
    """Split a cue's text into (speaker or None, text, role, doubt) parts."""
    voices = _VOICE.findall(payload)
    if voices:
        before = payload[:payload.find("<v")]
        parts: list[tuple[str | None, str, str | None, str | None]] = []
        if _clean(before):
            parts.append((None, _clean(before), None, None))
        for name, text in voices:
            speaker, role = _voice_name(name)
            parts.append((speaker, _clean(text), role, None))
        return [p for p in parts if p[1]]
    parts = []
    for line in payload.splitlines():  # "- Anna: hi" / "- Ben: hello" share a cue in SRT
        text = _clean(line)
        if not text:
            continue
        name, said, role, doubt = names.split(text)
        if name is None and parts:
            last = parts[-1]
            parts[-1] = (last[0], f"{last[1]} {text}", last[2], last[3])
        else:
            parts.append((name, said, role, doubt))
    return parts


def _voice_name(raw: str) -> tuple[str, str | None]:
    """A Teams voice tag's name and the role in parentheses after it, as a ``Name:`` prefix
    gives them (``<v Becker, Tom (Guest)>`` is Becker, Tom with "Guest"), without emoji
    at either end ("González, María 🌻"; formats QA, 28 Nov 2026)."""
    name = " ".join(raw.split())
    paren = _PAREN.search(name)
    role = None
    if paren and paren.end() == len(name) and paren.start() > 0:
        name, role = name[:paren.start()].strip(), " ".join(paren["p"].split())
    trimmed = name.strip("".join(ch for ch in set(name) if _symbol(ch)) + " ")
    return trimmed or name, role


def _symbol(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "S" or ch in "\ufe0f\u200d"


def voice(line: str) -> tuple[str, str] | None:
    """``(speaker, text)`` of a line that starts with a voice tag (``<v Doe, John>Hi</v>``)."""
    match = _VOICE.match(line.strip())
    return (" ".join(match[1].split()), _clean(match[2])) if match else None


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _read_cues(path: Path, text: str, fmt: str) -> tuple[list[Segment], dict[str, str]]:
    """The cues of a VTT or SRT file as segments, and the roles given after names."""
    lines = text.splitlines()
    segments: list[Segment] = []
    roles: dict[str, str] = {}
    cues: list[tuple[int, str, float | None, float | None, str]] = []
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
    cue_blocks = list(_cues(blocks))
    teams = fmt == "vtt" and teams_timings(
        next(filter(None, map(_TIMING.match, block[:2])), None) for _, block in cue_blocks)
    for first, block in cue_blocks:
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
        start, end = cue_times(_TIMING.match(block[timing_at]), fmt, teams)
        if start is None or end is None:
            example = ("00:01:02.500 --> 00:01:05.000" if fmt == "vtt"
                       else "00:01:02,500 --> 00:01:05,000")
            found = _TIMING.match(block[timing_at])
            problem = next((p for p in (clock_problem(found["start"]),
                                        clock_problem(found["end"])) if p), None) \
                if found else None
            raise TimingError(str(path), f"cannot read the cue timing "
                              f"{block[timing_at].strip()[:60]!r}"
                              + (f" ({problem})" if problem else ""), line=number, where=where,
                              hint=f"write the timing as '{example}'"
                              + ("; minutes and seconds run from 00 to 59" if problem else ""))
        cues.append((number, where, start, end, "\n".join(block[timing_at + 1:])))
    names = _Names([cue[4] for cue in cues])
    for number, where, start, end, payload in cues:
        for name, part, role, doubt in _speaker_and_text(payload, names):
            if name is None:
                if speaker is None:
                    raise _no_speaker(path, part, doubt, line=number + 1, where=where)
                name = speaker
            speaker = name
            if role:
                roles.setdefault(name, role)
            segments.append(Segment(name, part, start=start, end=end, line=number, where=where))
    return segments, roles


def timing(line: str) -> re.Match | None:
    """``line`` as a cue timing ``start --> end`` (settings after it allowed), or ``None``."""
    return _TIMING.match(line)


def teams_timings(timings: Iterable[re.Match | None]) -> bool:
    """Whether a file's cue timings (``timing`` matches; ``None`` for a cue without one) are
    written as Microsoft Teams' older transcripts write them (``0:0:5.420 --> 0:0:9.10``),
    which standard WebVTT refuses.

    Decided once for the file, so a file of standard timings with one slip in it
    (``00:00:5.0``) is still an error: every timing must have an hour of one digit, as Teams
    writes it, and at least one must leave out a leading zero. In such a file every time is
    read as Teams' (``times.parse_teams_clock``: the digits after the point are
    milliseconds), and one that does not read is the error, at its own cue. Standard timings
    with a one-digit hour (``0:00:05.420``) read the same either way. Cue ids such as Teams'
    ``a1b2c3d4-.../12-0`` above the timing are skipped like any other cue id."""
    times = [time for match in timings if match for time in (match["start"], match["end"])]
    return any(map(is_teams_clock, times)) and all(
        time[:1].isdigit() and time[1:2] == ":" for time in times)


def cue_times(match: re.Match | None, fmt: str, teams: bool
              ) -> tuple[float | None, float | None]:
    """Start and end seconds of a ``timing`` match: Teams' way in a Teams file, else when
    both times are written as ``fmt`` (``vtt``, or ``srt``, which also takes ``,`` and
    one-digit minutes) writes them; ``(None, None)`` when they cannot be read."""
    if match is None:
        return None, None
    if teams:
        return parse_teams_clock(match["start"]), parse_teams_clock(match["end"])
    pattern = _VTT_TIME if fmt == "vtt" else _SRT_TIME
    if not pattern.match(match["start"]) or not pattern.match(match["end"]):
        return None, None
    return parse_clock(match["start"]), parse_clock(match["end"])


def _no_speaker(path: Path, text: str, doubt: str | None, **place) -> NoSpeakerError:
    """The error for a first cue without a speaker; when it starts like a display name that
    nothing else confirms, say so instead of guessing either way."""
    if doubt is not None:
        return NoSpeakerError(
            str(path), f"cue starts with {doubt + ':'!r}, which may be a speaker's display name, "
            "but no other cue of the file starts with a name", **place,
            hint=f"if {doubt!r} is the speaker, start the other cues with speakers' names too "
                 "(or use voice tags, '<v Anna>Hello</v>'); if it is part of the text, put "
                 "the speaker's name before it ('Anna: ...')")
    return NoSpeakerError(
        str(path), f"cue without a speaker: {text[:60]!r}", **place,
        hint="start the cue text with the speaker's name and a colon ('Anna: Hello') or use a "
             "voice tag ('<v Anna>Hello</v>'); a caption file without speakers cannot be "
             "analysed by turn")


def _chain(first, rest):
    yield from first
    yield from rest


def read_vtt(path: Path, text: str, **options) -> Iterator[Transcript]:
    segments, roles = _read_cues(path, text, "vtt")
    yield make_transcript(path, "vtt", segments, roles=roles, unit="cue")


def read_srt(path: Path, text: str, **options) -> Iterator[Transcript]:
    """SubRip captions; a file that opens with ``WEBVTT`` is WebVTT whatever its name says
    (saved or renamed as ``.srt``: its first cue failed with a hint about blank lines,
    researcher QA 28 Nov 2026), and is read as such."""
    if text.lstrip("\ufeff \t\r\n").startswith("WEBVTT"):
        yield from read_vtt(path, text, **options)
        return
    segments, roles = _read_cues(path, text, "srt")
    yield make_transcript(path, "srt", segments, roles=roles, unit="cue")
