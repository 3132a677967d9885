"""What a batch has to do, cut into work items whose names say exactly what produced them.

A work item is a run of consecutive sessions of one input file (a CaSiNo JSON holds hundreds
of sessions; cutting it into chunks spreads the work over the workers). Its key hashes the
file's path and content hash, the chunk's place in the file, the model's hash and the run's
options: if any of them changes the key changes, so a rerun redoes exactly what is stale
and reuses everything else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..io.deferred import DeferredSession
from ..transcript import Transcript

#: Sessions per work item by default: big enough that per-item costs (a few small files and
#: one journal line) stay negligible, small enough that two workers share a CaSiNo file.
DEFAULT_CHUNK_SIZE = 50


def _files_of(path: Path) -> list[Path]:
    """The files an input consists of: itself, or for a folder input (a ConvoKit corpus)
    every file inside it, in a fixed order."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path]


def file_hash(path: str | Path) -> str:
    """SHA-256 of the input's bytes, read in blocks (never the whole file in memory); for a
    folder input, of every file's relative name and bytes."""
    path = Path(path)
    digest = hashlib.sha256()
    for file in _files_of(path):
        if file != path:
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def input_size(path: str | Path) -> int:
    """Bytes of an input (all its files for a folder input)."""
    return sum(f.stat().st_size for f in _files_of(Path(path)))


def options_hash(options: Mapping[str, Any]) -> str:
    """A short stable hash of the options that change results (model, roles, format...)."""
    text = json.dumps(options, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def item_key(path: str, digest: str, chunk: int, opts_hash: str) -> str:
    """The name of one work item's results; equal keys mean equal results."""
    text = json.dumps([str(path), digest, chunk, opts_hash])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def read_failure_key(path: str, digest: str, opts_hash: str) -> str:
    """The key of the single item standing for a file that cannot be read."""
    return item_key(path, digest, -1, opts_hash)


@dataclass(frozen=True)
class InputFile:
    """One input as found on disk: where it sits in the input order, its path and hash."""

    index: int
    path: str
    digest: str
    size: int


@dataclass(frozen=True)
class WorkItem:
    """Sessions ``first .. first+len(transcripts)-1`` of one input file, to be analysed
    (transcripts, or CaSiNo dialogues as their text: ``io.deferred``)."""

    key: str
    file: InputFile
    chunk: int
    first: int
    transcripts: tuple[Transcript | DeferredSession, ...] = field(repr=False)


def chunk_ranges(n_sessions: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``n_sessions`` in chunks of ``chunk_size``."""
    return [(start, min(start + chunk_size, n_sessions))
            for start in range(0, n_sessions, chunk_size)]
