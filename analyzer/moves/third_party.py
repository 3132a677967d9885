"""Process codes for the turns of third parties (mediators, chairs, facilitators, observers).

Why: the move model learned parties' talk (CaSiNo's strategy labels), so on a mediator's
turn it names the words, not what the turn does: "Let me summarise what I think I'm
hearing: Greenway builds ..." came out as a distributive claim, and a coach read the
mediator as the most distributive speaker in the room (coach QA, 27 Nov 2026). A mediator
claims nothing for itself; research on mediation sorts what a mediator does by its function
in the process instead: tactics that build the relationship and the mediator's standing,
tactics that shape the talk (asking, summing up, steering), and tactics that address the
substance, such as suggesting terms (Kressel 1972's reflexive, contextual and substantive
tactics; Wall & Lynn 1993 review the later work). No coded corpus of mediator turns is at
hand, so the codes come from phrases that can be read in full below, and they are counted
neutral: they are not a party's claims, and no research we rely on puts a mediator's move on
the integrative / distributive scale.

A third party's turn gets the code whose phrases it holds most often (ties go to the
earlier code in ``CODES``; a turn with none of them is ``facilitation``), at confidence 1.0
as formal actions and other rules are, with the phrase as its reason. The rule runs after
the stages are decoded, so the stage evidence still reads the model's labels it was fitted
on. Parties' turns are untouched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..results import ORIENTATIONS, TurnMove, Unit, UnitMove
from ..transcript import Transcript, is_third_party

#: The codes, in tie-break order, each with the phrases that mark it (case-insensitive,
#: whole words). ``FALLBACK`` is the code of a turn that holds none of them.
CODES: dict[str, re.Pattern[str]] = {
    # contextual: saying back what was heard, checking understanding, writing it down
    "summary": re.compile(r"""(?ix)
        \b(?:let\ me|to|so\ to|i'?ll)\ (?:summari[sz]e|sum\ (?:it\ |that\ |this\ )?up|recap)\b
      | \bsumm(?:ary|ing\ up)\b | \brecap\b
      | \bwhat\ i(?:'m|\ am)\ hearing\b | \bif\ i\ understand\b | \bif\ i'?ve\ got\ (?:it|this)\b
      | \bso\ (?:far\ )?we\ have\b | \blet\ me\ (?:write|read|note)\b
      | \b(?:so\ )?a\ possible\ (?:package|deal|agreement)\b | \bas\ i\ understand\b
      | \btell\ me\ if\ i'?(?:ve|\ have)\ got\ (?:it|that|this|anything)\b
      | \b(?:have|did)\ i\ (?:got|get)\ (?:it|that|this)\ right\b
      | \bstop\ me\ if\b | \bcorrect\ me\ if\b
      | (?:^|[.!]\s)\s*so\s(?!what|how|why|who|where|when|can|could|would|will|do|does|did|is|are)
        [^.?!]*[.!]"""),
    # substantive: putting terms or an option on the table for the parties
    "suggestion": re.compile(r"""(?ix)
        \bwhat\ if\b | \bhow\ about\b | \bwould\ (?:you|it|either\ of\ you)\ consider\b
      | \bcould\ (?:you|we)\ (?:both\ )?(?:consider|look\ at|try)\b
      | \bone\ (?:option|possibility|idea)\b | \bi\ (?:would\ )?suggest\b | \bsuppose\b
      | \bwould\ it\ (?:work|help)\ if\b | \bmiddle\ ground\b | \bsplit\ the\ difference\b
      | \bmeet\ (?:in\ the\ middle|halfway)\b | \bcompromise\b
      | \b(?:put|make|table|give)\ (?:a|my|one|this)\ (?:proposal|suggestion)\b
      | \bi\ (?:would\ |'d\ )?propose\b | \bmy\ proposal\b
      | \bhere'?s\ (?:a|my|one)\ (?:proposal|idea|suggestion)\b
      | \bmediator'?s\ proposal\b
      | \b(?:put|float|table)\ (?:an|one|a)\ (?:idea|option|thought)\b
      | \b(?:an|one)\ idea\ on\ the\ table\b"""),
    # contextual: drawing out interests, priorities, reasons and options
    "probe": re.compile(r"""(?ix)
        \b(?:tell\ me(?!\ if\ i)|help\ me\ understand|can\ you\ say|walk\ me\ through)\b
      | \bwhat\ (?:matters|would|do\ you|does|is\ important)\b | \bwhy\b
      | \bhow\ (?:much|important)\ (?:does|do|is|would)\b | \bcan\ i\ ask\b
      | \bmatters?\ (?:most\ |more\ )?to\ (?:you|each\ of\ you)\b"""),
    # reflexive / contextual: the process itself (rules, agenda, turns, breaks, next steps)
    "procedure": re.compile(r"""(?ix)
        \bground\ rules?\b | \bagenda\b | \bone\ (?:person\ )?at\ a\ time\b
      | \bwould\ (?:anyone|either\ of\ you)\ like\ to\b
      | \b(?:let'?s|can\ we|could\ we)\ (?:park|parking|set\ aside|put\ aside|leave)\b
      | \bone\ person\ speaks\b
      | \blet'?s\ (?:start|begin|move\ on|turn\ to|pause|take|come\ back)\b
      | \bbefore\ we\ (?:start|begin|go\ on)\b | \bmove\ on\b | \bnext\ (?:item|point|issue|step)\b
      | \b(?:a|short)\ break\b | \bcaucus\b | \bseparately\b | \bin\ private\b
      | \bmy\ (?:job|role)\b | \bthe\ process\b | \bfirst\ of\ all\b | \bgo\ first\b
      | \bin\ writing\b | \bdraft\b | \bsign\b | \bwrite\ (?:this|it|that)\ up\b
      | \bcirculate\b | \bheads\ of\ terms\b"""),
    # reflexive: welcome, thanks, acknowledging feelings
    "rapport": re.compile(r"""(?ix)
        \b(?:thank\ you|thanks|welcome|good\ (?:morning|afternoon|evening|night)|hello|hi)\b
      | \bi\ (?:understand|hear\ you|appreciate|can\ see)\b | \bthat\ (?:sounds|must\ be)\b
      | \bwell\ done\b | \bgreat\ work\b"""),
}
FALLBACK = "facilitation"
#: a question: the words since the last sentence end, up to a "?"
_QUESTION = re.compile(r"[^.!?]*\?")
#: Every code a third party's turn can get, in the order of ``CODES`` then the fallback.
THIRD_PARTY_CODES: tuple[str, ...] = (*CODES, FALLBACK)
#: How sure a rule is: shown like a formal action's (the rule either matched or not).
CONFIDENCE = 1.0


def process_code(text: str) -> tuple[str, str | None]:
    """The process code of a third party's words, and the phrase behind it (None for the
    fallback). The code whose phrases weigh most wins (a phrase 2, a bare question 1: the
    closing "Is that right?" of a summary, or "Okay with both of you?" after the ground
    rules, made them probes; coach QA, 28 Nov 2026); ties go to the earlier code."""
    lowered = text.lower().replace("\u2019", "'")
    # a question of a few words or more asks for something (probe); one that is only a name
    # or two ("Gordon?", "Tom, Aisha?") hands the floor on (procedure)
    asks = _QUESTION.findall(lowered)
    extra = {"probe": [q for q in asks if len(q.split()) >= 3],
             "procedure": [q for q in asks if len(q.split()) < 3]}
    best, best_count, best_phrase = FALLBACK, 0, None
    for code, pattern in CODES.items():
        phrases, questions = pattern.findall(lowered), extra.get(code, [])
        weight = 2 * len(phrases) + len(questions)
        if weight > best_count:
            best, best_count, best_phrase = code, weight, (phrases or questions)[0].strip()
    return best, best_phrase


def _recoded_turn(move: TurnMove, text: str, explain: bool) -> TurnMove:
    code, phrase = process_code(text)
    if not explain:  # (as the model's own moves: no reasons, no probabilities)
        return replace(move, move=code, orientation="neutral", confidence=CONFIDENCE,
                       labels=(code,))
    if phrase and len(phrase) > 60:
        phrase = phrase[:57].rstrip() + "..."
    reason = f'rule:third-party {code} "{phrase}"' if phrase else f"rule:third-party {code}"
    return replace(move, move=code, orientation="neutral", confidence=CONFIDENCE,
                   labels=(code,), reasons=(reason,),
                   probabilities={o: float(o == "neutral") for o in ORIENTATIONS})


def code_third_parties(transcript: Transcript, moves: Sequence[TurnMove],
                       unit_moves: Sequence[UnitMove], units: Sequence[Unit],
                       explain: bool = True
                       ) -> tuple[tuple[TurnMove, ...], tuple[UnitMove, ...]]:
    """``moves`` and ``unit_moves`` with every third party's turn and unit given its process
    code (neutral); parties' moves and formal actions are returned as they are. A unit is
    coded by its own words, the turn by all of them (a long turn may welcome, then ask).
    ``explain``: give each recoded turn its reason and probabilities, as the model does."""
    third = {s.name for s in transcript.speakers if is_third_party(s.role)}
    if not third:  # (most sessions: no turn to look at)
        return tuple(moves), tuple(unit_moves)
    turns = transcript.turns
    coded = {i for i, t in enumerate(turns) if t.speaker in third and t.action is None}
    if not coded:
        return tuple(moves), tuple(unit_moves)
    new_moves = tuple(_recoded_turn(m, turns[m.turn].text, explain) if m.turn in coded else m
                      for m in moves)
    texts = {(u.turn, u.index): u.text for u in units if u.turn in coded}
    new_units = tuple(
        replace(u, move=process_code(texts.get((u.turn, u.index), turns[u.turn].text))[0],
                orientation="neutral", confidence=CONFIDENCE) if u.turn in coded else u
        for u in unit_moves)
    return new_moves, new_units
