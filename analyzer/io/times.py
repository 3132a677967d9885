"""Times in transcripts: clock strings and seconds, both ways."""

from __future__ import annotations

import math
import re
from typing import Any

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
    """Seconds from a number, a numeric string or a clock string; ``None`` when empty.

    NaN, infinities (``nan``, ``inf``, JSON ``NaN``/``Infinity``, which Python's float and json
    accept) and negative times are refused with ``ValueError``: times are seconds from the
    start of the recording, and such values would end up in durations and tables.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
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
            raise ValueError(f"not a time: {text!r}") from None
        return seconds
    return _checked(seconds, text)


def _checked(seconds: float, value: Any) -> float:
    if not math.isfinite(seconds):
        raise ValueError(f"not a time: {value!r} (a time must be a finite number of seconds)")
    if seconds < 0:
        raise ValueError(f"negative time: {value!r} (a time must be 0 or more seconds "
                         f"from the start of the recording)")
    return seconds


def format_clock(seconds: float) -> str:
    """Seconds -> ``HH:MM:SS`` (with ``.mmm`` when not whole)."""
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    if millis == 1000:
        whole, millis = whole + 1, 0
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{text}.{millis:03d}" if millis else text
