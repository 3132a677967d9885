"""What several commands share: options, error printing and exit codes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, NoReturn

import typer

from ..errors import AnalyzerError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2

ModelOption = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Model folder (default: the shipped model).",
                 show_default=False),
]
InputFormatOption = Annotated[
    str | None,
    typer.Option("--input-format", "-f",
                 help="Read every input as this format instead of sniffing it "
                      "(see `analyzer formats`).", show_default=False),
]
RolesOption = Annotated[
    str | None,
    typer.Option("--roles", help="Speaker roles, e.g. 'Dana=mediator,Lee=party'.",
                 show_default=False),
]


def _role_items(text: str) -> list[str]:
    """The ``name=role`` items of ``--roles``. A piece without ``=`` belongs to the next
    one: Teams names people "Doe, John", so ``Doe, John=mediator,Lee=party`` is two items
    (a piece without ``=`` was an error anyway, so nothing that read before reads
    differently)."""
    items: list[str] = []
    pending = ""
    for piece in text.split(","):
        pending = f"{pending},{piece}" if pending else piece
        if "=" in piece:
            items.append(pending.strip())
            pending = ""
    if pending.strip():
        items.append(pending.strip())
    return [item for item in items if item]


def parse_roles(text: str | None) -> dict[str, str]:
    """``"Dana=mediator,Lee=party"`` -> ``{"Dana": "mediator", "Lee": "party"}``; a name
    may hold commas (``"Doe, John=mediator"``)."""
    from ..transcript import ROLES

    roles: dict[str, str] = {}
    for item in _role_items(text or ""):
        name, sep, role = item.partition("=")
        if not sep or not name.strip():
            fail_usage(f"--roles: cannot read {item!r}",
                       f"write name=role pairs separated by commas; roles: {', '.join(ROLES)}")
        key = role.strip().lower().replace("-", "_").replace(" ", "_")
        if key not in ROLES:
            fail_usage(f"--roles: unknown role {role.strip()!r} for {name.strip()}",
                       f"the roles are {', '.join(ROLES)}")
        roles[name.strip()] = key
    return roles


def role_warnings(roles: dict[str, str], speakers: Iterable[str]) -> list[str]:
    """A warning for each ``--roles`` name that speaks in none of the sessions ``speakers``
    come from. Why: names match case-insensitively but otherwise exactly, and a misspelt
    name used to be ignored without a word, leaving the mediator counted as a party."""
    found: dict[str, str] = {}
    for speaker in speakers:
        found.setdefault(speaker.lower(), speaker)
    names = sorted(found.values(), key=str.lower)
    shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
    return [f"warning: --roles: no speaker named {name!r} in any session (speakers found: "
            f"{shown or 'none'}); check the spelling" for name in roles
            if name.lower() not in found]


def single_party_warning(session_id: str, parties: Sequence[str]) -> str:
    """The warning for a session that ``--roles`` left with fewer than two parties: its
    shares, reciprocity and outcome then describe one side, or none."""
    left = f"only one party is left ({parties[0]})" if parties else "no party is left"
    return (f"warning: session {session_id}: with --roles {left}; the report describes "
            "one side of the negotiation")


def parse_report_formats(text: str | None, option: str) -> list[str]:
    """``"md, JSON"`` -> ``["md", "json"]``, or a usage error naming ``option``.

    One check for ``analyze --format`` and ``batch --reports``: both hand the list to the same
    report writers, so they accept the same names (``report.writers.REPORT_FORMATS``).
    """
    from ..report.writers import REPORT_FORMATS

    formats = [f.strip().lower() for f in (text or "").split(",") if f.strip()]
    bad = [f for f in formats if f not in REPORT_FORMATS]
    if bad:
        fail_usage(f"{option}: unknown report format {', '.join(bad)}",
                   f"choose from {', '.join(REPORT_FORMATS)}")
    return formats


def write_study_outputs(out, command: str, tables: dict, *, texts: dict | None = None,
                        model: dict, options: dict, inputs: list, console) -> None:
    """Write ``tables`` (name -> DataFrame, as CSV), then ``texts`` (name -> str), then the
    ``manifest.json`` that lists them, into the folder ``out``; print where they went.

    The study commands (``outcomes``, ``reliability``, ``sequences``) end the same way: every
    output goes through ``OutputFolder`` and is named in one manifest, and a file that cannot
    be written ends the command with exit code 2, not a traceback.
    """
    from ..io.output import OutputFolder
    from ..study.provenance import write_manifest

    try:
        folder = OutputFolder(out)
        outputs = [folder.write_csv(name, table) for name, table in tables.items()]
        outputs += [folder.write_text(name, text) for name, text in (texts or {}).items()]
        write_manifest(folder, command, model=model, options=options, inputs=inputs,
                       outputs=[p.name for p in outputs])
    except AnalyzerError as exc:
        fail(exc, 2)
    console.print(f"tables written to {folder.root}")


def err(message: str) -> None:
    """A line to stderr, control characters shown as "?" (an ESC in a file or speaker name
    must not reach the terminal raw: security QA, 28 Nov 2026)."""
    from ..report.wording import printable

    typer.echo(printable(message), err=True)


def fail_usage(message: str, hint: str = "") -> NoReturn:
    err(f"error: {message}" + (f"\n  fix: {hint}" if hint else ""))
    raise typer.Exit(EXIT_USAGE)


def fail(exc: AnalyzerError, code: int = EXIT_SOME_FAILED) -> NoReturn:
    err(f"error: {exc}")
    raise typer.Exit(code)


ReadOption = Annotated[list[str] | None, typer.Option(
    "--read-option", help="Reader option key=value, e.g. speaker_col=Name or "
                          "text_col=Utterance for a CSV with other column names; "
                          "start_col=none ignores a column.",
    show_default=False)]


def check_input_format(input_format: str | None) -> None:
    """A usage error up front (exit 2) for an unknown ``--input-format``, not one failure
    row per input (fuzzing QA, 28 Nov 2026: both ``analyze`` and ``batch`` exited 1)."""
    if input_format is None:
        return
    from pathlib import Path

    from ..io.formats import BY_NAME, spec_named

    try:
        spec_named(Path("--input-format"), input_format)
    except AnalyzerError:
        fail_usage(f"--input-format: unknown format {input_format!r}",
                   f"choose one of {', '.join(BY_NAME)} (see `analyzer formats`)")


def parse_read_options(items: list[str] | None) -> dict[str, str]:
    """``["speaker_col=Name"]`` -> ``{"speaker_col": "Name"}``; a key no reader knows
    (``strat_col``, ``Start_Col``) is a usage error naming the known ones, not ignored."""
    from ..io import READ_OPTIONS

    options: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail_usage(f"--read-option: cannot read {item!r}", "write key=value, e.g. "
                       "--read-option speaker_col=Name")
        if key.strip() not in READ_OPTIONS:
            fail_usage(f"--read-option: no reader knows {key.strip()!r}",
                       f"the keys are {', '.join(READ_OPTIONS)} (CSV column names)")
        options[key.strip()] = value.strip()
    return options
