"""Writing transcripts back as speaker-labelled text or CSV (the forms users edit by hand).

``read_transcripts`` reads what these write, turn for turn; the round trip is tested.
Functions ``to_*`` return the text; ``write_*`` write it to a path the caller chose (the CLI
passes paths inside the output folder only).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from ..transcript import Transcript
from .times import format_clock


def to_text(transcript: Transcript) -> str:
    """``[HH:MM:SS] Name: text`` lines (the time only when the turn has one).

    A line inside a turn that could be mistaken for a label is indented, so it reads back as
    part of the turn. A third party's role is written after the name, ``Dana (mediator):``,
    unless the name already says it.
    """
    from .text import _TIME_ONLY, _parse

    lines = []
    for turn in transcript.turns:
        stamp = f"[{format_clock(turn.start)}] " if turn.start is not None else ""
        name = turn.speaker
        role = transcript.role_of(turn.speaker)
        if role != "party" and not name.lower().startswith(role.replace("_", " ")):
            name = f"{name} ({role})"
        first, *rest = turn.text.split("\n")
        lines.append(f"{stamp}{name}: {first}".rstrip())
        for line in rest:
            protect = _parse(line) is not None or _TIME_ONLY.match(line) or not line.strip()
            lines.append(f"  {line}" if protect else line)
    return "\n".join(lines) + "\n"


def to_csv(transcripts: Transcript | Iterable[Transcript]) -> str:
    """One row per turn: ``session_id, speaker, role, start, end, text``."""
    if isinstance(transcripts, Transcript):
        transcripts = [transcripts]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["session_id", "speaker", "role", "start", "end", "text"])
    for transcript in transcripts:
        for turn in transcript.turns:
            writer.writerow([transcript.session_id, turn.speaker,
                             transcript.role_of(turn.speaker),
                             "" if turn.start is None else repr(float(turn.start)),
                             "" if turn.end is None else repr(float(turn.end)), turn.text])
    return buffer.getvalue()


def write_text(transcript: Transcript, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(to_text(transcript), encoding="utf-8")
    return path


def write_csv(transcripts: Transcript | Iterable[Transcript], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(to_csv(transcripts), encoding="utf-8", newline="")
    return path
