"""The final corpus tables, streamed together from the chunk store in a fixed order.

Parts are read one at a time, in input order then session order, whatever order the work
finished in; so the tables of a resumed run or a Dask run equal those of one uninterrupted
local run, and memory holds one buffer of rows, not the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..io.output import OutputFolder
from .tabular import conform, unify_schemas

#: Rows gathered before a Parquet row group is written: few, large row groups read fast.
ROW_GROUP_ROWS = 50_000


def write_table(folder: OutputFolder, name: str, parts: Sequence[Path],
                columns: Sequence[str], extra: bool = False) -> tuple[Path, Path, int]:
    """Write ``name.parquet`` and ``name.csv`` from ``parts`` (Parquet files, in order).

    Both files are written to temporary names and renamed, so a reader never sees half a
    table. Returns the two paths and the number of rows.
    """
    schema = unify_schemas((pq.read_schema(p) for p in parts), columns, extra)
    rows = 0

    def write_parquet(tmp: Path) -> None:
        nonlocal rows
        buffer: list[pa.Table] = []
        buffered = 0
        with pq.ParquetWriter(tmp, schema) as writer:
            for part in parts:
                table = conform(pq.read_table(part), schema)
                buffer.append(table)
                buffered += table.num_rows
                if buffered >= ROW_GROUP_ROWS:
                    writer.write_table(pa.concat_tables(buffer), row_group_size=buffered)
                    rows += buffered
                    buffer, buffered = [], 0
            if buffered:
                writer.write_table(pa.concat_tables(buffer), row_group_size=buffered)
                rows += buffered

    parquet_path = folder.write_atomic(f"{name}.parquet", write_parquet)

    def write_csv(tmp: Path) -> None:
        with pacsv.CSVWriter(tmp, schema) as writer:
            for batch in pq.ParquetFile(parquet_path).iter_batches(batch_size=10_000):
                writer.write_batch(batch)

    csv_path = folder.write_atomic(f"{name}.csv", write_csv)
    return parquet_path, csv_path, rows
