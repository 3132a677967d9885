"""Reading the first input while local workers start changes nothing about the plan.

``run_batch`` hashes and reads the first input before waiting for its workers (a fresh run
on local workers); ``FilePlanner.plan`` must then give exactly the plan it gives when it
reads the file itself: the same item keys and sessions, and for a broken file the same
failure row (its line, error and fix).
"""

from __future__ import annotations

from pathlib import Path

from analyzer.batch.planner import FilePlanner, prefetch
from analyzer.batch.store import ChunkStore
from analyzer.io.output import OutputFolder


def _plan(tmp: Path, path: Path, prefetched: bool):
    with ChunkStore(OutputFolder(tmp)) as store:
        planner = FilePlanner(store, "opts", 2, None, prefetch(path) if prefetched else None)
        return planner.plan(0, path)


def test_prefetched_good_file_plans_the_same(tmp_path, data_dir):
    path = data_dir / "good" / "sessions.csv"
    plain, pre = _plan(tmp_path / "a", path, False), _plan(tmp_path / "b", path, True)
    assert plain.items == pre.items and len(plain.items) >= 1
    assert [(i.key, i.transcripts) for i in plain.todo] == \
        [(i.key, i.transcripts) for i in pre.todo]
    assert plain.entry == pre.entry


def test_prefetched_broken_file_gives_the_same_failure(tmp_path, data_dir):
    path = data_dir / "broken" / "truncated.json"
    plain, pre = _plan(tmp_path / "a", path, False), _plan(tmp_path / "b", path, True)
    assert plain.failure is not None and pre.failure is not None
    assert plain.failure.key == pre.failure.key
    assert plain.failure.tables["failures"].to_pylist() == \
        pre.failure.tables["failures"].to_pylist()
    assert pre.failure.tables["failures"].to_pylist()[0]["line"] is not None


def test_prefetch_of_another_file_is_not_used(tmp_path, data_dir):
    first, other = data_dir / "good" / "sessions.csv", data_dir / "good" / "turns.json"
    with ChunkStore(OutputFolder(tmp_path)) as store:
        planner = FilePlanner(store, "opts", 2, None, prefetch(first))
        plan = planner.plan(0, other)
        assert planner.prefetched is not None  # still waiting for its own file
    assert all(t.source.endswith("turns.json") for i in plan.todo for t in i.transcripts)
