"""Sessions kept as their source text until the process that analyses them reads them.

Why: in a batch the driver reads every input to plan the work (session ids, chunks), then
sends each chunk's sessions to a worker process. For a CaSiNo file (900 dialogues, ~0.2 s to
read) the driver spent ~16 us per turn building transcripts and ~7 pickling them, and each
worker ~11 unpickling them; the driver's share held up the workers (both cores are theirs).
A ``DeferredSession`` is the dialogue's own JSON text: the driver still parses the file (for
the ids, and to raise exactly the errors the reader would), but only slices the text; the
worker builds the transcript with the same reader code (``casino.dialogue_transcript``), so it
is the same transcript (tested). Other formats are read as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ReadError
from ..transcript import Transcript


@dataclass(frozen=True)
class DeferredSession:
    """One CaSiNo dialogue of ``source`` (at ``position`` in its list) as its JSON text."""

    session_id: str
    source: str
    position: int
    text: str

    def load(self) -> Transcript:
        """The transcript ``read_transcripts`` gives for this dialogue, with this id."""
        from . import casino

        transcript = casino.dialogue_transcript(Path(self.source), self.position,
                                                json.loads(self.text))
        if transcript.session_id != self.session_id:
            transcript = replace(transcript, session_id=self.session_id)
        return transcript


def read_sessions(path: str | Path, format: str | None = None,
                  defer: bool = False, options: Mapping[str, str] | None = None,
                  ) -> list[Transcript | DeferredSession]:
    """``list(read_transcripts(path, format, **options))``; with ``defer``, a CaSiNo JSON
    file's dialogues as ``DeferredSession`` instead (checked here as the reader checks them,
    so a broken file fails here, with the same error, and a broken dialogue alone, as a
    ``PartialReadError`` carrying the others). ``options``: the reader options
    (``--read-option``: CSV column names), which no JSON reader takes."""
    from . import read_transcripts

    path = Path(path)
    options = dict(options or {})
    if not defer or format not in (None, "json") or not path.is_file():
        return list(read_transcripts(path, format=format, **options))
    from . import casino, jsonfile
    from .base import sessions_or_partial
    from .decoding import decode, read_bytes
    from .formats import sniff

    if (format or sniff(path, None)) != "json":
        return list(read_transcripts(path, format=format, **options))
    text = decode(path, read_bytes(path))
    found = None if jsonfile.looks_like_json_lines(text) else jsonfile.list_items(text)
    if found is None:  # JSON lines, an object, or malformed: the reader says which
        return list(jsonfile.read(path, text))
    if not casino.looks_like(found[0]):  # another list shape, parsed once already
        return list(jsonfile.read_data(path, found[0]))
    items, spans = found
    out: list[Transcript | DeferredSession] = []
    errors: list[ReadError] = []
    source = str(path)
    for position, (dialogue, (start, end)) in enumerate(zip(items, spans, strict=True)):
        try:
            casino.check(path, position, dialogue)
        except ReadError as exc:  # this dialogue fails alone, as in ``casino.read``
            errors.append(exc)
            continue
        out.append(DeferredSession(casino.session_id(position, dialogue), source, position,
                                   text[start:end]))
    return sessions_or_partial(out, errors, len(items), "dialogue")


def materialise(session: Transcript | DeferredSession) -> Transcript:
    """The transcript of ``session``, read now if it was deferred."""
    return session.load() if isinstance(session, DeferredSession) else session
