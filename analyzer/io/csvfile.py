"""CSV and TSV tables: one row per turn, with a header.

Needed columns: the speaker and the text. Optional: start, end (seconds, ``HH:MM:SS``, or
date-times such as ``2025-03-12 10:04:05``, which become seconds from the session's first),
session id (a file with several sessions gives one transcript per session, in order of
first appearance), role. Column names are matched case-insensitively against common
aliases (``utterance``, ``content``, ``name``, ``participant``, ``conversation_id``...) or
given as options ``speaker_col``, ``text_col``, ``start_col``, ``end_col``, ``session_col``,
``role_col``, ``date_col``; ``start_col=none`` (any optional column) ignores the column
found, e.g. a time column that cannot be read. The delimiter (comma, semicolon, tab, pipe)
is sniffed from the header. Chat exports' 12-hour times (``10:02 AM``, ``5/14/2024 10:02:11
AM``) are read; a time of day in the start column is joined with a ``Date`` column if any.
Other columns are kept in each turn's ``meta``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ..errors import (
    EmptyTranscriptError,
    MalformedError,
    MissingColumnsError,
    NoSpeakerError,
    TimingError,
)
from ..transcript import Transcript
from .base import Segment, make_transcript
from .times import DATE_PARTS as _DATE_PARTS
from .times import day_first as _day_first
from .times import parse_clock, parse_seconds
from .times import parse_date as _date

#: Accepted column names per field (after lower-casing and turning spaces and dashes into _).
ALIASES: dict[str, tuple[str, ...]] = {
    "speaker": ("speaker", "speaker_name", "name", "participant", "author", "from", "who",
                "user", "spk", "speaker_id", "sender", "person"),
    "text": ("text", "utterance", "content", "message", "transcript", "body", "line",
             "sentence", "words", "utterance_text", "said"),
    "start": ("start", "start_time", "begin", "start_seconds", "start_sec", "starttime",
              "timestamp", "time", "offset"),
    "end": ("end", "end_time", "stop", "end_seconds", "end_sec", "endtime"),
    "session": ("session_id", "session", "conversation_id", "conversation", "dialogue_id",
                "dialog_id", "meeting_id", "call_id", "transcript_id", "negotiation_id"),
    "role": ("role", "speaker_role", "party_role"),
    "date": ("date", "day"),
}
_NEEDED = ("speaker", "text")
#: An option value that ignores a column: ``start_col=none``.
_NONE = ("none", "-", "")

#: The longest cell the csv module reads. Its default (128 KiB) refuses a long turn, and
#: with a message about a quote; turns up to ``base.MAX_TURN_CHARS`` must read, and the
#: limit only guards against a runaway field (a quote never closed, a binary file).
FIELD_LIMIT = 16 * 1024 * 1024


def _key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


class _Dialect(csv.excel):
    """Excel's CSV rules (``"`` quotes, ``""`` inside quotes) with the sniffed delimiter."""


def _dialect(path: Path, sample: str) -> type[csv.Dialect]:
    """The delimiter that splits the header row most often (outside quotes).

    Only the delimiter is sniffed: ``csv.Sniffer`` also guesses quoting rules from one
    line, and guesses them wrong often enough to corrupt text with quotes in it.
    """
    first = sample.splitlines()[0] if sample else ""
    outside = "".join(part for i, part in enumerate(first.split('"')) if i % 2 == 0)
    counts = {d: outside.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        best = "\t" if path.suffix.lower() == ".tsv" else ","
    return type("Sniffed", (_Dialect,), {"delimiter": best})


def _columns(path: Path, header: list[str], options: dict) -> dict[str, int]:
    keys = [_key(h) for h in header]
    found: dict[str, int] = {}
    for field, aliases in ALIASES.items():
        wanted = options.get(f"{field}_col")
        if wanted is not None and field not in _NEEDED and wanted.strip().lower() in _NONE:
            continue  # ignore the column (a time column that cannot be read)
        if wanted is not None:
            if _key(wanted) not in keys:
                raise MissingColumnsError(
                    str(path), f"no column {wanted!r} (given as {field}_col); the header has: "
                    f"{', '.join(header)}", line=1,
                    hint=f"name one of the header's columns with {field}_col")
            found[field] = keys.index(_key(wanted))
            continue
        for alias in aliases:
            if alias in keys and keys.index(alias) not in found.values():
                found[field] = keys.index(alias)
                break
    missing = [f for f in _NEEDED if f not in found]
    if missing:
        accepted = "; ".join(f"{f}: {', '.join(ALIASES[f])}" for f in missing)
        raise MissingColumnsError(
            str(path), f"no {' and no '.join(missing)} column; the header has: "
            f"{', '.join(h for h in header) or '(nothing)'}", line=1,
            hint=f"name the column on the command line, e.g. --read-option "
                 f"{missing[0]}_col=<its header> (in Python: read_transcripts(path, "
                 f"{missing[0]}_col=...)), or rename the column in the header row (accepted "
                 f"names, {accepted})")
    return found


#: A 12-hour time as chat exports (Teams, Slack, Excel in US locales) write it, with an
#: optional date before it: ``10:02 AM``, ``5/14/2024 10:02:11 PM``, ``2024-05-14 1:10 p.m.``.
_TWELVE_HOUR = re.compile(
    r"^(?:(?P<date>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}),?[ T]+)?(?P<h>\d{1,2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,6}))?)?\s*(?P<ampm>[AaPp])\.?\s*[Mm]\.?$")


#: A date and a 24-hour time in one cell: ``27/11/2026 09:58``, ``2026-11-27T09:58:00``.
_DATE_CLOCK = re.compile(r"^(?P<date>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}),?[ T]+"
                         r"(?P<clock>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,6})?)?)$")


def _twelve_hour(value: str, day_first: bool | None = None) -> float | None:
    """Seconds (a timestamp when dated, else from midnight) of a 12-hour time, or None."""
    match = _TWELVE_HOUR.match(value.strip())
    if not match:
        return None
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    if not 1 <= hour <= 12 or minute > 59 or second > 59:
        raise ValueError(f"not a time: {value.strip()!r}")
    hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    seconds = hour * 3600 + minute * 60 + second + float(f"0.{match['f'] or 0}")
    if match["date"]:
        try:
            return _date(match["date"], day_first).timestamp() + seconds
        except ValueError:
            raise ValueError(f"not a date: {match['date']!r}") from None
    return seconds


#: What a time cell holds: seconds from the start of the recording, a time of day, or a
#: date with a time. One column holds one kind (``_set_times``).
OFFSET, TIME_OF_DAY, DATE_TIME = "seconds from the start", "a time of day", "a date and time"


def _time(value: str, date: str = "", day_first: bool | None = None) -> tuple[float | None, str]:
    """Seconds, and which kind of time ``value`` is (chat exports write times of day or
    date-times; they become seconds from the session's first). ``date`` is the row's
    ``Date`` column: a time of day (``10:02 PM``, or ``22:02`` when the cell is a date) is
    joined with it, so a chat across midnight stays in order."""
    value, date = value.strip(), date.strip()
    dated = bool(_DATE_PARTS.match(date))
    twelve = _twelve_hour(value, day_first)
    if twelve is not None:
        if date and not _TWELVE_HOUR.match(value)["date"]:
            return _twelve_hour(f"{date} {value}", day_first), DATE_TIME
        return twelve, DATE_TIME if _TWELVE_HOUR.match(value)["date"] else TIME_OF_DAY
    if dated and parse_clock(value) is not None and re.match(r"^\d{1,2}:\d{2}", value):
        value = f"{date} {value}"  # 09:58 beside a date is a time of day, not 9 min 58 s
    match = _DATE_CLOCK.match(value)
    if match:
        try:
            day = _date(match["date"], day_first)
        except ValueError:
            raise ValueError(f"not a date: {match['date']!r}") from None
        hours, minutes, *rest = match["clock"].replace(",", ".").split(":")
        second = float(rest[0]) if rest else 0.0
        if int(hours) > 23 or int(minutes) > 59 or second >= 60:
            raise ValueError(f"not a time of day: {match['clock']!r}")
        return day.timestamp() + int(hours) * 3600 + int(minutes) * 60 + second, DATE_TIME
    try:
        return parse_seconds(value), OFFSET
    except ValueError as not_seconds:  # its message says why (not a time, negative, NaN)
        try:
            moment = datetime.fromisoformat(value.replace("/", "-"))
        except ValueError:
            raise not_seconds from None
        return moment.timestamp(), DATE_TIME


#: seconds with a decimal comma, the whole cell ("2,34", "125,5"), in a file whose fields
#: are not separated by commas (formats QA, 28 Nov 2026: Excel's ";" files were refused)
_DECIMAL_COMMA = re.compile(r"^\s*(\d+),(\d+)\s*$")


def _set_times(path: Path, timed: list[tuple[Segment, str, str, str]], column: str,
               decimal_comma: bool = False) -> bool:
    """Set each segment's start and end from its row's cells (start, end, date); True when
    they are times of day or date-times, to be counted from the session's first.

    Done once the whole file is read, so that the day/month order is decided for the file
    (``_day_first``), and so that a column mixing kinds of time is refused: a time of day
    (``10:02 AM``, seconds from midnight) beside a date-time (seconds since 1970) made a
    jump of 1.8 billion seconds."""
    dates = [cell.strip() for _, start, end, date in timed for cell in (date, start, end)]
    dates = [cell.replace("T", " ").split(" ")[0].rstrip(",") for cell in dates if cell]
    day_first = _day_first(dates)
    first: tuple[str, str, int | None] | None = None
    if decimal_comma:  # Excel in a locale that separates by ";" writes seconds as "2,34"
        timed = [(segment, *(_DECIMAL_COMMA.sub(r"\1.\2", c) for c in (start, end)), date)
                 for segment, start, end, date in timed]
    for segment, start_cell, end_cell, date in timed:
        try:
            start, start_kind = _time(start_cell, date, day_first)
            end, end_kind = _time(end_cell, date, day_first)
        except ValueError as exc:
            raise TimingError(str(path), f"cannot read the time: {exc}", line=segment.line,
                              hint="write times as seconds from the start of the recording "
                                   "(0 or more, e.g. 12.5), as HH:MM:SS(.mmm), as dates "
                                   "with times (2025-03-12 10:04:05) or 12-hour times "
                                   "(10:02 AM); or ignore the time columns with "
                                   "--read-option start_col=none --read-option end_col=none "
                                   f"(the start column is {column!r})") from None
        segment.start, segment.end = start, end
        for cell, kind, value in ((start_cell, start_kind, start), (end_cell, end_kind, end)):
            if value is None:
                continue
            if first is None:
                first = (kind, cell, segment.line)
            elif kind != first[0]:
                raise TimingError(
                    str(path), f"the times mix kinds: {cell!r} is {kind}, but {first[1]!r} "
                    f"(line {first[2]}) is {first[0]}", line=segment.line,
                    hint="write every time the same way (all seconds from the start, all "
                         "times of day, or all dates with times); a time of day beside a "
                         "date and time cannot be put on one time line")
    return first is not None and first[0] != OFFSET


def _from_first(segments: list[Segment]) -> None:
    """Date-times become seconds from the session's first one."""
    first = min((s.start for s in segments if s.start is not None), default=None)
    if first is None:
        return
    for segment in segments:
        if segment.start is not None:
            segment.start = round(segment.start - first, 3)
        if segment.end is not None:
            segment.end = round(segment.end - first, 3)


def data_rows(path: Path, reader, header: list[str], delimiter: str = ","):
    """``(line, row)`` of each non-blank data row of a strict ``csv.reader`` past its header
    (``line``: where the row starts); a row the reader cannot read, or with more fields
    than the header (an unquoted delimiter), is an E104 at its line. Shared with
    ``moves.data.read_coded_csv``, so a coded CSV and a transcript CSV say the same."""
    line = reader.line_num
    while True:
        row_line = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise broken_row(path, exc, row_line) from None
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise MalformedError(
                str(path), f"this row has {len(row)} fields but the header has {len(header)}",
                line=row_line, hint="quote fields that contain the delimiter "
                                    f"({delimiter!r}), e.g. \"Yes, fine\"")
        yield row_line, row


def broken_row(path: Path, exc: csv.Error, line: int) -> MalformedError:
    """The error for a row a strict ``csv.reader`` cannot read (``line``: where the row
    starts): a quote never closed, text after a closing quote, a runaway field. Shared with
    ``moves.data.read_coded_csv``, so a coded CSV and a transcript CSV say the same."""
    if "field limit" in str(exc):
        return MalformedError(
            str(path), f"a field in this row is longer than {FIELD_LIMIT // 2**20} MiB "
            "(or a quote opened here is never closed)", line=line,
            hint="split very long text into several rows, and check that every "
                 "quote in the row is closed")
    return MalformedError(
        str(path), f"broken CSV row ({exc}); a quoted field is never closed", line=line,
        hint="close the quote, or double quotes inside a quoted field (\"\" for \"); "
             "fields that contain the delimiter or line breaks must be quoted")


def read(path: Path, text: str, **options) -> Iterator[Transcript]:
    if csv.field_size_limit() < FIELD_LIMIT:  # process-wide; only ever raised
        csv.field_size_limit(FIELD_LIMIT)
    dialect = _dialect(path, text[:4096])
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise MalformedError(str(path), f"cannot read the header row: {exc}", line=1,
                             hint="the first row must name the columns, e.g. "
                                  "'speaker,text,start,end'") from None
    columns = _columns(path, header, options)
    used = {i for field, i in columns.items() if field != "date"}  # the date stays in meta
    extra = [(i, h) for i, h in enumerate(header) if i not in used and h.strip()]
    sessions: dict[str, list[Segment]] = {}
    roles: dict[str, dict[str, str]] = {}
    timed: list[tuple[Segment, str, str, str]] = []
    for row_line, row in data_rows(path, reader, header, dialect.delimiter):
        needed = max(columns[f] for f in _NEEDED)
        if len(row) <= needed:  # "Ana" alone: no text field at all, not an empty one
            raise MalformedError(
                str(path), f"this row has only {len(row)} field{'s' * (len(row) != 1)}: no "
                f"{header[needed]!r} field (column {needed + 1} of the header)", line=row_line,
                hint=f"give every row a {header[columns['speaker']]!r} and a "
                     f"{header[columns['text']]!r} field; text with line breaks must be quoted "
                     "(a line break outside quotes starts a new row)")
        row = row + [""] * (len(header) - len(row))

        def cell(field: str, row: list[str] = row) -> str:
            return row[columns[field]].strip() if field in columns else ""

        speaker, said = cell("speaker"), cell("text")
        if not said:
            continue
        if not speaker:
            raise NoSpeakerError(str(path), f"row without a speaker: {said[:60]!r}",
                                 line=row_line, hint="fill in the speaker column for every row")
        session = cell("session") or path.stem
        segment = Segment(speaker, said, line=row_line)
        timed.append((segment, cell("start"), cell("end"), cell("date")))
        sessions.setdefault(session, []).append(segment)
        if cell("role"):
            roles.setdefault(session, {}).setdefault(speaker, cell("role"))
        if extra:
            segment.meta = {h: row[i] for i, h in extra if row[i] != ""} or None
    if not sessions:
        raise EmptyTranscriptError(str(path), "the table has a header but no turns", line=1,
                                   hint="add one row per turn below the header")
    dated = _set_times(path, timed, header[columns["start"]] if "start" in columns
                       else "start", decimal_comma=dialect.delimiter != ",")
    for session, segments in sessions.items():
        if dated:
            _from_first(segments)
        yield make_transcript(path, "csv", segments, session_id=session,
                              roles=roles.get(session), merge=False)
