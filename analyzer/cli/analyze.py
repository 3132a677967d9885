"""``analyzer analyze``: analyse one or many sessions and write tables and reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalyzerError, Failure, OutputError, PartialReadError
from ..io import OUTPUT_FILES
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


def analyze(
    paths: Annotated[list[str], typer.Argument(help="Transcript files, folders or globs.",
                                               show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for tables and reports.")]
    = Path("reports"),
    format: Annotated[str, typer.Option(
        "--format", help="Report formats per session, comma-separated: md,json,html.")]
    = "md,json",
    model: ModelOption = None,
    input_format: InputFormatOption = None,
    roles: RolesOption = None,
    read_option: ReadOption = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No terminal summary (failures and warnings still print).")
    ] = False,
) -> None:
    """Analyse negotiation transcripts: moves, stages, per-turn table and a report per session.

    Writes OUT/turns.csv (one row per turn), OUT/units.csv, OUT/stages.csv,
    OUT/speakers.csv (one row per speaker over the whole session) and OUT/sessions.csv,
    and per session a report in each --format. With more than one
    session, OUT/_index.html and OUT/_index.md (for the html and md formats) list every
    session with its outcome, stages and shares, linked to its report. A file that cannot
    be read is reported with its line and skipped; the exit code is then 1.

    Example:

        analyzer analyze corpora/examples --out reports/examples \\
            --format md,json,html

        analyzer analyze calls/*.csv --read-option speaker_col=Name \\
            --roles Dana=mediator
    """
    from ..io import expand_inputs, read_transcripts, unique_session_ids
    from ..io.base import crowd_note
    from ..io.output import OutputFolder
    from ..nlp.language import check_language
    from ..pipeline import Analyzer
    from ..report.tables import (
        FAILURE_COLUMNS,
        SESSION_COLUMNS,
        SPEAKER_COLUMNS,
        STAGE_COLUMNS,
        TURN_COLUMNS,
        UNIT_COLUMNS,
        arrow_table,
        session_row,
        sessions_table,
        speaker_rows,
        stage_rows,
        turn_rows,
        unit_rows,
    )
    from ..report.terminal import not_english_warning
    from ..report.writers import print_summary, write_overview, write_session_reports
    from ..transcript import reading_notes

    formats = parse_report_formats(format, "--format")
    check_input_format(input_format)
    role_map = parse_roles(roles)
    options = parse_read_options(read_option)
    try:
        files = expand_inputs(paths)  # each real file once, symlink loops walked once
    except AnalyzerError as exc:
        fail_usage(str(exc))
    try:
        folder = OutputFolder(out)
        folder.protect(files)
        clash = sorted(f"{out / name}" for name in FIXED_NAMES
                       if folder.root / name in folder.protected)
        if clash:
            raise OutputError(f"{', '.join(clash)}: an input file has the name of a file "
                              "this command writes",
                              hint="choose an --out folder apart from the transcripts "
                                   "(e.g. --out reports)")
        engine = Analyzer(model_dir=model, roles=role_map)
    except AnalyzerError as exc:
        fail(exc, 2)  # nothing can run without the model or the folder

    analyses, failures, reports = [], [], []
    rows: dict[str, list] = {"turns": [], "units": [], "stages": [], "speakers": [],
                             "sessions": []}
    speakers: list[str] = []  # everyone who speaks, to check the --roles names against
    warnings: list[str] = []
    seen_ids: set[str] = set()  # two files named call.vtt and call.srt get call and call-2
    for path in files:
        try:
            transcripts = list(unique_session_ids(
                read_transcripts(path, format=input_format, **options), seen_ids))
        except PartialReadError as exc:  # a broken channel or session fails alone
            transcripts = list(unique_session_ids(exc.transcripts, seen_ids))
            for error in exc.errors:
                failures.append(Failure.from_exception(str(path), error))
                if quiet:
                    err(f"skipped: {error}")
        except Exception as exc:  # one unreadable file never stops the rest
            failures.append(Failure.from_exception(str(path), exc))
            if quiet:
                err(f"skipped: {_named(path, exc)}")
            continue
        for transcript in transcripts:
            warnings += reading_notes(transcript, role_map)
            crowd = crowd_note(transcript)
            warnings += [crowd] if crowd else []
        for transcript in transcripts if role_map else ():
            speakers += [s.name for s in transcript.speakers]
            parties = transcript.with_roles(role_map).parties
            if len(parties) < 2 <= len(transcript.parties):
                warnings.append(single_party_warning(transcript.session_id, parties))
        for transcript, analysis, error in engine.analyze_each(transcripts):
            try:  # the rows too, as the batch worker does: one session's error is its own
                if error is not None:
                    raise error
                mine = {"turns": turn_rows(analysis), "units": unit_rows(analysis),
                        "stages": stage_rows(analysis), "speakers": speaker_rows(analysis),
                        "sessions": [session_row(analysis)]}
                reports += write_session_reports(analysis, folder, formats)
            except Exception as exc:  # one bad session never stops the rest
                failures.append(Failure.for_session(str(path), transcript.session_id, exc))
                if quiet:
                    err(f"skipped: {path} session {transcript.session_id}: {exc}")
                continue
            for name, found in mine.items():
                rows[name] += found
            analyses.append(analysis)

    # the CSVs as the batch writes them (``arrow_table``): the same spelling of every value
    tables = {"turns": (rows["turns"], TURN_COLUMNS, False),
              "units": (rows["units"], UNIT_COLUMNS, False),
              "stages": (rows["stages"], STAGE_COLUMNS, False),
              "speakers": (rows["speakers"], SPEAKER_COLUMNS, False),
              "sessions": (rows["sessions"], SESSION_COLUMNS, True)}
    for name, (rows, columns, extra) in tables.items():
        try:
            folder.write_csv(f"{name}.csv", arrow_table(rows, columns, extra=extra))
        except OutputError as exc:  # (a symlink planted in --out: security QA) no traceback
            fail(exc, EXIT_USAGE)
    sessions = sessions_table(analyses)  # (for the overview page)
    if failures:
        folder.write_csv("failures.csv", arrow_table([f.row() for f in failures],
                                                     FAILURE_COLUMNS))
    else:  # an earlier run's failures.csv would contradict this run
        folder.remove("failures.csv", first_line=",".join(f'"{c}"' for c in FAILURE_COLUMNS))
    overview = []
    if len(analyses) + len(failures) > 1:
        overview = write_overview(folder, sessions.to_dict("records"),
                                  [f.row() for f in failures], formats)
    session_reports = list(reports)
    reports += overview
    remove_stale_reports(folder, reports)
    if not quiet:
        print_summary(analyses, failures, folder.root, overview=overview,
                      reports=session_reports)
    else:  # said even with --quiet, as failures are: these sessions' labels mean nothing
        foreign = [a.transcript.session_id for a in analyses
                   if not check_language(a.transcript).english]
        if foreign:
            err(not_english_warning(foreign))
    for warning in role_warnings(role_map, speakers) + warnings:
        err(warning)
    raise typer.Exit(EXIT_SOME_FAILED if failures else EXIT_OK)


def _named(path: Path, exc: BaseException) -> str:
    """What ``--quiet`` prints for a file that failed: a ``ReadError`` names its file and
    place itself; any other error (an ``AnalyzerError`` of another kind, or a bug) gets the
    file in front, which it lacked (fuzzing QA, 28 Nov 2026: "skipped: <error>" alone)."""
    from ..errors import ReadError

    if isinstance(exc, ReadError):
        return str(exc)
    if isinstance(exc, AnalyzerError):
        return f"{path}: {exc}"
    return f"{path}: {type(exc).__name__}: {exc} (fix: this looks like a bug in the analyser; " \
           "please report it with the file)"


#: The files ``analyze`` writes into --out whatever the sessions (tables, overview).
FIXED_NAMES = (*sorted(OUTPUT_FILES), "_index.md", "_index.html")

#: The reports the last ``analyze`` into a folder wrote, one per line (a hidden file, so
#: never read back as a transcript).
REPORTS_RECORD = ".analyzer-reports"


def remove_stale_reports(folder, written: list[Path]) -> None:
    """Delete the reports an earlier ``analyze`` into ``folder`` wrote and this run did not,
    then record this run's.

    Why: the tables of a rerun list only its own sessions; a report left from a session that
    is gone (its file removed or renamed, or failing now) would contradict them. Only files
    named in the record are deleted, i.e. files the analyser wrote, and only report files.
    """
    from ..report.writers import REPORT_FORMATS

    names = sorted({p.relative_to(folder.root).as_posix() for p in written})
    record = folder.root / REPORTS_RECORD
    if record.is_file():
        suffixes = tuple(f".{fmt}" for fmt in REPORT_FORMATS)
        old = record.read_text(encoding="utf-8", errors="replace").splitlines()
        for name in sorted(set(old) - set(names)):
            if name.endswith(suffixes):
                try:
                    if _our_report(folder.path(name)):
                        folder.remove(name)
                except OutputError:  # a record edited to point outside: ignore it
                    pass
    if names or record.is_file():
        folder.write_text(REPORTS_RECORD, "".join(f"{n}\n" for n in names))


def _our_report(path: Path) -> bool:
    """Does the file start as the analyser's reports do? A record may name a file that is
    no longer ours (an earlier version wrote a report over an input of the same name, and
    the user restored it): such a file is left alone."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(1024)
    except OSError:
        return False
    if path.suffix == ".json":
        return '"schema": "analyzer.' in head
    if path.suffix == ".md":
        return head.startswith(("# Negotiation report", "# Sessions overview"))
    return '<meta name="generator" content="analyzer' in head


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
