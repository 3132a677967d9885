"""``analyzer batch``: thousands of sessions into corpus tables, on local workers or Dask."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalyzerError, ClusterError
from .common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    InputFormatOption,
    ModelOption,
    ReadOption,
    RolesOption,
    check_input_format,
    err,
    fail,
    fail_usage,
    parse_read_options,
    parse_report_formats,
    parse_roles,
    role_warnings,
    single_party_warning,
)

EXIT_INTERRUPTED = 130
#: Seconds between progress lines when stderr is not a terminal (a log file, CI).
LOG_EVERY = 10.0


class ProgressView:
    """A progress bar on a terminal, a plain line every ``LOG_EVERY`` seconds otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None
        self.last_log = 0.0
        if not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("[bold]batch"), BarColumn(),
                TextColumn("{task.completed:,}/{task.fields[total_text]} sessions"),
                TextColumn("{task.fields[rate]:,.0f} turns/s"), TextColumn("ETA"),
                TimeRemainingColumn(), console=Console(stderr=True), transient=False)
            self.task = self.bar.add_task("batch", total=None, total_text="?", rate=0.0)
            self.bar.start()

    def __call__(self, state) -> None:
        if self.quiet:
            return
        total = state.sessions_total
        total_text = f"{total:,}" if state.total_is_exact else f"~{total:,}"
        if self.bar is not None:
            self.bar.update(self.task, completed=state.sessions_done, total=max(total, 1),
                            total_text=total_text, rate=state.turns_per_second)
            return
        now = time.monotonic()
        if now - self.last_log >= LOG_EVERY:
            self.last_log = now
            err(self.line(state, total_text))

    @staticmethod
    def line(state, total_text: str) -> str:
        done, total = state.sessions_done, state.sessions_total
        fresh = done - state.sessions_reused
        eta = ""
        # no ETA from the first few sessions: they carry the workers' start-up, so the
        # first line once read "2/~1,370 sessions, ETA 2,091 s" for an 8 s run (QA)
        if fresh >= max(20, total // 50) and total > done:
            eta = f", ETA {(total - done) * state.elapsed / fresh:,.0f} s"
        return (f"batch: {done:,}/{total_text} sessions, {state.files_read}/{state.files_total} "
                f"files, {state.turns_per_second:,.0f} turns/s, {state.failures} failed{eta}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def _role_warnings(result, roles: dict[str, str]) -> list[str]:
    """``--roles`` names that speak in no session, and sessions they left with one party,
    from the sessions table (its parties and third parties are everyone who spoke)."""
    import pyarrow.parquet as pq

    from ..report.tables import split_names

    if not roles:
        return []
    table = pq.read_table(result.tables["sessions"],
                          columns=["session_id", "parties", "third_parties"]).to_pylist()
    names = {n.lower() for n in roles}
    speakers, single = [], []
    for row in table:
        parties = split_names(row["parties"])
        third = split_names(row["third_parties"])
        speakers += parties + third
        if len(parties) < 2 and any(n.lower() in names for n in third):
            single.append(single_party_warning(row["session_id"], parties))
    more = [f"warning: ... and {len(single) - 10:,} more sessions with one party"] \
        if len(single) > 10 else []
    return role_warnings(roles, speakers) + single[:10] + more


def _not_english(result) -> str | None:
    """The warning for sessions that do not look like English (``not_english``, from
    ``nlp/language.py``), read from the sessions table."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(result.tables["sessions"])
    if "not_english" not in parquet.schema_arrow.names:
        return None
    ids, total = [], 0
    for batch in parquet.iter_batches(columns=["session_id", "not_english"]):
        for row in batch.to_pylist():
            if row["not_english"]:
                total += 1
                if len(ids) < 10:
                    ids.append(str(row["session_id"]))
    if not total:
        return None
    from ..report.terminal import not_english_warning

    return not_english_warning(ids, total)


def _print_summary(result, seconds: float, roles: dict[str, str],
                   failures_only: bool = False) -> None:
    """The run's summary on stderr; ``failures_only`` (``--quiet``): just the failures, so a
    script that sees exit code 1 also sees why, and the sessions that are not English."""
    import pyarrow.parquet as pq

    counts = result.counts
    if not failures_only:
        reused = result.manifest["counts"].get("sessions_reused", 0)
        again = f" ({reused:,} reused from an earlier run)" if reused else ""
        plural = "" if counts["sessions"] == 1 else "s"
        err(f"{counts['sessions']:,} session{plural}{again}, {counts['turns']:,} turns, "
            f"{counts['failures']:,} failed, {seconds:,.1f} s -> {result.out}")
        for page in result.overview:
            err(f"overview of the reports: {page}")
    gone = result.earlier_dropped
    if gone:  # said even with --quiet: sessions left the tables
        err(f"note: {result.out} held an earlier run over {gone['inputs']:,} input(s) this run "
            f"does not name ({gone['sessions']:,} session{'' if gone['sessions'] == 1 else 's'}); "
            "its tables now hold only this "
            "run's inputs; use another --out to keep both")
    if result.inside_out:  # said even with --quiet: inputs were left out
        first = result.inside_out[0]
        more = f" and {len(result.inside_out) - 1:,} more" if len(result.inside_out) > 1 else ""
        err(f"warning: {first}{more} not read: inside the output folder {result.out}, which "
            "a batch never reads back; to analyse them, use an --out outside the inputs")
    foreign = _not_english(result)  # said even with --quiet: the labels are not meaningful
    if foreign:
        err(foreign)
    if counts["failures"]:
        failures = pq.read_table(result.tables["failures"]).slice(0, 10).to_pylist()
        for row in failures:
            line = f":{row['line']}" if row.get("line") is not None else ""
            err(f"  failed: {row['file']}{line}: {row['error']}")
            if row.get("hint"):
                err(f"    fix: {row['hint']}")
        if counts["failures"] > len(failures):
            err(f"  ... {counts['failures'] - len(failures):,} more in "
                f"{result.tables['failures_csv']}")
    notes = result.notes  # also with --quiet, as analyze does; at most a few
    for note in notes[:NOTES_SHOWN]:
        err(note)
    if len(notes) > NOTES_SHOWN:
        err(f"... and {len(notes) - NOTES_SHOWN:,} more such notes on how sessions were read")
    for warning in _role_warnings(result, roles):  # also with --quiet, as analyze does:
        err(warning)  # a --roles name that matches nobody leaves the mediator a party


#: How many notes on how sessions were read the summary shows (a batch may have thousands).
NOTES_SHOWN = 5


def batch(
    paths: Annotated[list[str], typer.Argument(
        help="Transcript files, folders (searched recursively) or globs, any mix of formats.",
        show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the tables, manifest and "
                                      "reports; rerun into it to resume.")] = Path("batch"),
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", help="Local worker processes (default: the number of cores).",
        show_default=False)] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Run on this dask.distributed cluster, e.g. tcp://10.0.0.5:8786.",
        show_default=False)] = None,
    reports: Annotated[str | None, typer.Option(
        "--reports", help="Also write a report per session into OUT/reports, e.g. html,md.",
        show_default=False)] = None,
    chunk_size: Annotated[int, typer.Option(
        "--chunk-size", help="Sessions per work item (a CaSiNo file is cut into items).")] = 50,
    model: ModelOption = None,
    input_format: InputFormatOption = None,
    roles: RolesOption = None,
    read_option: ReadOption = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress and no summary; failures are still listed.")]
    = False,
) -> None:
    """Analyse many sessions into corpus tables, resumably, on local workers or a Dask cluster.

    Writes OUT/turns, units, stages, sessions and failures as .parquet and .csv, and
    OUT/manifest.json (versions, model hash, options, every input's hash, counts). Finished
    work is kept in OUT/.parts: after an interruption (Ctrl-C, kill, reboot) run the same
    command again and only the rest is done. A file that cannot be read or analysed goes
    to the failures table and the run goes on; the exit code is then 1.

    Example:

        analyzer batch corpora/examples ../shared/corpora/casino \\
            --out runs/all --workers 2
    """
    from ..batch import forkserver

    if scheduler is None and (workers or forkserver.default_workers()) > 1:
        forkserver.start()  # it imports its modules while this process imports its own
    from ..batch import BatchOptions, run_batch

    formats = tuple(parse_report_formats(reports, "--reports"))
    if workers is not None and workers < 1:
        fail_usage("--workers must be at least 1", "use --workers 1 or more")
    if chunk_size < 1:
        fail_usage("--chunk-size must be at least 1", "use --chunk-size 50")
    if scheduler:
        from ..batch.engines import scheduler_address_problem

        problem = scheduler_address_problem(scheduler)
        if problem:
            fail_usage(f"--scheduler {scheduler}: {problem}",
                       "give the scheduler's address as tcp://HOST:PORT, e.g. "
                       "tcp://127.0.0.1:8786")
    if scheduler and workers is not None:
        fail_usage("--workers and --scheduler do not go together",
                   "the cluster decides how many workers run; leave out --workers")
    check_input_format(input_format)
    role_map = parse_roles(roles)
    options = BatchOptions(workers=workers, scheduler=scheduler, model_dir=model,
                           roles=role_map, input_format=input_format,
                           reports=formats, chunk_size=chunk_size,
                           read_options=parse_read_options(read_option))
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop) if main else None  # `kill`: as Ctrl-C
    view = ProgressView(quiet)
    started = time.monotonic()
    try:
        result = run_batch(paths, out, options, progress=view)
    except ClusterError as exc:  # the cluster failed under the run: the rest is kept
        fail(exc, EXIT_INTERRUPTED)
    except AnalyzerError as exc:  # bad inputs, no model, output folder busy: nothing ran
        fail(exc, EXIT_USAGE)
    except KeyboardInterrupt:
        err(f"interrupted: finished work is kept in {out}; run the same command again to "
            "finish the rest")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        view.close()
        if main:
            signal.signal(signal.SIGTERM, previous)
    _print_summary(result, time.monotonic() - started, role_map, failures_only=quiet)
    raise typer.Exit(EXIT_SOME_FAILED if result.failures else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
