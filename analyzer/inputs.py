"""The files a run reads, each once: ``find_inputs(paths)`` for ``analyze``, ``formats`` and
``batch``.

It gives what ``io.expand_inputs`` gives (files, folders searched recursively, globs; same
order, same errors), with two differences the commands need:

* a file is read once however it is named: ``good.txt`` and ``$PWD/good.txt``, a symlink and
  its target, a folder and a symlink to it are the same input (compared by ``resolve()``);
  the first name given is the one kept;
* a symlinked folder is followed at most once per real folder, so a link that points back up
  the tree (``d/up -> ..``) no longer turns one transcript into dozens of sessions, nor a
  tree with two such links into an endless walk.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import InputNotFoundError
from .io import _is_output_folder, _looks_like_transcript
from .io.formats import EXTENSIONS


def _walk(folder: Path, visited: set[Path]) -> Iterator[Path]:
    """The transcripts under ``folder``, sorted by name, skipping hidden entries and output
    folders; a folder already walked (under any name) is not walked again."""
    from .io.convokit import is_corpus

    real = folder.resolve()
    if real in visited:
        return
    visited.add(real)
    if is_corpus(folder):
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


def _matches(text: str) -> list[Path]:
    """What one argument names: itself if it exists, else what it matches as a glob."""
    path = Path(text).expanduser()
    if path.exists():
        return [path]
    if any(ch in text for ch in "*?["):
        matches = [Path(p) for p in sorted(glob.glob(os.path.expanduser(text), recursive=True))]
        matches = [p for p in matches if p.is_dir() or _looks_like_transcript(p)]
        if not matches:
            raise InputNotFoundError(text, "the pattern matches no transcript file",
                                     hint="check the pattern; quote it so the shell does not "
                                          "expand it, e.g. 'calls/**/*.vtt'")
        return matches
    raise InputNotFoundError(text, "no such file or folder",
                             hint="check the path (and the current folder)")


def find_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """The transcript files (and ConvoKit folders) named by ``paths``, each real file once,
    in the order given (folders sorted by name)."""
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
            if not inside and not walked_before and Path(text).expanduser() == match:
                known = ", ".join(sorted(EXTENSIONS))
                raise InputNotFoundError(text, "the folder holds no transcript files",
                                         hint=f"transcripts have one of the extensions "
                                              f"{known}, or form a ConvoKit corpus")
            found.extend(inside)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())
