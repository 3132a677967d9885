"""A handful of plain sentences that sum up a session, for the top of the report.

They restate numbers found further down (no new inference), so a coach can read them in
ten seconds and then check each one in its section.
"""

from __future__ import annotations

from collections import Counter

from .wording import INFERRED, isolate, orientation_pcts, pct, pcts

KIND_NAMES = {
    "priority_question_positional": "priority question answered positionally",
    "package_single_issue": "package offer met with a single-issue or positional reply",
    "integrative_proposal_rebuffed": "integrative proposal met with a distributive reply",
}


#: Climate shifts named in the headline; the rest are counted (long-sessions QA, 28 Nov
#: 2026: a 6,000-turn meeting's 160 shifts made one 6 KB line).
MAX_SHIFTS_LISTED = 5


def headlines(report: dict) -> list[str]:
    s = report["session"]
    lines = []
    arc = ", ".join(f"{st['stage']} ({st['turns']})" for st in report["stages"])
    lines.append(f"{s['outcome_text'].capitalize()}"
                 + (f" at turn {s['outcome_turn']}" if s["outcome_turn"] is not None else "")
                 + (f" ({INFERRED})" if s.get("outcome_basis") == "talk" else "")
                 + f"; stages (turns): {arc}.")
    parties = report["overview"]["parties"]
    if parties:
        shares = [orientation_pcts(p["orientation_shares"]) for p in parties]
        lines.append("Of each party's spoken turns: " + "; ".join(
            f"{isolate(p['speaker'])} {s['integrative']} integrative, "
            f"{s['distributive']} distributive"
            for p, s in zip(parties, shares, strict=True)) + ".")
        talk = pcts([p["talk_share"] for p in parties])
        lines.append("Talk share: " + ", ".join(
            f"{isolate(p['speaker'])} {t}" for p, t in zip(parties, talk, strict=True)) + ".")
    for third in report["overview"]["third_parties"]:
        role = "" if third["speaker"].lower() == third["role"] else f" ({third['role']})"
        lines.append(f"{isolate(third['speaker'])}{role} spoke {pct(third['talk_share'])} "
                     "of all words and is reported apart.")
    rec = report["reciprocity"]["parties"]
    if any(r["after_integrative"] for r in rec):
        # every party, one with nothing to answer too: a line naming only one side read as
        # if the other had not answered (coach QA, 28 Nov 2026)
        lines.append("Integrative moves answered in kind: " + "; ".join(
            f"{isolate(r['party'])} {r['integrative_in_kind']} of {r['after_integrative']}"
            if r["after_integrative"] else f"{isolate(r['party'])} none to answer"
            for r in rec) + ".")
    shifts = [p for p in report["turning_points"] if p["kind"] == "climate"]
    listed = ", ".join(f"turn {p['turn']} ({p['from']} \u2192 {p['to']})"
                       for p in shifts[:MAX_SHIFTS_LISTED])
    if len(shifts) > MAX_SHIFTS_LISTED:  # a long meeting's 160 shifts filled the terminal
        listed += f" and {len(shifts) - MAX_SHIFTS_LISTED} more (see Turning points)"
    lines.append(f"Climate shifts: {listed}." if shifts else "Climate shifts: none.")
    missed = Counter(m["kind"] for m in report["missed_opportunities"])
    lines.append("Missed opportunities flagged: " + (", ".join(
        f"{KIND_NAMES.get(k, k)} ({n})" for k, n in missed.items()) if missed else "none") + ".")
    issues = report["issues"]
    if issues["issues"]:
        top = ", ".join(i["issue"] for i in issues["issues"][:3])
        lines.append(f"Issues most discussed: {top}; the talk is {issues['focus']['verdict']}.")
    return lines
