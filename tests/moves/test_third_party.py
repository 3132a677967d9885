"""A third party's turns get process codes by their words, neutral; parties' are untouched."""

from __future__ import annotations

import pytest

from analyzer.moves.taxonomy import MOVES
from analyzer.moves.third_party import (
    FALLBACK,
    THIRD_PARTY_CODES,
    code_third_parties,
    process_code,
)
from analyzer.results import TurnMove, Unit, UnitMove
from analyzer.transcript import Speaker, Transcript, Turn

CODED = {
    "Let me summarise what I think I'm hearing: Greenway builds on the south-east.": "summary",
    "So flood protection first, and the safe route to school second. Thank you. Gordon?":
        "summary",
    "What if the council kept the low meadow and Greenway built higher near the road?":
        "suggestion",
    "One option would be to split the difference on the fee.": "suggestion",
    # a mediator's own proposal (multi-party QA, 28 Nov 2026: it was "facilitation")
    "Let me put a proposal to you both. Henrik's company pays one hundred and twenty "
    "thousand, and Sara keeps the client list.": "suggestion",
    "Here's my proposal: the deposit is paid back in two parts.": "suggestion",
    "Aisha, what matters most to you about the meadow?": "probe",
    "Tom, can I ask, is it the number of homes that matters, or the floor area?": "probe",
    "Before we start, a couple of ground rules: one person speaks at a time.": "procedure",
    "Let's take a short break and come back at three.": "procedure",
    "Gordon?": "procedure",  # handing the floor on
    "Good evening, everyone, and thank you for coming.": "rapport",
    "Hmm.": FALLBACK,
}


@pytest.mark.parametrize("text", sorted(CODED))
def test_process_code_of_the_words(text):
    code, phrase = process_code(text)
    assert code == CODED[text]
    assert (phrase is None) == (code == FALLBACK)


def test_typographic_apostrophes_read_the_same():
    assert process_code("Let’s pause there.") == process_code("Let's pause there.")


def test_the_codes_are_in_the_taxonomy_as_neutral_third_party_moves():
    listed = [m for m in MOVES if m.family == "third-party"]
    assert tuple(m.name for m in listed) == THIRD_PARTY_CODES
    assert {m.orientation for m in listed} == {"neutral"}


def _session():
    turns = (Turn(0, "Ruth", "Welcome. Let me summarise where we are. Tom?"),
             Turn(1, "Tom", "I need the whole site."),
             Turn(2, "Ruth", "Why does the north corner matter to you?"))
    speakers = (Speaker("Ruth", "mediator"), Speaker("Tom"))
    return Transcript("s", "test", "text", speakers, turns)


def _moves(explain: bool):
    moves = [TurnMove(turn=i, move="self-need", orientation="distributive", confidence=0.7,
                      labels=("self-need",),
                      probabilities={"distributive": 0.7} if explain else {},
                      reasons=("word:need",) if explain else ())
             for i in range(3)]
    units = [Unit(turn=i, index=0, start_char=0, end_char=len(t), text=t)
             for i, t in enumerate(turn.text for turn in _session().turns)]
    unit_moves = [UnitMove(turn=i, index=0, move="self-need", orientation="distributive",
                           confidence=0.7) for i in range(3)]
    return moves, unit_moves, units


@pytest.mark.parametrize("explain", [True, False])
def test_only_third_party_turns_and_units_are_recoded(explain):
    moves, unit_moves, units = _moves(explain)
    new_moves, new_units = code_third_parties(_session(), moves, unit_moves, units, explain)
    assert new_moves[1] == moves[1] and new_units[1] == unit_moves[1]  # Tom, a party
    assert [m.move for m in new_moves] == ["summary", "self-need", "probe"]
    assert [u.move for u in new_units] == ["summary", "self-need", "probe"]
    for m in (new_moves[0], new_moves[2]):
        assert m.orientation == "neutral" and m.confidence == 1.0 and m.labels == (m.move,)
        if explain:
            assert m.reasons[0].startswith("rule:third-party") and m.probabilities["neutral"] == 1.0
        else:
            assert m.reasons == () and m.probabilities == {}


def test_a_session_without_third_parties_is_returned_as_it_is():
    t = _session()
    parties_only = Transcript("s", "test", "text", (Speaker("Ruth"), Speaker("Tom")),
                              t.turns)
    moves, unit_moves, units = _moves(True)
    assert code_third_parties(parties_only, moves, unit_moves, units) == (tuple(moves),
                                                                           tuple(unit_moves))
