"""Times in transcripts: clock strings and seconds, both ways; numeric dates.

The date rules serve every reader of chat exports (CSV date-time columns, WhatsApp), so a
date reads the same whichever export it comes from."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")


def clock_problem(value: str) -> str | None:
    """Why a clock string is no time, when it is written as one but with minutes or seconds
    of 60 or more (``00:99:99``; hours, or the minutes of ``MM:SS``, are unbounded); else
    None. Such a time was read as 3660 s for ``00:61:00`` and a later line then got a
    misleading "time goes backwards" (fuzzing QA, 28 Nov 2026)."""
    match = _CLOCK.match(value.strip()) or _TEAMS_CLOCK.match(value.strip())
    if not match:
        return None
    hours, minutes, seconds = match.group(1), int(match.group(2)), int(match.group(3))
    over = ([f"minutes {minutes}"] if hours is not None and minutes >= 60 else []) \
        + ([f"seconds {seconds}"] if seconds >= 60 else [])
    if not over:
        return None
    return f"{' and '.join(over)} must be under 60"


#: What a user is told to write instead of an impossible clock time.
CLOCK_HINT = ("write times as HH:MM:SS (e.g. 01:02:03.5) with minutes and seconds from 00 to "
              "59; check the file for a typing slip")


def parse_clock(value: str) -> float | None:
    """``"01:02:03.5"``, ``"1:02:03,500"``, ``"02:03"`` -> seconds; ``None`` if not a time,
    or not a possible one (``clock_problem``: minutes or seconds of 60 or more)."""
    match = _CLOCK.match(value.strip())
    if not match or clock_problem(value) is not None:
        return None
    hours, minutes, seconds, frac = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if frac:
        total += int(frac) / (10 ** len(frac))
    return float(total)


#: Microsoft Teams' older transcripts (WebVTT and Word) write cue times as ``0:0:5.420`` and
#: ``0:0:9.10``: hours, minutes, seconds and milliseconds as plain whole numbers, none padded.
_TEAMS_CLOCK = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2})\.(\d{1,3})$")
#: What marks a time as written that way: an hour of one digit and some part without the
#: leading zero standard WebVTT requires (``0:0:0.0``, ``0:12:5.420``, ``0:1:05.7``).
_TEAMS_ONLY = re.compile(r"^\d:(?:\d:\d{1,2}\.\d{1,3}|\d{1,2}:\d\.\d{1,3}"
                         r"|\d{1,2}:\d{1,2}\.\d{1,2})$")


def is_teams_clock(value: str) -> bool:
    """Whether ``value`` is a time as Teams' older transcripts write it and standard WebVTT
    does not (``0:0:5.420``); a padded ``0:00:05.420`` is both, and reads the same either way."""
    return _TEAMS_ONLY.match(value.strip()) is not None


def parse_teams_clock(value: str) -> float | None:
    """``"0:0:5.420"`` -> 5.42, ``"0:0:9.10"`` -> 9.01; ``None`` if not such a time.

    Why the digits after the point are milliseconds, not a decimal fraction: Teams writes the
    millisecond count as a whole number without leading zeros (its first cue starts at
    ``0:0:0.0``; its three-digit values keep their trailing zero, ``5.420``, which a trimmed
    decimal would not). So ``9.10`` is 9 s and 10 ms. Three digits read the same both ways.
    """
    match = _TEAMS_CLOCK.match(value.strip())
    if not match or clock_problem(value) is not None:
        return None
    hours, minutes, seconds, millis = (int(part) for part in match.groups())
    return round(hours * 3600 + minutes * 60 + seconds + millis / 1000, 3)


def parse_seconds(value: Any) -> float | None:
    """Seconds from a number, a numeric string or a clock string; ``None`` when empty.

    NaN, infinities (``nan``, ``inf``, JSON ``NaN``/``Infinity``, which Python's float and json
    accept) and negative times are refused with ``ValueError``: times are seconds from the
    start of the recording, and such values would end up in durations and tables.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        # (a JSON list or object: "[]" is no time either, and said as what it is)
        raise ValueError(f"not a time: {value!r}" if isinstance(value, bool) else
                         f"not a time: a {'list' if isinstance(value, list) else 'object'}")
    if isinstance(value, (int, float)):
        try:
            return _checked(float(value), value)
        except OverflowError:  # an int too large for a float (JSON allows any length)
            raise ValueError(f"not a time: {value!r} (too large)") from None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = parse_clock(text)
        if seconds is None:
            problem = clock_problem(text)
            raise ValueError(f"not a time: {text!r}" + (f" ({problem})" if problem else "")) \
                from None
        return _checked(seconds, text)
    return _checked(seconds, text)


#: The latest time a session may have, in seconds from its start: ten years. No negotiation
#: lasts that long; a larger time is a wrong unit or a damaged file, and was accepted
#: until 28 Nov 2026 (1e300 s: the Markdown report printed a 300-digit duration).
MAX_SECONDS = 10 * 365.25 * 86400


def too_late(seconds: float) -> str:
    """How a time past ``MAX_SECONDS`` is described (in years: the seconds may have 300
    digits)."""
    return f"{seconds / (365.25 * 86400):.3g} years from the start; the most is 10 years"


#: What to do about such a time.
TOO_LATE_HINT = ("times are seconds from the start of the recording (dates: of the chat); "
                 "check the unit (milliseconds where seconds belong?) and the dates for a "
                 "typing slip")


def _checked(seconds: float, value: Any) -> float:
    if not math.isfinite(seconds):
        raise ValueError(f"not a time: {value!r} (a time must be a finite number of seconds)")
    if seconds < 0:
        raise ValueError(f"negative time: {value!r} (a time must be 0 or more seconds "
                         f"from the start of the recording)")
    if seconds > MAX_SECONDS:
        raise ValueError(f"time too large: {too_late(seconds)}")
    return seconds


#: A numeric date: ``2024-03-12``, ``12/03/2024``, ``3/12/24``, ``12.03.24``.
DATE_PARTS = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")


def parse_date(text: str, day_first: bool | None = None) -> datetime:
    """A date written ``2024-05-14``, ``5/14/2024`` (month first, as the US locales that
    write AM/PM do) or ``14/5/2024`` and ``14.05.2024`` (day first when it cannot be a month,
    or with dots). ``day_first`` is the order decided for the whole file (the function
    ``day_first``); None reads each date alone."""
    parts = [int(p) for p in re.split(r"[/.-]", text)]
    if parts[0] > 31:
        year, month, day = parts
    elif "." in text or parts[0] > 12 or day_first and parts[1] <= 12:
        day, month, year = parts
    else:
        month, day, year = parts
    return datetime(year + 2000 if year < 100 else year, month, day)


def day_first(dates: list[str]) -> bool | None:
    """Whether the file writes day before month, decided once for all its dates.

    Deciding date by date read ``11/11`` then ``12/11`` (a chat across midnight in a UK
    export) as a month apart. A date whose first number is over 12 (or with dots) makes the
    file day first, one whose second is over 12 month first; when no date tells, the order
    under which consecutive dates are closer wins (a conversation spans days, not months);
    a tie keeps month first. None when the dates contradict each other (each read alone)."""
    dates = [d for d in dates if DATE_PARTS.match(d) and int(re.split(r"[/.-]", d)[0]) <= 31]
    if not dates:
        return None
    firsts = [int(re.split(r"[/.-]", d)[0]) for d in dates]
    seconds = [int(re.split(r"[/.-]", d)[1]) for d in dates]
    day = any("." in d for d in dates) or max(firsts) > 12
    month = max(seconds) > 12
    if day or month:
        return None if day and month else day

    def spread(first: bool) -> float:
        try:
            days = [parse_date(d, first).toordinal() for d in dates]
        except ValueError:
            return float("inf")
        return sum(abs(b - a) for a, b in zip(days, days[1:], strict=False))

    return spread(True) < spread(False)


def format_clock(seconds: float) -> str:
    """Seconds -> ``HH:MM:SS`` (with ``.mmm`` when not whole)."""
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    if millis == 1000:
        whole, millis = whole + 1, 0
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{text}.{millis:03d}" if millis else text
