"""Study tables as rich ``Table`` objects for the terminal (built here, printed by the CLI)."""

from __future__ import annotations

import math

import pandas as pd
from rich.table import Table


def _cell(value, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.{digits}f}"
    return str(value)


def frame_table(frame: pd.DataFrame, title: str = "", max_rows: int = 40, digits: int = 3
                ) -> Table:
    """The first ``max_rows`` rows of ``frame``; numbers right-aligned, NaN shown as ``-``."""
    table = Table(title=title or None, title_justify="left", show_lines=False)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left",
                         overflow="fold")
    for row in frame.head(max_rows).itertuples(index=False):
        table.add_row(*(_cell(v, digits) for v in row))
    if len(frame) > max_rows:
        table.caption = f"{len(frame) - max_rows} more rows in the CSV (--out)"
    return table
