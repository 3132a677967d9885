"""Threats, ultimatums and firm commitments: found by rules, counted distributive."""

from __future__ import annotations

import pytest

from analyzer.moves.commitments import find_commitment

FOUND = {
    "Nope, take it or leave it.": "take it or leave it",
    "This is our final offer.": "our final offer",
    "In that case, I get 3 food and 2 firewood - final offer": "final offer",
    "Then here's my last word: $44, or we walk.": "my last word",
    "Our price is $47, full stop.": "full stop",
    "I really can't go below forty-five.": "can't go below",
    "I can give you one food, I can’t go any higher than that.": "can’t go any higher",
    "If I can't get 2 pieces of firewood, I will walk away": "I will walk away",
    "Accept this or I will walk away.": "or I will walk",
    "We'll take our business elsewhere.": "We'll take our business elsewhere",
    "The delivery date is non-negotiable.": "non-negotiable",
    "That's my bottom line.": "bottom line",
    "Thirty-nine or we look elsewhere.": "or we look elsewhere",
    "Forty, or I go somewhere else.": "or I go somewhere else",
    # trainer QA, 28 Nov 2026: alternatives and limits in student role-plays were neutral
    "Three remote days and 2,000 bonus, or I go to Brightline.": "or I go to Brightline",
    "then i have other buyers": "i have other buyers",
    "I have another interview next week.": "I have another interview",
    "6200 is the lowest.": "is the lowest",
    "5400 is really my max": "is really my max",
    "Nine hundred and forty is the lowest I can go on hardware.": "is the lowest I can",
    "ok then i think ill walk away. sorry": "ill walk away",
    # sales QA, 28 Nov 2026
    "If you can't get there, we'll go with the second vendor.": "we'll go with the second vendor",
}
NOT_FOUND = [
    "I'm good on firewood, I can take it or leave it",  # indifference: no-need
    "Ok. I will submit the final offer.",  # procedure
    "Is that your final offer?",
    "How was the trade fair?",
    "We were thinking closer to $40.",
    "The last time we camped it rained.",
    "Salary first; the start date matters less. I'm flexible there.",
    "Yes, food is my highest. Why is water your highest priority?",  # priorities
    "Water, which is our highest item, I need more of",
    "Food is my highest value item.",
    "Otherwise I go to the store for more.",
    "We have a maximum of 3 packages each.",
]


@pytest.mark.parametrize("text", sorted(FOUND))
def test_phrases_found(text):
    assert find_commitment(text) == FOUND[text]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_not_taken_for_commitments(text):
    assert find_commitment(text) is None


def test_a_commitment_is_distributive_with_its_rule_as_the_reason(tmp_path):
    """The model alone called these neutral (QA, 27 Nov 2026); the rule makes the turn and
    the unit that says it distributive, and says why."""
    from analyzer.io import read_transcripts
    from analyzer.pipeline import Analyzer

    path = tmp_path / "renewal.txt"
    path.write_text(
        "Nora: What matters most to you in this renewal?\n"
        "Victor: Multi-year commitment matters most; price matters less.\n"
        "Victor: Sorry, but $43 is off the table. Our price is $47, full stop.\n"
        "Nora: Then here's my last word: $44, or we walk.\n"
        "Victor: Fine, $44 it is.\n", encoding="utf-8")
    transcript = next(iter(read_transcripts(path)))
    analysis = Analyzer().analyze(transcript)
    for turn, phrase in ((2, "full stop"), (3, "my last word")):
        move = analysis.moves[turn]
        assert move.orientation == "distributive" and move.confidence == 1.0
        assert move.reasons[0] == f'rule:ultimatum "{phrase}"'
        assert move.probabilities["distributive"] == 1.0
        units = [u for u in analysis.unit_moves if u.turn == turn]
        assert any(u.orientation == "distributive" and u.confidence == 1.0 for u in units)
    assert not any(r.startswith("rule:") for m in analysis.moves[:2] for r in m.reasons)
    quiet = Analyzer(explain=False).analyze(transcript)  # a batch's analyser: same labels
    assert [(m.move, m.orientation, m.confidence) for m in quiet.moves] == \
        [(m.move, m.orientation, m.confidence) for m in analysis.moves]
