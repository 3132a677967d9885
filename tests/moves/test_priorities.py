"""Statements that an issue matters little to the speaker: found by rules, ``no-need``."""

from __future__ import annotations

import pytest

from analyzer.moves.priorities import find_low_priority

FOUND = {
    "The start date is less important, I'm flexible.": "less important",
    "Water is my lowest priority since I have a filter.": "lowest priority",
    "We could do without the water as well.": "We could do without",
    "That doesn't matter much to us.": "doesn't matter much",
    "Firewood isn't very important to me, so you can have it.": "isn't very important",
    "On the date we're pretty flexible.": "we're pretty flexible",
}
NOT_FOUND = [
    "Is water your lowest priority item too?",  # asking: integrative already
    "It's nice to know the firewood is not important to your camping trip.",  # the other side
    "You're flexible on that, then.",
    "Food is very important to me.",
    "This is not important.",  # no issue ranked
    "Salary matters most to me.",
    # regression QA, 28 Nov 2026: claims beside it, or negated
    "I'm flexible on many things, but I need the full 200 per unit, no less.",
    "I'm flexible. I need 200.",
    "Delivery is not less important to us, it is critical.",
    "That's the very last we can do without cutting posts.",
]


@pytest.mark.parametrize("text", sorted(FOUND))
def test_phrases_found(text):
    assert find_low_priority(text) == FOUND[text]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_not_taken_for_low_priorities(text):
    assert find_low_priority(text) is None


def test_saying_what_matters_little_is_integrative_unless_the_turn_also_claims(tmp_path):
    """Trainer QA, 28 Nov 2026: "The start date is less important, I'm flexible" was
    self-need, distributive, so sharing one's priorities counted against a student. Now the
    unit and its turn are no-need, integrative, with the rule as the reason; a turn that also
    lays down a limit stays distributive (the ultimatum rule runs after this one)."""
    from analyzer.io import read_transcripts
    from analyzer.pipeline import Analyzer

    path = tmp_path / "offer.txt"
    path.write_text(
        "Anne: Which of those matters most to you?\n"
        "Kwame: The start date is less important, I'm flexible.\n"
        "Anne: Good to know. The date is less important to us too, but 66 is my max.\n"
        "Kwame: Okay.\n", encoding="utf-8")
    analysis = Analyzer().analyze(next(iter(read_transcripts(path))))
    move = analysis.moves[1]
    assert (move.move, move.orientation, move.confidence) == ("no-need", "integrative", 1.0)
    assert move.reasons[0] == 'rule:low-priority "less important"'
    units = [u for u in analysis.unit_moves if u.turn == 1]
    assert all(u.move == "no-need" and u.orientation == "integrative" for u in units)
    assert analysis.moves[2].orientation == "distributive"


def test_a_long_turn_is_still_searched_for_its_units():
    """The word limit is the unit's, not the turn's: a turn of more than ``MAX_WORDS`` words
    is still picked for its units to be read (the unit splitter may cut it into short ones;
    until 28 Nov 2026 the turn test applied the unit's limit and skipped them all)."""
    from analyzer.moves.priorities import MAX_WORDS, may_hold_low_priority

    text = ("Thanks for laying all of that out so clearly, it really helps us plan the next "
            "quarter properly. The start date is less important. What about the salary?")
    assert len(text.split()) > MAX_WORDS
    assert find_low_priority(text) is None and may_hold_low_priority(text)
    assert find_low_priority("The start date is less important.") == "less important"
    assert not may_hold_low_priority("Food is very important to me.")
