"""Study commands in a pipeline (``analyzer outcomes RUN --out DIR | head -1``).

When the reader of stdout goes away early, the next print raises ``BrokenPipeError``;
Click turns that into exit 1, and a command that printed before writing its ``--out`` files
would leave none. So the study commands write their files first and print afterwards, and
a closed stdout ends them quietly with exit 0, as ``cat`` or ``grep`` do.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import sys
from collections.abc import Callable

import typer

from .common import EXIT_OK, write_study_outputs


def pipe_safe(command: Callable) -> Callable:
    """``command`` ending with exit 0 and no traceback when stdout is closed under it."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            try:
                command(*args, **kwargs)
            finally:
                sys.stdout.flush()  # a pipe closed after the last print shows up here
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(EXIT_OK) from None

    return run


def study_console():
    """A rich ``Console`` for the tables. Rich's own answer to a closed pipe is exit 1
    (``Console.on_broken_pipe``); this one raises ``BrokenPipeError`` for ``pipe_safe``."""
    from rich.console import Console
    from rich.table import Table

    from ..study.display import split

    class _PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError(errno.EPIPE, "stdout was closed")

        def _least_width(self, table) -> int:
            # measured as if the terminal were wide: measure() clamps to its width
            wide = self.options.update(width=10_000, max_width=10_000)
            return self.measure(table, options=wide).minimum

        def print(self, *objects, **kwargs) -> None:
            """A table too wide for the terminal is printed in parts (``split``)."""
            parts = []
            for thing in objects:
                parts += split(thing, self.width, self._least_width) \
                    if isinstance(thing, Table) else [thing]
            super().print(*parts, **kwargs)

    # piped into a file or a pager: no terminal to fit, so no wrapping at rich's default 80
    # columns (a log of tables folded cell by cell; COLUMNS still decides when set)
    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return _PipeConsole(width=160 if piped else None)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # not a real file (tests capture stdout)


def write_outputs_first(out, command: str, tables: dict, **kwargs) -> str:
    """Write the ``--out`` files now (``write_study_outputs``) and return its "tables
    written to ..." line, for the caller to print after the tables; "" without ``--out``."""
    if out is None:
        return ""
    from rich.console import Console

    buffer = Console(file=io.StringIO(), width=200)
    write_study_outputs(out, command, tables, console=buffer, **kwargs)
    return buffer.file.getvalue()
