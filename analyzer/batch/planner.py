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

import collections
import hashlib
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import Failure, PartialReadError
from ..io.deferred import DeferredSession
from ..report.tables import FAILURE_COLUMNS
from ..transcript import Transcript, reading_notes
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
    """An input already hashed and read (or found unreadable) before its turn came; or only
    hashed (``read`` False), when an earlier run had finished it."""

    path: Path
    digest: str
    transcripts: list[Transcript | DeferredSession] | None = None
    error: Exception | None = None
    read: bool = True


def prefetch(path: Path, input_format: str | None = None,
             digest: str | None = None, defer: bool = False,
             read_options: Mapping[str, str] | None = None) -> Prefetched:
    """Hash and read ``path`` now. Why: local workers take seconds to start (imports, model
    load) and the driver only waits meanwhile; reading the first input in that time takes
    it off the critical path (``FilePlanner.plan`` then uses what was read here). ``defer``:
    as ``FilePlanner``'s."""
    from ..io.deferred import read_sessions

    digest = digest if digest is not None else file_hash(path)
    try:
        return Prefetched(path, digest, read_sessions(path, input_format, defer,
                                                      read_options))
    except Exception as exc:  # reported by ``plan`` as the file's failure, as usual
        return Prefetched(path, digest, error=exc)


class ReadAhead:
    """Reads the inputs after the current one in a background thread, in order, while the
    driver hands out the items of the current one (``take(i)`` gives input ``i`` as read).

    Why: the driver plans files one at a time, when the engine asks for more work, and
    reading a large input holds it up: a CaSiNo JSON file of 900 dialogues takes ~0.2 s. In
    a 2-worker x10 run both workers sat idle 0.1-0.19 s at each such file, nine times (~1.4 s
    of waiting each, measured in the workers): the small files before it go by in a few
    milliseconds each, so reading one file ahead was not enough. Reading stays at most
    ``MAX_FILES`` files and ``MAX_BYTES`` of input ahead, so memory does not grow with the
    corpus.

    A file an earlier run finished is only hashed, not read (``finished``), so a resumed
    run still reads nothing it does not need. ``take`` gives None for an input not read
    ahead, or when the read itself failed (the planner then reads the file and reports as
    usual). For local and Dask workers only: in the in-process engine the thread would take
    its turns from the analysis itself."""

    MAX_FILES = 16
    MAX_BYTES = 32 * 2**20

    def __init__(self, paths: list[Path], input_format: str | None, finished,
                 defer: bool = False, read_options: Mapping[str, str] | None = None) -> None:
        self.paths = paths
        self.input_format = input_format
        self.read_options = read_options
        self.defer = defer
        self.finished = finished  # (path, digest) -> bool: all its items are done already
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self._ahead: collections.deque[tuple[int, int, Future]] = collections.deque()
        self._bytes = 0  # input bytes queued and not taken yet
        self._next = 0  # the next input to queue

    def _read(self, path: Path) -> Prefetched:
        digest = file_hash(path)
        if self.finished(path, digest):
            return Prefetched(path, digest, read=False)
        return prefetch(path, self.input_format, digest, self.defer, self.read_options)

    def take(self, index: int) -> Prefetched | None:
        """Input ``index`` as read ahead (None if it was not); queues the reads after it."""
        found = None
        while self._ahead and self._ahead[0][0] <= index:
            i, size, future = self._ahead.popleft()
            self._bytes -= size
            if i == index:
                found = future
            else:
                future.cancel()
        self._next = max(self._next, index + 1)
        while self._next < len(self.paths) and (not self._ahead or (
                len(self._ahead) < self.MAX_FILES and self._bytes < self.MAX_BYTES)):
            path = self.paths[self._next]
            size = input_size(path)
            self._ahead.append((self._next, size, self._pool.submit(self._read, path)))
            self._bytes += size
            self._next += 1
        if found is None:
            return None
        try:
            return found.result()
        except Exception:  # on purpose: e.g. the file vanished: the planner says so
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass
class FilePlan:
    """One input file's part in the run: its items (in order) and what is left to do."""

    entry: InputFile
    key: str
    record: dict
    items: list[str]
    todo: list[WorkItem] = field(default_factory=list)
    done: list[dict] = field(default_factory=list)  # journal records of reused items
    failure: ItemResult | None = None  # the file (or a part of it) could not be read
    #: the file's path as an earlier run spelled it (its finished items' ``source`` and
    #: ``file`` columns say it so), when that run recorded the file
    spelled: str | None = None

    @property
    def reused(self) -> bool:
        return not self.todo and self.failure is None


class FilePlanner:
    """Plans the input files of one run, in order (the unique ids depend on that order)."""

    def __init__(self, store: ChunkStore, opts_hash: str, chunk_size: int,
                 input_format: str | None = None, prefetched: Prefetched | None = None,
                 defer: bool = False, read_options: Mapping[str, str] | None = None,
                 roles: Mapping[str, str] | None = None) -> None:
        """``defer``: keep a CaSiNo file's dialogues as their JSON text, read by the worker
        that analyses them (``io.deferred``: worth it when workers are other processes).
        ``roles``: the run's ``--roles``, for the notes on how sessions were read
        (``notes``: ``transcript.reading_notes`` of every session read here, as ``analyze``
        prints them; a CaSiNo dialogue left as text has none to give)."""
        self.defer = defer
        self.roles = dict(roles or {})
        self.notes: list[str] = []
        self.store = store
        self.prefetched = prefetched
        self.opts_hash = opts_hash
        self.chunk_size = chunk_size
        self.input_format = input_format
        self.read_options = read_options
        self.seen: set[str] = set()

    def _keys(self, where: str, digest: str, ids: list[str]) -> list[str]:
        ranges = chunk_ranges(len(ids), self.chunk_size)
        return [item_key(where, digest, i, f"{self.opts_hash}:{_ids_digest(ids[a:b])}")
                for i, (a, b) in enumerate(ranges)]

    def finished(self, path: Path, digest: str) -> bool:
        """Whether an earlier run finished every item of this file as it then cut it (then
        ``plan`` most likely reads nothing; it still decides). Safe to call from the
        read-ahead thread: it only looks records up."""
        known = self.store.file_plan(item_key(str(path.resolve()), digest, -2, self.opts_hash))
        if known is None:
            return False
        items = known["items"][:1] if known.get("error") is not None else known["items"]
        return all(self.store.done(k) for k in items)

    def plan(self, index: int, path: Path, pre: Prefetched | None = None) -> FilePlan:
        """The plan of input ``index``; ``pre``: the file as read ahead, if it was."""
        from ..io.deferred import read_sessions

        if pre is None or pre.path != path:
            pre = self.prefetched
        if pre is not None and pre.path == path:
            if pre is self.prefetched:
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
                    return FilePlan(entry, fkey, known, known["items"], done=[done],
                                    spelled=known.get("path"))
            else:
                final = unique_ids(known["ids"], self.seen)
                keys = self._keys(where, digest, final)
                if known.get("partial") is not None:  # its broken parts' failure rows last
                    keys.append(read_failure_key(where, digest, self.opts_hash))
                done = [self.store.done(k) for k in keys]
                if keys == known["items"] and all(done):
                    return FilePlan(entry, fkey, known, keys, done=done,
                                    spelled=known.get("path"))
        partial: PartialReadError | None = None
        try:
            if pre is None or not pre.read:
                transcripts = read_sessions(path, self.input_format, self.defer,
                                            self.read_options)
            elif pre.error is not None:
                raise pre.error
            else:
                transcripts = pre.transcripts or []
        except PartialReadError as exc:  # a Slack export's broken channel fails alone
            transcripts, partial = list(exc.transcripts), exc
        except Exception as exc:  # a broken file is a failure row; the run goes on
            return self._unreadable(entry, fkey, where, exc)
        ids = [t.session_id for t in transcripts]
        if final is None or known.get("ids") != ids:
            final = unique_ids(ids, self.seen)
        transcripts = [t if t.session_id == f else replace(t, session_id=f)
                       for t, f in zip(transcripts, final, strict=True)]
        for transcript in transcripts:
            if isinstance(transcript, Transcript):
                self.notes += reading_notes(transcript, self.roles)
        keys = self._keys(where, digest, final)
        record = {"path": str(path), "sha256": digest, "sessions": len(ids), "ids": ids,
                  "items": keys}
        failed = None
        if partial is not None:
            failed = self._failure_item(entry, where, [Failure.from_exception(entry.path, e)
                                                       for e in partial.errors])
            record["items"] = [*keys, failed.key]
            record["partial"] = "; ".join(e.problem for e in partial.errors)
        if known is None or any(known.get(k) != v for k, v in record.items()):
            self.store.record_file(fkey, record)
        plan = FilePlan(entry, fkey, record, record["items"],
                        spelled=known.get("path") if known is not None else None)
        ranges = chunk_ranges(len(transcripts), self.chunk_size)
        for chunk, ((start, stop), key) in enumerate(zip(ranges, keys, strict=True)):
            done = self.store.done(key)
            if done:
                plan.done.append(done)
            else:
                plan.todo.append(WorkItem(key, entry, chunk, start,
                                          tuple(transcripts[start:stop])))
        if failed is not None:
            done = self.store.done(failed.key)
            if done:
                plan.done.append(done)
            else:
                plan.failure = failed
        return plan

    def _failure_item(self, entry: InputFile, where: str,
                      failures: list[Failure]) -> ItemResult:
        """The item standing for what of ``entry`` could not be read: a failure row each."""
        key = read_failure_key(where, entry.digest, self.opts_hash)
        rows = [f.row() for f in failures]
        return ItemResult(key, {"failures": rows_to_table(rows, FAILURE_COLUMNS)},
                          {"file": entry.path, "chunk": -1, "sessions": 0, "turns": 0,
                           "units": 0, "failures": len(rows)})

    def _unreadable(self, entry: InputFile, fkey: str, where: str,
                    exc: BaseException) -> FilePlan:
        failure = Failure.from_exception(entry.path, exc)
        result = self._failure_item(entry, where, [failure])
        record = {"path": entry.path, "sha256": entry.digest, "sessions": 0,
                  "items": [result.key], "error": failure.error}
        self.store.record_file(fkey, record)
        return FilePlan(entry, fkey, record, [result.key], failure=result)
