"""Speaker-labelled plain text: ``Name: text``, with or without timestamps.

Accepted line starts (a *label*)::

    Anna: text                    Mary Ann: text             SPEAKER 1: text
    [00:01:02] Anna: text         00:01:02 Anna: text        (01:02) Anna: text
    Anna [00:01:02]: text         Anna (mediator): text      Anna   0:02     (Otter style;
    [Anna Lee] 00:01:02           (Zoom transcript style;                      text below)
                                   text below)     Doe, John   0:03  (Teams; text below;
                                           also "Doe, John (Guest)   0:03", e-mail names)
    10:02:33 From Anna Lee to Everyone: text                   (Zoom chat export)

A parenthesis after the name is the speaker's role or side: ``Dana (mediator):`` makes Dana
a mediator; ``Kim (buyer):`` keeps "buyer" as ``source_role`` in the speaker's meta (a party).

A label is a short name at the start of a line (at most four words, not counting particles
such as ``de`` or ``van`` in ``Anna Maria de la Cruz``, starting with a letter
that is not lower-case, so ``王芳`` is a name too but ``1`` is not, as numbered points inside a
turn look the same; any short name after a timestamp) followed by a
colon and a space (or a full-width colon). Lines without a label continue the turn above,
so multi-line turns and blank lines are fine. Words that often start a line inside a turn
(``Note:``, ``PS:``, ``Option A:``, ``Step 2:``...) are not speakers: such a line continues the
current turn. Before the first turn, header lines such as ``Date: 2024-03-01`` or
``Title: ...`` are kept in ``Transcript.meta["header"]``. In a file whose turns carry
timestamps, an untimed ``Word:`` line right below a turn also continues it unless that name
speaks with a timestamp elsewhere; in a file whose
turns are separated by blank lines, so does a ``Word:`` used only once and not preceded by a
blank line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ..errors import NoSpeakerError, TimingError
from ..transcript import Transcript
from .base import Segment, make_transcript
from .times import CLOCK_HINT, clock_problem, parse_clock

_TIME = r"(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
#: Lower-case words inside people's names (``Anna de Vries``, ``Ludwig van Beethoven``,
#: ``Ahmad bin Said``): a name is otherwise a run of words that are not lower-case.
NAME_PARTICLES = frozenset("de van von der den da di la le del della du dos das bin binti al "
                           "el ibn ter".split())
_PARTICLE = rf"(?:{'|'.join(sorted(NAME_PARTICLES))})"
#: Emoji or other symbols people put before their display name (``🌻 Priya``): not part of
#: the name. Non-ASCII only, so ``#`` comments, ``*``/``-`` bullets and quotes keep their meaning.
LEADING_SYMBOLS = r"(?:[^\x00-\x7f\w\s“”‘’«»„「『（【]{1,8}[ \t]*)?"
#: A name: up to four words, particles not counted (``Anna Maria de la Cruz``).
_NAME = rf"[^\W\d_][\w.'&\-]*(?:[ \t]+(?:{_PARTICLE}[ \t]+)*[\w.'&\-]+){{0,3}}?"
_LABEL = re.compile(
    rf"""^
    (?:[\[(]\s*(?P<t1>{_TIME})\s*[\])]\s*(?:-\s*)?|(?P<t2>{_TIME})\s+(?:-\s*)?)?
    {LEADING_SYMBOLS}(?P<name>{_NAME})
    (?:\s*\(\s*(?P<paren>[^)\]:]{{1,30}})\s*\))?
    (?:\s*[\[(]\s*(?P<t3>{_TIME})\s*[\])])?
    \s*[:：](?:\s+|$|(?<=：))(?P<text>.*)$""",
    re.VERBOSE,
)
#: "Mary Ann  0:02" (two spaces) or "Mary Ann (0:02)" alone on a line; also "Doe, John  0:03",
#: as Teams writes directory names (surname first) in its transcripts.
#: Teams marks people from outside the organisation "Moreau, Camille (Guest)" or "(External)":
#: the parenthesis is kept as the speaker's source role, as in a ``Name (role):`` label. A
#: guest who joined without a directory name shows as their e-mail address.
_EMAIL = r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
_HEADER_LINE = re.compile(
    rf"^(?:(?P<email>{_EMAIL})|(?P<name>{_NAME}(?:,[ \t]+{_NAME})?))"
    r"(?:[ \t]*\((?P<paren>[^)\]:]{1,30})\))?"
    rf"(?:[ \t]{{2,}}|\s*[\[(])\s*(?P<t>{_TIME})\s*[\])]?\s*$")
_BRACKET_HEADER = re.compile(rf"^\[(?P<name>[^\]:]{{1,40}})\][ \t]+(?P<t>{_TIME})\s*$")
_CHAT = re.compile(  # Zoom chat: "10:02:33 From Anna Lee to Everyone: text"
    rf"^(?P<t>{_TIME})[ \t]+From[ \t]+(?P<name>\S.{{0,40}}?)[ \t]+to[ \t]+[^:]{{1,60}}?:"
    rf"(?:[ \t]+|$)(?P<text>.*)$", re.IGNORECASE)
#: The line Otter.ai ends its text exports with; it is no speech.
_OTTER_FOOTER = re.compile(r"^\s*Transcribed by (?:https?://)?(?:www\.)?otter\.ai/?\s*$",
                           re.IGNORECASE)
#: A line starting with what is meant as a time but is none of ``_TIME``: negative, or
#: with more digits (``[-00:00:05] Anna:``, ``[99999:00:00] Anna:``).
#: (A negative one only in brackets: "- 10:30 start: ..." is a list item.)
_ODD_TIME = re.compile(r"^\s*(?:[\[(]\s*(?P<n>-\d+(?::\d+)+(?:[.,]\d+)?)\s*[\])]|[\[(]?\s*"
                       r"(?P<t>\d{4,}(?::\d+)+(?:[.,]\d+)?|\d+(?::\d{3,})+(?:[.,]\d+)?)"
                       r"\s*[\])]?)\s+(?=[^\W\d_][^:\n]{0,40}:)")
_TIME_ONLY = re.compile(rf"^(?:[\[(]\s*)?(?P<t>{_TIME})\s*[\])]?\s*$")

#: Line starts that are not speakers: a turn's notes, lists and offers, or a file's header.
NOT_SPEAKERS = frozenset("""
note notes nb n.b ps p.s pps re subject update edit example e.g i.e total subtotal price cost
costs fee fees question answer warning important action actions item items agenda summary tip
date time day location place venue terms offer counteroffer proposal option options deal also
however remember next first second third finally pros cons plan goal goals result results
reason reasons why because fyi btw correction source link url email phone address budget
deadline timeline title topic meeting session participants attendees present recorded duration
language transcript case file id minutes scope payment delivery volume quantity discount
""".split())
_NOT_SPEAKER_FIRST_WORDS = frozenset(
    "option step item point phase part question proposal offer clause section article "
    "scenario package version round term issue".split())
_HEADER_KEYS = frozenset("""
title date time day location place venue subject topic meeting session participants attendees
present recorded duration language transcript case file id note notes source agenda
""".split())


class _Label:
    __slots__ = ("name", "time", "text", "role", "has_time", "stamp")

    def __init__(self, name: str, time: float | None, text: str, role: str | None,
                 stamp: str | None = None) -> None:
        self.name, self.time, self.text, self.role = name, time, text, role
        self.stamp = stamp  # the time as written, when it is no possible time (``_clock``)
        self.has_time = time is not None or stamp is not None


def _clock(stamp: str) -> tuple[float | None, str | None]:
    """(seconds, None) for a label's time; (None, the stamp) when it is written as a time but
    is none (``[00:99:99]``), which ``read`` refuses at its line rather than reading the turn
    as untimed (or, before 28 Nov 2026, as 01:40:39)."""
    seconds = parse_clock(stamp)
    return (seconds, None) if seconds is not None else (None, stamp)


def _parse(line: str) -> _Label | None:
    match = _CHAT.match(line)
    if match:
        time, bad = _clock(match["t"])
        return _Label(" ".join(match["name"].split()), time, match["text"].strip(), None, bad)
    match = _BRACKET_HEADER.match(line)
    if match:
        return _Label(" ".join(match["name"].split()), _clock(match["t"])[0], "", None,
                      _clock(match["t"])[1])
    match = _LABEL.match(line)
    if match:
        name = " ".join(match["name"].split())
        stamp = match["t1"] or match["t2"] or match["t3"]
        if not stamp and name[0].islower():
            return None
        if len(name) > 40:
            return None
        paren = match["paren"]
        role = " ".join(paren.split()) if paren and paren.strip() else None
        time, bad = _clock(stamp) if stamp else (None, None)
        return _Label(name, time, match["text"].strip(), role, bad)
    match = _HEADER_LINE.match(line)
    if match and (match["email"] or all(not w[0].islower() or (i and w in NAME_PARTICLES)
                                        for i, w in enumerate(match["name"].split()))):
        paren = match["paren"]
        role = " ".join(paren.split()) if paren and paren.strip() else None
        return _Label(" ".join((match["email"] or match["name"]).split()),
                      _clock(match["t"])[0], "", role, _clock(match["t"])[1])
    return None


def _no_speaker_hint(lines: list[str]) -> str:
    """What to do about text before the first label. A table saved as ``.txt`` reaches this
    reader by its extension, so its header row is the "text without a speaker": say so; and
    a WhatsApp export read as text (``--input-format text``) has a date before every name."""
    from .formats import CHAT_HINT, looks_like_chat, looks_like_csv_header
    from .whatsapp import looks_like_whatsapp

    first = next((line for line in lines if line.strip()), "")
    if looks_like_chat("\n".join(lines[:40])):
        return CHAT_HINT
    if looks_like_whatsapp("\n".join(lines[:40])):
        return ("this is a WhatsApp chat export: read it as one (leave out --input-format, or "
                "give --input-format whatsapp)")
    if looks_like_csv_header(first):
        return ("this looks like a CSV table (its first line names a speaker and a text "
                "column): read it with --input-format csv, or rename it to .csv")
    return ("start each turn with the speaker's name and a colon, e.g. 'Anna: Hello' (a name "
            "has at most four words and starts with a letter that is not lower-case, so write "
            "'Speaker 1:' rather than '1:'); lines without a name continue the turn above them")


#: Lines meeting tools put below a transcript, after a blank line (Google Meet's "Meeting
#: ended after 00:06:12 👋"), kept as meta, never joined to the last turn.
_EXPORT_FOOTER = re.compile(r"^(?:meeting ended after|transcription ended after|"
                            r"recording stopped)\b", re.IGNORECASE)
#: Notices meeting tools put above a transcript (Google Meet's, which ends with a full stop).
_EXPORT_NOTICE = re.compile(r"^This editable transcript was computer generated", re.IGNORECASE)


def header_like(line: str) -> bool:
    """A title, date, duration or attendee line as meeting tools write above a transcript
    (``Supplier renewal - Transcript``, ``May 14, 2024, 8:02AM``, ``32m 10s``): short and not
    ending like a sentence. Speech before the first label ends like one and stays an error."""
    text = line.strip()
    return text.startswith("#") or bool(_EXPORT_NOTICE.match(text)) or (
        len(text) <= 100 and not text.endswith((".", "?", "!", "…", ",", ";")))


def _preamble_lines(lines: list[str], parsed: list[_Label | None]) -> set[int]:
    """The 0-based lines before the first turn that are a title block to keep as meta.

    Google Meet and Teams exports start with a title, a date, a duration or the attendees,
    and reading stopped there (E107) before any turn. Such lines are skipped, and kept in
    ``meta["header"]["preamble"]``, when at most ten of them all look like header lines
    (``header_like``) and at least two labelled turns follow; otherwise the first of them
    is reported, with where the first turn starts."""
    turns = [i for i, p in enumerate(parsed) if p is not None and not _header_label(p)]
    if len(turns) < 2:
        return set()
    before = [i for i in range(turns[0]) if lines[i].strip() and parsed[i] is None
              and not _TIME_ONLY.match(lines[i])]
    if len(before) > 10 or not all(header_like(lines[i]) for i in before):
        return set()
    return set(before)


def _header_label(label: _Label) -> bool:
    """``Title: ...``, ``Date: ...``: a header line, not a turn (before the first turn)."""
    return not label.has_time and not_a_speaker(label.name) \
        and label.name.lower() in _HEADER_KEYS


def _header_items(lines: list[str], parsed: list[_Label | None], counts: Counter) -> set[int]:
    """The 0-based lines that are items under a header title with nothing after its colon
    (``Agenda:`` then ``Price: target 40``), before the first turn.

    Such items look like labels, and the first one became the first speaker. They run up to
    a blank line, and stop at a label that is timed or whose name speaks again (a turn);
    they are then text before the first turn (the preamble, see ``_preamble_lines``)."""
    items: set[int] = set()
    under = False
    for i, label in enumerate(parsed):
        if not lines[i].strip():
            under = False
        elif label is not None and _header_label(label):
            under = not label.text
        elif label is not None:
            if not (under and not label.has_time and counts[label.name] == 1):
                break  # the first turn
            items.add(i)
    return items


def not_a_speaker(name: str) -> bool:
    lowered = name.lower().rstrip(".")
    return lowered in NOT_SPEAKERS or lowered.split(" ")[0] in _NOT_SPEAKER_FIRST_WORDS


def _without_footer(lines: list[str]) -> list[str]:
    """``lines`` with Otter's closing "Transcribed by https://otter.ai" blanked (not removed,
    so line numbers stay right): it would otherwise end the last turn as if said."""
    last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), None)
    if last is not None and _OTTER_FOOTER.match(lines[last]):
        return lines[:last] + [""] + lines[last + 1:]
    return lines


def read(path: Path, text: str, **options) -> Iterator[Transcript]:
    lines = _without_footer(text.splitlines())
    parsed = [_parse(line) if line.strip() else None for line in lines]
    for i in _header_items(lines, parsed, Counter(p.name for p in parsed if p is not None)):
        parsed[i] = None
    candidates = [(i, p) for i, p in enumerate(parsed) if p is not None]
    counts = Counter(p.name for _, p in candidates)
    after_blank = sum(1 for i, _ in candidates[1:] if i > 0 and not lines[i - 1].strip())
    blank_separated = len(candidates) > 2 and after_blank > (len(candidates) - 1) / 2
    timed = len(candidates) > 2 and sum(p.has_time for _, p in candidates) > len(candidates) / 2
    timed_names = {p.name for _, p in candidates if p.has_time}

    preamble = _preamble_lines(lines, parsed)
    first_turn = next((i for i, p in enumerate(parsed) if p is not None and not _header_label(p)),
                      None)
    segments: list[Segment] = []
    roles: dict[str, str] = {}
    header: dict[str, str] = {}
    current: Segment | None = None
    pending_time: float | None = None
    previous_blank = True
    for number, (line, label) in enumerate(zip(lines, parsed, strict=True), start=1):
        if not line.strip():
            previous_blank = True
            continue
        if label is None and current is None and number - 1 in preamble:
            if not line.strip().startswith("#"):
                header["preamble"] = f"{header.get('preamble', '')}\n{line.strip()}".lstrip()
            previous_blank = False
            continue
        if label is not None and current is None and _header_label(label):
            header[label.name] = label.text
            previous_blank = False
            continue
        if label is not None and current is not None and not label.has_time and (
                not_a_speaker(label.name)
                or (not previous_blank and timed and label.name not in timed_names)
                or (not previous_blank and blank_separated and counts[label.name] == 1)):
            label = None
        odd = _ODD_TIME.match(line) if label is None else None
        if odd:  # "[-00:00:05] Anna: hi", "[99999:00:00] Anna: hi": a time, misread
            raise TimingError(str(path), f"cannot read the time {odd['n'] or odd['t']!r} at "
                              "the start "
                              "of the line", line=number,
                              hint=f"{CLOCK_HINT}; a time is never negative and has at "
                                   "most three digits of hours")
        if label is not None and label.stamp is not None or label is None and \
                _TIME_ONLY.match(line) and clock_problem(_TIME_ONLY.match(line)["t"]):
            stamp = label.stamp if label is not None else _TIME_ONLY.match(line)["t"]
            raise TimingError(str(path), f"cannot read the time {stamp!r}: "
                              f"{clock_problem(stamp)}", line=number, hint=CLOCK_HINT)
        if label is None and _TIME_ONLY.match(line):  # a time on its own line: the next turn's
            pending_time = parse_clock(_TIME_ONLY.match(line)["t"])
            previous_blank = False
            continue
        if label is None and current is None and line.lstrip().startswith("#"):
            continue  # a comment above the first turn
        if label is None and current is None:
            if first_turn is not None and first_turn + 1 > number:
                raise NoSpeakerError(
                    str(path), f"a header line or text before the first turn (line "
                    f"{first_turn + 1}): {line.strip()[:60]!r}", line=number,
                    hint="if it is a header line, remove it or start it with '#'; if it is "
                         "speech, put the speaker's name before it ('Anna: ...')")
            raise NoSpeakerError(str(path), f"text without a speaker: {line.strip()[:60]!r}",
                                 line=number, hint=_no_speaker_hint(lines))
        if label is None and previous_blank and _EXPORT_FOOTER.match(line.strip()):
            header["footer"] = line.strip()  # not the last speaker's words (formats QA)
            continue
        if label is None:
            assert current is not None
            current.text = f"{current.text}\n{line.strip()}" if current.text else line.strip()
        else:
            start = label.time if label.time is not None else pending_time
            pending_time = None
            current = Segment(label.name, label.text, start=start, line=number)
            segments.append(current)
            if label.role:
                roles.setdefault(label.name, label.role)
        previous_blank = False
    segments = [s for s in segments if s.text]
    meta = {"header": header} if header else {}
    yield make_transcript(path, "text", segments, roles=roles, meta=meta, merge=False)
