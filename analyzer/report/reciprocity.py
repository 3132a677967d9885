"""Reciprocity: how often a party answers the other side's integrative move in kind, and a
distributive one.

Negotiators reciprocate both integrative and distributive tactics, and highly integrative
dyads reciprocate integrative behaviour more (Weingart, Thompson, Bazerman & Carroll 1990).
We measure it lag-1 over the spoken turns: a *reply* is a party's turn that directly follows
a turn by a different party (formal actions are skipped; consecutive turns by the same party
are not replies). A third party's turn breaks the chain: a mediator is never the one
answered or answering, and a party speaking after the mediator answers the mediator, not
the party who spoke before (until 0.4.0 the parties' turns around a mediator's were paired,
which paired unrelated turns; QA of 27 Nov 2026). For each party we give P(integrative
reply | the other's turn integrative) and P(distributive reply | the other's turn
distributive), with their counts, next to the party's base rate, the share of all its
spoken turns with that orientation: reciprocity means the conditional rate is above the
base rate, and counts this small say little alone.

Pleasantries (small talk, greetings, goodbyes) count as neutral here, as they are left out
of the climate (``arc.climate``): the model's scheme calls small talk integrative, but
"How was the trip?" answered with "Good, thanks" is no integrative tactic answered in kind
(Weingart et al. code information exchange and multi-issue offers), and it made a party
look reciprocal on pleasantries alone (coach QA, 28 Nov 2026).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from .facts import TurnFact
from .vocab import is_pleasantry


def reply_pairs(facts: Sequence[TurnFact]) -> list[tuple[TurnFact, TurnFact]]:
    """``(antecedent, reply)`` pairs of consecutive spoken turns by different parties (a
    third party's turn in between breaks the pair), not by two speakers of one side when
    the transcript names the sides (a union member after another is no reply to the other
    side)."""
    spoken = [f for f in facts if f.spoken]
    return [(a, b) for a, b in pairwise(spoken)
            if a.is_party and b.is_party and a.speaker != b.speaker
            and (a.side is None or a.side != b.side)]


def _orientation(fact: TurnFact) -> str:
    """The turn's orientation for reciprocity: neutral for a pleasantry (module docstring)."""
    return "neutral" if is_pleasantry(fact) else fact.orientation


def _rate(k: int, n: int) -> float | None:
    return k / n if n else None


def reciprocity(facts: Sequence[TurnFact], parties: Sequence[str]) -> dict:
    pairs = reply_pairs(facts)
    # each party's replies and turns grouped once: picking them out per party was parties x
    # turns (20,000 one-turn speakers: minutes; fuzzing QA, 28 Nov 2026)
    replies: dict[str, list[tuple[TurnFact, TurnFact]]] = {}
    for a, b in pairs:
        replies.setdefault(b.speaker, []).append((a, b))
    spoken: dict[str, list[TurnFact]] = {}
    for f in facts:
        if f.spoken:
            spoken.setdefault(f.speaker, []).append(f)
    rows = []
    for party in parties:
        mine = replies.get(party, [])
        own = spoken.get(party, [])
        row = {"party": party, "replies": len(mine)}
        for orientation in ("integrative", "distributive"):
            after = [b for a, b in mine if _orientation(a) == orientation]
            in_kind = sum(1 for b in after if _orientation(b) == orientation)
            base = sum(1 for f in own if _orientation(f) == orientation)
            row[f"after_{orientation}"] = len(after)
            row[f"{orientation}_in_kind"] = in_kind
            row[f"{orientation}_rate"] = _rate(in_kind, len(after))
            row[f"{orientation}_base_rate"] = _rate(base, len(own))
        rows.append(row)
    return {"pairs": len(pairs), "parties": rows}
