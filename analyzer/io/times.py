"""Times in transcripts: clock strings and seconds, both ways."""

from __future__ import annotations

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
