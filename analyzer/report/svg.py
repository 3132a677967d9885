"""Inline SVG charts for the HTML report: no JavaScript, no external resources, printable.

Every label that comes from a transcript (speaker names, quotes in tooltips) goes through
``esc`` (``html.escape`` with quotes), like everything else in the page.
"""

from __future__ import annotations

import unicodedata
from html import escape

from ..results import ORIENTATIONS
from .wording import pct

#: Fills, each at least 3:1 against white (WCAG 1.4.11); the words in them in
#: ``LABEL_ON`` at least 4.5:1 (1.4.3), and orientation words on white in ``INK``.
#: (Until 0.10.0 white on the grey of neutral was 2.4:1: accessibility QA, 28 Nov 2026.)
COLORS = {"integrative": "#0f7a65", "distributive": "#b4501c", "neutral": "#8a9199"}
LABEL_ON = {"integrative": "#fff", "distributive": "#fff", "neutral": "#111"}
INK = {"integrative": "#0f7a65", "distributive": "#b4501c", "neutral": "#5f6b7a"}
#: Where a turn's tick sits in its lane (top offset, height; the lane is 16 high), so that
#: orientation does not rest on colour alone (greyscale print, colour-blind readers):
#: integrative high, distributive low, neutral short in the middle.
TICK_PLACE = {"integrative": (0, 11), "distributive": (5, 11), "neutral": (5, 6)}
AXIS_INK = "#5f6b7a"
#: Characters of a speaker's lane label (name and role) that fit the timeline's left margin
#: (172 px at 12 px type; a label of wide letters that still would not fit is squeezed to
#: it, ``_fit``: "Anne-Marie Dubois-Le…" lost its first letter off the left edge, and
#: 21 characters cut most double-barrelled names: trainer QA, 28 Nov 2026)
LANE_LABEL_CHARS = 26
#: The timeline's left margin (lane labels) in px
LANE_MARGIN = 180
STAGE_TINTS = {"opening": "#e9eef8", "exploring": "#f0f1df", "bargaining": "#f6e6f0",
               "closing": "#efeaf7"}
#: Stage colours kept apart from the orientation colours (teal, orange, grey): "integrative"
#: names moves here, not stages, and the two must not read as one.
STAGE_INK = {"opening": "#3b5a8f", "exploring": "#5f6a1e", "bargaining": "#8c3b6e",
             "closing": "#5b4a8a"}


def esc(value) -> str:
    return escape(str(value), quote=True)


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text_width(text: str, size: float = 12) -> float:
    """A generous estimate of ``text``'s width in px in a sans-serif face at ``size`` px
    (no font metrics here: the page is drawn by whatever browser opens it)."""
    em = 0.0
    for ch in text:
        if ch in "il.,:;'|!()[] \u2019":
            em += 0.32
        elif ch in "MWmw@%":
            em += 0.92
        elif ch.isupper():
            em += 0.72
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            em += 1.0
        else:
            em += 0.58
    return em * size


def _fit(label: str, room: float, size: float = 12) -> str:
    """SVG attributes that squeeze ``label`` into ``room`` px when it may not fit (its
    start would be cut off by the edge of the chart), else none."""
    if _text_width(label, size) <= room:
        return ""
    return f' textLength="{_fmt(room)}" lengthAdjust="spacingAndGlyphs"'


def timeline(report: dict, width: int = 1000) -> str:
    """The arc: a band of stages over turns, and one lane per speaker with a tick per turn
    coloured by its orientation (formal actions as hollow marks); stage changes as dashed
    lines, climate shifts as triangles."""
    turns = report["arc"]["turns"]
    speakers = report["session"]["speakers"]
    n = max(1, len(turns))
    left, top, band, lane = LANE_MARGIN, 8, 26, 24
    plot = width - left - 10
    step = plot / n
    tick = max(1.5, min(12.0, step * 0.72))
    lanes = {s["name"]: i for i, s in enumerate(speakers)}
    height = top + band + 6 + lane * max(1, len(speakers)) + 34
    x_of = {t["turn"]: left + step * i for i, t in enumerate(turns)}
    spans = "; ".join(f'{span["stage"]}, turns {span["first_turn"]} to {span["last_turn"]}'
                      for span in report["arc"]["stages"])
    label = (f"Stage timeline of {len(turns)} turns: {spans or 'no stages'}. Each turn's "
             "speaker, stage and orientation are listed in the Transcript table.")
    out = [f'<svg class="chart timeline" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg">']
    for span in report["arc"]["stages"]:
        x0 = x_of[span["first_turn"]]
        x1 = x_of[span["last_turn"]] + step
        stage = span["stage"]
        out.append(f'<rect x="{_fmt(x0)}" y="{top}" width="{_fmt(x1 - x0)}" height="{band}" '
                   f'fill="{STAGE_TINTS.get(stage, "#eee")}"><title>{esc(stage)}: turns '
                   f'{span["first_turn"]}-{span["last_turn"]}</title></rect>')
        room = x1 - x0 - 8
        label = stage if room >= 7.6 * len(stage) else stage[:1].upper()
        if room >= 7.6 * len(label):  # a stage too short for its name shows its initial
            out.append(f'<text x="{_fmt(x0 + 5)}" y="{top + 17}" font-size="13" '
                       f'font-weight="600" fill="{STAGE_INK.get(stage, "#333")}">'
                       f'{esc(label)}</text>')
        if span["first_turn"] != turns[0]["turn"]:
            out.append(f'<line x1="{_fmt(x0)}" x2="{_fmt(x0)}" y1="{top}" y2="{height - 32}" '
                       f'stroke="#555" stroke-dasharray="3,3" stroke-width="1"/>')
    y0 = top + band + 6
    for name, i in lanes.items():
        y = y0 + i * lane
        role = speakers[i]["role"]
        suffix = "" if role == "party" else f" ({role})"
        # name and role together fit the margin: the name is cut, never the start of the
        # label ("Susan Whitaker (mediator)" lost its first letters off the left edge:
        # coach QA, 28 Nov 2026); the whole name is in the tooltip
        room = max(4, LANE_LABEL_CHARS - len(suffix))
        label = (name if len(name) <= room else name[:room - 1] + "\u2026") + suffix
        out.append(f'<rect x="{left}" y="{y}" width="{plot}" height="{lane - 4}" '
                   f'fill="{"#fafbfc" if i % 2 == 0 else "#fff"}"/>')
        out.append(f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end" '
                   f'fill="#333"{_fit(label, left - 12)}>{esc(label)}'
                   f'<title>{esc(name)} ({esc(role)})</title></text>')
    for t in turns:
        if t["speaker"] not in lanes:
            continue
        y = y0 + lanes[t["speaker"]] * lane + 2
        x = x_of[t["turn"]] + (step - tick) / 2
        tip = (f'turn {t["turn"]} \u00b7 {t["speaker"]} \u00b7 {t["stage"]} \u00b7 {t["move"]}'
               f' \u00b7 {t["orientation"]} ({pct(t["confidence"])})')
        if t["is_action"]:
            out.append(f'<rect x="{_fmt(x + 0.5)}" y="{y + 0.5}" width="{_fmt(tick - 1)}" '
                       f'height="{lane - 9}" fill="none" stroke="#666" stroke-width="1">'
                       f'<title>{esc(tip)} (formal action)</title></rect>')
        else:
            color = COLORS.get(t["orientation"], "#777")
            dy, tall = TICK_PLACE.get(t["orientation"], (0, lane - 8))
            out.append(f'<rect class="tick {esc(t["orientation"])}" x="{_fmt(x)}" y="{y + dy}" '
                       f'width="{_fmt(tick)}" height="{tall}" rx="1.5" fill="{color}">'
                       f'<title>{esc(tip)}</title></rect>')
    for p in report["turning_points"]:
        if p["kind"] != "climate" or p["turn"] not in x_of:
            continue
        cx = x_of[p["turn"]] + step / 2
        cy = height - 24
        out.append(f'<path d="M{_fmt(cx - 6)},{cy + 8} L{_fmt(cx + 6)},{cy + 8} L{_fmt(cx)},'
                   f'{cy - 2} Z" fill="{COLORS.get(p["to"], "#555")}"><title>climate shift at '
                   f'turn {p["turn"]}: {esc(p["from"])} to {esc(p["to"])}</title></path>')
    axis_y = height - 2
    for t in turns[:: max(1, n // 12)]:
        out.append(f'<text x="{_fmt(x_of[t["turn"]] + step / 2)}" y="{axis_y}" font-size="10" '
                   f'text-anchor="middle" fill="{AXIS_INK}">{t["turn"]}</text>')
    out.append(f'<text x="{left - 8}" y="{axis_y}" font-size="10" text-anchor="end" '
               f'fill="{AXIS_INK}">turn</text>')
    out.append("</svg>")
    return "".join(out)


def stacked_bar(shares: dict, width: float = 260, height: int = 16) -> str:
    """One horizontal bar split into integrative / distributive / neutral shares."""
    shares = {o: shares.get(o) or 0.0 for o in ORIENTATIONS}  # None: no spoken turn
    total = sum(shares.values())
    labels = {o: pct(shares[o] / (total or 1)) for o in ORIENTATIONS}
    said = ", ".join(f"{o} {labels[o]}" for o in ORIENTATIONS) if total else "no spoken turns"
    out = [f'<svg class="chart bar" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{esc(said)}" '
           f'xmlns="http://www.w3.org/2000/svg">']
    x = 0.0
    if not total:
        out.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f0f0f0"/>')
    for orientation in ORIENTATIONS:
        w = width * shares.get(orientation, 0.0) / (total or 1)
        if w <= 0:
            continue
        out.append(f'<rect class="seg {orientation}" x="{_fmt(x)}" y="0" width="{_fmt(w)}" '
                   f'height="{height}" fill="{COLORS[orientation]}"><title>{orientation} '
                   f'{labels[orientation]}</title></rect>')
        if w >= 30:
            out.append(f'<text x="{_fmt(x + w / 2)}" y="{height - 4}" font-size="10.5" '
                       f'text-anchor="middle" fill="{LABEL_ON[orientation]}">{labels[orientation]}'
                       f'</text>')
        x += w
    out.append("</svg>")
    return "".join(out)


def share_bar(share: float | None, width: float = 120, height: int = 16,
              color: str = "#44546a", label: str | None = None, name: str = "share") -> str:
    """A single proportion as a filled bar with its percentage (``label``: the percentage
    as rounded with the other shares of its table, so that they add up to 100; ``name``:
    what it is a share of, for screen readers)."""
    share = share or 0.0
    label = label if label is not None else pct(share)
    w = max(0.0, min(1.0, share)) * width
    return (f'<svg class="chart share" viewBox="0 0 {width + 38} {height}" width="{width + 38}" '
            f'height="{height}" role="img" aria-label="{esc(name)} {esc(label)}" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eceff3"/>'
            f'<rect x="0" y="0" width="{_fmt(w)}" height="{height}" fill="{color}"/>'
            f'<text x="{width + 4}" y="{height - 4}" font-size="11" fill="#333">'
            f'{esc(label)}</text></svg>')


def issue_bars(issues: list[dict], width: int = 520) -> str:
    """Horizontal bars of issue mentions, largest first."""
    if not issues:
        return ""
    row, left = 22, 130
    top = max(i["mentions"] for i in issues) or 1
    height = row * len(issues) + 4
    said = "; ".join(f'{i["issue"]} {i["mentions"]} ({pct(i["share"])})' for i in issues)
    out = [f'<svg class="chart issues" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{esc("Issue mentions: " + said)}" xmlns="http://www.w3.org/2000/svg">']
    for k, issue in enumerate(issues):
        y = 2 + k * row
        w = (width - left - 60) * issue["mentions"] / top
        out.append(f'<text x="{left - 8}" y="{y + 14}" font-size="12" text-anchor="end" '
                   f'fill="#333">{esc(issue["issue"])}</text>')
        out.append(f'<rect x="{left}" y="{y + 2}" width="{_fmt(w)}" height="{row - 6}" '
                   f'fill="#44546a"/>')
        out.append(f'<text x="{_fmt(left + w + 6)}" y="{y + 14}" font-size="11" fill="#333">'
                   f'{issue["mentions"]} ({pct(issue["share"])})</text>')
    out.append("</svg>")
    return "".join(out)
