"""The self-contained HTML report a coach opens: offline, no scripts, charts as inline SVG.

Safety: every string that comes from a transcript or its file (session id, source, speaker
names, texts, move names, metadata) passes through ``esc`` (``html.escape``, quotes included)
before it reaches the page; the page also carries a Content-Security-Policy that forbids
scripts and any network access, so even a slip in escaping could not run code or fetch
anything. Only our own constant markup is written unescaped.
"""

from __future__ import annotations

from importlib import resources
from string import Template

from ..results import ORIENTATIONS
from .svg import INK, esc, issue_bars, share_bar, stacked_bar, timeline
from .wording import (
    action_text,
    offer_words,
    outcome_line,
    pct,
    pcts,
    reason_words,
    seconds,
    turn_span,
    turns_with_actions,
)


def _asset(name: str) -> str:
    return resources.files("analyzer.report").joinpath("templates", name).read_text("utf-8")


def _span(entry: dict) -> str:
    return turn_span(entry, " \u00b7 ")


def _chip(orientation: str) -> str:
    return f'<span class="chip {esc(orientation)}">{esc(orientation)}</span>'


def _bdi_list(names) -> str:
    """Names for the page header, each in its own ``<bdi>``: with Unicode isolates alone,
    Chromium showed "שרה כהן ,محمد علي" for two right-to-left names (regression QA, 28 Nov
    2026); ", " between them, "; " when a name holds a comma (``name_list``)."""
    names = list(names)
    sep = "; " if any("," in n for n in names) else ", "
    return sep.join(f"<bdi>{esc(n)}</bdi>" for n in names)


def _nav_links(third_parties: bool) -> str:
    """The section links, separated by spaces so that a narrow screen (a phone, 400% zoom)
    wraps them instead of scrolling sideways (accessibility QA, 28 Nov 2026)."""
    links = [("glance", "At a glance"), ("stages", "Stages"), ("turning-points",
             "Turning points"), ("reciprocity", "Reciprocity"), ("opportunities",
             "Missed opportunities"), ("conversation", "Conversation"), ("issues", "Issues")]
    if third_parties:
        links.append(("third-parties", "Third parties"))
    links += [("transcript", "Transcript"), ("notes", "Method")]
    return " ".join(f'<a href="#{anchor}">{name}</a>' for anchor, name in links)


def _legend() -> str:
    where = {"integrative": "high", "distributive": "low", "neutral": "short, middle"}
    items = "".join(f'<span class="{o}">{o} (tick {where[o]})</span>' for o in ORIENTATIONS)
    return (f'<div class="legend">{items}<span class="hollow">formal action '
            f'(Submit-Deal, Accept-Deal\u2026)</span><span style="--c:none">\u25b2 climate '
            f'shift, coloured by the new climate</span><span style="--c:none">\u2506 stage '
            f'change</span></div>')


def _moves(row: dict) -> str:
    parts = []
    for name, n in row["moves"].items():
        o = esc(row["move_orientations"].get(name, "neutral"))
        parts.append(f'<span class="move"><span class="{o}" style="color:var(--c)" '
                     f'title="{o}">\u25cf</span>&nbsp;{esc(name)}&nbsp;{n}</span>')
    return ", ".join(parts) or "\u2013"


def _speaker_table(rows: list[dict], timed: bool, share_label: str) -> str:
    head = ("<thead><tr><th>speaker</th><th class=num>turns</th><th class=num>words</th>"
            f"<th>{share_label}</th>" + ("<th>time share</th>" if timed else "")
            + "<th>integrative / distributive / neutral</th><th>move types</th></tr></thead>")
    body = []
    talk = pcts([r["talk_share"] for r in rows])
    time = pcts([r["time_share"] for r in rows]) if timed else []
    for i, r in enumerate(rows):
        body.append(
            f"<tr><td>{esc(r['speaker'])}</td><td class=num>{turns_with_actions(r)}</td>"
            f"<td class=num>{r['words']}</td>"
            f"<td>{share_bar(r['talk_share'], label=talk[i], name='talk share')}</td>"
            + ("<td>" + share_bar(r['time_share'], color='#6b7c93', label=time[i],
                                  name='time share') + "</td>" if timed else "")
            + f"<td>{stacked_bar(r['orientation_shares'], width=220)}</td>"
              f"<td>{_moves(r)}</td></tr>")
    return f"<div class=scroll><table>{head}<tbody>{''.join(body)}</tbody></table></div>"


def _quotes(rows: list[dict]) -> str:
    items = []
    for r in rows:
        for orientation, quotes in r["quotes"].items():
            for q in quotes:
                when = f" \u00b7 {seconds(q['start'])}" if q["start"] is not None else ""
                items.append(
                    f'<li class="{orientation}">\u201c{esc(q["text"])}\u201d<span class="meta">'
                    f'{esc(q["speaker"])} \u00b7 turn {q["turn"]}{when} \u00b7 {orientation}, '
                    f'{esc(q["move"])}, confidence {pct(q["confidence"])}</span></li>')
    if not items:
        return ""
    return ('<p class="note">Telling quotes: the model\'s most confident examples of each '
            "orientation (a third party's: its longest turn of a process code).</p>"
            f'<ul class="quotes">{"".join(items)}</ul>')


def _glance_table(report: dict) -> str:
    """The glance grid's numbers as a real table for screen readers (hidden on screen and
    paper): the grid is laid out with CSS, so it has no table semantics, and its shares
    were only in its charts (accessibility QA, 28 Nov 2026)."""
    rows = []
    for stage in report["stages"]:
        talk = pcts([r["talk_share"] for r in stage["parties"]])
        for r, label in zip(stage["parties"], talk, strict=True):
            shares = r["orientation_shares"]
            cells = "".join(f"<td>{pct(shares.get(o))}</td>" for o in ORIENTATIONS)
            rows.append(f'<tr><th scope="row">{esc(stage["stage"])}, {esc(r["speaker"])}</th>'
                        f"{cells}<td>{esc(label)}</td></tr>")
    head = "".join(f'<th scope="col">{o}</th>' for o in ORIENTATIONS)
    return ('<table class="sr-only"><caption>Each party\'s share of integrative, distributive '
            "and neutral turns and of the talk, stage by stage</caption><thead><tr>"
            f'<th scope="col">stage, party</th>{head}<th scope="col">talk share</th></tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table>')


def _glance_grid(report: dict) -> str:
    cells = [_glance_table(report),
             '<div class="grid" aria-hidden="true"><div class="head">party</div>'
             '<div class="head">integrative / '
             'distributive / neutral (share of spoken turns)</div><div class="head">talk '
             'share</div>']
    for stage in report["stages"]:
        cells.append(f'<div class="stage-label ink-{stage["stage"]}">'
                     f'{stage["stage"].capitalize()} <span class="note">{_span(stage)}</span>'
                     "</div>")
        talk = pcts([r["talk_share"] for r in stage["parties"]])
        for r, label in zip(stage["parties"], talk, strict=True):
            cells.append(f'<div class="who">{esc(r["speaker"])}</div>'
                         f'<div>{stacked_bar(r["orientation_shares"], width=360)}</div>'
                         f'<div>{share_bar(r["talk_share"], label=label, name="talk share")}</div>')
    cells.append("</div>")
    return "".join(cells)


def _stage_section(stage: dict, timed: bool) -> str:
    c = stage["conversation"]
    inter = f"{c['interactivity_per_100_words']:.1f} speaker switches per 100 words"
    if c["interactivity_per_minute"] is not None:
        inter += f", {c['interactivity_per_minute']:.1f} per minute"
    parts = [f'<section class="stage {stage["stage"]}" id="stage-{stage["stage"]}" '
             f'data-stage="{stage["stage"]}"><h3>{stage["stage"].capitalize()} '
             f'<span class="note">{_span(stage)}</span></h3>',
             _speaker_table(stage["parties"], timed, "talk share (parties)")]
    if stage["third_parties"]:
        parts.append('<p class="note">Third parties in this stage, not counted in the '
                     "parties' shares:</p>")
        parts.append(_speaker_table(stage["third_parties"], timed, "share of all talk"))
    turns = "1 spoken turn" if c["spoken_turns"] == 1 else f'{c["spoken_turns"]} spoken turns'
    parts.append(f'<p class="note">{turns}, {c["words"]} words, {inter}.</p>')
    parts.append(_quotes(stage["parties"] + stage["third_parties"]))
    parts.append("</section>")
    return "".join(parts)


def _turning_points(report: dict) -> str:
    items = []
    for p in report["turning_points"]:
        when = f" ({seconds(p['start'])})" if p["start"] is not None else ""
        if p["kind"] == "stage":
            what = f"stage {esc(p['from'])} \u2192 <b>{esc(p['to'])}</b>"
        else:
            what = f"climate {_chip(p['from'])} \u2192 {_chip(p['to'])}"
        items.append(f"<li>Turn {p['turn']}{when}: {what} \u2014 {esc(p['speaker'])}: "
                     f"\u201c{esc(p['text'])}\u201d</li>")
    body = "".join(items) or "<li>none</li>"
    return (f'<section id="turning-points"><h2>Turning points</h2><ul class="points">{body}'
            f'</ul><p class="note">{esc(report["notes"]["climate"])}</p></section>')


def _reciprocity(report: dict) -> str:
    rows = []
    for r in report["reciprocity"]["parties"]:
        rows.append(
            f"<tr><td>{esc(r['party'])}</td><td class=num>{r['replies']}</td>"
            f"<td class=num>{r['integrative_in_kind']}/{r['after_integrative']} "
            f"({pct(r['integrative_rate'])})</td><td class=num>"
            f"{pct(r['integrative_base_rate'])}</td>"
            f"<td class=num>{r['distributive_in_kind']}/{r['after_distributive']} "
            f"({pct(r['distributive_rate'])})</td><td class=num>"
            f"{pct(r['distributive_base_rate'])}</td></tr>")
    return ('<section id="reciprocity"><h2>Reciprocity</h2><div class=scroll><table><thead>'
            '<tr><th>party</th>'
            '<th class=num>replies</th><th class=num>integrative answered in kind</th>'
            '<th class=num>base rate</th><th class=num>distributive answered in kind</th>'
            f'<th class=num>base rate</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            '</div><p class="note">'
            f'{esc(report["notes"]["reciprocity"])}</p></section>')


def _opportunities(report: dict) -> str:
    items = []
    for m in report["missed_opportunities"]:
        items.append(
            f"<li><b>Turn {m['turn']} \u2192 {m['reply_turn']}</b> ({esc(m['stage'])}): "
            f"{esc(m['why'])}<br><span class=\"note\">{esc(m['to'])}: "
            f"\u201c{esc(m['opportunity_text'])}\u201d \u2192 {esc(m['by'])}: "
            f"\u201c{esc(m['reply_text'])}\u201d</span></li>")
    body = "".join(items) or "<li>none flagged</li>"
    return ('<section id="opportunities"><h2>Missed opportunities</h2>'
            '<p class="note">Flags for a coach to look at, not verdicts: the labels are model '
            f'predictions.</p><ul class="opps">{body}</ul></section>')


def _conversation(report: dict, timed: bool) -> str:
    rows = []
    for stage in report["stages"] + [{"stage": "whole session", **report["overview"]}]:
        c = stage["conversation"]
        inter = f"{c['interactivity_per_100_words']:.1f} / 100 words"
        if c["interactivity_per_minute"] is not None:
            inter += f", {c['interactivity_per_minute']:.1f} / min"
        for r in stage["parties"] + stage["third_parties"]:
            mono = f"{r['longest_monologue_words']} words"
            if timed:
                mono += f", {r['longest_monologue_seconds']:.0f} s"
            rows.append(
                f"<tr><td>{esc(stage['stage'])}</td><td>{esc(r['speaker'])}</td>"
                f"<td>{esc(r['role'])}</td><td class=num>{pct(r['talk_share'])}</td>"
                + (f"<td class=num>{pct(r['time_share'])}</td>" if timed else "")
                + f"<td class=num>{mono}</td><td class=num>{r['questions']}</td>"
                  f"<td class=num>{inter}</td></tr>")
    return ('<section id="conversation"><h2>Conversation metrics by stage</h2>'
            '<div class=scroll><table><thead><tr><th>stage</th><th>speaker</th><th>role</th>'
            '<th class=num>talk share</th>' + ('<th class=num>time share</th>' if timed else '')
            + '<th class=num>longest monologue</th><th class=num>questions</th>'
              f'<th class=num>interactivity</th></tr></thead><tbody>{"".join(rows)}</tbody>'
              '</table></div>'
              '<p class="note">Talk share is over the parties\' words (a third party\'s over '
              "everyone's); the longest monologue is the longest run of consecutive turns by "
              "one speaker; questions are the question marks in the speaker's turns (\"?!?\" "
              "counts once); interactivity is the stage's speaker switches per 100 words"
            + (" and per minute" if timed else "")
            + ".</p></section>")


def _issues(report: dict) -> str:
    iss = report["issues"]
    f = iss["focus"]
    focus = f"<p><b>Focus:</b> the talk is {esc(f['verdict'])}"
    if f["top_issue"]:
        focus += (f" \u2014 the top issue takes {pct(f['top_share'])} of issue mentions, the "
                  f"top three {pct(f['top3_share'])}; normalised entropy {f['entropy']:.2f} "
                  "(0 = one issue, 1 = evenly spread).")
    focus += "</p>"
    stages = "".join(f"<li>{esc(s)}: {esc(v['verdict'])}</li>" for s, v in
                     iss["by_stage"].items())
    return ('<section id="issues"><h2>Issues on the table</h2>' + focus
            + issue_bars(iss["issues"])
            + (f'<p class="note">By stage:</p><ul class="note">{stages}</ul>' if stages else "")
            + '<p class="note">Issues are terms mentioned with a quantity ("2 water") or '
              "repeatedly by both sides; see docs/reports.md.</p></section>")


def _third_parties(report: dict, timed: bool) -> str:
    third = report["overview"]["third_parties"]
    if not third:
        return ""
    return ('<section id="third-parties" class="third"><h2>Third parties</h2>'
            f'<p class="note">{esc(report["notes"]["third_parties"])}</p>'
            + _speaker_table(third, timed, "share of all talk") + _quotes(third) + "</section>")


def _turn_text(t: dict) -> str:
    """A turn's text; a turn cut into several units shows each unit underlined in the colour
    of its own orientation, so a long spoken turn's mix is visible."""
    units = t["units"]
    if t["is_action"]:
        return esc(action_text(t))
    if len(units) <= 1:
        return esc(t["text"])
    parts = []
    for u in units:
        parts.append(f'<span class="unit {esc(u["orientation"])}" title="{esc(u["move"])} \u00b7 '
                     f'{esc(u["orientation"])} ({pct(u["confidence"])})">{esc(u["text"])}</span>')
    return " ".join(parts)


def _transcript(report: dict) -> str:
    rows = []
    for t in report["turns"]:
        why = "; ".join(reason_words(r) for r in t["reasons"][:4])
        extra = f" \u00b7 offer: {esc(offer_words(t['offer']))}" if t["offer"] and \
            t["offer"] != t["move"] else ""
        rows.append(
            f'<tr class="{esc(t["orientation"])}{" action" if t["is_action"] else ""}" '
            f'id="turn-{t["turn"]}"><td class=num>{t["turn"]}</td>'
            f'<td class=num>{seconds(t["start"])}</td><td>{esc(t["speaker"])}</td>'
            f'<td>{esc(t["stage"])}</td><td>{esc(t["move"])}{extra}</td>'
            f'<td>{_chip(t["orientation"])}</td><td class=num>{pct(t["confidence"])}</td>'
            f'<td class="text">{_turn_text(t)}</td><td class="why">{esc(why)}</td></tr>')
    return ('<section id="transcript"><h2>Transcript</h2><p class="note">Every turn with its '
            "stage, move and orientation; confidence is the model's probability for the "
            'orientation shown; "why" lists the cues behind the prediction.</p>'
            '<div class=scroll><table class="transcript">'
            '<thead><tr><th class=num>turn</th><th class=num>time</th><th>speaker</th>'
            '<th>stage</th><th>move</th><th>orientation</th><th class=num>conf.</th>'
            f'<th>text</th><th>why</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            '</div></section>')


def _notes(report: dict) -> str:
    notes = "".join(f"<p>{esc(v)}</p>" for k, v in report["notes"].items()
                    if k not in ("model", "stages", "climate", "reciprocity", "third_parties"))
    refs = "".join(f"<li>{esc(v)}</li>" for v in report["references"].values())
    return (f'<section id="notes"><h2>Method and references</h2>{notes}<ul class="note">{refs}'
            "</ul></section>")


def render_html(report: dict) -> str:
    """The HTML page of ``build_report``'s dict, as one self-contained string.

    Why from the report dict, not the analysis: the Markdown and JSON reports render the
    same dict, so every format states the same facts; why self-contained (inline SVG and
    styles, no scripts): a coach opens the file offline, and the page's
    Content-Security-Policy can forbid everything else."""
    s = report["session"]
    timed = s["timed"]
    parties = _bdi_list(s["parties"]) or "\u2013"
    third = _bdi_list(s["third_parties"]) or "none"
    outcome = esc(outcome_line(s))
    facts = [("Session", esc(s["id"])), ("Source", esc(s["source"])),
             ("Turns", str(s["turns"])),
             ("Duration", seconds(s["duration"]) if s["duration"] is not None else "untimed"),
             ("Parties", parties), ("Third parties", third), ("Outcome", outcome),
             ("Model", esc(" ".join(str(report["model"][k]) for k in ("name", "version")
                                    if report["model"].get(k)) or "\u2013"))]
    header = ('<header><h1>Negotiation report</h1><p class="sub">Stage by stage: who did '
              "what, how integrative or distributive, and where it turned.</p>"
              '<dl class="facts">' + "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>"
                                             for k, v in facts) + "</dl>"
              '<nav aria-label="Sections">' + _nav_links(bool(s["third_parties"])) + "</nav>"
              + (f'<p class="caveat warn">{esc(report["notes"]["language"])}</p>'
                 if "language" in report["notes"] else "")
              + f'<p class="caveat">{esc(report["notes"]["model"])}</p></header>')
    summary = "".join(f"<li>{esc(h)}</li>" for h in report["headlines"])
    glance = ('<section id="glance"><h2>At a glance</h2>'
              f'<ul class="headlines">{summary}</ul>' + _legend()
              + "<div class=timeline-box>" + timeline(report) + "</div>" + _glance_grid(report)
              + '<h3>Whole session (parties)</h3>'
              + _speaker_table(report["overview"]["parties"], timed, "talk share")
              + "</section>")
    stages = ('<section id="stages"><h2>Stages</h2>'
              f'<p class="note">{esc(report["notes"]["stages"])}</p>'
              + "".join(_stage_section(st, timed) for st in report["stages"]) + "</section>")
    footer = (f'<footer>Made by analyzer {esc(report["software"]["analyzer"])} \u00b7 model '
              f'{esc(report["model"].get("name", "-"))} {esc(report["model"].get("version", ""))}'
              " \u00b7 colours: "
              + ", ".join(f'<span style="color:{INK[o]}">{o}</span>' for o in ORIENTATIONS)
              + "</footer>")
    body = "".join([header, "<main>", glance, stages, _turning_points(report),
                    _reciprocity(report), _opportunities(report), _conversation(report, timed),
                    _issues(report), _third_parties(report, timed), _transcript(report),
                    _notes(report), "</main>", footer])
    return Template(_asset("report.html")).substitute(
        title=f"Negotiation report: {esc(s['id'])}", css=_asset("report.css"), body=body,
        version=esc(report["software"]["analyzer"]))
