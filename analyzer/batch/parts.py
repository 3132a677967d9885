"""The part file: every table of one finished work item, in one file, as Arrow IPC streams.

Layout: ``MAGIC``, the length of a JSON index (4 bytes, little-endian), the index
``{table: [offset, length]}`` (offsets after the index), then one Arrow IPC stream per table.

Why this format: a part is written once (by the driver, on commit) and read once (by the
assembly), so it wants the cheapest encoding both ways, not the smallest file. Parquet
(encoding, compression, statistics) cost the driver ~4 us per turn to write and ~15 us to
read back; an IPC stream is a copy of the Arrow buffers both ways, and reads back exactly
the table that was written. And the worker encodes it (``encode_part``): the bytes cross to
the driver as they are and go to disk as they are, where pickling Arrow tables cost the
worker more than encoding them, and the driver decoded them only to encode them again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ..errors import OutputError

#: The tables of a batch, in the order a part file holds them.
TABLES = ("turns", "units", "stages", "speakers", "sessions", "failures")
#: The first bytes of a part file.
MAGIC = b"ANLZPART1\n"


@dataclass(frozen=True)
class EncodedPart:
    """The bytes of a part file and the tables it holds (the non-empty ones)."""

    tables: tuple[str, ...]
    data: bytes


def encode_part(tables: Mapping[str, pa.Table | None]) -> EncodedPart:
    """The part file of ``tables``: the non-empty ones, in ``TABLES`` order."""
    streams = {}
    for name in TABLES:
        table = tables.get(name)
        if table is None or table.num_rows == 0:
            continue
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        streams[name] = sink.getvalue()
    index, offset = {}, 0
    for name, buffer in streams.items():
        index[name] = [offset, buffer.size]
        offset += buffer.size
    head = json.dumps(index, sort_keys=True).encode()
    data = b"".join([MAGIC, len(head).to_bytes(4, "little"), head, *streams.values()])
    return EncodedPart(tuple(streams), data)


def write_part(path: Path, part: EncodedPart) -> None:
    """Write ``part`` to ``path`` and flush it to disk."""
    with open(path, "wb") as handle:
        handle.write(part.data)
        handle.flush()
        os.fsync(handle.fileno())


def _stream(path: Path, table: str) -> pa.RecordBatchStreamReader:
    """The IPC stream reader of ``table`` in the part file ``path`` (memory-mapped)."""
    source = pa.memory_map(str(path))
    if source.read(len(MAGIC)) != MAGIC:
        raise OutputError(f"{path} is not a part file of this analyser",
                          hint="delete the .parts folder to start the batch afresh")
    size = int.from_bytes(source.read(4), "little")
    offset, length = json.loads(source.read(size))[table]
    source.seek(len(MAGIC) + 4 + size + offset)
    return pa.ipc.open_stream(source.read_buffer(length))


def read_part(path: Path, table: str) -> pa.Table:
    """Table ``table`` of the part file ``path``, exactly as it was committed."""
    return _stream(path, table).read_all()


def read_part_schema(path: Path, table: str) -> pa.Schema:
    return _stream(path, table).schema
