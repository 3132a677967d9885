"""``analyzer export``: results as CSV for R, Parquet, SPSS, Stata and ConvoKit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalyzerError, UsageError
from .common import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, err, fail, fail_usage
from .pipes import pipe_safe, study_console


def export(
    results_dir: Annotated[Path, typer.Argument(
        help="The --out folder of `analyzer analyze` or `analyzer batch`.",
        show_default=False)],
    to: Annotated[str, typer.Option(
        "--to", help="Formats, comma-separated: csv, parquet, sav, dta, convokit.")]
    = "csv,parquet,sav,dta,convokit",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the exports.")]
    = Path("exports"),
    unique_speakers: Annotated[bool, typer.Option(
        "--unique-speakers", help="ConvoKit: one speaker per session and name (CaSiNo's "
                                  "mturk_agent_1 is a different person in every dialogue).")]
    = False,
) -> None:
    """Export results for R, SPSS, Stata and ConvoKit.

    Tidy CSV for R (csv/), Parquet (parquet/), SPSS .sav (spss/) and Stata .dta
    (stata/) with value labels for stage, move, orientation and role, and a ConvoKit
    corpus (convokit/), with manifest.json beside them.

    Example:

        analyzer export reports/study --to sav,dta,convokit \\
            --out reports/study_exports
    """

    from ..io.output import OutputFolder
    from ..study.exports import EXPORT_FORMATS, write_exports
    from ..study.provenance import write_manifest
    from ..study.results import load_results

    formats = [f.strip().lower() for f in to.split(",") if f.strip()]
    bad = [f for f in formats if f not in EXPORT_FORMATS]
    if bad or not formats:
        fail_usage(f"--to: unknown format {', '.join(bad) or '(none)'}",
                   f"choose from {', '.join(EXPORT_FORMATS)}")
    try:
        results = load_results(results_dir)
    except UsageError as exc:
        fail(exc, EXIT_USAGE)
    except AnalyzerError as exc:
        fail(exc, EXIT_SOME_FAILED)
    try:
        folder = OutputFolder(out)
        written = write_exports(results, folder, formats, unique_speakers=unique_speakers,
                                warn=lambda line: err(f"warning: {line}"))
        write_manifest(folder, "export", model=results.model_info,
                       options={"to": formats, "unique_speakers": unique_speakers},
                       inputs=[results_dir],
                       outputs=[str(p.relative_to(folder.root)) for p in written])
    except AnalyzerError as exc:
        fail(exc, 2)
    study_console().print(f"{len(written)} files written to {folder.root}")
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("export")(pipe_safe(export))
