"""Stage gold files: reading them and finding the sessions they describe.

A gold file follows the guideline's annotation format, one session per line::

    <session>\\topening=<i|->\\texploring=<i|->\\tbargaining=<i|->\\tclosing=<i|->\\t# rationale

``<session>`` is a CaSiNo ``dialogue_id`` (looked up in the CaSiNo train/valid files), the
file name of a transcript in an examples folder (read with ``analyzer.io``), or
``file#session_id`` for a file that holds several sessions. Indices are
turn positions as read (0-based, actions included). Lines starting with ``#`` are comments.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReadError, UsageError
from ..results import STAGES
from ..transcript import Transcript
from .metrics import labels_from_starts

REPO = Path(__file__).resolve().parents[2]


def project_roots() -> list[Path]:
    """Where the project's ``corpora/`` may be: the current folder (a checkout the command
    runs in, also after a non-editable ``pip install .``, whose package lives elsewhere),
    then the folder above the package (an editable install or a source tree)."""
    roots = [Path.cwd(), REPO]
    return [r for i, r in enumerate(roots) if r not in roots[:i]]
CASINO_FILES = ("casino_train.json", "casino_valid.json")


@dataclass(frozen=True)
class GoldEntry:
    """One annotated session: the first turn of each stage (``None`` = skipped)."""

    session: str
    starts: dict[str, int | None]
    rationale: str
    path: str
    line: int

    def labels(self, n: int) -> list[str]:
        """The gold label of each of ``n`` turns."""
        return labels_from_starts(self.starts, n)


def read_gold(path: str | Path) -> list[GoldEntry]:
    """Entries of one gold TSV; a malformed line is a ``ReadError`` naming file, line and fix."""
    from ..errors import EmptyTranscriptError
    from ..io.decoding import decode, read_bytes

    path = Path(path)
    # the transcripts' decoding (decoding.py): a BOM is dropped, a file saved in
    # Windows-1252 reads (until 28 Nov 2026 it was a UnicodeDecodeError traceback, and a
    # BOM became part of the first session's name)
    try:
        text = decode(path, read_bytes(path))
    except EmptyTranscriptError:
        return []
    except ReadError as exc:
        raise type(exc)(str(path), f"cannot read gold file: {exc.problem}",
                        hint="give the path of a stage gold TSV (UTF-8 or Windows-1252 "
                             "text)") from None
    fix = ("write <session>\\topening=<i|->\\texploring=<i|->\\tbargaining=<i|->\\t"
           "closing=<i|->\\t# rationale, as in docs/stages.md")
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = raw.split("\t")
        cut = next((k for k, f in enumerate(parts) if f.strip().startswith("#")), len(parts))
        fields = [f.strip() for f in parts[:cut] if f.strip()]
        rationale = "\t".join(parts[cut:]).strip().lstrip("#")
        if len(fields) != 1 + len(STAGES):
            raise ReadError(str(path), f"expected {1 + len(STAGES)} tab-separated fields (a "
                            f"session id and {len(STAGES)} stages), found {len(fields)}",
                            line=number, hint=fix)
        starts: dict[str, int | None] = {}
        for stage, field in zip(STAGES, fields[1:], strict=True):
            name, sep, value = field.partition("=")
            if not sep or name.strip() != stage:
                raise ReadError(str(path), f"field {field!r} should be {stage}=<index or ->",
                                line=number, hint=fix)
            value = value.strip()
            if value == "-":
                starts[stage] = None
            elif value.isascii() and value.isdigit():  # "³" is a digit int() refuses
                starts[stage] = int(value)
            else:
                raise ReadError(str(path), f"{stage}={value!r} is neither a turn index nor '-'",
                                line=number, hint=fix)
        present = [i for i in starts.values() if i is not None]
        if not present or min(present) != 0:
            raise ReadError(str(path), "the first stage present must start at turn 0",
                            line=number, hint="set the first non-skipped stage to 0")
        if present != sorted(present) or len(set(present)) != len(present):
            raise ReadError(str(path), "stage starts must increase in stage order",
                            line=number, hint="stages run opening < exploring < bargaining < "
                                              "closing; give each a later turn than the last")
        entries.append(GoldEntry(fields[0], starts, rationale.strip(), str(path), number))
    return entries


def find_casino(casino: str | Path | None = None) -> Path | None:
    """The CaSiNo folder: ``casino``, else $ANALYZER_CASINO, else ../shared/corpora/casino
    next to the checkout (``project_roots``)."""
    for candidate in (casino, os.environ.get("ANALYZER_CASINO"),
                      *(root.parent / "shared" / "corpora" / "casino"
                        for root in project_roots())):
        if candidate and any((Path(candidate) / f).exists() for f in CASINO_FILES):
            return Path(candidate)
    return None


def _read(path: Path, format: str | None = None) -> list[Transcript]:
    from ..io import read_transcripts

    return list(read_transcripts(path, format=format))


def casino_sessions(casino: Path) -> dict[str, Transcript]:
    """Every CaSiNo dialogue of the train and valid files by its dialogue id."""
    sessions: dict[str, Transcript] = {}
    for name in CASINO_FILES:
        path = casino / name
        if path.exists():
            for transcript in _read(path):
                sessions[str(transcript.session_id)] = transcript
    return sessions


def resolve(entries: Iterable[GoldEntry], casino: str | Path | None = None,
            examples: str | Path | None = None) -> list[tuple[GoldEntry, Transcript]]:
    """Pair each gold entry with its transcript: a file in ``examples``, a file named by its
    path from the folder above the gold file's own (``spoken/lease_renewal.vtt`` in
    ``corpora/stages/gold_spoken.tsv`` is ``corpora/spoken/lease_renewal.vtt``: the
    spoken-style gold keeps its transcripts apart from the bundled examples), or a CaSiNo
    dialogue id. ``FILE#ID`` picks one session of a file holding several.

    An entry whose session cannot be found, or whose indices run past its turns, is a usage
    error naming the gold file and line.
    """
    entries = list(entries)
    given_examples = Path(examples) if examples else None
    casino_cache: dict[str, Transcript] | None = None
    casino_found = False
    seen: dict[tuple[str, str], GoldEntry] = {}
    pairs = []
    for entry in entries:
        transcript = None
        key: tuple[str, str] | None = None
        name, _, session_id = entry.session.partition("#")
        # the bundled examples sit next to the gold file's folder (corpora/examples)
        examples_dir = given_examples or Path(entry.path).resolve().parent.parent / "examples"
        candidate = examples_dir / name
        if not candidate.exists() and ("/" in name or "." in name):
            candidate = Path(entry.path).resolve().parent.parent / name
        if candidate.exists():
            found = _read(candidate)
            chosen = [t for t in found if str(t.session_id) == session_id] if session_id \
                else found
            if len(chosen) > 1:
                # until 28 Nov 2026 the first session was scored against this line's stages
                names = ", ".join(f"{name}#{t.session_id}" for t in found)
                raise UsageError(f"{entry.path}:{entry.line}: {name} holds {len(found)} "
                                 f"sessions; name the one annotated: {names}",
                                 hint="write the session as FILE#SESSION_ID, one line per "
                                      "annotated session")
            if not chosen:
                ids = ", ".join(str(t.session_id) for t in found)
                raise UsageError(f"{entry.path}:{entry.line}: {candidate} holds no session "
                                 f"{session_id!r}; its sessions: {ids}",
                                 hint=f"write {name}#ID with one of those ids")
            transcript = chosen[0]
            key = (str(candidate.resolve()), str(transcript.session_id))
        elif "/" in name or Path(name).suffix:
            # a path that names nothing (until 28 Nov 2026 the message said to pass --casino)
            places = [str(candidate)] if Path(name).is_absolute() else \
                [str(examples_dir / name), str(candidate)]
            raise UsageError(f"{entry.path}:{entry.line}: transcript {name!r} does not exist "
                             f"(looked for {' and '.join(dict.fromkeys(places))})",
                             hint=_WHERE_FILES)
        else:
            folder = find_casino(casino) if casino_cache is None else None
            if casino_cache is None:
                casino_cache = casino_sessions(folder) if folder else {}
                casino_found = folder is not None
            transcript = casino_cache.get(entry.session)
            key = ("casino", entry.session)
            if transcript is None:
                raise _not_found(entry, examples_dir, casino_found)
        if key in seen:
            _duplicate(seen[key], entry)
        seen[key] = entry
        last = max(i for i in entry.starts.values() if i is not None)
        if last >= len(transcript.turns):
            raise UsageError(f"{entry.path}:{entry.line}: stage start {last} is past the last "
                             f"turn ({len(transcript.turns) - 1}) of {entry.session}",
                             hint="indices are 0-based turn positions as read, actions included")
        pairs.append((entry, transcript))
    return pairs


_WHERE_FILES = ("a relative name is looked for in --examples DIR (default: the examples "
                "folder beside the gold file's folder, <gold folder>/../examples), then "
                "from <gold folder>/..; give an absolute path or --examples DIR for your "
                "own transcripts")


def _not_found(entry: GoldEntry, examples_dir: Path, casino_found: bool) -> UsageError:
    """Why a bare name (no folder, no extension) found no session."""
    where = f"{entry.path}:{entry.line}"
    if entry.session.isascii() and entry.session.isdigit():
        if not casino_found:
            return UsageError(f"{where}: {entry.session!r} looks like a CaSiNo dialogue id, "
                              "but CaSiNo was not found",
                              hint="pass --casino DIR (the folder with casino_train.json) "
                                   "or set ANALYZER_CASINO")
        return UsageError(f"{where}: no CaSiNo dialogue {entry.session!r} in the train or "
                          "valid files", hint="check the dialogue id")
    near = sorted(p.name for p in examples_dir.glob(f"{entry.session}.*")) \
        if examples_dir.is_dir() else []
    return UsageError(f"{where}: session {entry.session!r} is neither a transcript in "
                      f"{examples_dir} nor a CaSiNo dialogue id"
                      + (f" (did you mean {' or '.join(near)}?)" if near else ""),
                      hint="name a transcript file with its extension, or a CaSiNo "
                           "dialogue by its digits; " + _WHERE_FILES)


def _duplicate(first: GoldEntry, again: GoldEntry) -> None:
    """A session annotated twice is an error: it would be scored twice, and with ``--cv``
    could land in a training fold and the test fold at once (silent until 28 Nov 2026)."""
    if Path(first.path).resolve() == Path(again.path).resolve() and first.line == again.line:
        raise UsageError(f"{again.path} is given twice: each of its sessions would be "
                         "scored twice", hint="name each gold file once")
    raise UsageError(f"{again.path}:{again.line}: session {again.session!r} is already "
                     f"annotated at {first.path}:{first.line}",
                     hint="keep one line per session (delete or comment out one of the two; "
                          "annotator files belong in a merged gold_*.tsv, not beside it)")
