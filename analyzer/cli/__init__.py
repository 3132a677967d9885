"""The ``analyzer`` command: one module per command, each a thin wrapper over library code.

Exit codes: 0 all good, 1 some inputs failed (the rest done), 2 usage error.
"""

from __future__ import annotations

import importlib
import inspect

import typer

HELP = """Analyse negotiation transcripts: integrative vs distributive moves, stages, reports.

Every command's --help says what it writes and ends with an example. Exit codes: 0 all
good, 1 some inputs failed (the rest were done), 2 usage error.

Example:

    analyzer analyze corpora/examples --out reports/examples --format md,html
"""


def reflow(doc: str) -> str:
    """``doc`` with the lines of each prose paragraph joined and indented lines kept as
    they are.

    Why: typer's "rich" markup mode keeps every line break of a docstring, and rich then
    wraps those lines again to the terminal, leaving a word or two on lines of their own
    (docstrings are wrapped at 100 columns, terminals are often 80). Joined, a paragraph
    wraps once, to the terminal. Indented lines are example commands: each keeps its own
    line (examples are written short enough for 80 columns, long ones continued with a
    backslash), so it can be pasted.
    """
    paragraphs = []
    for paragraph in inspect.cleandoc(doc).split("\n\n"):
        lines: list[str] = []
        for line in paragraph.split("\n"):
            if lines and not line[:1].isspace() and not lines[-1][:1].isspace():
                lines[-1] += " " + line.strip()
            else:
                lines.append(line.rstrip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _help_at_least_80_columns() -> None:
    """Render ``--help`` at least 80 columns wide, however narrow the terminal.

    Why: below ~80 columns rich cut option names and example values with "…"
    (``--orientatio…``, ``tcp://10.0.0.5:878…``), so a user could not learn them from the
    help (accessibility and terminal QA, 28 Nov 2026); a line longer than the terminal
    wraps instead, and nothing is lost. ``TERMINAL_WIDTH``, when set, still rules."""
    import os
    import shutil

    from typer import rich_utils

    if rich_utils.MAX_WIDTH is None and not os.environ.get("TERMINAL_WIDTH"):
        if shutil.get_terminal_size(fallback=(80, 24)).columns < 80:
            rich_utils.MAX_WIDTH = 80


_help_at_least_80_columns()

app = typer.Typer(
    name="analyzer",
    help=reflow(HELP),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"analyzer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the analyser's version and exit.")) -> None:
    """The options of ``analyzer`` itself (the commands have their own)."""
    _replace_unencodable()


def _replace_unencodable() -> None:
    """Let stdout and stderr write what their encoding cannot hold as "?" instead of
    raising.

    Why: with output redirected on Windows (cp1252) or under ``PYTHONIOENCODING=ascii``,
    the summary's arrow or a session id with an "é" raised UnicodeEncodeError after the
    reports were written: a traceback and exit 1 for a run that worked (accessibility and
    terminal QA, 28 Nov 2026). The files are always UTF-8; only the terminal text degrades.
    """
    import sys

    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf_8") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):  # detached or closed: nothing to do
                pass


# Each module defines ``register(app)``; the order here is the order in ``--help``.
COMMAND_MODULES = [
    "analyze", "formats", "batch", "reliability", "sequences", "outcomes", "export",
    "evaluate_stages", "train", "evaluate",
]

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)
for _command in app.registered_commands:
    _command.help = reflow(_command.help or inspect.getdoc(_command.callback) or "")


def main() -> None:
    app()
