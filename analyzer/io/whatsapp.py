"""WhatsApp chat exports ("Export chat", ``_chat.txt`` or ``WhatsApp Chat with Ana.txt``).

One file is one session; every message is a turn, as in the text and CSV formats (people
send a thought in several messages, and each keeps its own time and line)::

    [12/03/2024, 14:05:33] Ana Lopez: Can we talk about the price?      (iPhone)
    12/03/2024, 14:05 - Ana Lopez: Can we talk about the price?         (Android)
    3/12/24, 2:05 PM - Ana Lopez: Can we talk about the price?          (US settings)
    2024. 3. 12. 오후 2:05 - 아나: 가격 얘기 좀 할까요?      (Korean; Chinese "下午2:05" and
                                                          Japanese "午後2:05" likewise)

Lines that do not start with a date and time continue the message above. Not turns, and
left out (counted in ``meta["skipped"]``): WhatsApp's notices (Android writes them without a
``Name:``, the iPhone after an invisible U+200E mark: "Messages and calls are end-to-end
encrypted", "Ana created group ...", "Ben joined", missed calls), media markers
(``<Media omitted>``, "image omitted", ``<attached: ...>``, "... (file attached)"; a caption
with them is kept) and deleted messages ("This message was deleted"). Only the English
wording of these is known: an export in another language keeps them as text.

Day or month first is decided once for the file, from all its dates, by the rule the CSV
reader uses for chat exports (``times.day_first``); times are seconds from the first
message, so a chat over several days reads too. The export's clock times carry no time zone,
and they are counted as they are written (a clock change overnight is not corrected).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from ..errors import EmptyTranscriptError, NoSpeakerError, TimingError
from ..transcript import Transcript
from .base import Segment, make_transcript
from .times import day_first, parse_date

#: Invisible direction marks WhatsApp puts around names (phone numbers) and before its
#: notices on the iPhone (U+200E).
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SPACE = "[ \u00a0\u202f]"  # newer exports put a (narrow) no-break space before AM/PM
#: Between date and time some locales write a word ("12/03/2024 à 14:05" in French, "klo"
#: in Finnish, "um" in German, "alle" in Italian, "às" in Portuguese); Nordic clocks use dots
#: ("12.00.00").
_AT = r"(?:(?:à|a las|às|alle|um|klo|kl\.?|at){_SPACE}+)?".replace("{_SPACE}", _SPACE)
#: Korean, Chinese and Japanese phones write the half of the day before the clock ("2023. 1.
#: 5. 오후 3:45", "2021/3/9 下午10:15"): morning, then afternoon, in each language.
_BEFORE_NOON, _AFTER_NOON = ("오전", "上午", "午前"), ("오후", "下午", "午後")
_HALF = "|".join(_BEFORE_NOON + _AFTER_NOON)
_STAMP = (rf"(?P<date>\d{{1,4}}[/.-]{_SPACE}?\d{{1,2}}[/.-]{_SPACE}?\d{{1,4}})\.?,?{_SPACE}+{_AT}"
          rf"(?:(?P<half>{_HALF}){_SPACE}*)?"
          rf"(?P<h>\d{{1,2}})[:.](?P<m>\d{{2}})(?:[:.](?P<s>\d{{2}}))?"
          rf"(?:{_SPACE}*(?P<ampm>[AaPp])\.?{_SPACE}?[Mm]\.?)?")
_IPHONE = re.compile(rf"^[{BIDI}\ufeff]*\[{_STAMP}\]{_SPACE}?(?P<rest>.*)$")
_ANDROID = re.compile(rf"^[{BIDI}\ufeff]*{_STAMP}{_SPACE}+[-–]{_SPACE}+(?P<rest>.*)$")

#: What WhatsApp writes about the chat rather than what someone wrote. Its verbs in the
#: middle of a sentence are lower-case ("Ana created group", "Ben left"), so case matters
#: there (a member called "Ben Left" is a name); the sentences it starts itself do not.
_NOTICE = re.compile(
    r"\b(?:created (?:this )?group|added|removed|left|joined|changed (?:the|this|their|his|her"
    r"|your|to)|deleted this group's|pinned a message|now an admin|no longer an admin"
    r"|is a contact|started a call|turned (?:on|off) disappearing)\b"
    r"|(?i:end-to-end encrypted|security code|disappearing messages"
    r"|^(?:missed )?(?:group )?(?:voice|video) call\b|^waiting for this message\b"
    r"|^messages to this group are now|^this chat is with a business account)")
#: Media markers, with or without the media: the iPhone's "image omitted" (a document's
#: with its name: "Lease.pdf • 2 pages document omitted") and ``<attached: ...>``, Android's
#: ``<Media omitted>`` and "IMG-0001.jpg (file attached)", shared locations, and the bare
#: ``null`` Android writes for view-once media (it read back from turns.csv as empty).
_MEDIA = re.compile(
    r"^(?:<Media omitted>|(?:.*•.*)?(?:image|video|audio|sticker|GIF|document|Contact card) "
    r"omitted|<attached: [^>]*>|\S.{0,200}? \(file attached\)|location: https?://\S+"
    r"|Live location shared|null)$", re.IGNORECASE)
_DELETED = re.compile(r"^(?:This message was deleted|You deleted this message)\.?$",
                      re.IGNORECASE)
_EDITED = re.compile(rf"[ \t{BIDI}]*<This message was edited>$")


def _clean(text: str) -> str:
    return text.translate({ord(c): None for c in BIDI}).strip()


def _sender(rest: str) -> tuple[str, str] | None:
    """(name, text) of a message's ``Name: text``; None for a notice (no ``Name:``, or what
    stands before the colon is WhatsApp's sentence, such as ``Ana changed the subject to
    "Rent: final"``). A leading ``~`` (a member not in the contacts) is not part of a name."""
    name, colon, text = rest.partition(": ")
    if not colon:
        if not rest.rstrip().endswith(":"):
            return None
        name, text = rest.rstrip()[:-1], ""
    name = _clean(name).lstrip("~").strip()
    if not name or len(name) > 80 or any(q in name for q in "\"“”«»") or _NOTICE.search(name):
        return None
    return name, text


def _stamp(line: str) -> tuple[re.Match, str] | None:
    """The date-time match of a message line and the export it comes from."""
    for pattern, kind in ((_IPHONE, "iPhone"), (_ANDROID, "Android")):
        match = pattern.match(line)
        if match:
            return match, kind
    return None


def looks_like_whatsapp(head: str) -> bool:
    """Whether a file's first lines are a WhatsApp export: the first non-empty line starts
    with a WhatsApp date and time, and a message (``Name:`` after one) or a second dated
    line follows within the first twenty lines. A transcript whose header line is a date
    (``12/03/2024, 14:05 - Lease call``) followed by ``Name:`` lines stays text."""
    lines = [line for line in head.splitlines() if line.strip(f" \t{BIDI}\ufeff")][:20]
    if not lines or _stamp(lines[0]) is None:
        return False
    stamped = [found for found in map(_stamp, lines) if found is not None]
    return len(stamped) >= 2 or any(_sender(m["rest"]) for m, _ in stamped)


def _session_id(path: Path) -> str:
    """The file name; for the iPhone's ``_chat.txt``, the folder it was unzipped into
    (``WhatsApp Chat - Ana Lopez``), which names the chat."""
    if path.stem == "_chat" and path.parent.name not in ("", "."):
        return path.parent.name
    return path.stem


def _date(match: re.Match) -> str:
    """The line's date as ``times.parse_date`` reads it ("2023. 1. 5" -> "2023.1.5")."""
    return re.sub(_SPACE, "", match["date"])


def _seconds(match: re.Match, order: bool | None) -> float:
    """Seconds of the day count (``toordinal``), from the line's date and clock: the same
    in every time zone the analyser runs in."""
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    half = match["ampm"] or match["half"]
    if half:
        afternoon = half.lower() == "p" or half in _AFTER_NOON
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with {'PM' if afternoon else 'AM'}")
        hour = hour % 12 + (12 if afternoon else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("not a time of day")
    day = parse_date(_date(match), order)
    return day.toordinal() * 86400.0 + hour * 3600 + minute * 60 + second


class _Message:
    __slots__ = ("line", "name", "lines", "stamp", "notice")

    def __init__(self, line: int, name: str | None, text: str, stamp: re.Match,
                 notice: bool) -> None:
        self.line, self.name, self.lines, self.stamp = line, name, [text], stamp
        self.notice = notice  # WhatsApp's own line: no sender, or the iPhone's U+200E mark


def _said(message: _Message) -> tuple[str, str | None]:
    """The message's text without media markers and the "edited" mark, and why it is not
    a turn (``notices``, ``media``, ``deleted``) or None."""
    first = _EDITED.sub("", message.lines[0])
    if message.name is None or message.notice and _NOTICE.search(_clean(first)):
        return "", "notices"
    lines = [_clean(_EDITED.sub("", line)) for line in [first, *message.lines[1:]]]
    if len(lines) == 1 and _DELETED.match(lines[0]):
        return "", "deleted"
    kept = [line for line in lines if line and not _MEDIA.match(line)]
    if not kept:
        return "", "media" if any(lines) else "notices"
    return "\n".join(kept), None


def read(path: Path, text: str, **options) -> Iterator[Transcript]:
    messages: list[_Message] = []
    kinds: Counter = Counter()
    for number, line in enumerate(text.splitlines(), start=1):
        found = _stamp(line)
        if found is None:
            if messages:
                messages[-1].lines.append(line)
            elif line.strip(f" \t{BIDI}\ufeff"):
                raise NoSpeakerError(
                    str(path), f"text before the first message: {line.strip()[:60]!r}",
                    line=number,
                    hint="a WhatsApp export starts every message with its date and time: "
                         "'[12/03/2024, 14:05:33] Ana: ...' (iPhone) or '12/03/2024, 14:05 - "
                         "Ana: ...' (Android); remove the lines above the first message, or "
                         "read a file that is not a WhatsApp export with --input-format text")
            continue
        match, kind = found
        kinds[kind] += 1
        sender = _sender(match["rest"])
        said = sender[1] if sender else match["rest"]
        messages.append(_Message(number, sender[0] if sender else None, said, match,
                                 sender is None or said.lstrip().startswith("\u200e")))
    order = day_first([_date(m.stamp) for m in messages])
    # the iPhone writes its notices as messages of the group's name: a "sender" who only
    # ever has notices is the chat itself, not a person
    people = {m.name for m in messages if not m.notice}
    for message in messages:
        if message.name not in people:
            message.name = None
    segments: list[Segment] = []
    skipped: Counter = Counter()
    first: float | None = None
    started = ""
    late = 0
    for message in messages:
        said, why = _said(message)
        if why is not None:
            skipped[why] += 1
            continue
        try:
            moment = _seconds(message.stamp, order)
        except ValueError as exc:
            stamp = _clean(message.stamp.string[:message.stamp.start("rest")]).strip(" -–[]")
            raise TimingError(str(path), f"cannot read the date and time {stamp!r} ({exc})",
                              line=message.line,
                              hint="check the date and time at the start of this line; a "
                                   "WhatsApp export writes them as the phone showed them, "
                                   "e.g. '12/03/2024, 14:05' or '3/12/24, 2:05 PM'") from None
        if first is None:
            first = moment
            started = (datetime.fromordinal(int(moment // 86400))
                       + timedelta(seconds=moment % 86400)).isoformat()
        start = moment - first
        if segments and start < segments[-1].start:
            # a message the phone shows later but stamped earlier (sent offline, delivered
            # late): it keeps its place in the chat, at the time of the message above it
            late += 1
            start = segments[-1].start
        segments.append(Segment(message.name, said, start=start, line=message.line))
    if not segments:
        raise EmptyTranscriptError(
            str(path), f"no messages to read: its {len(messages)} dated lines are all "
            "WhatsApp's notices, media markers or deleted messages",
            line=messages[0].line if messages else None,
            hint="export the chat again (Export chat, Without media) once it holds the "
                 "negotiation; notices such as 'Messages and calls are end-to-end encrypted' "
                 "or 'Ana joined', '<Media omitted>' and deleted messages are not turns")
    meta = {"export": f"WhatsApp ({kinds.most_common(1)[0][0]})", "started": started}
    if skipped:
        meta["skipped"] = dict(sorted(skipped.items()))
    if late:
        meta["late_messages"] = late
    yield make_transcript(path, "whatsapp", segments, session_id=_session_id(path), meta=meta,
                          merge=False)


__all__ = ["looks_like_whatsapp", "read"]
