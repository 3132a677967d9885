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


def _files(data_dir: Path) -> list[Path]:
    return sorted(p for folder in ("good", "broken") for p in (data_dir / folder).iterdir()
                  if p.is_file())


def _plans(tmp: Path, files: list[Path], ahead: bool):
    """(item keys, sessions of each item, failure rows) of every file, planned in order, with
    or without ``ReadAhead``; and which files the read-ahead read (not only hashed)."""
    from analyzer.batch.planner import ReadAhead

    out, read = [], []
    with ChunkStore(OutputFolder(tmp)) as store:
        planner = FilePlanner(store, "opts", 2, None)
        reader = ReadAhead(files, None, planner.finished) if ahead else None
        try:
            for index, path in enumerate(files):
                pre = reader.take(index) if reader else None
                if pre is not None and pre.read:
                    read.append(path.name)
                plan = planner.plan(index, path, pre)
                for item in plan.todo:  # finish every item, as a run would
                    store.commit(item.key, {}, {"sessions": len(item.transcripts)})
                failure = plan.failure
                if failure is not None:
                    store.commit(failure.key, {}, failure.info)
                out.append((plan.items, [[t.session_id for t in i.transcripts]
                                         for i in plan.todo],
                            failure.tables["failures"].to_pylist() if failure else None))
        finally:
            if reader:
                reader.close()
    return out, read


def test_reading_ahead_plans_every_file_as_reading_in_turn(tmp_path, data_dir):
    """Good and broken files, planned with the next files read in a thread: the same keys,
    sessions (ids made unique in input order) and failure rows as reading each in turn."""
    files = _files(data_dir)
    plain, _ = _plans(tmp_path / "a", files, ahead=False)
    ahead, read = _plans(tmp_path / "b", files, ahead=True)
    assert ahead == plain
    assert any(rows for _, _, rows in plain) and any(s for _, s, _ in plain)
    assert len(read) == len(files) - 1  # all but the first, which nothing read ahead


def test_reading_ahead_does_not_read_files_a_run_finished(tmp_path, data_dir):
    """On a rerun every file is finished: the read-ahead only hashes them."""
    files = _files(data_dir)
    first, _ = _plans(tmp_path, files, ahead=True)
    again, read = _plans(tmp_path, files, ahead=True)
    assert read == []
    assert [items for items, _, _ in again] == [items for items, _, _ in first]
    assert all(sessions == [] for _, sessions, _ in again)  # nothing left to do


def test_reading_ahead_stays_within_its_bounds(tmp_path, data_dir, monkeypatch):
    from analyzer.batch.planner import ReadAhead

    # empty files (size 0) never fill the byte budget, so where one falls would change what
    # is queued below: leave them out, so adding test files cannot change this test
    files = [p for p in _files(data_dir) if p.stat().st_size] * 3
    monkeypatch.setattr(ReadAhead, "MAX_FILES", 4)
    with ChunkStore(OutputFolder(tmp_path)) as store:
        reader = ReadAhead(files, None, FilePlanner(store, "opts", 2, None).finished)
        reader.take(0)
        assert len(reader._ahead) == 4 and reader._next == 5
        reader.take(3)  # skipping ahead drops what was passed over
        assert [i for i, _, _ in reader._ahead] == [4, 5, 6, 7]
        monkeypatch.setattr(ReadAhead, "MAX_BYTES", 1)
        reader.take(4)  # over the byte budget: no more queued, but never less than one
        assert [i for i, _, _ in reader._ahead] == [5, 6, 7]
        reader.take(7)
        assert [i for i, _, _ in reader._ahead] == [8]
        reader.close()


def test_deferred_casino_items_plan_and_analyse_as_transcripts(tmp_path, casino_dir):
    """With local workers a CaSiNo file's dialogues travel as their JSON text: the same item
    keys and session ids, and a worker gives the same tables for the item."""
    from analyzer.batch.worker import WorkerConfig, analyse_item
    from analyzer.io.deferred import DeferredSession

    path = casino_dir / "casino_valid.json"
    plans = []
    for defer in (False, True):
        with ChunkStore(OutputFolder(tmp_path / str(defer))) as store:
            planner = FilePlanner(store, "opts", 8, None, defer=defer)
            planner.seen.add("0")  # so some ids are renamed, as after earlier files
            plans.append(planner.plan(0, path))
    plain, deferred = plans
    assert plain.items == deferred.items
    assert all(isinstance(t, DeferredSession) for i in deferred.todo for t in i.transcripts)
    assert [[t.session_id for t in i.transcripts] for i in plain.todo] == \
        [[t.session_id for t in i.transcripts] for i in deferred.todo]
    config = WorkerConfig()
    for a, b in zip(plain.todo[:2], deferred.todo[:2], strict=True):
        ta, tb = analyse_item(a, config), analyse_item(b, config)
        assert ta.info == tb.info and ta.info["sessions"] == 8
        assert ta.tables == tb.tables  # the same Arrow bytes
