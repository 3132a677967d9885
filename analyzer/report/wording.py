"""The sentences and references every renderer shares, so Markdown, HTML and the terminal
say the same careful thing.

Interpretations cite the research they rest on and claim no more than it supports: the
findings are associations over many negotiations, the labels are model predictions, and
"integrative" describes moves (win-win bargaining), not the stage-by-stage analysis.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REFERENCES = {
    "Walton & McKersie 1965": "Walton, R. E., & McKersie, R. B. (1965). A behavioral theory of "
                              "labor negotiations. McGraw-Hill.",
    "Pruitt 1981": "Pruitt, D. G. (1981). Negotiation behavior. Academic Press.",
    "Weingart et al. 1990": "Weingart, L. R., Thompson, L. L., Bazerman, M. H., & Carroll, J. S. "
                            "(1990). Tactical behavior and negotiation outcomes. International "
                            "Journal of Conflict Management, 1(1), 7-31.",
    "Weingart et al. 1996": "Weingart, L. R., Hyder, E. B., & Prietula, M. J. (1996). Knowledge "
                            "matters: The effect of tactical descriptions on negotiation "
                            "behavior and outcome. Journal of Personality and Social "
                            "Psychology, 70(6), 1205-1217.",
    "Olekalns et al. 1996": "Olekalns, M., Smith, P. L., & Walsh, T. (1996). The process of "
                            "negotiating: Strategy and timing as predictors of outcomes. "
                            "Organizational Behavior and Human Decision Processes, 68(1), 68-77.",
    "Holmes 1992": "Holmes, M. E. (1992). Phase structures in negotiation. In L. L. Putnam & "
                   "M. E. Roloff (Eds.), Communication and negotiation. Sage.",
    "Olekalns, Brett & Weingart 2003": "Olekalns, M., Brett, J. M., & Weingart, L. R. (2003). "
                                       "Phases, transitions and interruptions: Modeling "
                                       "processes in multi-party negotiations. International "
                                       "Journal of Conflict Management, 14(3/4), 191-211.",
    "Adair & Brett 2005": "Adair, W. L., & Brett, J. M. (2005). The negotiation dance: Time, "
                          "culture, and behavioral sequences in negotiation. Organization "
                          "Science, 16(1), 33-51.",
    "Kressel 1972": "Kressel, K. (1972). Labor mediation: An exploratory survey. Association "
                    "of Labor Mediation Agencies.",
    "Wall & Lynn 1993": "Wall, J. A., & Lynn, A. (1993). Mediation: A current review. Journal "
                        "of Conflict Resolution, 37(1), 160-194.",
    "Kern et al. 2020": "Kern, M. C., Brett, J. M., Weingart, L. R., & Eck, C. S. (2020). The "
                        "\"fixed\" pie perception and strategy in dyadic versus multiparty "
                        "negotiations. Organizational Behavior and Human Decision Processes, "
                        "157, 143-158.",
}
CASINO_CREDIT = ("Chawla, K., Ramirez, J., Clever, R., Lucas, G., May, J., & Gratch, J. (2021). "
                 "CaSiNo: A Corpus of Campsite Negotiation Dialogues for Automatic Negotiation "
                 "Systems. NAACL 2021, 3167-3185. CC BY 4.0.")

ORIENTATION_NOTE = (
    "Integrative moves (asking about the other side's priorities, saying what one does not "
    "need, proposing to work together, empathy and rapport) and distributive moves (arguing "
    "for one's own needs, including priorities stated as a claim, or for fairness, "
    "undermining the other's requests, threats) follow the utterance coding schemes of "
    "negotiation research (Weingart et al. 1990; Olekalns et al. 1996; Kern et al. 2020), "
    "as the model learned them from CaSiNo's strategy labels. Offers found by rules "
    "(package, trade-off, single-issue, acceptance) are shown beside a turn's move but do "
    "not change its orientation: multi-issue offers go with integrative outcomes and "
    "single-issue ones with distributive (Weingart et al. 1990), but the model was not "
    "trained to weigh them against the rest of the turn. In an "
    "experiment with 90 dyads, those taught integrative tactics used more of them and reached "
    "higher joint outcomes, and distributive behaviour was negatively related to joint "
    "outcome (Weingart et al. 1996): findings over many negotiations, not a forecast for "
    "this one.")
STAGE_NOTE = (
    "Stages follow Adair & Brett's (2005) four: relational positioning, identifying the "
    "problem, generating solutions and reaching agreement, named opening, exploring, "
    "bargaining and closing; a stage is a period with a dominant kind of act (Holmes 1992). Here "
    "\"integrative\" describes moves (win-win bargaining), not the stage-by-stage analysis. "
    "Stage starts are a model's estimate: on 100 chat negotiations held out from its "
    "training, 3 in 4 were at the annotators' turn and 9 in 10 within one turn; on 20 "
    "spoken business meetings held out, under half were at the annotators' turn and about 2 "
    "in 3 within one turn. Read the turns "
    "around a stage change before relying on it.")
RECIPROCITY_NOTE = (
    "Negotiators tend to answer integrative moves with integrative ones and distributive with "
    "distributive, and highly integrative dyads reciprocate integrative behaviour more "
    "(Weingart et al. 1990). A rate above the party's base rate suggests reciprocity; with "
    "few replies it is a hint, not a finding.")
CLIMATE_NOTE = (
    "A climate shift is where the parties' last {window} spoken turns swing from mostly "
    "integrative to mostly distributive or back (a lead of at least {margin} turns); in "
    "multi-party negotiations, groups often open with a distributive phase and end with an "
    "integrative one (Olekalns, Brett & Weingart 2003).")
THIRD_PARTY_NOTE = (
    "Third parties (mediators, chairs, facilitators, observers) are reported on their own: "
    "their moves are not a party's claims, and they are excluded from the parties' talk "
    "shares, orientation shares and reciprocity. Their turns get process codes instead of "
    "the parties' moves, from their words: rapport, procedure, probe (asking about "
    "interests and options), summary and suggestion (putting terms forward), after the "
    "relationship, process and substance tactics of mediation research (Kressel 1972; Wall "
    "& Lynn 1993); the codes are counted neutral, as no party claims anything by them.")
ESTIMATED_ENDS_NOTE = (
    "The transcript gives when turns start but not when they end: a turn is taken to last "
    "until the next one starts, but no longer than its words at 75 a minute plus 3 seconds "
    "(a longer gap is a break, not talk), and the last turn at 150 words a minute. Time "
    "shares and monologue seconds rest on that estimate.")
CHAT_ENDS_NOTE = (
    "A chat gives when messages were sent, not how long anyone spoke: each message is taken "
    "to last its words at 150 a minute (at most until the next one), so a pause between "
    "messages is no one's time. Time shares and monologue seconds rest on that estimate.")
INFERRED_OUTCOME_NOTE = (
    "This transcript records no formal acceptance or walk-away, so the outcome is inferred "
    "from the talk: an agreement where a party accepts terms and closing starts, an impasse "
    "where one is declared, unfinished where neither happens or the meeting was put off. "
    "Inferred outcomes are the least reliable output: on 20 spoken-style sessions held out "
    "from training they matched how the session ended in 18 (8 of 8 adjourned meetings "
    "recognised, but only 2 of 4 impasses); on 200 other spoken sessions, each scored by a "
    "model that had not seen it, in nearly 9 of 10 (impasses in 3 of 4), a figure that "
    "flatters, since the phrase lists were written with most of those sessions in view. "
    "Check the turn named.")
#: Shown after an outcome read off the talk (``transcript.outcome_basis`` "talk").
INFERRED = "inferred from the talk"
OUTCOMES = {
    "agreement": "agreement reached",
    "impasse": "impasse (no agreement)",
    "unfinished": "unfinished: no agreement or impasse",
}


def outcome_line(session: dict) -> str:
    """The outcome as reports show it: "agreement reached (turn 14)", plus "inferred from
    the talk" when no formal action decided it."""
    out = session["outcome_text"]
    if session["outcome_turn"] is not None:
        out += f" (turn {session['outcome_turn']})"
    if session.get("outcome_basis") == "talk":
        out += f", {INFERRED}"
    return out


def model_scores(info: Mapping[str, Any], depth: int = 3) -> list[tuple[str, float]]:
    """Measured scores found in the model's info (keys naming F1, accuracy, kappa or alpha)."""
    found: list[tuple[str, float]] = []

    def walk(node: Any, path: str, level: int) -> None:
        if level > depth or not isinstance(node, Mapping):
            return
        for key, value in node.items():
            name = f"{path}.{key}" if path else str(key)
            low = str(key).lower()
            if isinstance(value, (int, float)) and not isinstance(value, bool) and any(
                    s in low for s in ("f1", "accuracy", "kappa", "alpha")):
                found.append((name, float(value)))
            elif isinstance(value, Mapping):
                walk(value, name, level + 1)

    walk(info or {}, "", 0)
    return found[:4]


#: how a score's key reads in a report; containers such as ``cv_scores`` are left out
SCORE_WORDS = {"macro_f1": "macro-F1", "f1": "F1", "kappa": "Cohen's kappa",
               "accuracy": "accuracy", "alpha": "Krippendorff's alpha",
               "labels": "strategy labels", "orientation": "orientation"}
SCORE_CONTAINERS = {"cv_scores", "scores", "evaluation", "cv"}


def score_name(path: str) -> str:
    """``cv_scores.orientation.kappa`` -> "orientation Cohen's kappa": a coach reads the
    report, not the model's JSON."""
    parts = [p for p in path.split(".") if p.lower() not in SCORE_CONTAINERS] or [path]
    return " ".join(SCORE_WORDS.get(p.lower(), p.replace("_", " ")) for p in parts)


def _meta(info: Mapping[str, Any]) -> dict[str, Any]:
    """The model folder's ``meta.json`` (plain JSON, safe to read), or {}."""
    folder = info.get("path")
    if not folder:
        return {}
    try:
        meta = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _spoken_clause(spoken: Any) -> str:
    """The scores on spoken talk a model folder records (``spoken_scores``, see
    benchmarks/moves_spoken.py), in words: a model trained mostly on chat does worse on
    recorded meetings, and a coach reading one should know by how much."""
    if not isinstance(spoken, Mapping):
        return ""
    parts = [(f"{score_name(k)} {v:.2f}") for k, v in model_scores(
        {k: v for k, v in spoken.items() if isinstance(v, Mapping)})]
    if not parts:
        return ""
    where = f" ({spoken['sessions']} sessions coded by the project)" \
        if spoken.get("sessions") else ""
    return f" On spoken business talk{where}: {', '.join(parts)}."


def _orientation_accuracy(scores: Sequence[tuple[str, float]]) -> float | None:
    return next((v for k, v in scores if k.lower().endswith("orientation.accuracy")), None)


def _in_plain_words(scores: Sequence[tuple[str, float]], spoken: Any) -> str:
    """The orientation accuracy as "about 8 in 10 turns": macro-F1 and kappa mean little to
    a coach (QA), the share of turns labelled as a person labelled them does."""
    chat = _orientation_accuracy(scores)
    talk = _orientation_accuracy(model_scores(
        {k: v for k, v in spoken.items() if isinstance(v, Mapping)})) \
        if isinstance(spoken, Mapping) else None
    if chat is None and talk is None:
        return ""
    parts = []
    if chat is not None:
        parts.append(f"about {round(chat * 10)} in 10 turns of the chats it was tested on got "
                     "the orientation a human coder gave them")
    if talk is not None:
        parts.append(f"about {round(talk * 10)} in 10 in spoken business talk" if parts else
                     f"about {round(talk * 10)} in 10 turns of spoken business talk got the "
                     "orientation a human coder gave them")
    return " In plain words: " + "; ".join(parts) + "."


def model_note(info: Mapping[str, Any]) -> str:
    """What produced the labels and how far to trust them, from the model's own info."""
    name = info.get("name") or "the move model"
    version = info.get("version")
    meta = _meta(info)
    scores = model_scores({k: v for k, v in info.items() if k != "spoken_scores"}) or \
        model_scores({k: v for k, v in meta.items()
                      if k not in ("params", "versions", "spoken_scores")})
    text = (f"Move labels are predictions of {name}"
            + (f" (version {version})" if version else "")
            + ", each with the model's confidence (its probability for the orientation shown); "
              "they are not human codes.")
    if scores:
        measured = ", ".join(f"{score_name(k)} {v:.2f}" for k, v in scores)
        command = str((meta.get("cv_scores") or {}).get("command", "")).lower()
        where = " (cross-validated on CaSiNo's campsite chats)" if "casino" in command else ""
        text += f" Measured by the model's own evaluation{where}: {measured}."
    else:
        text += " The model did not report a measured accuracy."
    spoken = info.get("spoken_scores") or meta.get("spoken_scores")
    text += _spoken_clause(spoken)
    text += _in_plain_words(scores, spoken)
    notes = [str(n) for n in info.get("notes") or []]
    if notes:
        text += " Model notes: " + "; ".join(notes) + "."
    return text


def uses_casino(info: Mapping[str, Any]) -> bool:
    """Whether the model was trained on CaSiNo (so the report must credit it)."""
    return "casino" in repr(dict(info or {})).lower()


def action_text(turn: Mapping[str, Any]) -> str:
    """A formal action with the terms it carries, as a coach reads it: "Submit-Deal (Ana gets
    Food 2, Water 3; the other side gets Food 1, Water 0)". CaSiNo-style terms are split by
    side; other terms are listed as they come."""
    text = str(turn.get("text") or "")
    terms = turn.get("action_terms") or {}
    if not terms:
        return text

    def items(split: Any) -> str:
        if isinstance(split, Mapping):
            return ", ".join(f"{k} {v}" for k, v in split.items())
        return str(split)

    if set(terms) >= {"speaker_gets", "other_gets"}:
        return (f"{text} ({turn.get('speaker', 'the speaker')} gets "
                f"{items(terms['speaker_gets'])}; the other side gets "
                f"{items(terms['other_gets'])})")
    return f"{text} ({items(terms)})"


def turns_with_actions(row: Mapping[str, Any]) -> str:
    """A speaker's spoken turns, and formal actions when there are any ("0 + 1 action"):
    a party whose only turn in a stage is Accept-Deal did take part in it."""
    actions = row.get("actions") or 0
    if not actions:
        return str(row["turns"])
    return f"{row['turns']} + {actions} action{'s' if actions > 1 else ''}"


def pct(value: float | None) -> str:
    """A share as a whole percentage, half up (``pcts``)."""
    return "-" if value is None else f"{math.floor(100 * value + 0.5)}%"


def pcts(values: Sequence[float | None]) -> list[str]:
    """``pct`` of each of ``values``, each rounded alone and half up (0.625 -> 63%).

    Why not rounded together to add up to 100 (largest remainder): then the same share
    reads differently in two places of one report (a party's 5 of 7 as 72% in a headline
    and 71% as a base rate), and a three-way tie reads 34 / 33 / 33. A row of rounded shares
    may add up to 99% or 101%; the reports say so."""
    return ["-" if v is None else f"{math.floor(100 * v + 0.5)}%" for v in values]


def orientation_pcts(shares: Mapping[str, float | None] | None) -> dict[str, str]:
    """A share triple (integrative / distributive / neutral) as percentages (``pcts``)."""
    from ..results import ORIENTATIONS

    shares = shares or {}
    return dict(zip(ORIENTATIONS, pcts([shares.get(o) for o in ORIENTATIONS]), strict=True))


_REASON_FORMS = (
    (re.compile(r'^word:"(.*)"$'), 'the word "{0}"'),
    (re.compile(r'^char:"(.*)"$'), 'the letters "{0}"'),
    (re.compile(r'^prev_word:"(.*)"$'), 'the turn before says "{0}"'),
    (re.compile(r'^next_word:"(.*)"$'), 'the reply says "{0}"'),
    (re.compile(r'^prev_cue:"(.*)"$'), "the turn before has a cue of {0}"),
    (re.compile(r'^next_cue:"(.*)"$'), "the reply has a cue of {0}"),
    (re.compile(r'^cue:(\S+) "(.*)"$'), '{0} cue "{1}"'),
    (re.compile(r"^cue:(\S+)$"), "{0} cue"),
    (re.compile(r"^context:(.*)$"), "{0}"),
    (re.compile(r'^rule:third-party (\S+) "(.*)"$'), 'third-party rule: {0} ("{1}")'),
    (re.compile(r"^rule:third-party (\S+)$"), "third-party rule: {0}"),
    (re.compile(r'^rule:(\S+) "(.*)"$'), 'rule: {0} ("{1}")'),
    (re.compile(r"^rule:(\S+)$"), "rule: {0}"),
)


def reason_words(reason: str) -> str:
    """A reason behind a prediction as a coach reads it: ``word:"evening"`` -> the word
    "evening", ``next_cue:"first_person_plural"`` -> the reply has a cue of first person
    plural (the HTML report's "why"; the JSON keeps the machine form; visual QA, 28 Nov
    2026)."""
    for pattern, form in _REASON_FORMS:
        match = pattern.match(reason)
        if match:
            return form.format(*(g.replace("_", " ") if i == 0 and "cue" in form else g
                                 for i, g in enumerate(match.groups())))
    return reason


def offer_words(kind: str | None) -> str:
    """An offer kind as a coach reads it: ``package_offer`` -> "package offer"."""
    return (kind or "").replace("_", " ").replace("tradeoff", "trade-off")


#: Bidi controls that open an embedding or override (closed by a PDF or PDI, or not at all)
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def isolate(name: str) -> str:
    """``name`` wrapped in Unicode isolates (FSI ... PDI) when it holds right-to-left script,
    so the figure after it stays after it: "Talk share: محمد العلي 16%" read "16 محمد العلي%"
    (visual QA, 28 Nov 2026); also when it holds a bidi control, whose override would
    otherwise run on past the name and reverse the figures after it ("Bob\u202e": security
    QA). Other names are returned as they are."""
    if any(unicodedata.bidirectional(ch) in ("R", "AL") or ch in _BIDI_CONTROLS
           for ch in name):
        return f"\u2068{name}\u2069"
    return name


#: Control characters (C0 but tab and line ends, DEL, C1): an ESC in a speaker's name
#: reached the terminal raw and could set its title or clear the screen (security QA)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters shown as "?", for the terminal and Markdown."""
    return _CONTROLS.sub("?", text)


def name_list(names) -> str:
    """Names joined for reading: ", " between them, or "; " when a name holds a comma
    (Teams' "Okafor, Grace" and "Lindqvist, Erik" would read as four people)."""
    names = list(names)
    return ("; " if any("," in n for n in names) else ", ").join(isolate(n) for n in names)


def seconds(value: float | None) -> str:
    """``M:SS``, or ``H:MM:SS`` from an hour on (a two-hour meeting is ``2:00:00``, not
    ``120:00``; a week-long chat ``168:00:00``)."""
    if value is None:
        return "-"
    minutes, secs = divmod(int(round(value)), 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def turn_span(entry: Mapping[str, Any], time_sep: str) -> str:
    """Where a stage or span lies: ``turns 3–9`` and, when timed, ``<time_sep>0:12–1:40``.

    Markdown and HTML name spans in the same words and differ only in the separator before
    the times, so a change to the wording reaches both reports.
    """
    first, last = entry["first_turn"], entry["last_turn"]
    text = f"turn {first}" if first == last else f"turns {first}\u2013{last}"
    if entry.get("start") is not None and entry.get("end") is not None:
        text += f"{time_sep}{seconds(entry['start'])}\u2013{seconds(entry['end'])}"
    return text
