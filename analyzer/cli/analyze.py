"""``analyzer analyze``: analyse one or many sessions and write tables and reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalyzerError, Failure
from .common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    InputFormatOption,
    ModelOption,
    RolesOption,
    err,
    fail,
    fail_usage,
    parse_report_formats,
    parse_roles,
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
    read_option: Annotated[list[str] | None, typer.Option(
        "--read-option", help="Reader option key=value, e.g. speaker_col=Name or "
                              "text_col=Utterance for a CSV with other column names.",
        show_default=False)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal summary.")] = False,
) -> None:
    """Analyse negotiation transcripts: moves, stages, per-turn table and a report per session.

    Writes OUT/turns.csv (one row per turn), OUT/units.csv, OUT/stages.csv and
    OUT/sessions.csv, and per session a report in each --format. A file that cannot be
    read is reported with its line and skipped; the exit code is then 1.

    Example:

        analyzer analyze corpora/examples --out reports/examples --format md,json,html

        analyzer analyze calls/*.csv --read-option speaker_col=Name --roles Dana=mediator
    """
    from ..inputs import find_inputs
    from ..io import read_transcripts, unique_session_ids
    from ..io.output import OutputFolder
    from ..pipeline import Analyzer
    from ..report.tables import (
        failures_table,
        sessions_table,
        stages_table,
        turns_table,
        units_table,
    )
    from ..report.writers import print_summary, write_session_reports

    formats = parse_report_formats(format, "--format")
    role_map = parse_roles(roles)
    options = parse_read_options(read_option)
    try:
        files = find_inputs(paths)  # each real file once, symlink loops walked once
    except AnalyzerError as exc:
        fail_usage(str(exc))
    try:
        folder = OutputFolder(out)
        engine = Analyzer(model_dir=model, roles=role_map)
    except AnalyzerError as exc:
        fail(exc, 2)  # nothing can run without the model or the folder

    analyses, failures = [], []
    seen_ids: set[str] = set()  # two files named call.vtt and call.srt get call and call-2
    for path in files:
        try:
            transcripts = list(unique_session_ids(
                read_transcripts(path, format=input_format, **options), seen_ids))
        except Exception as exc:  # one unreadable file never stops the rest
            failures.append(Failure.from_exception(str(path), exc))
            if quiet:
                err(f"skipped: {exc}")
            continue
        for transcript, analysis, error in engine.analyze_each(transcripts):
            try:
                if error is not None:
                    raise error
                write_session_reports(analysis, folder, formats)
            except Exception as exc:  # one bad session never stops the rest
                failures.append(Failure.from_exception(str(path), exc))
                if quiet:
                    err(f"skipped: {path} session {transcript.session_id}: {exc}")
                continue
            analyses.append(analysis)

    folder.write_csv("turns.csv", turns_table(analyses))
    folder.write_csv("units.csv", units_table(analyses))
    folder.write_csv("stages.csv", stages_table(analyses))
    folder.write_csv("sessions.csv", sessions_table(analyses))
    if failures:
        folder.write_csv("failures.csv", failures_table(failures))
    if not quiet:
        print_summary(analyses, failures, folder.root)
    raise typer.Exit(EXIT_SOME_FAILED if failures else EXIT_OK)


def parse_read_options(items: list[str] | None) -> dict[str, str]:
    """``["speaker_col=Name"]`` -> ``{"speaker_col": "Name"}``."""
    options: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail_usage(f"--read-option: cannot read {item!r}", "write key=value, e.g. "
                       "--read-option speaker_col=Name")
        options[key.strip()] = value.strip()
    return options


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
