"""What runs inside a worker: one ``Analyzer`` per process, and the analysis of one work item.

The spaCy pipeline and the move model are the expensive part, so each worker process builds
its ``Analyzer`` once (in the pool's initializer, or on a Dask worker at its first task) and
keeps it for its whole life. A work item comes back as table rows (Arrow tables, small and
fast to send) plus, when asked, the bytes of its per-session reports: workers never write
into the output folder themselves, the driver does, so a Dask worker on another machine
needs no access to it.
"""

from __future__ import annotations

import gc
import os
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..errors import Failure
from .parts import EncodedPart, encode_part
from .plan import WorkItem
from .tabular import rows_to_table


@dataclass(frozen=True)
class WorkerConfig:
    """How to build the worker's ``Analyzer``; equal configs share one."""

    model_dir: str | None = None
    roles: tuple[tuple[str, str], ...] = ()
    reports: tuple[str, ...] = ()


@dataclass
class ItemResult:
    """The rows of one work item and what the driver records about it. A worker sends its
    tables encoded as the part file the driver writes (``parts.encode_part``)."""

    key: str
    tables: dict[str, pa.Table] | EncodedPart
    info: dict
    reports: dict[str, bytes] = field(default_factory=dict)


#: Allocations between the garbage collector's young-generation passes in a pool worker and
#: in the driver while a batch runs (Python's default is 700), and passes between
#: older-generation ones (default 10, 10). See ``init_pool_worker``.
GC_THRESHOLDS = (100_000, 20, 20)

_STATE: dict = {"config": None, "analyzer": None}
_LOCK = threading.Lock()


def get_analyzer(config: WorkerConfig):
    """This process's ``Analyzer`` for ``config``, built on first use and then kept.

    It explains its moves (``reasons``, per-orientation ``probabilities``) only when the
    batch writes reports: the tables hold neither, and leaving them out changes no table.

    Once built, everything alive in the process is moved out of the garbage collector's
    sight (``gc.freeze``, after one collection): the pipeline, model and vocabularies are
    ~180,000 tracked objects that live as long as the worker, and every full collection
    walked them all again. The analysis allocates plenty, so full collections keep coming;
    they now walk only the young objects (measured on CaSiNo's training file in one
    process: collections took 29 of 260 us per turn, 11.5 with the freeze). A frozen
    object is freed as usual when its last reference goes (only a reference cycle among
    them would stay: the price of never walking them)."""
    with _LOCK:
        if _STATE["analyzer"] is None or _STATE["config"] != config:
            from ..pipeline import Analyzer

            _STATE["analyzer"] = Analyzer(model_dir=config.model_dir, roles=dict(config.roles),
                                          explain=bool(config.reports))
            _STATE["config"] = config
            gc.collect()
            gc.freeze()
        return _STATE["analyzer"]


def _exit_with_driver(driver_pid: int) -> None:
    """A pool worker whose driver was killed (``kill -9``) would wait for work forever;
    this watchdog ends it instead, so an interrupted batch leaves no process behind. A
    killed driver whose own parent has not reaped it yet is a zombie that ``os.kill(pid,
    0)`` still finds (researcher QA, 28 Nov 2026), so its state is read too."""
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if not _alive(driver_pid) or os.getppid() != parent:
            os._exit(0)


def _alive(pid: int) -> bool:
    """Is ``pid`` a running process (not gone, not a zombie)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:  # no /proc (not Linux), or gone in between
        return True


def init_pool_worker(config: WorkerConfig, driver_pid: int) -> None:
    """Initializer of a local pool worker: Ctrl-C is the driver's to handle (it stops the
    pool cleanly), the worker dies with its driver, and the analyser is loaded up front.

    ``get_analyzer`` has already frozen what is loaded out of the garbage collector's walks;
    here the collector is also told to run less often (``GC_THRESHOLDS``). Why: the analysis
    allocates and frees millions of objects with no cycles among them, and Python's default
    thresholds still ran thousands of collections: with both, ~2.7 CPU s of a worker's ~20
    at x10 with 2 workers became ~0.1 s (timed with ``gc.callbacks``). Cycles are still
    collected."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_driver, args=(driver_pid,), daemon=True).start()
    try:
        get_analyzer(config)
    except Exception:  # noqa: BLE001 - raised again, with its message, by the first task
        pass
    gc.set_threshold(*GC_THRESHOLDS)


def model_info(config: WorkerConfig) -> dict:
    """The model a worker loaded (name, version, hash): the driver keys work items by it
    without loading the model itself, and a worker that cannot load it fails right away.
    A failure comes back as ``{"error": ..., "hint": ...}`` (exceptions lose their hint when
    sent between processes)."""
    from ..errors import AnalyzerError

    try:
        return dict(get_analyzer(config).info)
    except AnalyzerError as exc:
        return {"error": exc.message, "hint": exc.hint, "code": exc.code}


def raise_for_info(info: dict) -> dict:
    """``info`` itself, or the worker's model error raised again in the driver."""
    from ..errors import ModelError

    if "error" in info and "hash" not in info:
        raise ModelError(info["error"], hint=info.get("hint", ""))
    return info


def _report_bytes(analysis, formats: tuple[str, ...], prefix: str, nlp) -> dict[str, bytes]:
    from ..io.output import OutputFolder
    from ..report.writers import write_session_reports

    with tempfile.TemporaryDirectory(prefix="analyzer-reports-") as tmp:
        root = Path(tmp)
        write_session_reports(analysis, OutputFolder(root), list(formats), nlp=nlp)
        return {f"{prefix}/{p.relative_to(root).as_posix()}": p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}


#: Folders an installed package has and a checkout has not (copies of the repository's
#: corpora and model descriptions, ``setup.py``): data, not code (the model has its hash).
_DATA_COPIES = frozenset({"_corpora", "_models"})


def code_fingerprint() -> str:
    """A hash of the analyser's own files in this process (its code, stage parameters and
    report templates), computed once: two processes give the same tables only when it is
    the same. Why: a Dask worker with an older analyser went unnoticed and its rows were
    kept (cluster QA, 28 Nov 2026); the version alone misses an edited checkout."""
    if _STATE.get("code") is None:
        import hashlib

        root = Path(__file__).resolve().parents[1]
        digest = hashlib.sha256()
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if relative.parts[0] in _DATA_COPIES or not path.is_file() or \
                    path.suffix not in (".py", ".json", ".css", ".html"):
                continue
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        _STATE["code"] = digest.hexdigest()[:16]
    return _STATE["code"]


def worker_identity() -> dict:
    """This process's analyser: version, code fingerprint, host and process id (the driver
    checks every Dask worker against its own before and during a run)."""
    import socket

    from .. import __version__

    return {"analyzer": __version__, "code": code_fingerprint(),
            "host": socket.gethostname(), "pid": os.getpid()}


def analyse_item(item: WorkItem, config: WorkerConfig) -> ItemResult:
    """Analyse every session of ``item``; a session that fails becomes a ``failures`` row and
    the others go on."""
    from ..io.deferred import materialise
    from ..io.output import safe_name
    from ..report.tables import (
        FAILURE_COLUMNS,
        SESSION_COLUMNS,
        SPEAKER_COLUMNS,
        STAGE_COLUMNS,
        TURN_COLUMNS,
        UNIT_COLUMNS,
        session_row,
        speaker_rows,
        stage_rows,
        turn_rows,
        unit_rows,
    )

    analyzer = get_analyzer(config)
    turns, units, stages, speakers, sessions, failures = [], [], [], [], [], []
    reports: dict[str, bytes] = {}
    prefix = f"reports/{safe_name(Path(item.file.path).stem, 'input')}"
    transcripts = []
    for session in item.transcripts:  # a CaSiNo dialogue may come as its text: read it here
        try:
            transcripts.append(materialise(session))
        except Exception as exc:  # (checked by the driver already: not expected)
            failures.append(_failure_row(item, session.session_id, exc))
    for transcript, analysis, error in analyzer.analyze_each(transcripts):
        try:
            if error is not None:
                raise error
            rows = (turn_rows(analysis), unit_rows(analysis), stage_rows(analysis),
                    session_row(analysis), speaker_rows(analysis))
            if config.reports:
                reports.update(_report_bytes(analysis, config.reports, prefix, analyzer.nlp))
        except Exception as exc:  # one bad session never stops the others
            failures.append(_failure_row(item, transcript.session_id, exc))
            continue
        turns += rows[0]
        units += rows[1]
        stages += rows[2]
        sessions.append(rows[3])
        speakers += rows[4]
    tables = {
        "turns": rows_to_table(turns, TURN_COLUMNS),
        "units": rows_to_table(units, UNIT_COLUMNS),
        "stages": rows_to_table(stages, STAGE_COLUMNS),
        "speakers": rows_to_table(speakers, SPEAKER_COLUMNS),
        "sessions": rows_to_table(sessions, SESSION_COLUMNS, extra=True),
        "failures": rows_to_table(failures, FAILURE_COLUMNS),
    }
    info = {"file": item.file.path, "chunk": item.chunk, "sessions": len(sessions),
            "turns": len(turns), "units": len(units), "failures": len(failures),
            "worker": worker_identity()}
    return ItemResult(item.key, encode_part(tables), info, reports)


def _failure_row(item: WorkItem, session_id: str, exc: BaseException) -> dict:
    return Failure.for_session(item.file.path, session_id, exc).row()


def failed_item(item: WorkItem, error: str, hint: str) -> ItemResult:
    """The result of an item that could not be analysed at all (its worker kept dying): each
    of its sessions is a failure, and the item is marked for retry on the next run."""
    from ..report.tables import FAILURE_COLUMNS

    rows = [{"file": item.file.path, "line": None,
             "error": f"session {t.session_id}: {error}", "hint": hint}
            for t in item.transcripts]
    info = {"file": item.file.path, "chunk": item.chunk, "sessions": 0, "turns": 0,
            "units": 0, "failures": len(rows), "retry": True}
    return ItemResult(item.key, {"failures": rows_to_table(rows, FAILURE_COLUMNS)}, info)
