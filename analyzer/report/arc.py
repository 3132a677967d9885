"""The arc of a session: stages over time, the orientation of every turn, and turning points.

Turning points are of two kinds. A *stage change* is where the segmenter starts a new stage.
A *climate shift* is where the parties' recent turns swing from mostly integrative to mostly
distributive or back: over a rolling window of the last ``WINDOW`` spoken party turns
(pleasantries left out), the
climate is integrative when integrative turns outnumber distributive ones by at least
``MARGIN``, distributive in the mirror case, and mixed otherwise; a shift is recorded where a
definite climate replaces the opposite one (passing through "mixed" in between is allowed).
This follows the idea of phases as periods with a dominant kind of act (Holmes 1992;
Olekalns, Brett & Weingart 2003); the window and margin are our choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from .by_stage import clip
from .facts import TurnFact
from .vocab import is_pleasantry

WINDOW = 6
MARGIN = 2


def stage_spans(facts: Sequence[TurnFact]) -> list[dict]:
    """Consecutive runs of one stage, with their first/last turn and times."""
    spans: list[dict] = []
    for fact in facts:
        if spans and spans[-1]["stage"] == fact.stage:
            spans[-1]["last_turn"] = fact.index
            spans[-1]["turns"] += 1
            if fact.end is not None or fact.start is not None:
                spans[-1]["end"] = fact.end if fact.end is not None else fact.start
        else:
            spans.append({"stage": fact.stage, "first_turn": fact.index,
                          "last_turn": fact.index, "turns": 1, "start": fact.start,
                          "end": fact.end if fact.end is not None else fact.start})
    return spans


def arc(facts: Sequence[TurnFact]) -> dict:
    return {
        "stages": stage_spans(facts),
        "turns": [{"turn": f.index, "speaker": f.speaker, "role": f.role, "stage": f.stage,
                   "orientation": f.orientation, "move": f.move,
                   "confidence": round(f.confidence, 4), "start": f.start,
                   "is_action": f.is_action} for f in facts],
    }


def climate(facts: Sequence[TurnFact], window: int = WINDOW,
            margin: int = MARGIN) -> list[tuple[int, str]]:
    """``(turn, climate)`` after each spoken party turn, pleasantries left out.

    Pleasantries (small talk, greetings, goodbyes) are counted integrative as relational
    moves, but the climate is about how the parties treat the deal. Counted in the opening
    (as until 0.4.0) they made nearly every session start "integrative", so the first
    substantive claims read as a swing to distributive (QA: 6 of the examples' 6 shifts were
    that); counted later, "Good night." after a hard round would read as a swing back at the
    door."""
    party = [f for f in facts if f.spoken and f.is_party and not is_pleasantry(f)]
    out = []
    for i, fact in enumerate(party):
        recent = party[max(0, i - window + 1): i + 1]
        integ = sum(1 for f in recent if f.orientation == "integrative")
        dist = sum(1 for f in recent if f.orientation == "distributive")
        if integ - dist >= margin:
            out.append((fact.index, "integrative"))
        elif dist - integ >= margin:
            out.append((fact.index, "distributive"))
        else:
            out.append((fact.index, "mixed"))
    return out


def _voice_of_shift(by_index, counted: list[int], index: int, state: str, window: int):
    """The turn to quote for a climate shift found after turn ``index``: that turn when it
    has the new orientation, else the latest turn of the window that has it. A window tips
    also when an old turn leaves it, and then the turn it tipped on can be neutral ("Nothing's
    agreed. Thanks Dev." quoted as a shift to integrative: coach QA, 28 Nov 2026)."""
    fact = by_index[index]
    if fact.orientation == state:
        return fact
    at = counted.index(index)
    for k in reversed(counted[max(0, at - window + 1): at]):
        if by_index[k].orientation == state:
            return by_index[k]
    return fact


def turning_points(facts: Sequence[TurnFact], window: int = WINDOW,
                   margin: int = MARGIN) -> list[dict]:
    """Stage changes and climate shifts, in turn order."""
    by_index = {f.index: f for f in facts}
    points = []
    for prev, cur in pairwise(facts):
        if prev.stage != cur.stage:
            points.append({"turn": cur.index, "kind": "stage", "from": prev.stage,
                           "to": cur.stage, "speaker": cur.speaker, "start": cur.start,
                           "text": clip(cur.text, 160)})
    settled = None
    counted = [f.index for f in facts if f.spoken and f.is_party and not is_pleasantry(f)]
    for index, state in climate(facts, window, margin):
        if state == "mixed":
            continue
        if settled is not None and state != settled:
            fact = _voice_of_shift(by_index, counted, index, state, window)
            points.append({"turn": fact.index, "kind": "climate", "from": settled,
                           "to": state, "speaker": fact.speaker, "start": fact.start,
                           "text": clip(fact.text, 160)})
        settled = state
    return sorted(points, key=lambda p: (p["turn"], p["kind"] != "stage"))
