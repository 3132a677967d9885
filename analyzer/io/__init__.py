"""Reading transcripts in every format users bring, and finding them on disk.

``read_transcripts(path)`` sniffs the format (extension, then content), decodes the bytes
(UTF-8, UTF-8/16/32 with a byte-order mark, UTF-16 without one, else Windows-1252) and yields
one ``Transcript`` per session in the file. ``expand_inputs(paths)`` turns the user's files,
folders and globs into the list of transcript files (and ConvoKit corpus or Slack export
folders) to read.
Every problem is a ``ReadError`` naming the file, the line (or cue, or JSON path) and the fix.
See docs/formats.md for the formats and the error catalogue.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ..errors import InputNotFoundError, UnknownFormatError
from ..transcript import Transcript
from .csvfile import ALIASES as _CSV_COLUMNS
from .decoding import decode, read_bytes
from .formats import (
    CHAT_HINT,
    CHAT_PROBLEM,
    EXTENSIONS,
    FORMATS,
    FormatSpec,
    looks_like_chat,
    looks_like_docx,
    sniff,
    spec_named,
)
from .writers import to_csv, to_text, write_csv, write_text

#: The reader options there are (``read_transcripts(path, speaker_col="Name")``, the
#: command line's ``--read-option``): the CSV reader's column names.
READ_OPTIONS = tuple(f"{field}_col" for field in _CSV_COLUMNS)

__all__ = [
    "FORMATS", "FormatSpec", "expand_inputs", "read_transcripts", "to_csv", "to_text",
    "unique_session_ids", "write_csv", "write_text",
]

#: Files the analyser itself writes into an output folder; never read back as transcripts.
OUTPUT_FILES = frozenset({"turns.csv", "units.csv", "stages.csv", "speakers.csv",
                          "sessions.csv", "failures.csv", "manifest.json"})


def read_transcripts(path: str | Path, format: str | None = None,
                     **options) -> Iterator[Transcript]:
    """Yield the sessions in ``path`` (a file, or a ConvoKit corpus or Slack export folder).

    ``format`` (``text``, ``whatsapp``, ``slack``, ``vtt``, ``srt``, ``csv``, ``json``,
    ``convokit``, ``eaf``, ``docx``) overrides sniffing. ``options`` go to the reader (e.g.
    ``speaker_col="who"`` for CSV).
    """
    path = Path(path)
    unknown = sorted(set(options) - set(READ_OPTIONS))
    if unknown:  # as the CLI checks --read-option (a typo was ignored from Python; QA)
        raise TypeError(f"unknown reader option(s) {', '.join(unknown)}; the options are "
                        f"{', '.join(READ_OPTIONS)} (CSV column names)")
    if not path.exists():
        raise InputNotFoundError(str(path), "no such file or folder",
                                 hint="check the path (and the current folder)")
    if path.is_dir() and sniff(path, None) == "slack" and (
            format is None or spec_named(path, format).name == "slack"):
        yield from spec_named(path, "slack").reader(path, None, **options)
        return
    if format is not None:
        spec = spec_named(path, format)
    else:
        name = sniff(path, None)
        known = spec_named(path, name) if name is not None else None
        spec = known if known is not None and (known.name == "convokit" or known.binary) \
            else None
    if path.is_dir() and (spec is None or spec.name != "convokit" or not _is_corpus(path)):
        raise UnknownFormatError(str(path), "this is a folder, not a transcript file (nor a "
                                 "ConvoKit corpus with utterances.jsonl, nor a Slack export "
                                 "or channel folder)",
                                 hint="pass the files inside it, or use expand_inputs / "
                                      "`analyzer analyze FOLDER`, which finds them")
    if spec is not None and (spec.name == "convokit" or spec.binary):
        yield from spec.reader(path, None, **options)
        return
    data = read_bytes(path)
    if spec is None and looks_like_docx(data):  # a Word document under another name
        yield from spec_named(path, "docx").reader(path, None, **options)
        return
    text = decode(path, data)
    if spec is None:
        name = sniff(path, text)
        if name is None and looks_like_chat(text):
            raise UnknownFormatError(str(path), CHAT_PROBLEM, hint=CHAT_HINT)
        if name is None:
            raise UnknownFormatError(
                str(path), f"cannot tell the transcript format of this "
                f"{path.suffix or 'extension-less'} file",
                hint="rename it with a known extension (.txt, .vtt, .srt, .csv, .json) or "
                     "pass --input-format; `analyzer formats` lists them")
        spec = spec_named(path, name)
    yield from spec.reader(path, text, **options)


def _is_corpus(path: Path) -> bool:
    from .convokit import is_corpus

    return is_corpus(path)


def _looks_like_transcript(path: Path) -> bool:
    """A known extension, not our own output; ``~$name.docx`` is the lock file Word keeps
    beside a document while it is open, not a document."""
    return path.suffix.lower() in EXTENSIONS and path.name not in OUTPUT_FILES \
        and path.suffix.lower() != ".jsonl" and not path.name.startswith("~$")


def _is_output_folder(folder: Path) -> bool:
    """A folder this analyser wrote, skipped when reading a tree: it holds our tables, or the
    run manifest, or a batch's (hidden) ``.parts`` store while the batch is unfinished."""
    return ((folder / "turns.csv").is_file() and (folder / "sessions.csv").is_file()) \
        or (folder / "manifest.json").is_file() or (folder / ".parts").is_dir()


def _walk(folder: Path, visited: set[Path]) -> Iterator[Path]:
    """The transcripts under ``folder``, sorted by name, skipping hidden entries and output
    folders; a folder already walked (under any name) is not walked again."""
    from .convokit import is_corpus
    from .slack import is_slack

    real = folder.resolve()
    if real in visited:
        return
    visited.add(real)
    if is_corpus(folder) or is_slack(folder):  # one input, not its files one by one
        yield folder
        return
    if _is_output_folder(folder):
        return
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry, visited)
        elif entry.is_file() and _looks_like_transcript(entry):
            yield entry


def _home(text: str) -> str:
    """``~`` or ``~/x`` with the home folder, when there is one; anything else as given.
    Why: ``Path.expanduser`` raises on ``~$report.docx`` (Word's lock file, picked up by a
    shell glob) and on ``~draft.txt``, reading them as the home of a user "$report.docx";
    a file name is never a reason to stop the run."""
    if text == "~" or text.startswith(("~/", "~" + os.sep)):
        try:
            return os.path.expanduser(text)
        except RuntimeError:  # no home folder: the name as given
            return text
    return text


def _matches(text: str) -> list[Path]:
    """What one argument names: itself if it exists, else what it matches as a glob."""
    path = Path(_home(text))
    if path.exists():
        return [path]
    if any(ch in text for ch in "*?["):
        matches = [Path(p) for p in sorted(glob.glob(_home(text), recursive=True))]
        matches = [p for p in matches if p.is_dir() or _looks_like_transcript(p)]
        if not matches:
            raise InputNotFoundError(text, "the pattern matches no transcript file",
                                     hint="check the pattern; quote it so the shell does not "
                                          "expand it, e.g. 'calls/**/*.vtt'")
        return matches
    raise InputNotFoundError(text, "no such file or folder",
                             hint="check the path (and the current folder)")


def expand_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """The transcript files (and ConvoKit or Slack folders) named by files, folders and
    globs, each real file once.

    Folders are searched recursively for known extensions, skipping hidden files and
    folders (``.x``) and folders the analyser wrote; a ConvoKit corpus folder and a Slack
    export (or channel) folder are one input each.
    A file named directly is kept whatever its extension (its content decides). Order is
    deterministic: as given, folders sorted by name. A file is read once however it is
    named (``good.txt`` and ``$PWD/good.txt``, a symlink and its target: compared by
    ``resolve()``, the first name given kept), and a symlinked folder is followed at most
    once per real folder, so a link pointing back up the tree (``d/up -> ..``) neither
    multiplies sessions nor walks forever."""
    if isinstance(paths, (str, Path)):  # one path, not its letters (Python API QA)
        paths = [paths]
    found: list[Path] = []
    visited: set[Path] = set()  # real folders walked so far, across all arguments
    for raw in paths:
        text = str(raw)
        for match in _matches(text):
            if not match.is_dir():
                found.append(match)
                continue
            walked_before = match.resolve() in visited
            inside = list(_walk(match, visited))
            if not inside and not walked_before and Path(_home(text)) == match:
                if _is_output_folder(match):  # not "no transcripts": it may well hold some
                    raise InputNotFoundError(
                        text, "the folder is an analyser output folder (it holds the "
                        "tables of an earlier run), so it is not searched for transcripts",
                        hint="keep transcripts and --out apart: name the transcript files "
                             "themselves, or move them to a folder of their own")
                known = ", ".join(sorted(EXTENSIONS))
                raise InputNotFoundError(text, "the folder holds no transcript files",
                                         hint=f"transcripts have one of the extensions "
                                              f"{known}, or form a ConvoKit corpus or a "
                                              "Slack export")
            found.extend(inside)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def unique_session_ids(transcripts: Iterable[Transcript],
                       seen: set[str] | None = None) -> Iterator[Transcript]:
    """Rename repeated session ids ``a``, ``a`` -> ``a``, ``a-2`` (deterministic, in order).

    Two files with the same stem (``call.vtt`` and ``call.srt``) would otherwise overwrite each
    other's reports. Ids are compared regardless of case (``Call`` after ``call`` becomes
    ``Call-2``): on macOS and Windows ``Call.html`` and ``call.html`` are one file. Apply it
    once over a whole run, or pass the same ``seen`` set to calls made file by file (it is
    updated with the case-folded form of every id given out).
    """
    seen = set() if seen is None else seen
    for transcript in transcripts:
        session = transcript.session_id
        if session.casefold() in seen:
            number = 2
            while f"{session}-{number}".casefold() in seen:
                number += 1
            session = f"{session}-{number}"
            transcript = replace(transcript, session_id=session)
        seen.add(session.casefold())
        yield transcript
