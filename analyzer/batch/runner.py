"""``run_batch``: analyse thousands of sessions into corpus tables, resumably.

The driver (this module) walks the inputs in order, skips what an earlier run already
finished, reads the rest one file at a time and cuts it into work items; an engine
analyses the items (here, on local workers, or on Dask); each result is committed to the
chunk store as it arrives; at the end the tables are streamed together in input order and
``manifest.json`` records what produced them. Kill it at any point and run the same call
again: finished items are reused and the final tables are those of an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..io.output import OutputFolder
from ..report.tables import (
    FAILURE_COLUMNS,
    SESSION_COLUMNS,
    SPEAKER_COLUMNS,
    STAGE_COLUMNS,
    TURN_COLUMNS,
    UNIT_COLUMNS,
)
from .assemble import write_tables
from .forkserver import default_workers
from .manifest import now, versions, write_manifest
from .parts import TABLES
from .plan import DEFAULT_CHUNK_SIZE, WorkItem, input_size, options_hash
from .planner import FilePlan, FilePlanner, Prefetched, ReadAhead, prefetch
from .store import ChunkStore
from .worker import GC_THRESHOLDS, ItemResult, WorkerConfig

TABLE_COLUMNS = {
    "turns": (TURN_COLUMNS, False), "units": (UNIT_COLUMNS, False),
    "stages": (STAGE_COLUMNS, False), "speakers": (SPEAKER_COLUMNS, False),
    "sessions": (SESSION_COLUMNS, True),
    "failures": (FAILURE_COLUMNS, False),
}
COUNTS = ("sessions", "turns", "units", "failures")
#: The order the final tables are assembled in (two at a time): the two costliest first, so
#: the two threads end together (x10, one thread: turns 0.46 s, sessions 0.48, units 0.22,
#: stages 0.13 of CPU; in ``TABLES`` order one thread had units, stages and sessions, 0.83 s).
ASSEMBLY_ORDER = ("turns", "sessions", "units", "stages", "speakers", "failures")
#: the tables that name an input file, and their column that does
RESPELLED = {"sessions": "source", "failures": "file"}
#: The driver's thread switch interval during a run (Python's default: 5 ms). Why: the
#: driver's threads (read-ahead, the pool's feeder and result threads, the main loop) mostly
#: wait on pipes and disks, and each wait ends with taking the interpreter lock back from
#: whichever thread is computing, up to a whole interval later: with the read-ahead thread
#: parsing, planning one small file took up to 0.1 s and both workers waited for work.
SWITCH_INTERVAL = 0.0005


def write_batch_overview(folder: OutputFolder, tables: Mapping[str, Path],
                         formats: Sequence[str]) -> list[Path]:
    """``reports/_index.html`` / ``.md``: every session of the run linked to its reports
    (``report/overview.py``), read back from the final Parquet tables in batches, so the
    driver's memory stays bounded however many sessions there are. An overview left by an
    earlier run in a format this run does not write is removed. (Earlier runs' session
    reports are kept: a batch never deletes reports.)"""
    from ..io.output import safe_name
    from ..report.overview import (
        OVERVIEW_COLUMNS,
        OVERVIEW_FIRST_LINE,
        OVERVIEW_FORMATS,
        OVERVIEW_NAME,
    )
    from ..report.writers import write_overview

    for fmt in OVERVIEW_FORMATS:  # an earlier run's overview this run does not rewrite
        if fmt not in formats:  # would list sessions these tables may not have
            folder.remove(f"reports/{OVERVIEW_NAME}.{fmt}", first_line=OVERVIEW_FIRST_LINE[fmt])
    if not any(fmt in OVERVIEW_FORMATS for fmt in formats):
        return []
    import pyarrow.parquet as pq

    def rows_of(path: Path, wanted: Sequence[str]) -> Callable[[], Iterator[dict]]:
        def rows() -> Iterator[dict]:
            parquet = pq.ParquetFile(path)
            columns = [c for c in wanted if c in parquet.schema_arrow.names]
            for batch in parquet.iter_batches(batch_size=2048, columns=columns):
                yield from batch.to_pylist()
        return rows

    def report_of(row: Mapping, fmt: str) -> str | None:
        # where the worker puts a session's reports (``worker.analyse_item``): under the
        # input's stem, which is the source's own, or for a session read from a folder
        # input (a Slack export's channel, ``export/general``) a parent's
        source = Path(str(row.get("source") or ""))
        name = f"{safe_name(row['session_id'])}.{fmt}"
        for path in (source, *list(source.parents)[:2]):
            if path.name:
                candidate = f"reports/{safe_name(path.stem, 'input')}/{name}"
                if (folder.root / candidate).is_file():
                    return candidate
        return None

    return write_overview(folder, rows_of(tables["sessions"], OVERVIEW_COLUMNS),
                          rows_of(tables["failures"], FAILURE_COLUMNS), formats,
                          report_dir="reports", report_of=report_of)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the garbage collector far less often for the block, then as before.

    Why: the driver allocates millions of small objects (parsed JSON, transcripts) that
    are freed by reference counting, not by the collector: they hold no cycles. With the
    default thresholds the collector still ran thousands of times over them (and over
    every object the imports left, in its full passes): about 1 s of the driver's ~5 s of
    CPU at x10. Cycles are still collected, just in larger batches.
    """
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        sys.setswitchinterval(switch)


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
    #: reader options (``--read-option``: CSV column names), as ``{"speaker_col": "Name"}``
    read_options: Mapping[str, str] = field(default_factory=dict)


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
    #: the overview pages of the reports (``reports/_index.html``, ``.md``), when written
    overview: list[Path] = field(default_factory=list)
    #: input files left out because they lie inside ``out`` (never read back)
    inside_out: list[Path] = field(default_factory=list)
    #: how sessions read in this run were read (``transcript.reading_notes``): mediator
    #: hints, a session with one party, speaker names joined
    notes: list[str] = field(default_factory=list)
    #: inputs of the last finished run into ``out`` that this one does not have
    #: (``{"inputs": n, "sessions": m}``, empty if none): its tables no longer hold them
    earlier_dropped: dict[str, int] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return self.counts["failures"]


def _make_engine(options: BatchOptions, config: WorkerConfig):
    from .engines import DaskEngine, InProcessEngine, LocalEngine

    if options.scheduler:
        return DaskEngine(config, options.scheduler)
    workers = options.workers or default_workers()
    if workers == 1:
        return InProcessEngine(config)
    return LocalEngine(config, workers)


def run_batch(paths: Sequence[str | Path], out: str | Path, options: BatchOptions = BatchOptions(),
              progress: Callable[[Progress], None] | None = None) -> BatchResult:
    """Analyse every session in ``paths`` into tables in ``out``; see the module docstring.

    Raises ``UsageError`` for a bad call (no inputs, unknown scheduler), ``OutputError`` when
    ``out`` cannot be used or another batch is writing into it, ``ModelError`` when the model
    cannot be loaded, and lets ``KeyboardInterrupt`` through after recording the run as
    interrupted (rerunning the same call finishes it).
    """
    from ..io import expand_inputs

    if isinstance(paths, (str, Path)):  # one path, not its letters (Python API QA)
        paths = [paths]
    if not isinstance(options, BatchOptions):
        raise TypeError(f"options must be a BatchOptions, not {type(options).__name__}")
    if options.chunk_size < 1:
        raise UsageError("the chunk size must be at least 1", hint="use --chunk-size 50")
    if options.workers is not None and options.workers < 1:
        raise UsageError("--workers must be at least 1", hint="use --workers 1 or more")
    root = Path(out).expanduser().resolve()
    # never read back what a batch writes (an --out inside an input folder); the files left
    # out are named to the user (until 28 Nov 2026 they were dropped without a word)
    # each real file once, symlinked folders walked once (io.expand_inputs)
    files, inside = [], []
    for p in expand_inputs([str(p) for p in paths]):
        (inside if root in Path(p).resolve().parents else files).append(Path(p))
    if not files:
        if inside:
            raise UsageError(f"every input is inside the output folder {root}, and a batch "
                             "never reads back its own output folder",
                             hint="choose an --out outside the inputs, e.g. --out results")
        raise UsageError("no transcript files found in the inputs",
                         hint="name files, folders or globs that hold transcripts")
    folder = OutputFolder(out)
    dropped = _earlier_inputs_dropped(folder, files)
    store = ChunkStore(folder)
    try:
        with fewer_collections():
            result = _Run(files, folder, store, options, progress).run()
    finally:
        store.close()
    result.inside_out[:] = inside
    result.earlier_dropped = dropped
    return result


def _earlier_inputs_dropped(folder: OutputFolder, files: list[Path]) -> dict[str, int]:
    """How many inputs (and their sessions) of the last finished run in ``folder`` this
    run does not have: its tables will not hold them. Said by the command, since a batch
    into a folder of another run replaced 941 sessions with 11 without a word (fresh user
    QA, 28 Nov 2026)."""
    import json

    try:
        earlier = json.loads((folder.root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(earlier, dict) or earlier.get("status") != "complete":
        return {}
    now_paths = {str(Path(p).resolve()) for p in files}
    gone = [entry for entry in earlier.get("inputs") or [] if isinstance(entry, dict)
            and str(Path(str(entry.get("path", ""))).resolve()) not in now_paths]
    if not gone:
        return {}
    return {"inputs": len(gone), "sessions": sum(int(e.get("sessions") or 0) for e in gone)}


class _Run:
    """One call of ``run_batch``: its plan, its counters and its manifest."""

    def __init__(self, files: list[Path], folder: OutputFolder, store: ChunkStore,
                 options: BatchOptions, progress: Callable[[Progress], None] | None) -> None:
        self.files, self.folder, self.store = files, folder, store
        self.options, self.progress = options, progress
        self.started = now()
        self.config = WorkerConfig(model_dir=options.model_dir,
                                   roles=tuple(sorted(options.roles.items())),
                                   reports=tuple(options.reports))
        self.state = Progress(files_total=len(files))
        self.inputs: list[dict] = []  # every input with its hash, for the manifest
        self.plan: list[str] = []  # every item key of the run, in input order
        #: item key -> (the spelling an earlier run wrote, this run's) of its file's path
        self.respelled: dict[str, tuple[str, str]] = {}
        self.file_keys: list[str] = []
        self.items_reused = 0
        self.manifest: dict = {"status": "starting"}
        self.prefetched: Prefetched | None = None
        self.planner: FilePlanner | None = None  # set when the work is planned
        # local and Dask workers: read the next inputs in a thread, CaSiNo dialogues as text
        self.read_ahead = False

    def start(self, model: dict) -> None:
        """Settle the options hash (it needs the model's hash) and write the first manifest."""
        options = self.options
        settings = {
            "analyzer": versions()["analyzer"], "model_hash": model.get("hash"),
            "model": model.get("name"), "model_version": model.get("version"),
            "roles": sorted(dict(options.roles).items()), "input_format": options.input_format,
            "reports": list(options.reports), "chunk_size": options.chunk_size,
        }
        if options.read_options:  # only when given: the keys of earlier runs stay valid
            settings["read_options"] = sorted(dict(options.read_options).items())
        self.opts_hash = options_hash(settings)
        self.manifest = {
            "status": "running", "started": self.started, "finished": None,
            "versions": versions(), "model": model,
            "options": {**settings, "workers": options.workers,
                        "scheduler": options.scheduler, "options_hash": self.opts_hash},
            "inputs": [str(f) for f in self.files],
        }
        write_manifest(self.folder, self.manifest)

    def run(self) -> BatchResult:
        try:
            # the engine first: local workers start loading the analyser while we wait
            engine = _make_engine(self.options, self.config)
            try:
                # other processes analyse: read ahead, and leave CaSiNo dialogues as text
                self.read_ahead = engine.name != "in-process"
                if self.read_ahead and not self.store.items:
                    # a fresh run: read the first input while the workers start
                    self.prefetched = prefetch(self.files[0], self.options.input_format,
                                               defer=True,
                                               read_options=self.options.read_options)
                self.start(engine.model_info())
                self.manifest["engine"] = {"name": engine.name, "workers": engine.workers}
                self.state.bytes_total = sum(input_size(path) for path in self.files)
                engine.run(self.work_items(), self.on_result)
            finally:
                engine.close()
            return self.finish()
        except BaseException:
            if self.manifest["status"] == "running":
                self.manifest.update(status="interrupted", finished=now(), inputs=self.inputs)
                try:
                    write_manifest(self.folder, self.manifest)
                except Exception:  # on purpose: never hide the original error
                    pass
            raise

    def work_items(self) -> Iterator[WorkItem]:
        """Items left to do, file by file; files are read when the engine wants more, and
        with local or Dask workers a few files ahead, in a thread (``planner.ReadAhead``)."""
        planner = self.planner = FilePlanner(
            self.store, self.opts_hash, self.options.chunk_size, self.options.input_format,
            self.prefetched, defer=self.read_ahead, read_options=self.options.read_options,
            roles=self.options.roles)
        self.prefetched = None
        ahead = ReadAhead(self.files, self.options.input_format, planner.finished,
                          defer=True, read_options=self.options.read_options) \
            if self.read_ahead else None
        try:
            for index, path in enumerate(self.files):
                pre = ahead.take(index) if ahead is not None else None
                plan = planner.plan(index, path, pre)
                self.note_file(plan)
                for record in plan.done:
                    self.tally(record, reused=True)
                if plan.failure is not None:
                    self.on_result(plan.failure)
                elif self.progress and not plan.todo:
                    self.progress(self.state)
                yield from plan.todo
        finally:
            if ahead is not None:
                ahead.close()

    def note_file(self, plan: FilePlan) -> None:
        if plan.spelled and plan.spelled != plan.entry.path:
            # a rerun that names the file otherwise ("big/a.json", then "/data/big/a.json"):
            # the items an earlier run finished get this run's spelling in the tables, as an
            # uninterrupted run would have them (researcher QA, 28 Nov 2026)
            todo = {item.key for item in plan.todo}
            for key in plan.items:
                if key not in todo:
                    self.respelled[key] = (plan.spelled, plan.entry.path)
        self.plan.extend(plan.items)
        self.file_keys.append(plan.key)
        self.state.files_read += 1
        self.state.sessions_known += plan.record.get("sessions", 0)
        self.state.bytes_known += plan.entry.size
        error = plan.record.get("error")
        partial = plan.record.get("partial")  # read but for a broken part (a Slack channel)
        self.inputs.append({"path": plan.entry.path, "sha256": plan.entry.digest,
                            "bytes": plan.entry.size, "sessions": plan.record.get("sessions", 0),
                            "reused": plan.reused, **({"error": error} if error else {}),
                            **({"partial": partial} if partial else {})})

    def tally(self, record: Mapping, reused: bool) -> None:
        self.state.sessions_done += record.get("sessions", 0)
        self.state.failures += record.get("failures", 0)
        if reused:
            self.state.sessions_reused += record.get("sessions", 0)
            self.items_reused += 1
        else:
            self.state.turns_done += record.get("turns", 0)

    def on_result(self, result: ItemResult) -> None:
        """Commit one finished item (reports first: once committed, an item is never redone)."""
        for name, data in result.reports.items():
            self.folder.write_bytes(name, data)
        self.tally(self.store.commit(result.key, result.tables, result.info), reused=False)
        if self.progress:
            self.progress(self.state)

    def finish(self) -> BatchResult:
        """Stream the tables together in input order, tidy the store, write the manifest."""
        jobs = []
        for name in ASSEMBLY_ORDER:
            columns, extra = TABLE_COLUMNS[name]
            keys = [k for k in self.plan if name in self.store.items[k].get("tables", ())]
            parts = [self.store.part_path(k) for k in keys]
            respell = {self.store.part_path(k): (RESPELLED[name], *self.respelled[k])
                       for k in keys if k in self.respelled} if name in RESPELLED else {}
            jobs.append((name, parts, columns, extra, respell))
        written = write_tables(self.folder, jobs)
        tables = {}
        for name in TABLES:
            tables[name], tables[f"{name}_csv"] = written[name][:2]
        overview = write_batch_overview(self.folder, tables, self.options.reports)
        counts = dict.fromkeys(COUNTS, 0)
        for key in self.plan:
            record = self.store.items[key]
            for count in COUNTS:
                counts[count] += record.get(count, 0)
        self.store.compact(self.plan, self.file_keys)
        self.manifest.update(status="complete", finished=now(), inputs=self.inputs, counts={
            **counts, "files": len(self.files),
            "files_failed": sum(1 for i in self.inputs if i.get("error")),
            "items": len(self.plan), "items_reused": self.items_reused,
            "sessions_reused": self.state.sessions_reused,
        })
        write_manifest(self.folder, self.manifest)
        return BatchResult(self.folder.root, counts, tables, self.manifest, overview,
                           notes=list(self.planner.notes) if self.planner is not None else [])
