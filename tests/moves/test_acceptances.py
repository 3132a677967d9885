"""Acceptances read with their whole turn and the offer on the table (coach QA, 28 Nov
2026): an "Okay." the speaker asks on from is no acceptance, nothing is accepted before
terms are on the table, and a spoken acceptance that restates the terms first is one."""

from __future__ import annotations

import pytest

from analyzer.moves.offers import asks_past_acceptance, closes_with_acceptance, turn_acceptance


@pytest.mark.parametrize("sentences", [
    ["Okay.", "And dates?"],
    ["Okay, is this better?"],
    ["okay ,what you want ?"],
    ["Yes.", "You?"],
    ["I am dong just fine!", "and you?"],
])
def test_an_acknowledgement_that_asks_on_accepts_nothing(sentences):
    assert asks_past_acceptance(sentences)


@pytest.mark.parametrize("sentences", [
    ["Yes.", "Does that work?"],
    ["okay deal?"],
    ["Great.", "Are you good to submit the deal?"],
    ["Yes.", "Okay.", "I think that's a deal.", "Alan?"],
    ["Sounds good to me!"],
])
def test_an_acceptance_that_checks_the_deal_stands(sentences):
    assert not asks_past_acceptance(sentences)


@pytest.mark.parametrize("text, closes", [
    ("I can live with that.", True),
    ("Okay, I can live with that.", True),
    ("Done.", True),
    ("Yes, I can accept that.", True),
    ("But yeah, okay, I can do that.", True),
    ("You have a deal, Marcus.", True),
    ("Both ways, agreed.", True),
    ("Twelve five and you've got a deal.", False),  # a condition: an offer
    ("If they accept that, we have a deal.", False),
    ("Do we have a deal?", False),
    ("We can make a deal if you give me the water.", False),
    ("Then yes, I'm in.", True),
    ("I'm in trouble here.", False),
])
def test_a_whole_acceptance(text, closes):
    assert closes_with_acceptance(text) is closes


def test_a_turn_that_restates_the_terms_and_accepts_is_an_acceptance():
    units = ["Sixteen hundred back, the carpet done by Friday, and two hundred for the worktop.",
             "Yes, I can accept that."]
    assert turn_acceptance(None, units, offer_pending=True) == "accept"
    assert turn_acceptance("single_issue_offer", units, offer_pending=True) == "accept"
    assert turn_acceptance(None, units, offer_pending=False) is None  # nothing to accept
    assert turn_acceptance("package_offer", units, offer_pending=True) == "package_offer"


def test_an_acceptance_that_reads_the_terms_back_is_no_new_package():
    """Coach QA, 28 Nov 2026: "Then yes, I'm in. So just to recap: ..." was a package offer
    (the recap names every term), and the acceptance in it went unseen."""
    units = ["Then yes, I'm in.", "So just to recap: eight thousand sign-on, start on the "
             "first, and a review at six months."]
    assert turn_acceptance("package_offer", units, offer_pending=True) == "accept"
    assert turn_acceptance("package_offer", units, offer_pending=False) == "package_offer"
    assert turn_acceptance("package_offer", ["Great.", "Yes, we accept.", "To confirm: "
                                             "forty-two per seat for three years."],
                           offer_pending=True) == "accept"
    # an acceptance of one thing, then a new proposal, stays a proposal
    assert turn_acceptance("package_offer", ["Okay, deal.", "Now how about two food and "
                                             "three water for me?"],
                           offer_pending=True) == "package_offer"


def test_in_a_session(tmp_path):
    """The offer kind and the move shown, with the turns around them."""
    from analyzer.io import read_transcripts
    from analyzer.pipeline import Analyzer

    path = tmp_path / "renewal.txt"
    path.write_text(
        "Anna: Hi Ben, thanks for making time today.\n"
        "Ben: Yes, hi Anna. Good to see you.\n"
        "Anna: Sure. What matters most to you this year?\n"
        "Ben: Price, mostly. Our budget is tight.\n"
        "Anna: We could do forty-two thousand a year for three years.\n"
        "Ben: Okay. And the payment terms?\n"
        "Anna: Thirty days.\n"
        "Ben: That doesn't work for me. Forty-two is too much.\n"
        "Anna: Then thirty-eight, and you commit to three years.\n"
        "Ben: Thirty-eight for three years. I can live with that.\n", encoding="utf-8")
    transcript = next(iter(read_transcripts(path)))
    moves = Analyzer(explain=False).analyze(transcript).moves
    offers = [m.offer for m in moves]
    assert offers[1] is None and offers[2] is None  # greetings before any terms
    assert offers[5] is None  # "Okay. And the payment terms?" asks on
    assert offers[7] == "reject"
    assert offers[9] == "accept" and moves[9].move == "accept"
