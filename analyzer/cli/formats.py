"""``analyzer formats``: what can be read, with a one-line example of each; or check files."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    InputFormatOption,
    ReadOption,
    err,
    fail_usage,
    parse_read_options,
)


def formats(
    check: Annotated[list[str] | None, typer.Argument(
        help="Files, folders or globs to check: say what was read from each (format, "
             "sessions, turns, speakers) or the error with its line.",
        show_default=False)] = None,
    input_format: InputFormatOption = None,
    read_option: ReadOption = None,
) -> None:
    """List the transcript formats the analyser reads, with a one-line example of each.

    Given files, read them instead and report, per session, the format found,
    the number of turns and the speakers with their roles; a file that cannot be read is
    reported with its line and the fix (exit code 1). Details: docs/formats.md.

    Example:

        analyzer formats corpora/examples/teams_lease.vtt \\
            tests/data/broken/backwards.srt
    """
    from ..io import FORMATS

    if not check:
        for spec in FORMATS:
            typer.echo(f"{spec.name:<10} {spec.description}")
            typer.echo(f"{'':<10} files: {', '.join(spec.extensions) or 'a folder'}")
            typer.echo(f"{'':<10} e.g. {spec.example}")
            for example in spec.more:
                typer.echo(f"{'':<10}   or {example}")
        typer.echo("\nThe format is recognised from the extension, then the content; "
                   "--input-format overrides it. See docs/formats.md.")
        raise typer.Exit(EXIT_OK)
    raise typer.Exit(_check(check, input_format, parse_read_options(read_option)))


def _check(paths: list[str], input_format: str | None, options: dict | None = None) -> int:
    from pathlib import Path

    from ..errors import Failure, ReadError
    from ..io import expand_inputs, read_transcripts, unique_session_ids
    from ..io.formats import BY_NAME, spec_named

    if input_format is not None:
        try:
            spec_named(Path("--input-format"), input_format)
        except ReadError:
            fail_usage(f"--input-format: unknown format {input_format!r}",
                       f"choose one of {', '.join(BY_NAME)}")
    try:
        files = expand_inputs(paths)
    except ReadError as exc:
        err(f"error: {exc}")
        return EXIT_SOME_FAILED
    failed = 0
    seen: set[str] = set()
    for path in files:
        try:
            transcripts = list(unique_session_ids(read_transcripts(path, format=input_format,
                                                                   **(options or {})),
                                                  seen))
        except ReadError as exc:
            failed += 1
            err(f"error: {exc}")
            continue
        except Exception as exc:  # a reader bug: report it like `analyze` does, and go on
            failed += 1
            failure = Failure.from_exception(str(path), exc)
            err(f"error: {failure.file}: {failure.error}\n  fix: {failure.hint}")
            continue
        for t in transcripts:
            speakers = ", ".join(f"{s.name} ({s.role})" for s in t.speakers)
            timed = "timed" if t.has_times else "untimed"
            turns = "1 turn" if len(t.turns) == 1 else f"{len(t.turns)} turns"
            typer.echo(f"{path}: {t.format}, session {t.session_id!r}, {turns} "
                       f"({timed}); speakers: {speakers}")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def register(app: typer.Typer) -> None:
    app.command("formats")(formats)
