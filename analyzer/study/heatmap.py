"""A transition table as a small self-contained SVG heatmap for the HTML report.

Pure SVG (no JavaScript, no external fonts or files), every label escaped, so the reports
engineer can drop it into a page as is. Colour shows the adjusted residual: blue above
chance, red below, white near zero; the cell text gives the observed count and z.
"""

from __future__ import annotations

from html import escape

import pandas as pd

_CELL, _LEFT, _TOP = 64, 120, 70


def _colour(z: float, limit: float = 4.0) -> str:
    if z != z:  # NaN
        return "#eeeeee"
    t = max(-1.0, min(1.0, z / limit))
    if t >= 0:  # white -> blue
        r, g, b = (int(255 - t * (255 - c)) for c in (33, 102, 172))
    else:  # white -> red
        r, g, b = (int(255 + t * (255 - c)) for c in (178, 24, 43))
    return f"#{r:02x}{g:02x}{b:02x}"


def later_label(table: pd.DataFrame) -> str:
    """What the columns are: the turn ``lag`` turns after the row's turn ("next turn" at
    lag 1 only), the same speaker's with ``scope`` within."""
    lag = int(table["lag"].iloc[0]) if "lag" in table.columns and len(table) else 1
    within = "scope" in table.columns and len(table) and table["scope"].iloc[0] == "within"
    if within:
        return "the speaker's next turn" if lag == 1 else f"the speaker's {_nth(lag)} next turn"
    return "next turn" if lag == 1 else f"{lag} turns later"


def _nth(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def transition_heatmap_svg(table: pd.DataFrame, title: str = "Transitions (adjusted residuals)"
                           ) -> str:
    """An SVG heatmap of a long transition table (``from``, ``to``, ``observed``,
    ``adjusted_residual``) as returned by ``analyzer.study.sequences.transitions`` for one
    stage/scope/lag."""
    from .sequences import caution_text

    cats = list(dict.fromkeys([*table["from"], *table["to"]]))
    cells = {(r["from"], r["to"]): r for r in table.to_dict("records")}
    size = len(cats) * _CELL
    later = later_label(table)
    footer = f"rows: turn t, columns: {later}; blue: more often than chance, red: less"
    caution = caution_text(table) if "caution" in table.columns else ""
    longest = max(len(footer), len(caution)) * 10 // 11
    width = max(_LEFT + size + 10, 10 + 7 * max(len(title), longest))
    height = _TOP + size + (44 if caution else 30)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           'font-family="sans-serif" font-size="11">',
           f'<title>{escape(title)}</title>',
           f'<text x="10" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
           f'<text x="{_LEFT + size / 2}" y="32" text-anchor="middle">{escape(later)}</text>']
    for j, cat in enumerate(cats):
        x = _LEFT + j * _CELL + _CELL / 2
        out.append(f'<text x="{x}" y="{_TOP - 8}" text-anchor="middle">{escape(str(cat))}</text>')
    for i, a in enumerate(cats):
        y = _TOP + i * _CELL
        out.append(f'<text x="{_LEFT - 6}" y="{y + _CELL / 2 + 4}" text-anchor="end">'
                   f'{escape(str(a))}</text>')
        for j, b in enumerate(cats):
            x = _LEFT + j * _CELL
            cell = cells.get((a, b), {})
            z = float(cell.get("adjusted_residual", float("nan")))
            obs = cell.get("observed", 0)
            ztext = "z n/a" if z != z else f"z {z:+.1f}"
            out.append(f'<rect x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" '
                       f'fill="{_colour(z)}" stroke="#ffffff"><title>{escape(str(a))} -&gt; '
                       f'{escape(str(b))}: {obs} observed, {escape(ztext)}</title></rect>')
            ink = "#ffffff" if z == z and abs(z) >= 2.0 else "#000000"
            out.append(f'<text x="{x + _CELL / 2}" y="{y + _CELL / 2 - 2}" fill="{ink}" '
                       f'text-anchor="middle">{obs}</text>')
            out.append(f'<text x="{x + _CELL / 2}" y="{y + _CELL / 2 + 12}" fill="{ink}" '
                       f'text-anchor="middle" font-size="10">{escape(ztext)}</text>')
    out.append(f'<text x="10" y="{_TOP + size + 18}" font-size="10">{escape(footer)}</text>')
    if caution:
        out.append(f'<text x="10" y="{_TOP + size + 32}" font-size="10" fill="#b2182b">'
                   f'{escape(caution)}</text>')
    out.append("</svg>")
    return "\n".join(out)
