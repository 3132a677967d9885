"""Turning one input file into work items, or recognising that an earlier run finished it.

Per file, in input order: hash it; if the journal says how it was cut last time and every
one of those items is finished, nothing is read. Otherwise it is read, its sessions get run-
wide unique ids (``call.vtt`` and ``call.srt`` both hold session ``call``: the second becomes
``call-2``, as in ``analyzer analyze``), and it is cut into chunks. A file that cannot be read
becomes a single item holding its ``failures`` row.

Unique ids depend on the files before, so the journal keeps each file's ids as read and an
item's key includes the ids it was given: a rerun recomputes the ids from the journal alone
(without reading finished files) and reuses an item only if its ids came out the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import Failure
from ..report.tables import FAILURE_COLUMNS
from ..transcript import Transcript
from .plan import (
    InputFile,
    WorkItem,
    chunk_ranges,
    file_hash,
    input_size,
    item_key,
    read_failure_key,
)
from .store import ChunkStore
from .tabular import rows_to_table
from .worker import ItemResult


def unique_ids(ids: Iterable[str], seen: set[str]) -> list[str]:
    """The ids ``analyzer.io.unique_session_ids`` gives these sessions after ``seen`` (which
    it updates), computed from the ids alone."""
    from ..io import unique_session_ids

    stubs = (Transcript(session_id=i, source="", format="", speakers=(), turns=()) for i in ids)
    return [t.session_id for t in unique_session_ids(stubs, seen)]


def _ids_digest(ids: list[str]) -> str:
    return hashlib.sha256(json.dumps(ids).encode()).hexdigest()[:16]


@dataclass
class Prefetched:
    """An input already hashed and read (or found unreadable) before its turn came."""

    path: Path
    digest: str
    transcripts: list[Transcript] | None = None
    error: Exception | None = None


def prefetch(path: Path, input_format: str | None = None) -> Prefetched:
    """Hash and read ``path`` now. Why: local workers take seconds to start (imports, model
    load) and the driver only waits meanwhile; reading the first input in that time takes
    it off the critical path (``FilePlanner.plan`` then uses what was read here)."""
    from ..io import read_transcripts

    digest = file_hash(path)
    try:
        return Prefetched(path, digest, list(read_transcripts(path, format=input_format)))
    except Exception as exc:  # reported by ``plan`` as the file's failure, as usual
        return Prefetched(path, digest, error=exc)


@dataclass
class FilePlan:
    """One input file's part in the run: its items (in order) and what is left to do."""

    entry: InputFile
    key: str
    record: dict
    items: list[str]
    todo: list[WorkItem] = field(default_factory=list)
    done: list[dict] = field(default_factory=list)  # journal records of reused items
    failure: ItemResult | None = None  # the file could not be read

    @property
    def reused(self) -> bool:
        return not self.todo and self.failure is None


class FilePlanner:
    """Plans the input files of one run, in order (the unique ids depend on that order)."""

    def __init__(self, store: ChunkStore, opts_hash: str, chunk_size: int,
                 input_format: str | None = None, prefetched: Prefetched | None = None) -> None:
        self.store = store
        self.prefetched = prefetched
        self.opts_hash = opts_hash
        self.chunk_size = chunk_size
        self.input_format = input_format
        self.seen: set[str] = set()

    def _keys(self, where: str, digest: str, ids: list[str]) -> list[str]:
        ranges = chunk_ranges(len(ids), self.chunk_size)
        return [item_key(where, digest, i, f"{self.opts_hash}:{_ids_digest(ids[a:b])}")
                for i, (a, b) in enumerate(ranges)]

    def plan(self, index: int, path: Path) -> FilePlan:
        from ..io import read_transcripts

        pre = self.prefetched
        if pre is not None and pre.path == path:
            self.prefetched = None  # used once
        else:
            pre = None
        digest = pre.digest if pre is not None else file_hash(path)
        entry = InputFile(index, str(path), digest, input_size(path))
        where = str(path.resolve())
        fkey = item_key(where, digest, -2, self.opts_hash)
        known = self.store.file_plan(fkey)
        final = None
        if known is not None:
            if known.get("error") is not None:
                done = self.store.done(known["items"][0])
                if done:
                    return FilePlan(entry, fkey, known, known["items"], done=[done])
            else:
                final = unique_ids(known["ids"], self.seen)
                keys = self._keys(where, digest, final)
                done = [self.store.done(k) for k in keys]
                if keys == known["items"] and all(done):
                    return FilePlan(entry, fkey, known, keys, done=done)
        try:
            if pre is None:
                transcripts = list(read_transcripts(path, format=self.input_format))
            elif pre.error is not None:
                raise pre.error
            else:
                transcripts = pre.transcripts or []
        except Exception as exc:  # a broken file is a failure row; the run goes on
            return self._unreadable(entry, fkey, where, exc)
        ids = [t.session_id for t in transcripts]
        if final is None or known.get("ids") != ids:
            final = unique_ids(ids, self.seen)
        transcripts = [t if t.session_id == f else replace(t, session_id=f)
                       for t, f in zip(transcripts, final, strict=True)]
        keys = self._keys(where, digest, final)
        record = {"path": str(path), "sha256": digest, "sessions": len(ids), "ids": ids,
                  "items": keys}
        if known is None or any(known.get(k) != v for k, v in record.items()):
            self.store.record_file(fkey, record)
        plan = FilePlan(entry, fkey, record, keys)
        ranges = chunk_ranges(len(transcripts), self.chunk_size)
        for chunk, ((start, stop), key) in enumerate(zip(ranges, keys, strict=True)):
            done = self.store.done(key)
            if done:
                plan.done.append(done)
            else:
                plan.todo.append(WorkItem(key, entry, chunk, start,
                                          tuple(transcripts[start:stop])))
        return plan

    def _unreadable(self, entry: InputFile, fkey: str, where: str,
                    exc: BaseException) -> FilePlan:
        key = read_failure_key(where, entry.digest, self.opts_hash)
        failure = Failure.from_exception(entry.path, exc)
        rows = [{"file": failure.file, "line": failure.line, "error": failure.error,
                 "hint": failure.hint}]
        record = {"path": entry.path, "sha256": entry.digest, "sessions": 0, "items": [key],
                  "error": failure.error}
        self.store.record_file(fkey, record)
        result = ItemResult(key, {"failures": rows_to_table(rows, FAILURE_COLUMNS)},
                            {"file": entry.path, "chunk": -1, "sessions": 0, "turns": 0,
                             "units": 0, "failures": 1})
        return FilePlan(entry, fkey, record, [key], failure=result)
