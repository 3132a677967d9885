"""``analyzer formats``: what can be read, with a one-line example of each."""

from __future__ import annotations

import typer


def formats() -> None:
    """List the transcript formats the analyser reads, with a one-line example of each.

    Example:

        analyzer formats
    """
    from ..io import FORMATS

    for spec in FORMATS:
        typer.echo(f"{spec.name:<10} {spec.description}")
        typer.echo(f"{'':<10} e.g. {spec.example}")


def register(app: typer.Typer) -> None:
    app.command("formats")(formats)
