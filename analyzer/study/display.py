"""Study tables as rich ``Table`` objects for the terminal (built here, printed by the CLI)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
from rich import box
from rich.table import Column, Table


def _cell(value, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.{digits}f}"
    return str(value)


def _figure(text: str) -> bool:
    """A number, an interval "[0.02, 0.16]", "12  z=-1.5" or "-": a cell never split."""
    return not any(ch.isalpha() for ch in text.replace("z=", "").replace("nan", ""))


def frame_table(frame: pd.DataFrame, title: str = "", max_rows: int = 40, digits: int = 3
                ) -> Table:
    """The first ``max_rows`` rows of ``frame``; numbers right-aligned, NaN shown as ``-``.

    Columns of figures (numbers, intervals) are never narrower than their widest cell: in an
    80-120 column terminal rich folded "0.780" into "0.78" and "0" on the next line, which
    reads as another number (fresh user QA, 28 Nov 2026). Headers and names fold instead,
    and the light frame leaves them more room."""
    shown = frame.head(max_rows)
    keys = 0  # the leading columns of names, repeated when the table is split (``split``)
    figures: set[str] = set()
    cells = [[_cell(v, digits) for v in row] for row in shown.itertuples(index=False)]
    table = Table(title=title or None, title_justify="left", show_lines=False,
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for k, column in enumerate(frame.columns):
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        values = [row[k] for row in cells]
        if keys == k and not (values and all(_figure(v) for v in values)):
            keys = k + 1
        if values and all(_figure(v) for v in values):
            figures.add(str(column))
            table.add_column(str(column), justify="right" if numeric else "left",
                             overflow="fold", min_width=max(len(v) for v in values))
        else:
            table.add_column(str(column), justify="right" if numeric else "left",
                             overflow="fold")
    for row in cells:
        table.add_row(*row)
    if len(frame) > max_rows:
        table.caption = f"{len(frame) - max_rows} more rows in the CSV (--out)"
    table.key_columns = max(1, keys)
    table.figure_columns = figures
    return table


#: In a narrow terminal a name may fold down to this width before the table is split.
NAME_WIDTH = 12


def split(table: Table, width: int, measure: Callable[[Table], int]) -> list[Table]:
    """``table`` as one or more tables no wider than ``width`` (``measure``: the least width
    a table can be drawn in), each with the leading name columns and as many of the other
    columns as fit, in order, names folding to ``NAME_WIDTH`` characters at most.

    Why: rich drops the columns that do not fit a narrow terminal, without a word (the
    "difference" column of ``outcomes --labels both`` at 80 columns)."""
    def least(columns: list[Column]) -> int:  # names folded to NAME_WIDTH at most
        figures = getattr(table, "figure_columns", set())
        return measure(_part(table, [c if c.header in figures else
                                     replace(c, max_width=min(c.max_width or NAME_WIDTH,
                                                              NAME_WIDTH))
                                     for c in columns]))

    if least(table.columns) <= width or len(table.columns) < 2:
        return [table]
    keys = table.columns[:getattr(table, "key_columns", 1)]
    groups: list[list[Column]] = [[]]
    for column in table.columns[len(keys):]:
        if groups[-1] and least([*keys, *groups[-1], column]) > width:
            groups.append([])
        groups[-1].append(column)
    parts = []
    for n, group in enumerate(groups, 1):
        part = _part(table, [*keys, *group])
        if len(groups) > 1:
            part.title = f"{table.title} ({n} of {len(groups)})"
        part.caption = table.caption if n == len(groups) else None
        parts.append(part)
    return parts


def _part(table: Table, columns: list[Column]) -> Table:
    """A table like ``table`` with only ``columns`` (their cells shared, not copied)."""
    part = Table(title=table.title, title_justify=table.title_justify, box=table.box,
                 pad_edge=table.pad_edge, show_lines=table.show_lines)
    part.caption, part.caption_justify = table.caption, table.caption_justify
    part.columns = [replace(c) for c in columns]
    for index, column in enumerate(part.columns):
        column._index = index
    part.rows = table.rows
    return part
