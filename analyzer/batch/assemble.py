"""The final corpus tables, streamed together from the chunk store in a fixed order.

Parts are read one at a time, in input order then session order, whatever order the work
finished in; so the tables of a resumed run or a Dask run equal those of one uninterrupted
local run, and memory holds one buffer of rows per table being written (two tables are
written at a time), not the corpus.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..io.output import OutputFolder
from .parts import read_part, read_part_schema
from .tabular import conform, unify_schemas

#: Rows gathered before a Parquet row group is written: few, large row groups read fast.
ROW_GROUP_ROWS = 50_000
#: ... unless the rows gathered already hold this many bytes of Arrow buffers. Why: the
#: buffer (and the copies the Parquet and CSV writers make of it) is most of the assembly's
#: memory, and a wide table (sessions, with every ``meta.*`` column) reaches 50,000 rows only
#: in large corpora: with the row cap alone the peak of a one-process x100 run was 812 MB
#: against 501 MB at x10; with 5,000-row groups, 428 MB against 459 MB.
ROW_GROUP_BYTES = 16 * 2**20
#: Tables assembled at once by ``write_tables``: Arrow reads, converts and writes outside
#: the GIL, so two threads keep two cores busy (the workers are gone by then).
ASSEMBLY_THREADS = 2

# ``OutputFolder.write_atomic`` reads the umask by setting and restoring it, which two
# threads must not do at once: files are built in parallel, but published one at a time.
_PUBLISH = threading.Lock()


def _write_then_publish(folder: OutputFolder, relatives: Sequence[str],
                        write: Callable[..., None]) -> list[Path]:
    """``folder.write_atomic`` for each of ``relatives``, with ``write(*tmp_paths)`` run
    outside the lock (into private temporary files beside the targets) and only the renames
    inside it, one file after the other."""
    built = []
    try:
        for relative in relatives:
            target = folder.path(relative)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                       suffix=".build")
            os.close(fd)
            built.append(Path(tmp))
        write(*built)
        with _PUBLISH:
            return [folder.write_atomic(relative, lambda p, b=b: os.replace(b, p))
                    for relative, b in zip(relatives, built, strict=True)]
    finally:
        for path in built:
            path.unlink(missing_ok=True)


def _schema(part: Path, name: str) -> pa.Schema:
    return pq.read_schema(part) if part.suffix == ".parquet" else read_part_schema(part, name)


def _read(part: Path, name: str) -> pa.Table:
    return pq.read_table(part) if part.suffix == ".parquet" else read_part(part, name)


def write_table(folder: OutputFolder, name: str, parts: Sequence[Path],
                columns: Sequence[str], extra: bool = False,
                respell: Mapping[Path, tuple[str, str, str]] | None = None
                ) -> tuple[Path, Path, int]:
    """Write ``name.parquet`` and ``name.csv`` from ``parts`` (in order): the chunk store's
    part files (table ``name`` of each, see ``parts``) or Parquet files.

    ``respell``: part -> (column, old, new): in that part's column, a path spelled ``old``
    (or a path inside it) is written as ``new`` (``runner._Run.note_file``).

    Both files are written to temporary names and renamed, so a reader never sees half a
    table. Returns the two paths and the number of rows.
    """
    schema = unify_schemas((_schema(p, name) for p in parts), columns, extra)
    fields = list(zip(schema.names, schema.types, strict=True))  # (once, not per part)
    rows = 0

    def write(parquet_tmp: Path, csv_tmp: Path) -> None:
        # the CSV is written from the same buffers as the Parquet row groups (reading the
        # finished Parquet file back for it cost a decode of the whole table)
        nonlocal rows
        buffer: list[pa.Table] = []
        buffered = buffered_bytes = 0
        with pq.ParquetWriter(parquet_tmp, schema) as parquet, \
                pacsv.CSVWriter(csv_tmp, schema) as csv:
            def flush() -> None:
                nonlocal rows, buffer, buffered, buffered_bytes
                table = pa.concat_tables(buffer)
                parquet.write_table(table, row_group_size=buffered)
                csv.write_table(table)
                rows += buffered
                buffer, buffered, buffered_bytes = [], 0, 0

            for part in parts:
                table = _read(part, name)
                if respell and part in respell:
                    table = _respelled(table, *respell[part])
                table = conform(table, schema, fields)
                buffer.append(table)
                buffered += table.num_rows
                buffered_bytes += table.nbytes
                if buffered >= ROW_GROUP_ROWS or buffered_bytes >= ROW_GROUP_BYTES:
                    flush()
            if buffered:
                flush()

    parquet_path, csv_path = _write_then_publish(folder, [f"{name}.parquet", f"{name}.csv"],
                                                 write)
    return parquet_path, csv_path, rows


def _respelled(table: pa.Table, column: str, old: str, new: str) -> pa.Table:
    """``table`` with the path ``old`` in ``column`` written as ``new``, and a path inside
    ``old`` (a channel of a Slack export folder) as the same path inside ``new``."""
    if column not in table.column_names:
        return table
    base_old, base_new = old.rstrip("/\\"), new.rstrip("/\\")

    def one(value):
        if not isinstance(value, str):
            return value
        if value in (old, base_old):
            return new
        if value.startswith((base_old + "/", base_old + "\\")):
            return base_new + value[len(base_old):]
        return value

    at = table.column_names.index(column)
    values = [one(v) for v in table.column(column).to_pylist()]
    return table.set_column(at, column, pa.array(values, type=table.schema.field(at).type))


def write_tables(folder: OutputFolder,
                 jobs: Sequence[tuple]) -> dict[str, tuple[Path, Path, int]]:
    """``write_table`` for each ``(name, parts, columns, extra[, respell])``,
    ``ASSEMBLY_THREADS`` at a time (the same files as one after the other); the first
    error is raised."""
    with ThreadPoolExecutor(max_workers=ASSEMBLY_THREADS,
                            thread_name_prefix="assemble") as pool:
        futures = {job[0]: pool.submit(write_table, folder, *job) for job in jobs}
        return {name: future.result() for name, future in futures.items()}
