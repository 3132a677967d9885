"""The overview of a run: one page listing every session, for a coach with a folder of them.

Why: ``analyze`` over a folder (or ``batch --reports``) writes one report per session, named
after session ids; without a page that lists them, a coach opens files one by one to find
the impasse or the one-sided session. The overview (``_index.html`` and ``_index.md``) has a
row per session (its outcome, the stage strip, the orientation shares overall and per party,
a link to its report) and, above it, the counts (outcomes, stages reached) and the files
that could not be read, with their line and fix.

It is built from rows of the ``sessions`` table (``report.tables.SESSION_COLUMNS``), not from
the analyses, so ``analyze`` (tables in memory) and ``batch`` (tables read back from Parquet
at the end) make the same page, and a batch of 100,000 sessions holds only those rows.

Name: a session report is named ``safe_name(session id)``, which never starts with ``_``
(a leading ``_`` is stripped and a hash appended), so ``_index`` can never be a session's
report, whatever the sessions are called; and it sorts first in a file listing.

Safety: every value from a transcript or its file passes through ``esc`` (HTML) or ``md``
(Markdown); links are percent-encoded relative paths inside the output folder; the page
has the reports' Content-Security-Policy (no scripts, no network).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import PurePath
from string import Template
from typing import Any
from urllib.parse import quote

from ..results import ORIENTATIONS, STAGES
from .html import _asset
from .markdown import md
from .svg import COLORS, STAGE_INK, esc
from .tables import split_names
from .wording import INFERRED, isolate, name_list, pct, seconds

#: File name (without extension) of the overview; never a session report's (see above).
OVERVIEW_NAME = "_index"
#: The report formats that get an overview.
OVERVIEW_FORMATS = ("html", "md")
#: The first line of each, to recognise an overview before removing a stale one.
OVERVIEW_FIRST_LINE = {"html": "<!DOCTYPE html>", "md": "# Sessions overview"}
#: Columns of the sessions table the overview reads.
OVERVIEW_COLUMNS = ("session_id", "source", "turns", "duration", "parties", "third_parties",
                    "outcome", "outcome_turn", "outcome_basis", *(f"{s}_start" for s in STAGES),
                    "integrative_share", "distributive_share", "neutral_share",
                    "orientation_by_party", "english_share", "not_english")


def _value(row: Mapping[str, Any], key: str) -> Any:
    """``row[key]`` with missing values (None, NaN, pandas' NA) as None."""
    value = row.get(key)
    if value is None:
        return None
    try:
        if value != value or (isinstance(value, float) and math.isnan(value)):
            return None
    except (TypeError, ValueError):  # pandas.NA compares to nothing
        return None
    return value


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


#: Shown by a session whose ``english_share`` is below the threshold (``nlp/language.py``).
NOT_ENGLISH = "not English: labels not meaningful"


def _not_english(row: Mapping[str, Any]) -> bool:
    return bool(_value(row, "not_english"))


def stage_spans(row: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """``(stage, first turn, last turn)`` of every stage present, in order, from the
    ``<stage>_start`` columns and the session's turn count."""
    turns = _int(_value(row, "turns")) or 0
    starts = [(s, _int(_value(row, f"{s}_start"))) for s in STAGES]
    present = [(s, i) for s, i in starts if i is not None and i < turns]
    spans = []
    for k, (stage, first) in enumerate(present):
        last = (present[k + 1][1] - 1) if k + 1 < len(present) else turns - 1
        if last >= first:
            spans.append((stage, first, last))
    return spans


def party_shares(row: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    """The orientation shares of each party (the ``orientation_by_party`` JSON column);
    empty when the column is missing or not JSON (a table written by hand)."""
    text = _value(row, "orientation_by_party")
    if not text:
        return {}
    try:
        data = json.loads(text) if isinstance(text, str) else dict(text)
    except (ValueError, TypeError):
        return {}
    shares = {str(name): dict(value) for name, value in data.items()
              if isinstance(value, Mapping)}
    # in the order the session report uses (the ``parties`` column: order of first turn),
    # not the JSON's sorted keys (multi-party QA, 28 Nov 2026)
    order = [n for n in split_names(_value(row, "parties")) if n in shares]
    return {**{n: shares[n] for n in order}, **shares}


def _outcome(row: Mapping[str, Any]) -> str:
    outcome = _value(row, "outcome") or "unknown"
    turn = _int(_value(row, "outcome_turn"))
    text = str(outcome) + (f" (turn {turn})" if turn is not None else "")
    if _value(row, "outcome_basis") == "talk":
        text += f", {INFERRED}"
    return text


def summary(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts over the sessions: outcomes (formal / inferred), stages reached, turns, and
    the mean of the sessions' orientation shares (each session counts once, however long).
    Sessions flagged as not English are counted apart and left out of the outcomes, stages
    and means, which would be nonsense for them. Also the file names that two different
    sources share (``a/call.vtt``, ``b/call.vtt``), so the rows show those paths whole."""
    outcomes: Counter[str] = Counter()
    inferred: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    means: dict[str, list[float]] = {o: [] for o in ORIENTATIONS}
    sources: dict[str, set[str]] = defaultdict(set)
    turns = sessions = foreign = 0
    for row in rows:
        sessions += 1
        turns += _int(_value(row, "turns")) or 0
        source = _value(row, "source")
        if source:
            sources[PurePath(str(source)).name].add(str(source))
        if _not_english(row):
            foreign += 1
            continue
        outcome = str(_value(row, "outcome") or "unknown")
        outcomes[outcome] += 1
        if _value(row, "outcome_basis") == "talk":
            inferred[outcome] += 1
        for stage, _, _ in stage_spans(row):
            reached[stage] += 1
        for o in ORIENTATIONS:
            share = _value(row, f"{o}_share")
            if share is not None:
                means[o].append(float(share))
    return {"sessions": sessions, "turns": turns, "not_english": foreign,
            "shared_names": {n for n, paths in sources.items() if len(paths) > 1},
            "outcomes": dict(outcomes),
            "inferred": dict(inferred), "reached": {s: reached[s] for s in STAGES},
            "mean_shares": {o: (sum(v) / len(v) if v else None) for o, v in means.items()}}


def _outcome_counts(info: Mapping[str, Any]) -> list[str]:
    parts = []
    for outcome in ("agreement", "impasse", "unfinished", "unknown"):
        n = info["outcomes"].get(outcome, 0)
        if n:
            talk = info["inferred"].get(outcome, 0)
            said = "all" if talk == n > 1 else str(talk) if talk < n else ""
            parts.append(f"{outcome} {n}" + (f" ({said} {INFERRED})".replace("( ", "(")
                                             if talk else ""))
    return parts


def _source(row: Mapping[str, Any], shared: set[str]) -> str:
    """The file a session came from: its name, or its whole path when another input file
    has the same name."""
    source = str(_value(row, "source") or "")
    name = PurePath(source).name
    return source if name in shared else name


# -- HTML ------------------------------------------------------------------------------------

_CSS = """
.overview td { vertical-align: middle; }
.overview td.session { min-width: 180px; }
.overview td.outcome { min-width: 150px; }
.scroll { overflow-x: auto; }
.overview .src { display: block; font-size: 12px; color: var(--muted); }
.strip { display: flex; width: 220px; height: 16px; border-radius: 3px; overflow: hidden;
  border: 1px solid var(--rule); }
.strip i { display: block; height: 100%; opacity: .55; border-right: 1px solid #fff; }
.obar { display: flex; width: 140px; height: 10px; border-radius: 3px; overflow: hidden;
  background: #eef0f3; margin-bottom: 2px; }
.obar i { display: block; height: 100%; }
.warn { display: block; font-size: 12px; color: var(--distributive); font-weight: 600; }
.small { font-size: 12px; color: var(--muted); white-space: nowrap; }
.parties { font-size: 12.5px; }
.parties div { white-space: nowrap; }
.failures td { overflow-wrap: anywhere; }
@media print {
  .overview tr { break-inside: avoid; }
  /* the whole table on the page: no scroll box, narrower bars, names that wrap (the
     orientation and by-party columns were cut off on A4; visual QA, 28 Nov 2026) */
  .scroll { overflow: visible; }
  .overview td.session, .overview td.outcome { min-width: 0; }
  .strip { width: 130px; } .obar { width: 90px; }
  .parties div, .small { white-space: normal; }
  .overview { font-size: 9pt; }
}
"""


def span_text(spans: Sequence[tuple[str, int, int]]) -> str:
    """``O 0–2 · E 3 · B 4–9``: each stage's initial and its turns."""
    return " \u00b7 ".join(f"{s[0].upper()} {a}" + (f"\u2013{b}" if b > a else "")
                           for s, a, b in spans)


def _strip(spans: Sequence[tuple[str, int, int]], turns: int) -> str:
    if not spans or turns <= 0:
        return '<span class="small">no stages</span>'
    cells = []
    for stage, first, last in spans:
        width = 100 * (last - first + 1) / turns
        cells.append(f'<i style="width:{width:.2f}%;background:{STAGE_INK[stage]}" '
                     f'title="{stage}: {span_text([(stage, first, last)])}"></i>')
    names = " \u00b7 ".join(f'<span class="ink-{s}">{span_text([(s, a, b)])}</span>'
                            for s, a, b in spans)
    return f'<div class="strip">{"".join(cells)}</div><span class="small">{names}</span>'


def _obar(shares: Mapping[str, Any]) -> str:
    values = [shares.get(o) for o in ORIENTATIONS]
    if all(v is None for v in values):
        return '<span class="small">no spoken turns</span>'
    cells = "".join(f'<i style="width:{100 * float(v or 0):.2f}%;background:{COLORS[o]}" '
                    f'title="{o} {pct(v)}"></i>' for o, v in zip(ORIENTATIONS, values, strict=True))
    text = " / ".join(pct(v) for v in values)
    return f'<div class="obar">{cells}</div><span class="small">{text}</span>'


def _breakable(text: str) -> str:
    """``text`` escaped, with line-break chances after ``/``, ``_`` and ``-`` (paths and
    session ids wrap at their parts, not mid-word)."""
    return re.sub(r"([/_\\-])", r"\1<wbr>", esc(text))


def _href(path: str) -> str:
    return esc(quote(path, safe="/"))


def _html_row(row: Mapping[str, Any], link: str | None, shared: set[str]) -> str:
    sid = _breakable(_value(row, "session_id") or "")
    name = f'<a href="{_href(link)}">{sid}</a>' if link else sid
    source = _value(row, "source")
    src = (f'<span class="src" title="{esc(source)}">{_breakable(_source(row, shared))}'
           "</span>" if source else "")
    if _not_english(row):
        src += f'<span class="warn">{NOT_ENGLISH}</span>'
    turns = _int(_value(row, "turns")) or 0
    by_party = party_shares(row)
    parties = "".join(
        f'<div><bdi>{esc(p)}</bdi>: <span class="integrative" style="color:var(--c)">'
        f'{pct(s.get("integrative_share"))}</span> / <span class="distributive" '
        f'style="color:var(--c)">{pct(s.get("distributive_share"))}</span></div>'
        for p, s in by_party.items()) or '<span class="small">\u2013</span>'
    third = split_names(_value(row, "third_parties"))
    if third:
        parties += f'<div class="small">third parties: {esc(name_list(third))}</div>'
    overall = {o: _value(row, f"{o}_share") for o in ORIENTATIONS}
    outcome = esc(_outcome(row))
    length = _value(row, "duration")
    when = f'<span class="small">{seconds(float(length))}</span>' if length is not None else ""
    return (f'<tr><td class="session">{name}{src}</td><td class=num>{turns}<br>{when}</td>'
            f'<td class="outcome">{outcome}</td><td>{_strip(stage_spans(row), turns)}</td>'
            f"<td>{_obar(overall)}</td><td class=parties>{parties}</td></tr>")


def _failure_rows(failures: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str, str]]:
    out = []
    for f in failures:
        line = _value(f, "line")
        out.append((str(_value(f, "file") or ""), "" if line is None else str(int(line)),
                    str(_value(f, "error") or ""), str(_value(f, "hint") or "")))
    return out


Rows = Callable[[], Iterable[Mapping[str, Any]]]
LinkOf = Callable[[Mapping[str, Any]], "str | None"]


def _html_parts(rows: Rows, link_of: LinkOf, failures: Rows, version: str) -> Iterator[str]:
    info = summary(rows())
    fails = _failure_rows(failures())
    facts = [("Sessions", str(info["sessions"])), ("Turns", str(info["turns"])),
             ("Outcomes", ", ".join(_outcome_counts(info)) or "\u2013"),
             ("Stages reached", ", ".join(f"{s} {n}" for s, n in info["reached"].items())),
             ("Mean shares (I / D / N)",
              " / ".join(pct(info["mean_shares"][o]) for o in ORIENTATIONS)),
             ("Not analysed", str(len(fails)))]
    if info["not_english"]:
        facts.append(("Not English (not in the outcomes, stages and means)",
                      str(info["not_english"])))
    css = _asset("report.css") + _CSS
    head, tail = Template(_asset("report.html")).substitute(
        title="Sessions overview", css=css, body="\0", version=esc(version)).split("\0")
    yield head
    yield ('<header><h1>Sessions overview</h1><p class="sub">Every session of this run: '
           "how it ended, its stages and how integrative or distributive each party was. "
           "Open a session for its stage-by-stage report.</p>"
           '<dl class="facts">' + "".join(f"<div><dt>{k}</dt><dd>{esc(v)}</dd></div>"
                                          for k, v in facts) + "</dl>"
           '<p class="note">Stages: O opening, E exploring, B bargaining, C closing (turn '
           "ranges). Shares: the party's spoken turns by orientation "
           '(<span class="integrative" style="color:var(--c)">integrative</span> / '
           '<span class="distributive" style="color:var(--c)">distributive</span>; the '
           "rest neutral); the mean is over sessions, each counted once. Outcomes "
           f"marked \u201c{esc(INFERRED)}\u201d had no formal Accept-Deal or Walk-Away "
           "and are the least reliable output.</p></header>")
    yield ('<section id="sessions"><h2>Sessions</h2><div class="scroll">'
           '<table class="overview"><thead><tr>'
           "<th>session</th><th class=num>turns, length</th><th>outcome</th><th>stages</th>"
           "<th>integrative / distributive / neutral</th><th>by party (I / D)</th></tr>"
           "</thead><tbody>")
    shared = info["shared_names"]
    for row in rows():
        yield _html_row(row, link_of(row), shared)
    yield "</tbody></table></div></section>"
    if fails:
        yield ('<section id="failures"><h2>Not analysed</h2><p class="note">Each file or '
               "session below was skipped; the rest of the run went on.</p>"
               '<table class="failures"><thead><tr><th>file</th><th class=num>line</th>'
               "<th>error</th><th>what to do</th></tr></thead><tbody>"
               + "".join(f"<tr><td>{_breakable(f)}</td><td class=num>{esc(n)}</td>"
                         f"<td>{esc(e)}</td><td>{esc(h)}</td></tr>" for f, n, e, h in fails)
               + "</tbody></table></section>")
    if version:
        yield f"<footer>Made by analyzer {esc(version)}</footer>"
    yield tail


# -- Markdown --------------------------------------------------------------------------------

def _length(row: Mapping[str, Any]) -> str:
    length = _value(row, "duration")
    return f" ({seconds(float(length))})" if length is not None else ""


def _md_link(text: str, path: str | None) -> str:
    return f"[{md(text)}](<{quote(path, safe='/')}>)" if path else md(text)


def _md_parts(rows: Rows, link_of: LinkOf, failures: Rows) -> Iterator[str]:
    info = summary(rows())
    fails = _failure_rows(failures())
    yield "\n".join([
        "# Sessions overview", "",
        f"- Sessions: {info['sessions']}, turns: {info['turns']}",
        "- Outcomes: " + (", ".join(_outcome_counts(info)) or "-"),
        "- Stages reached: " + ", ".join(f"{s} {n}" for s, n in info["reached"].items()),
        "- Mean shares over sessions (integrative / distributive / neutral): "
        + " / ".join(pct(info["mean_shares"][o]) for o in ORIENTATIONS),
        f"- Not analysed: {len(fails)}"]
        + ([f"- Not English (not in the outcomes, stages and means above): "
            f"{info['not_english']}"]
           if info["not_english"] else []) + ["",
        "Stages: O opening, E exploring, B bargaining, C closing (turn ranges). By party: "
        "integrative / distributive shares of the party's spoken turns.", "",
        "| session | source | turns (length) | outcome | stages | I / D / N | by party (I / D) |",
        "|---|---|---|---|---|---|---|", ""])
    for row in rows():
        sid = str(_value(row, "session_id") or "")
        shares = " / ".join(pct(_value(row, f"{o}_share")) for o in ORIENTATIONS)
        parties = "; ".join(f"{md(isolate(p))} {pct(s.get('integrative_share'))} / "
                            f"{pct(s.get('distributive_share'))}"
                            for p, s in party_shares(row).items())
        third = split_names(_value(row, "third_parties"))
        if third:
            parties += f"; third parties: {md(name_list(third))}"
        warn = f" ({NOT_ENGLISH})" if _not_english(row) else ""
        yield (f"| {_md_link(sid, link_of(row))}{warn} "
               f"| {md(_source(row, info['shared_names']))} "
               f"| {_int(_value(row, 'turns')) or 0}{_length(row)} | {md(_outcome(row))} "
               f"| {span_text(stage_spans(row)) or '-'} | {shares} | {parties or '-'} |\n")
    if fails:
        yield "\n".join(["", "## Not analysed", "", "| file | line | error | what to do |",
                         "|---|---|---|---|", ""])
        yield "".join(f"| {md(f)} | {n} | {md(e)} | {md(h)} |\n" for f, n, e, h in fails)


def overview_parts(fmt: str, rows: Rows, link_of: LinkOf, failures: Rows = tuple, *,
                   version: str = "") -> Iterator[str]:
    """The overview in ``fmt`` (``html`` or ``md``), piece by piece, so a run of any size is
    written without holding the page: ``rows()`` is called twice (the counts, then the
    table) and may read the sessions table back in batches. ``link_of(row)`` is the path of
    the session's report relative to the page, or None (listed without a link)."""
    if fmt == "html":
        return _html_parts(rows, link_of, failures, version)
    return _md_parts(rows, link_of, failures)


def render_overview(fmt: str, rows: Sequence[Mapping[str, Any]],
                    links: Mapping[str, str],
                    failures: Sequence[Mapping[str, Any]] = (), *, version: str = "") -> str:
    """The whole overview as one string: ``links`` maps session ids to report paths."""
    return "".join(overview_parts(fmt, lambda: rows,
                                  lambda row: links.get(str(_value(row, "session_id"))),
                                  lambda: failures, version=version))
