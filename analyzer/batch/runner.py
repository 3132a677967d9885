"""``run_batch``: analyse thousands of sessions into corpus tables, resumably.

The driver (this module) walks the inputs in order, skips what an earlier run already
finished, reads the rest one file at a time and cuts it into work items; an engine
analyses the items (here, on local workers, or on Dask); each result is committed to the
chunk store as it arrives; at the end the tables are streamed together in input order and
``manifest.json`` records what produced them. Kill it at any point and run the same call
again: finished items are reused and the final tables are those of an uninterrupted run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Failure, UsageError
from ..io.output import OutputFolder
from ..report.tables import (
    FAILURE_COLUMNS,
    SESSION_COLUMNS,
    STAGE_COLUMNS,
    TURN_COLUMNS,
    UNIT_COLUMNS,
)
from .assemble import write_table
from .manifest import now, versions, write_manifest
from .plan import (
    DEFAULT_CHUNK_SIZE,
    InputFile,
    WorkItem,
    chunk_ranges,
    file_hash,
    input_size,
    item_key,
    options_hash,
    read_failure_key,
)
from .store import TABLES, ChunkStore
from .tabular import rows_to_table
from .worker import ItemResult, WorkerConfig

TABLE_COLUMNS = {
    "turns": (TURN_COLUMNS, False), "units": (UNIT_COLUMNS, False),
    "stages": (STAGE_COLUMNS, False), "sessions": (SESSION_COLUMNS, True),
    "failures": (FAILURE_COLUMNS, False),
}
COUNTS = ("sessions", "turns", "units", "failures")


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch. ``workers=None`` uses every core; ``scheduler`` (``tcp://host:port``)
    runs on that Dask cluster instead of local workers."""

    workers: int | None = None
    scheduler: str | None = None
    model_dir: str | None = None
    roles: Mapping[str, str] = field(default_factory=dict)
    input_format: str | None = None
    reports: tuple[str, ...] = ()
    chunk_size: int = DEFAULT_CHUNK_SIZE


@dataclass
class Progress:
    """Where a running batch stands, handed to the ``progress`` callback after each item."""

    files_total: int
    files_read: int = 0
    sessions_done: int = 0  # including sessions reused from an earlier run
    sessions_reused: int = 0
    sessions_known: int = 0  # sessions in the files read (or planned) so far
    bytes_known: int = 0
    bytes_total: int = 0
    turns_done: int = 0  # turns analysed by this run (not reused)
    failures: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def sessions_total(self) -> int:
        """Sessions in the whole input: exact once every file is read, else an estimate
        from the sessions per byte seen so far."""
        if self.files_read >= self.files_total or not self.bytes_known:
            return self.sessions_known
        rest = max(0, self.bytes_total - self.bytes_known)
        return self.sessions_known + round(rest * self.sessions_known / self.bytes_known)

    @property
    def total_is_exact(self) -> bool:
        return self.files_read >= self.files_total

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def turns_per_second(self) -> float:
        return self.turns_done / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class BatchResult:
    """What a finished batch produced."""

    out: Path
    counts: dict[str, int]
    tables: dict[str, Path]
    manifest: dict

    @property
    def failures(self) -> int:
        return self.counts["failures"]


def _model_info(options: BatchOptions, in_process: bool):
    """The model's identity (its hash keys every work item) and, when the work runs in this
    process, the ``Analyzer`` itself so it is loaded only once."""
    if in_process:
        from ..pipeline import Analyzer

        analyzer = Analyzer(model_dir=options.model_dir, roles=dict(options.roles))
        return dict(analyzer.info), analyzer
    from ..moves import load_model

    return dict(load_model(options.model_dir).info), None


def _make_engine(options: BatchOptions, config: WorkerConfig, analyzer):
    from .engines import DaskEngine, InProcessEngine, LocalEngine

    if options.scheduler:
        return DaskEngine(config, options.scheduler)
    if analyzer is not None:
        return InProcessEngine(config, analyzer)
    return LocalEngine(config, options.workers or os.cpu_count() or 1)


def run_batch(paths: Sequence[str | Path], out: str | Path, options: BatchOptions = BatchOptions(),
              progress: Callable[[Progress], None] | None = None) -> BatchResult:
    """Analyse every session in ``paths`` into tables in ``out``; see the module docstring.

    Raises ``UsageError`` for a bad call (no inputs, unknown scheduler), ``OutputError`` when
    ``out`` cannot be used, and lets ``KeyboardInterrupt`` through after recording the run as
    interrupted (rerunning the same call finishes it).
    """
    from ..io import expand_inputs, read_transcripts

    if options.chunk_size < 1:
        raise UsageError("the chunk size must be at least 1", hint="use --chunk-size 50")
    if options.workers is not None and options.workers < 1:
        raise UsageError("--workers must be at least 1", hint="use --workers 1 or more")
    files = [Path(p) for p in expand_inputs([str(p) for p in paths])]
    if not files:
        raise UsageError("no transcript files found in the inputs",
                         hint="name files, folders or globs that hold transcripts")
    folder = OutputFolder(out)
    started_at = now()
    in_process = options.scheduler is None and options.workers == 1
    model, analyzer = _model_info(options, in_process)
    settings = {
        "analyzer": versions()["analyzer"], "model_hash": model.get("hash"),
        "model": model.get("name"), "model_version": model.get("version"),
        "roles": sorted(dict(options.roles).items()), "input_format": options.input_format,
        "reports": list(options.reports), "chunk_size": options.chunk_size,
    }
    opts_hash = options_hash(settings)
    config = WorkerConfig(model_dir=options.model_dir, roles=tuple(sorted(options.roles.items())),
                          reports=tuple(options.reports))
    manifest = {
        "status": "running", "started": started_at, "finished": None,
        "versions": versions(), "model": model,
        "options": {**settings, "workers": options.workers, "scheduler": options.scheduler,
                    "options_hash": opts_hash},
        "inputs": [str(f) for f in files],
    }
    state = Progress(files_total=len(files))
    inputs: list[dict] = []
    plan: list[str] = []  # every item key of the run, in input order
    file_keys: list[str] = []
    counts = dict.fromkeys(COUNTS, 0)
    items_reused = 0

    store = ChunkStore(folder)
    try:
        write_manifest(folder, manifest)
        engine = _make_engine(options, config, analyzer)
        manifest["engine"] = {"name": engine.name, "workers": engine.workers}

        def tally(record: Mapping, reused: bool) -> None:
            nonlocal items_reused
            state.sessions_done += record.get("sessions", 0)
            state.failures += record.get("failures", 0)
            if reused:
                state.sessions_reused += record.get("sessions", 0)
                items_reused += 1
            else:
                state.turns_done += record.get("turns", 0)

        def on_result(result: ItemResult) -> None:
            for name, data in result.reports.items():
                folder.write_bytes(name, data)
            record = store.commit(result.key, result.tables, result.info)
            tally(record, reused=False)
            if progress:
                progress(state)

        state.bytes_total = sum(input_size(path) for path in files)

        def work_items() -> Iterator[WorkItem]:
            for index, path in enumerate(files):
                size = input_size(path)
                digest = file_hash(path)
                entry = InputFile(index, str(path), digest, size)
                fkey = item_key(str(path.resolve()), digest, -2, opts_hash)
                file_keys.append(fkey)
                known = store.file_plan(fkey)
                if known and all(store.done(k) for k in known["items"]):
                    _note_file(known, entry, reused=True)
                    for key in known["items"]:
                        tally(store.done(key), reused=True)
                    if progress:
                        progress(state)
                    continue
                try:
                    transcripts = list(read_transcripts(path, format=options.input_format))
                except Exception as exc:  # a broken file is a failure row; the run goes on
                    key = read_failure_key(str(path.resolve()), digest, opts_hash)
                    failure = Failure.from_exception(str(path), exc)
                    rows = [{"file": failure.file, "line": failure.line, "error": failure.error,
                             "hint": failure.hint}]
                    record = {"path": str(path), "sha256": digest, "sessions": 0,
                              "items": [key], "error": failure.error}
                    store.record_file(fkey, record)
                    _note_file(record, entry, reused=False)
                    on_result(ItemResult(key, {"failures": rows_to_table(rows, FAILURE_COLUMNS)},
                                         {"file": str(path), "chunk": -1, "sessions": 0,
                                          "turns": 0, "units": 0, "failures": 1}))
                    continue
                ranges = chunk_ranges(len(transcripts), options.chunk_size)
                keys = [item_key(str(path.resolve()), digest, i, opts_hash)
                        for i in range(len(ranges))]
                record = {"path": str(path), "sha256": digest, "sessions": len(transcripts),
                          "items": keys}
                if known != {**record, "type": "file", "key": fkey}:
                    store.record_file(fkey, record)
                _note_file(record, entry, reused=False)
                for chunk, ((start, stop), key) in enumerate(zip(ranges, keys, strict=True)):
                    done = store.done(key)
                    if done:
                        tally(done, reused=True)
                        continue
                    yield WorkItem(key, entry, chunk, start, tuple(transcripts[start:stop]))
                del transcripts

        def _note_file(record: Mapping, entry: InputFile, reused: bool) -> None:
            plan.extend(record["items"])
            state.files_read += 1
            state.sessions_known += record.get("sessions", 0)
            state.bytes_known += entry.size
            inputs.append({"path": entry.path, "sha256": entry.digest, "bytes": entry.size,
                           "sessions": record.get("sessions", 0), "reused": reused,
                           **({"error": record["error"]} if record.get("error") else {})})

        try:
            engine.run(work_items(), on_result)
        finally:
            engine.close()

        tables = {}
        for name in TABLES:
            columns, extra = TABLE_COLUMNS[name]
            parts = [store.part_path(k, name) for k in plan
                     if name in store.items[k].get("tables", ())]
            parquet, csv, _ = write_table(folder, name, parts, columns, extra)
            tables[name], tables[f"{name}_csv"] = parquet, csv
        for key in plan:
            record = store.items[key]
            for count in COUNTS:
                counts[count] += record.get(count, 0)
        store.compact(plan, file_keys)
        manifest.update(status="complete", finished=now(), inputs=inputs, counts={
            **counts, "files": len(files),
            "files_failed": sum(1 for i in inputs if i.get("error")),
            "items": len(plan), "items_reused": items_reused,
            "sessions_reused": state.sessions_reused,
        })
        write_manifest(folder, manifest)
        return BatchResult(folder.root, counts, tables, manifest)
    except BaseException:
        if manifest["status"] == "running":
            manifest.update(status="interrupted", finished=now(), inputs=inputs)
            try:
                write_manifest(folder, manifest)
            except Exception:  # noqa: BLE001 - never hide the original error
                pass
        raise
    finally:
        store.close()
