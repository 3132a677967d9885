"""The ``analyzer`` command: one module per command, each a thin wrapper over library code.

Exit codes: 0 all good, 1 some inputs failed (the rest done), 2 usage error.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="analyzer",
    help="Analyse negotiation transcripts: integrative vs distributive moves, stages, reports.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

# Each module defines ``register(app)``; the order here is the order in ``--help``.
COMMAND_MODULES = [
    "analyze", "formats", "batch", "reliability", "sequences", "outcomes", "export",
    "evaluate_stages", "train", "evaluate",
]

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def main() -> None:
    app()
