"""The chunk store keeps finished items across kills; chunk tables merge into one schema."""

from __future__ import annotations

import gc
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analyzer.batch.assemble import write_table
from analyzer.batch.engines import LocalEngine
from analyzer.batch.parts import encode_part, read_part, read_part_schema
from analyzer.batch.plan import chunk_ranges, item_key, options_hash
from analyzer.batch.runner import GC_THRESHOLDS, fewer_collections
from analyzer.batch.store import ChunkStore
from analyzer.batch.tabular import conform, rows_to_table, unify_schemas
from analyzer.batch.worker import WorkerConfig
from analyzer.errors import OutputError
from analyzer.io.output import OutputFolder


def test_mixed_values_become_text_instead_of_failing():
    table = rows_to_table([{"a": 1, "b": None}, {"a": "x", "b": 2.5}], ["a", "b", "c"])
    assert table.column("a").to_pylist() == ["1", "x"]
    assert table.column("b").type == pa.float64()
    assert table.column("c").type == pa.null()


def test_extra_columns_follow_sorted():
    table = rows_to_table([{"id": 1, "meta.z": 1}, {"id": 2, "meta.a": {"k": 1}}], ["id"],
                          extra=True)
    assert table.column_names == ["id", "meta.a", "meta.z"]
    assert table.column("meta.a").to_pylist() == [None, '{"k": 1}']


def test_union_schema_does_not_depend_on_chunk_order():
    a = rows_to_table([{"s": None, "n": 1, "m": "x"}], ["s", "n"], extra=True)
    b = rows_to_table([{"s": 1.5, "n": 2, "k": 3}], ["s", "n"], extra=True)
    c = rows_to_table([{"s": None, "n": 2.5, "m": 4}], ["s", "n"], extra=True)
    one = unify_schemas([a.schema, b.schema, c.schema], ["s", "n"], extra=True)
    two = unify_schemas([c.schema, b.schema, a.schema], ["s", "n"], extra=True)
    assert one == two
    assert one.names == ["s", "n", "k", "m"]
    assert [f.type for f in one] == [pa.float64(), pa.float64(), pa.int64(), pa.string()]
    assert conform(c, one).column("m").to_pylist() == ["4"]
    assert conform(a, one).column("k").to_pylist() == [None]


def test_conform_with_the_schemas_fields_and_several_missing_columns():
    # the wide sessions table: a part lacks several columns of one type (one shared array of
    # nulls fills them), has one of another type, and gets the same table with ``fields``
    part = rows_to_table([{"id": 1, "meta.b": 2}, {"id": 2, "meta.b": None}], ["id"],
                         extra=True)
    schema = pa.schema([("id", pa.int64()), ("meta.a", pa.string()), ("meta.b", pa.float64()),
                        ("meta.c", pa.string()), ("meta.d", pa.int64())])
    fields = list(zip(schema.names, schema.types, strict=True))
    for table in (conform(part, schema), conform(part, schema, fields)):
        assert table.schema.equals(schema)
        assert table.to_pylist() == [
            {"id": 1, "meta.a": None, "meta.b": 2.0, "meta.c": None, "meta.d": None},
            {"id": 2, "meta.a": None, "meta.b": None, "meta.c": None, "meta.d": None}]
    assert conform(part, schema, fields).equals(conform(part, schema))


def test_chunk_ranges_and_keys():
    assert chunk_ranges(5, 2) == [(0, 2), (2, 4), (4, 5)]
    assert chunk_ranges(0, 2) == []
    h = options_hash({"model": "x", "chunk_size": 2})
    assert h == options_hash({"chunk_size": 2, "model": "x"})
    assert item_key("a.json", "d1", 0, h) != item_key("a.json", "d1", 1, h)
    assert item_key("a.json", "d1", 0, h) != item_key("a.json", "d2", 0, h)
    assert item_key("a.json", "d1", 0, h) != item_key("a.json", "d1", 0, options_hash({}))


def _table(values):
    return rows_to_table([{"x": v} for v in values], ["x"])


def test_committed_items_survive_a_torn_journal(tmp_path):
    folder = OutputFolder(tmp_path)
    with ChunkStore(folder) as store:
        store.record_file("f1", {"path": "a", "sessions": 2, "items": ["k1", "k2"]})
        store.commit("k1", {"turns": _table([1, 2])}, {"sessions": 1, "turns": 2})
    # a kill in the middle of the next journal line
    with open(tmp_path / ".parts" / "journal.jsonl", "a") as handle:
        handle.write('{"type": "item", "key": "k2", "tab')
    with ChunkStore(folder) as store:
        assert store.done("k1")["turns"] == 2
        assert store.done("k2") is None
        assert store.file_plan("f1")["items"] == ["k1", "k2"]
        store.commit("k2", {"turns": _table([3])}, {"sessions": 1, "turns": 1})
    with ChunkStore(folder) as store:
        assert store.done("k2")["tables"] == ["turns"]
    lines = (tmp_path / ".parts" / "journal.jsonl").read_text().splitlines()
    assert all(json.loads(line) for line in lines)


def test_an_item_whose_part_file_vanished_is_redone(tmp_path):
    with ChunkStore(OutputFolder(tmp_path)) as store:
        store.commit("k1", {"turns": _table([1])}, {})
        store.part_path("k1").unlink()
        assert store.done("k1") is None


def test_items_that_failed_for_want_of_a_worker_are_retried(tmp_path):
    with ChunkStore(OutputFolder(tmp_path)) as store:
        store.commit("k1", {}, {"retry": True})
        assert store.done("k1") is None


def test_one_batch_at_a_time_per_folder(tmp_path):
    folder = OutputFolder(tmp_path)
    with ChunkStore(folder), pytest.raises(OutputError, match="another batch"):
        ChunkStore(folder)
    ChunkStore(folder).close()  # the lock is released with the store


def test_compact_keeps_only_the_current_run(tmp_path):
    folder = OutputFolder(tmp_path)
    with ChunkStore(folder) as store:
        store.commit("old", {"turns": _table([1])}, {})
        store.commit("new", {"turns": _table([2])}, {})
        store.compact(["new"], [])
        assert not store.part_path("old").exists()
    with ChunkStore(folder) as store:
        assert set(store.items) == {"new"}


def test_assembled_table_keeps_part_order_and_merges_types(tmp_path):
    folder = OutputFolder(tmp_path)
    parts = []
    for i, rows in enumerate([[{"x": 1, "y": None}], [{"x": 2, "y": 0.5}, {"x": 3, "y": None}]]):
        path = tmp_path / f"p{i}.parquet"
        pq.write_table(rows_to_table(rows, ["x", "y"]), path)
        parts.append(path)
    parquet, csv, rows = write_table(folder, "t", parts, ["x", "y"])
    assert rows == 3
    assert pq.read_table(parquet).to_pylist() == [
        {"x": 1, "y": None}, {"x": 2, "y": 0.5}, {"x": 3, "y": None}]
    assert csv.read_text().splitlines() == ['"x","y"', "1,", "2,0.5", "3,"]
    _, csv, rows = write_table(folder, "empty", [], ["a", "b"])
    assert rows == 0 and csv.read_text().strip() == '"a","b"'


def _reference_table(rows: list[dict], columns, extra: bool = False) -> pa.Table:
    """``rows_to_table`` as first written (one ``row.get`` per cell), the reference."""
    from analyzer.batch.tabular import column_array

    names = list(columns)
    if extra:
        seen = set(names)
        names += sorted({k for row in rows for k in row if k not in seen})
    return pa.Table.from_arrays([column_array([row.get(n) for row in rows]) for n in names],
                                names=names)


def test_row_groups_are_cut_by_bytes_as_well_as_rows(tmp_path, monkeypatch):
    """A wide table is flushed when its buffer holds ROW_GROUP_BYTES (the assembly's memory
    stays bounded before ROW_GROUP_ROWS is reached); the rows and their order are the same."""
    import analyzer.batch.assemble as assemble

    parts, expected = [], []
    for i in range(6):
        rows = [{"x": i * 100 + j, "text": f"turn {i}-{j} " * 20} for j in range(100)]
        expected += rows
        path = tmp_path / f"p{i}.parquet"
        pq.write_table(rows_to_table(rows, ["x", "text"]), path)
        parts.append(path)
    one_part = pq.read_table(parts[0]).nbytes
    monkeypatch.setattr(assemble, "ROW_GROUP_BYTES", 2 * one_part)
    parquet, csv, rows = write_table(OutputFolder(tmp_path), "t", parts, ["x", "text"])
    assert rows == 600
    assert pq.ParquetFile(parquet).metadata.num_row_groups == 3
    assert pq.read_table(parquet).to_pylist() == expected
    assert len(csv.read_text().splitlines()) == 601


def test_rows_to_table_equals_the_reference(examples_dir, casino_dir):
    """Column building by ``itemgetter`` gives the tables the cell-by-cell way gave, on the
    four tables of real analyses (examples + CaSiNo valid: metadata columns some sessions
    lack) and on rows lacking fixed columns, mixed kinds and no rows at all."""
    from analyzer.io import expand_inputs, read_transcripts
    from analyzer.moves.data import read_casino
    from analyzer.pipeline import Analyzer
    from analyzer.report import tables as T

    transcripts = [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]
    transcripts += read_casino(casino_dir / "casino_valid.json", annotated_only=False)[:10]
    analyses = list(Analyzer().analyze_many(transcripts))
    cases = [([r for a in analyses for r in T.turn_rows(a)], T.TURN_COLUMNS, False),
             ([r for a in analyses for r in T.unit_rows(a)], T.UNIT_COLUMNS, False),
             ([r for a in analyses for r in T.stage_rows(a)], T.STAGE_COLUMNS, False),
             ([T.session_row(a) for a in analyses], T.SESSION_COLUMNS, True),
             ([{"a": 1}, {"b": "x"}, {"a": [1], "c": None}], ["a", "b"], True),
             ([{"a": 1, "b": 2}, {"a": 1.5}], ["a", "b", "z"], False),
             ([], ["a", "b"], True), ([{"a": 1}], [], False)]
    assert len({k for r in cases[3][0] for k in r}) > len(T.SESSION_COLUMNS)
    for rows, columns, extra in cases:
        got, want = rows_to_table(rows, columns, extra), _reference_table(rows, columns, extra)
        assert got.equals(want, check_metadata=True), (columns, got.schema, want.schema)


def test_a_part_file_gives_back_exactly_the_tables_committed(tmp_path):
    turns = rows_to_table([{"s": "a", "n": 1, "x": None}, {"s": "é", "n": 2, "x": 0.5}],
                          ["s", "n", "x", "empty"])
    sessions = rows_to_table([{"id": "a", "meta.k": '{"k": 1}'}], ["id"], extra=True)
    with ChunkStore(OutputFolder(tmp_path)) as store:
        record = store.commit("k1", {"turns": turns, "units": _table([]),
                                     "sessions": sessions}, {"sessions": 1})
        assert record["tables"] == ["turns", "sessions"]  # empty tables are not written
        part = store.part_path("k1")
    assert read_part(part, "turns").equals(turns, check_metadata=True)
    assert read_part(part, "turns").schema == turns.schema
    assert read_part(part, "sessions").equals(sessions)
    assert read_part_schema(part, "sessions") == sessions.schema
    # assembly reads the same part for each table
    out = OutputFolder(tmp_path / "out")
    parquet, csv, rows = write_table(out, "turns", [part], ["s", "n", "x", "empty"])
    assert rows == 2 and pq.read_table(parquet).equals(turns)
    assert csv.read_text(encoding="utf-8").splitlines() == [
        '"s","n","x","empty"', '"a",1,,', '"é",2,0.5,']


def test_the_collector_thresholds_are_restored_after_a_batch():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_threshold() == before


def test_a_part_encoded_by_a_worker_is_the_file_the_driver_would_write(tmp_path):
    tables = {"sessions": rows_to_table([{"id": "a"}], ["id"]), "turns": _table([1, 2]),
              "failures": _table([])}
    with ChunkStore(OutputFolder(tmp_path)) as store:
        here = store.commit("here", tables, {})
        sent = store.commit("sent", encode_part(tables), {})
        assert here["tables"] == sent["tables"] == ["turns", "sessions"]  # in TABLES order
        assert store.part_path("here").read_bytes() == store.part_path("sent").read_bytes()


def test_pool_workers_keep_what_they_loaded_out_of_the_collectors_way():
    engine = LocalEngine(WorkerConfig(), 1)
    try:
        assert engine.model_info()["hash"]
        pool = engine._pool  # the executor has no public way to run a probe; this is one
        assert pool.submit(gc.get_threshold).result() == GC_THRESHOLDS
        assert pool.submit(gc.get_freeze_count).result() > 10_000  # libraries and the model
    finally:
        engine.close()


def test_assembly_order_covers_every_table_once():
    from analyzer.batch.parts import TABLES
    from analyzer.batch.runner import ASSEMBLY_ORDER

    assert sorted(ASSEMBLY_ORDER) == sorted(TABLES) and len(ASSEMBLY_ORDER) == len(TABLES)


def test_the_fork_server_module_is_light():
    """``analyzer batch`` starts the fork server before importing the runner: the module that
    does it must not pull the runner, pyarrow or spaCy in."""
    import subprocess
    import sys

    code = ("import sys, analyzer.batch.forkserver as f; "
            "print(*(m in sys.modules for m in ('analyzer.batch.runner', 'pyarrow', 'spacy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"] * 3


def test_a_journal_naming_a_path_out_of_the_store_is_not_followed(tmp_path):
    """Security QA, 28 Nov 2026: a journal line whose key was "../../victim/stolen" made a
    rerun read that file's tables into the corpus."""
    import json

    from analyzer.batch.store import ChunkStore
    from analyzer.io.output import OutputFolder

    folder = OutputFolder(tmp_path / "out")
    store = ChunkStore(folder)
    store.close()
    journal = tmp_path / "out" / ".parts" / "journal.jsonl"
    journal.write_text(json.dumps({"type": "item", "key": "../../victim/stolen",
                                   "tables": ["turns"]}) + "\n" + json.dumps(
        {"type": "file", "key": "abc123", "items": ["../x"]}) + "\n", encoding="utf-8")
    again = ChunkStore(folder)
    assert again.items == {} and again.files == {}
    with pytest.raises(ValueError):
        again.part_path("../../victim/stolen")
    again.close()
