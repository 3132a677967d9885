"""The Markdown report: the same content as the HTML page, readable as plain text.

Transcript-derived text (speaker names, quotes, session ids) is escaped for Markdown: HTML
angle brackets become entities and Markdown's own markup characters are backslash-escaped,
so a transcript can neither inject HTML into a rendered page nor forge links or tables.
"""

from __future__ import annotations

import re

from ..results import ORIENTATIONS
from .wording import (
    action_text,
    isolate,
    name_list,
    offer_words,
    orientation_pcts,
    outcome_line,
    pct,
    pcts,
    printable,
    seconds,
    turn_span,
    turns_with_actions,
)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
LETTER = {"integrative": "I", "distributive": "D", "neutral": "N"}


def md(text) -> str:
    """``text`` safe inside Markdown (one line, no HTML, no markup)."""
    flat = printable(" ".join(str(text).split()))
    flat = flat.replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", flat)


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _when(start) -> str:
    return f", {seconds(start)}" if start is not None else ""


def _span(entry: dict) -> str:
    return turn_span(entry, ", ")


def _moves(row: dict) -> str:
    parts = [f"{md(name)} {n}" for name, n in row["moves"].items()]
    return ", ".join(parts) or "-"


def _speaker_table(rows: list[dict], timed: bool, share_label: str) -> list[str]:
    header = ["speaker", "turns", "words", share_label] + (["time share"] if timed else []) + \
        ["integrative", "distributive", "neutral", "move types"]
    body = []
    talk = pcts([r["talk_share"] for r in rows])
    time = pcts([r["time_share"] for r in rows]) if timed else []
    for i, r in enumerate(rows):
        shares = orientation_pcts(r["orientation_shares"])
        body.append([md(isolate(r["speaker"])), turns_with_actions(r), r["words"], talk[i]]
                    + ([time[i]] if timed else [])
                    + [shares[o] for o in ORIENTATIONS] + [_moves(r)])
    return _table(header, body)


def _quotes(rows: list[dict]) -> list[str]:
    lines = []
    for r in rows:
        for orientation, quotes in r["quotes"].items():
            for q in quotes:
                lines.append(f"- **{md(q['speaker'])}** (turn {q['turn']}{_when(q['start'])}; "
                             f"{orientation}, {md(q['move'])}, confidence "
                             f"{pct(q['confidence'])}): \u201c{md(q['text'])}\u201d")
    return lines + [""] if lines else []


def render_markdown(report: dict) -> str:
    """The Markdown report of ``build_report``'s dict.

    Why from the report dict, not the analysis: the HTML page and the JSON report render the
    same dict, so every format states the same facts, worded once (``wording``)."""
    s = report["session"]
    timed = s["timed"]
    out = [f"# Negotiation report: {md(s['id'])}", ""]
    out += [f"- Source: {md(s['source'])} ({md(s['format'])}), {s['turns']} turns"
            + (f", {seconds(s['duration'])} long" if s["duration"] is not None else ""),
            "- Parties: " + (name_list(md(p) for p in s["parties"]) or "-"),
            "- Third parties: " + (name_list(md(p) for p in s["third_parties"]) or "none"),
            f"- Outcome: {md(outcome_line(s))}",
            ""]
    if "language" in report["notes"]:
        out += [f"> **{md(report['notes']['language'])}**", ""]
    out += [f"> {md(report['notes']['model'])}", ""]

    out += ["## At a glance", ""] + [f"- {md(h)}" for h in report["headlines"]] + [""]
    out += ["Arc (one letter per turn: I integrative, D distributive, "
            "N neutral, \u00b7 formal action; in groups of ten turns):", ""]
    for span in report["arc"]["stages"]:
        letters = "".join("\u00b7" if t["is_action"] else LETTER.get(t["orientation"], "?")
                          for t in report["arc"]["turns"]
                          if span["first_turn"] <= t["turn"] <= span["last_turn"])
        # groups of ten, so that a long stage wraps and turns can be counted (a 6,000-turn
        # meeting's bargaining was one line of 4,740 letters: long-sessions QA, 28 Nov 2026)
        grouped = " ".join(letters[k:k + 10] for k in range(0, len(letters), 10))
        out.append(f"- **{span['stage']}** ({_span(span)}): `{grouped}`")
    out += ["", "Whole session, parties only:", ""]
    out += _speaker_table(report["overview"]["parties"], timed, "talk share")

    out += ["## Stages", "", md(report["notes"]["stages"]), ""]
    for stage in report["stages"]:
        out += [f"### {stage['stage'].capitalize()} ({_span(stage)})", ""]
        out += _speaker_table(stage["parties"], timed, "talk share")
        if stage["third_parties"]:
            out += ["Third parties in this stage (not counted in the parties' shares):", ""]
            out += _speaker_table(stage["third_parties"], timed, "share of all talk")
        quotes = _quotes(stage["parties"] + stage["third_parties"])
        if quotes:
            out += ["Telling quotes (the model's most confident examples; a third party's: its "
                    "longest turn of a process code):", ""] + quotes

    out += ["## Turning points", "", md(report["notes"]["climate"]), ""]
    for p in report["turning_points"] or []:
        what = "stage" if p["kind"] == "stage" else "climate"
        out.append(f"- turn {p['turn']}{_when(p['start'])}: {what} {p['from']} \u2192 "
                   f"{p['to']} ({md(isolate(p['speaker']))}: \u201c{md(p['text'])}\u201d)")
    if not report["turning_points"]:
        out.append("- none")
    out.append("")

    rec = report["reciprocity"]
    out += ["## Reciprocity", "", md(report["notes"]["reciprocity"]), ""]
    out += _table(["party", "replies", "integrative answered in kind", "base rate",
                   "distributive answered in kind", "base rate"],
                  [[md(isolate(r["party"])), r["replies"],
                    f"{r['integrative_in_kind']}/{r['after_integrative']} "
                    f"({pct(r['integrative_rate'])})", pct(r["integrative_base_rate"]),
                    f"{r['distributive_in_kind']}/{r['after_distributive']} "
                    f"({pct(r['distributive_rate'])})", pct(r["distributive_base_rate"])]
                   for r in rec["parties"]])

    out += ["## Missed opportunities", ""]
    for m in report["missed_opportunities"]:
        out.append(f"- turn {m['turn']} \u2192 {m['reply_turn']} ({m['stage']}): "
                   f"{md(m['why'])} \u201c{md(m['opportunity_text'])}\u201d \u2192 "
                   f"\u201c{md(m['reply_text'])}\u201d")
    if not report["missed_opportunities"]:
        out.append("- none flagged")
    out.append("")

    out += ["## Conversation metrics by stage", "",
            "Talk share is over the parties' words (a third party's over everyone's); the "
            "longest monologue is the longest run of consecutive turns by one speaker; "
            "questions are the question marks in the speaker's turns (\"?!?\" counts once); "
            "interactivity is the stage's speaker switches per 100 words"
            + (" and per minute." if timed else "."), ""]
    rows = []
    for stage in report["stages"] + [{"stage": "whole session", **report["overview"]}]:
        c = stage["conversation"]
        inter = f"{c['interactivity_per_100_words']:.1f}/100w" + (
            f", {c['interactivity_per_minute']:.1f}/min"
            if c["interactivity_per_minute"] is not None else "")
        for r in stage["parties"] + stage["third_parties"]:
            mono = f"{r['longest_monologue_words']} w" + (
                f" / {r['longest_monologue_seconds']:.0f} s" if timed else "")
            rows.append([stage["stage"], md(isolate(r["speaker"])), md(r["role"]),
                         pct(r["talk_share"]),
                         *([pct(r["time_share"])] if timed else []), mono, r["questions"],
                         inter])
    out += _table(["stage", "speaker", "role", "talk share", *(["time share"] if timed else []),
                   "longest monologue", "questions", "interactivity"], rows)

    iss = report["issues"]
    out += ["## Issues on the table", "",
            f"Focus: the talk is {md(iss['focus']['verdict'])}"
            + (f" (top issue {pct(iss['focus']['top_share'])} of mentions, normalised "
               f"entropy {iss['focus']['entropy']:.2f})" if iss["focus"]["top_issue"] else ""),
            ""]
    out += _table(["issue", "mentions", "with a quantity", "share", "by stage"],
                  [[md(i["issue"]), i["mentions"], i["quantified"], pct(i["share"]),
                    ", ".join(f"{k} {v}" for k, v in i["by_stage"].items())]
                   for i in iss["issues"]])

    third = report["overview"]["third_parties"]
    if third:
        out += ["## Third parties", "", md(report["notes"]["third_parties"]), ""]
        out += _speaker_table(third, timed, "share of all talk")
        out += _quotes(third)

    out += ["## Transcript", ""]
    out += _table(["turn", "time", "speaker", "stage", "move", "orientation", "confidence",
                   "text"],
                  [[t["turn"], seconds(t["start"]), md(isolate(t["speaker"])), t["stage"],
                    md(t["move"]) + (f" (offer: {md(offer_words(t['offer']))})"
                                     if t["offer"] and t["offer"] != t["move"] else ""),
                    t["orientation"], pct(t["confidence"]),
                    md(action_text(t) if t["is_action"] else t["text"])]
                   for t in report["turns"]])

    shown = ("model", "stages", "climate", "reciprocity", "third_parties")  # in their sections
    out += ["## Notes", ""] + [f"- {md(v)}" for k, v in report["notes"].items()
                               if k not in shown]
    out += ["", "## References", ""] + [f"- {md(v)}" for v in report["references"].values()]
    out += ["", f"_Made by analyzer {md(report['software']['analyzer'])}, model "
            f"{md(report['model'].get('name', '-'))}._", ""]
    return "\n".join(out)
