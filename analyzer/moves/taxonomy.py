"""The move types, defined once: definition, orientation, the research behind them, and how
CaSiNo's strategy labels map onto them. ``docs/moves.md`` is generated from this table.

Orientation counting rules (our decisions, documented in docs/moves.md):

* Relational moves (rapport / small talk, empathy) are **integrative**: they do not create
  value by themselves, but the literature puts them on the integrative side because they
  build the climate in which priorities get shared (Adair & Brett 2005, relational
  positioning; Kern et al. 2020). We count them integrative, not as a fourth class.
* A turn that mixes integrative and distributive content (CaSiNo: "I need water badly, what
  do you need most?") is counted **distributive**: any claiming move in a turn makes the
  turn distributive. This is the rule the project's targets are stated in; it is also the
  cautious reading for a coach (a claim is not undone by a friendly question in the same
  breath). Long spoken turns are first cut into units, each unit gets its own orientation,
  and the same rule rolls the units up to the turn.
* Acceptances, rejections and procedural talk are **neutral**. A **walk-away** is
  **distributive**: it exercises one's alternative instead of searching for joint gains
  (the executed form of an ultimatum, which the schemes code distributive).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MoveType:
    name: str
    orientation: str
    definition: str
    research: str
    family: str  # "strategy" (learned from coded data), "offer" or "rule" (rules), "action",
    # or "third-party" (process codes of a third party's turns, by rules)


MOVES: tuple[MoveType, ...] = (
    # --- learned from CaSiNo's labels ------------------------------------------------------
    MoveType("elicit-pref", "integrative",
             "Asking about the other's preferences or priorities.",
             "Priority information goes with integrative agreements (Olekalns, Smith & Walsh "
             "1996); information seeking, integrative cluster (Kern et al. 2020).", "strategy"),
    MoveType("no-need", "integrative",
             "Saying one does not need an item, so the other can have it (sharing a low "
             "priority).", "Priority sharing enables logrolling (Pruitt 1981; Olekalns et al. "
             "1996).", "strategy"),
    MoveType("promote-coordination", "integrative",
             "Proposing to work together or a deal good for both.",
             "Integrative bargaining (Walton & McKersie 1965); CaSiNo prosocial strategy "
             "(Chawla et al. 2021).", "strategy"),
    MoveType("showing-empathy", "integrative",
             "Acknowledging the other's situation or feelings (relational; counted "
             "integrative).", "Relational positioning (Adair & Brett 2005); CaSiNo prosocial "
             "strategy.", "strategy"),
    MoveType("small-talk", "integrative",
             "Rapport and chit-chat unrelated to the deal (relational; counted integrative).",
             "Rapport builds the integrative climate (Adair & Brett 2005); in CaSiNo small "
             "talk goes with more liking.", "strategy"),
    MoveType("self-need", "distributive",
             "Arguing one's own need for an item (substantiation of a claim).",
             "Substantiation and positional information go with distributive outcomes "
             "(Weingart et al. 1990; Olekalns et al. 1996).", "strategy"),
    MoveType("other-need", "distributive",
             "Arguing a need on behalf of someone else (kids, group) to claim an item.",
             "Substantiation (Weingart et al. 1990); CaSiNo proself strategy.", "strategy"),
    MoveType("vouch-fair", "distributive",
             "Calling on fairness to one's own advantage.",
             "Fairness appeals used to claim (Kern et al. 2020); CaSiNo proself strategy; "
             "lower partner satisfaction in CaSiNo.", "strategy"),
    MoveType("uv-part", "distributive",
             "Undervaluing the partner's needs ('you don't really need water').",
             "CaSiNo proself strategy; lower partner liking in CaSiNo.", "strategy"),
    MoveType("non-strategic", "neutral",
             "None of the above (often the offers, acceptances and procedure).",
             "CaSiNo's residual label.", "strategy"),
    # --- offers: detected by rules (CaSiNo does not label them) --------------------------
    MoveType("package_offer", "integrative",
             "A multi-issue offer: proposes a split of two or more issues at once.",
             "Multi-issue offers go with integrative outcomes (Weingart et al. 1990, 1996).",
             "offer"),
    MoveType("tradeoff_offer", "integrative",
             "A conditional trade across issues: 'if you give me X, I give you Y'.",
             "Logrolling / trade-offs (Pruitt 1981; Weingart et al. 1990).", "offer"),
    MoveType("single_issue_offer", "distributive",
             "An offer or demand about one issue only ('can I have 2 water?').",
             "Single-issue offers are distributive (Weingart et al. 1990).", "offer"),
    MoveType("concession", "neutral",
             "Giving ground on an earlier position ('ok, you can have the firewood then').",
             "Concession making (Pruitt 1981); neither claims nor creates value by itself.",
             "offer"),
    MoveType("accept", "neutral", "Accepting a proposal (in words or Accept-Deal).",
             "Procedural / agreement codes are neutral in the schemes.", "offer"),
    MoveType("reject", "neutral", "Rejecting a proposal (in words or Reject-Deal).",
             "Procedural codes are neutral in the schemes.", "offer"),
    MoveType("walk_away", "distributive",
             "Leaving without a deal (Walk-Away): exercising one's alternative.",
             "Threats and ultimatums are distributive (Weingart et al. 1990).", "action"),
    # --- found by rules in the words (``commitments.py``); last, so export codes stay ---
    MoveType("ultimatum", "distributive",
             "A threat, an ultimatum or a firm positional commitment ('take it or leave "
             "it', 'my final offer', 'I can't go below 45', 'or we walk').",
             "Commitment tactics of distributive bargaining (Walton & McKersie 1965); "
             "threats and positional commitment are distributive in the coding schemes "
             "(Weingart et al. 1990; Kern et al. 2020).", "rule"),
    # --- a third party's turns (``third_party.py``): process codes, after the parties' ---
    MoveType("summary", "neutral",
             "A third party sums up or restates what it heard, or checks its understanding.",
             "Contextual mediator tactics (Kressel 1972; Wall & Lynn 1993).", "third-party"),
    MoveType("suggestion", "neutral",
             "A third party puts terms or an option forward ('what if', 'one option').",
             "Substantive mediator tactics (Kressel 1972; Wall & Lynn 1993).", "third-party"),
    MoveType("probe", "neutral",
             "A third party asks about interests, priorities, reasons or options.",
             "Contextual mediator tactics (Kressel 1972; Wall & Lynn 1993).", "third-party"),
    MoveType("procedure", "neutral",
             "A third party steers the process: ground rules, agenda, turns, breaks, next "
             "steps, handing the floor on.",
             "Reflexive and contextual mediator tactics (Kressel 1972; Wall & Lynn 1993).",
             "third-party"),
    MoveType("rapport", "neutral",
             "A third party welcomes, thanks or acknowledges feelings.",
             "Reflexive mediator tactics (Kressel 1972; Wall & Lynn 1993).", "third-party"),
    MoveType("facilitation", "neutral",
             "A third party's turn with none of the phrases above.",
             "The process codes' residual.", "third-party"),
)

MOVE_BY_NAME = {m.name: m for m in MOVES}

#: CaSiNo's strategy labels and their orientation (the default rule set of the shipped model).
CASINO_LABELS = tuple(m.name for m in MOVES if m.family == "strategy")
CASINO_ORIENTATION = {m.name: m.orientation for m in MOVES if m.family == "strategy"}
PROSELF = tuple(n for n, o in CASINO_ORIENTATION.items() if o == "distributive")
PROSOCIAL = tuple(n for n, o in CASINO_ORIENTATION.items() if o == "integrative")


def orientation_of_labels(labels, mapping: dict[str, str]) -> str:
    """A turn's orientation from its (possibly several) labels: any distributive label ->
    distributive; else any integrative -> integrative; else neutral. Unmapped -> neutral."""
    found = {mapping.get(label, "neutral") for label in labels}
    if "distributive" in found:
        return "distributive"
    if "integrative" in found:
        return "integrative"
    return "neutral"


def orientation_of_move(name: str, mapping: dict[str, str] | None = None) -> str:
    if mapping and name in mapping:
        return mapping[name]
    move = MOVE_BY_NAME.get(name)
    return move.orientation if move else "neutral"


def markdown_table() -> str:
    """The move table of docs/moves.md (a test checks the page holds exactly this)."""
    rows = ["| move | family | orientation | definition | research |",
            "| --- | --- | --- | --- | --- |"]
    for m in MOVES:
        rows.append(f"| `{m.name}` | {m.family} | {m.orientation} | {m.definition} | "
                    f"{m.research} |")
    return "\n".join(rows)


def cue_table() -> str:
    """The cue table of docs/moves.md."""
    from ..nlp.cues import CUES

    rows = ["| cue | what it marks |", "| --- | --- |"]
    rows += [f"| `{name}` | {definition} |" for name, (definition, _) in CUES.items()]
    return "\n".join(rows)
