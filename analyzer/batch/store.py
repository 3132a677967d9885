"""The chunk store: where finished work items are kept so that no finished work is ever lost.

Layout inside the output folder::

    DIR/.parts/<item-key>.arrows   the rows of one work item: all its tables in one file
    DIR/.parts/journal.jsonl       append-only: which files and items are done
    DIR/.parts/lock                held while a batch writes into DIR

An item is done when its line is in the journal. Its part file is written first (to a
temporary name, flushed to disk, renamed, the folder flushed), then the journal line is
appended and flushed: whatever kills the run (Ctrl-C, ``kill -9``, a power cut), an item is
either wholly done or redone on the next run, never half there. A torn last journal line is
dropped when the store is opened.

Why one file per item: each file costs an ``fsync`` (a disk flush, not cheap); with all of
an item's tables in one file (Arrow IPC streams, see ``parts``) a commit is three flushes
(the part, the folder that names it, the journal), where one Parquet file per table made
it up to six, for the same guarantee.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa

from ..errors import OutputError
from ..io.output import OutputFolder
from .parts import EncodedPart, encode_part, write_part

PARTS = ".parts"


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_KEY = re.compile(r"[A-Za-z0-9_-]{1,80}")


def _is_key(key) -> bool:
    """Whether ``key`` can be a work item's or a file's key (letters, digits, "-", "_": ours
    are hex digests). Why checked: a journal edited to name "../../victim/stolen" made a
    rerun read that file's tables into the corpus (security QA, 28 Nov 2026)."""
    return isinstance(key, str) and _KEY.fullmatch(key) is not None


class ChunkStore:
    """Finished work items of the batches run into one output folder."""

    def __init__(self, folder: OutputFolder) -> None:
        self.folder = folder
        self.dir = folder.path(PARTS, "journal.jsonl").parent
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.dir / "lock", "a+")  # on purpose: held for the store's life
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise OutputError(f"another batch is writing into {folder.root}",
                              hint="wait for it to finish, or choose another --out") from None
        self.items: dict[str, dict] = {}
        self.files: dict[str, dict] = {}
        self._journal_path = self.dir / "journal.jsonl"
        self._load()
        self._journal = open(self._journal_path, "a", encoding="utf-8")  # kept open: appended to

    # -- reading what is done ---------------------------------------------------------

    def _load(self) -> None:
        if not self._journal_path.exists():
            return
        data = self._journal_path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a line torn by a kill: drop it so the next append starts clean
            with open(self._journal_path, "r+b") as handle:
                handle.truncate(end)
        for line in data[:end].decode("utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict) or not _is_key(record.get("key")):
                continue  # no path in a key: anything else was not written by us
            if record.get("type") == "item":
                self.items[record["key"]] = record
            elif record.get("type") == "file" and all(
                    _is_key(k) for k in record.get("items") or ()):
                self.files[record["key"]] = record

    def part_path(self, key: str) -> Path:
        """The file holding the tables of item ``key`` (see ``parts``)."""
        if not _is_key(key):  # never a path out of the store, whatever a journal says
            raise ValueError(f"not a work item key: {key!r}")
        return self.dir / f"{key}.arrows"

    def done(self, key: str) -> dict | None:
        """The journal record of a finished item whose part file is present, else None."""
        record = self.items.get(key)
        if record is None or record.get("retry"):  # failed for want of a worker: try again
            return None
        if record.get("tables") and not self.part_path(key).exists():
            return None
        return record

    def file_plan(self, key: str) -> dict | None:
        """How a file was cut into items on an earlier run (sessions, item keys), if known."""
        return self.files.get(key)

    # -- recording work -----------------------------------------------------------------

    def _append(self, record: Mapping) -> None:
        self._journal.write(json.dumps(record, sort_keys=True) + "\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())

    def record_file(self, key: str, record: dict) -> None:
        record = {**record, "type": "file", "key": key}
        self.files[key] = record
        self._append(record)

    def commit(self, key: str, tables: Mapping[str, pa.Table] | EncodedPart,
               info: Mapping) -> dict:
        """Write an item's tables (empty ones are not written; ``tables`` may come encoded
        already, as workers send them) and mark it done.

        The part file is flushed before its rename and the folder after it, so the journal
        line (flushed last) never names a file a power cut could take back."""
        part = tables if isinstance(tables, EncodedPart) else encode_part(tables)
        written = list(part.tables)
        if written:
            target = self.part_path(key)
            tmp = target.with_name(f".{target.name}.tmp")
            write_part(tmp, part)
            os.replace(tmp, target)
            _fsync_path(self.dir)
        record = {**info, "type": "item", "key": key, "tables": written}
        self.items[key] = record
        self._append(record)
        return record

    # -- housekeeping -------------------------------------------------------------------

    def compact(self, keep_items: Iterable[str], keep_files: Iterable[str]) -> None:
        """Keep only the given records and their part files (those of the finished run), so
        the store does not grow with every changed option or input."""
        keep_items, keep_files = set(keep_items), set(keep_files)
        records = [r for k, r in self.files.items() if k in keep_files]
        records += [r for k, r in self.items.items() if k in keep_items]
        text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
        self._journal.close()
        self.folder.write_text(f"{PARTS}/journal.jsonl", text)
        self._journal = open(self._journal_path, "a", encoding="utf-8")  # kept open: appended to
        self.items = {k: r for k, r in self.items.items() if k in keep_items}
        self.files = {k: r for k, r in self.files.items() if k in keep_files}
        for path in self.dir.glob("*.arrows"):
            if path.name.split(".", 1)[0] not in keep_items:
                path.unlink(missing_ok=True)
        for path in self.dir.glob("*.parquet"):  # parts of the older layout, never read now
            path.unlink(missing_ok=True)
        for path in self.dir.glob(".*.tmp"):
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self._journal.close()
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()

    def __enter__(self) -> ChunkStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
