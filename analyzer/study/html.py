"""A small self-contained HTML page for study outputs (sequence heatmaps and tables).

No scripts, no external files; every text from the data is escaped, so a transcript's
speaker name or a researcher's code label cannot inject markup.
"""

from __future__ import annotations

from html import escape

import pandas as pd

_STYLE = ("body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
          "padding:.25em .6em;text-align:right}th{background:#f4f4f4}"
          "td:first-child,th:first-child{text-align:left}figure{display:inline-block;"
          "margin:0 1.5em 1.5em 0}")


def frame_html(frame: pd.DataFrame, digits: int = 3) -> str:
    """A DataFrame as an escaped HTML table."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, float):
                text = "-" if value != value else f"{value:.{digits}f}"
            else:
                text = "" if value is None else str(value)
            cells.append(f"<td>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def study_page(title: str, figures: dict[str, str], tables: dict[str, pd.DataFrame],
               note: str = "") -> str:
    """An HTML page: a title, a note, SVG figures (already escaped SVG) and tables."""
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{escape(title)}</h1>"]
    if note:
        parts.append(f"<p>{escape(note)}</p>")
    for caption, svg in figures.items():
        parts.append(f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>")
    for caption, frame in tables.items():
        parts.append(f"<h2>{escape(caption)}</h2>{frame_html(frame)}")
    parts.append("</body></html>")
    return "\n".join(parts)
