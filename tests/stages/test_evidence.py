"""Evidence the decoder relies on, on sentences worked out by hand: quantities per issue with
their side, acceptances given vs asked about, and the closing rule's constraint."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.stages.cues import ISSUE_WORDS
from analyzer.stages.evidence import (
    FEATURES,
    Mention,
    get_nlp,
    matches_terms,
    parse_mentions,
    session_evidence,
)
from analyzer.transcript import Speaker, Transcript, Turn


def mentions(text: str) -> list[tuple[str, object, str | None]]:
    doc = get_nlp().make_doc(text)
    return [(m.issue, m.quantity, m.side) for m in parse_mentions(doc, ISSUE_WORDS)]


@pytest.mark.parametrize("text, expected", [
    ("Could I have 2 water and you take the food?",
     [("water", 2, "speaker"), ("food", "all", "other")]),
    ("I'd love all 3 packages of the firewood", [("firewood", 3, "speaker")]),
    ("How about you get two waters and I keep one firewood",
     [("water", 2, "other"), ("firewood", 1, "speaker")]),
    ("the water to you and the food to me",
     [("water", "all", "other"), ("food", "all", "speaker")]),
    ("so 2 of the firewood to me, 1 to you", [("firewood", 2, "speaker")]),
    ("I take the food and water", [("food", "all", "speaker"), ("water", "all", "speaker")]),
    ("I really need water for my kids", []),  # a need without a quantity
    ("good, we used all the water to fix the car", []),  # what happened, not terms
    ("we already drank 2 water", []),
    # an exchange of one issue for another: what follows "for" goes to the giver
    ("I can trade you 3 waters for 3 woods", [("water", 3, "other"), ("firewood", 3, "speaker")]),
    ("I'm happy to exchange some food supplies for water supplies",
     [("food", "some", "other"), ("water", "some", "speaker")]),
    ("Perhaps I could offer you some extra food in return for some extra firewood?",
     [("food", "some", "other"), ("firewood", "some", "speaker")]),
    ("would you trade your water for my food?",  # whole issues: all of them
     [("water", "all", "speaker"), ("food", "all", "other")]),
    ("I'd trade some of the food for water", [("food", "some", "other"),
                                              ("water", "some", "speaker")]),
    ("i can give you 1 firewood and 3 waters in exchange for 3 foods and 2 firewood",
     [("firewood", 1, "other"), ("water", 3, "other"), ("food", 3, "speaker"),
      ("firewood", 2, "speaker")]),
    ("I need firewood for the food", []),  # no verb of exchange: a need
    ("What are you using all the firewood for?", [("firewood", "all", "other")]),
])
def test_quantities_per_issue_with_their_side(text, expected):
    assert mentions(text) == expected


def test_terms_agree_from_either_side():
    deal = {"speaker_gets": {"water": 3, "food": 0}, "other_gets": {"water": 0, "food": 3}}
    said = [Mention("water", 3, "speaker"), Mention("food", "all", "other")]
    assert matches_terms(said, "A", deal, "A") is True  # A says what A's own deal says
    # B saying the same words: right numbers on the wrong sides, which side-reading errors
    # also produce, so it is left undecided rather than called a disagreement
    assert matches_terms(said, "B", deal, "A") is None
    other = [Mention("water", 1, "speaker"), Mention("food", 2, "other")]
    assert matches_terms(other, "A", deal, "A") is False  # quantities the deal does not have
    assert matches_terms([], "B", deal, "A") is None  # nothing said about the terms


def chat(*lines: str) -> Transcript:
    turns = tuple(Turn(index=i, speaker="AB"[i % 2], text=t) for i, t in enumerate(lines))
    return Transcript("t", "test", "text", (Speaker("A"), Speaker("B")), turns)


def col(ev, name: str) -> list[float]:
    return ev.matrix[:, FEATURES.index(name)].tolist()


def test_acceptance_given_or_asked_about():
    ev = session_evidence(chat("How about 2 water for me and 1 for you?",
                               "Does that work for you?", "Yes, that works for me."))
    assert col(ev, "proposal") == [1.0, 0.0, 0.0]
    assert col(ev, "accept")[2] > 0 and col(ev, "accept")[1] == 0
    assert col(ev, "accept_q")[1] > 0
    assert col(ev, "proposal_so_far") == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("text, given", [
    ("Ok, I will accept your deal of 3 food, 2 firewood, and no water?", True),
    ("Ok, so I get 2 water?", True),  # accepts, then checks the terms
    ("That sounds good to me, are you okay with 2 food?", True),
    ("yes does that sound good to you?", False),
    ("Deal?", False),
    ("Can I accept that?", False),
    ("Yep", True),
    ("I'd be ok with keeping all the food.", True),
    ("If it sounds good to you can we finalize the agreement.", False),  # only a condition
    ("I can do that if I could have a water.", False),  # conditioned on a new demand
])
def test_acceptance_stated_with_a_question_mark_is_given(text, given):
    ev = session_evidence(chat(text))
    assert (col(ev, "accept")[0] > 0) is given
    if not given:
        assert col(ev, "accept_q")[0] > 0


def test_numbers_about_people_are_not_terms():
    ev = session_evidence(chat("I'm camping with my five children and 2 of my nephews",
                               "Our price is forty-two cents per tray"))
    assert col(ev, "numbers")[0] == 0.0
    assert col(ev, "proposal") == [0.0, 1.0]  # a price is a term on the table
    ev = session_evidence(chat("We are a family of 5, how about you?",
                               "My kids are 14 and 12. How about you?",
                               "I have 2 kids and could I get 3?"))
    assert col(ev, "numbers")[:2] == [0.0, 0.0]
    assert col(ev, "proposal") == [0.0, 0.0, 1.0]


def test_a_spoken_number_is_read_whole_before_its_unit():
    """"forty-one thousand miles" is several tokens ("forty", "-", "one", "thousand"); the
    unit after the whole number decides, so it is neither a term nor money (until 27 Nov
    2026 "forty" saw only "- one thousand" and "one" saw "thousand": a term and money). A
    rate of time is a price ("twenty-four thousand a year"); "give me two seconds" is
    no offer."""
    ev = session_evidence(chat("It's one careful owner, forty-one thousand miles.",
                               "They run at twelve thousand rpm for three weeks.",
                               "I'm in the car park, give me two seconds.",
                               "The new rent is twenty-four thousand a year.",
                               "I can do 4,200 a month."))
    assert col(ev, "money")[:3] == [0.0, 0.0, 0.0]
    assert col(ev, "money")[3] == 1.0
    assert col(ev, "numbers")[1:3] == [0.0, 0.0]
    assert col(ev, "proposal") == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_closing_opens_only_at_an_acceptance_without_formal_actions():
    ev = session_evidence(chat("Hello", "I can offer 500 dollars for it.",
                               "Let me think about it, talk Thursday. Thanks!"))
    assert col(ev, "closing_allowed") == [0.0, 0.0, 0.0]
    from analyzer.stages import load_segmenter
    seg = load_segmenter().segment(chat("Hello", "I can offer 500 dollars for it.",
                                        "Let me think about it, talk Thursday. Thanks!"))
    assert "closing" not in seg.stages and seg.outcome == "unfinished"
    assert np.isclose(sum(seg.probabilities[-1].values()), 1.0, atol=1e-3)


def test_an_okay_to_putting_the_decision_off_opens_no_closing():
    """An "okay" that answers "let me take it to the board and I'll come back to you" accepts
    an adjournment, not a deal (the turn itself and the two after it); new terms put on the
    table after the deferral can be accepted again."""
    adjourned = chat("Our offer is 1250 a month, fixed for two years.",
                     "Let me discuss it with my wife and I'll call you on Monday, okay?",
                     "Okay, thank you. That's a relief.",
                     "Talk Monday then. Bye.")
    assert col(session_evidence(adjourned), "closing_allowed") == [0.0, 0.0, 0.0, 0.0]
    from analyzer.stages import load_segmenter
    seg = load_segmenter().segment(adjourned)
    assert "closing" not in seg.stages and seg.outcome == "unfinished"
    reopened = chat("Let me check with my partner first.",
                    "What if I made it 1200 with the garden included?",
                    "Okay, that works for me.")
    assert col(session_evidence(reopened), "closing_allowed") == [0.0, 0.0, 1.0]


def test_money_said_as_a_need_or_budget_is_no_proposal():
    """Spoken convention: an amount said as a need or constraint explores; with a word of
    offering ("we'd need 850 per unit") it is a demand naming terms."""
    ev = session_evidence(chat("Our budget is about two hundred thousand this year.",
                               "We'd need 850 per unit to make it work.",
                               "The asking price is four hundred and forty-five thousand."))
    assert col(ev, "proposal") == [0.0, 1.0, 1.0]


@pytest.mark.parametrize("amount", ["$4,200", "£4,200", "€4,200", "₹4,200", "₦4,200",
                                    "USD 4,200", "4,200 pounds", "4,200 rupees",
                                    "eight lakh", "600 cedis"])
def test_money_in_any_currency(amount):
    """An amount is money whatever its currency, symbol or word (until 27 Nov 2026 only "$"
    counted as a symbol before a number: "£4,200 a month" was no money, so no proposal)."""
    ev = session_evidence(chat(f"We can do {amount} a month.", "I have 2 kids and 3 dogs."))
    assert col(ev, "money") == [1.0, 0.0]
    assert col(ev, "proposal") == [1.0, 0.0]


def test_an_exchange_of_whole_issues_is_a_two_sided_proposal():
    """Guideline: a two-sided exchange that says who gets what is a concrete proposal even
    without numbers ("give out the food in exchange for the firewood", "3 waters for 3
    woods"); an exchange of "some" of one issue for another names no division yet (the
    convention of annotators c, d and e: exploring); half of it ("I'd trade it for water")
    or a need ("firewood for the food") is not."""
    ev = session_evidence(chat("I can give out the food in exchange for the firewood.",
                               "I can trade you 3 waters for 3 woods.",
                               "would you be willing to trade some firewood for some water?",
                               "I'm happy to exchange some food supplies for water supplies.",
                               "I'd be willing to trade it for water.",
                               "I need firewood for the food."))
    assert col(ev, "proposal") == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert col(ev, "two_sided") == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]


def test_issues_named_only_in_a_deals_terms_are_mentions_too():
    """A Submit-Deal's terms add their issues to the session's vocabulary ("tent" here), so
    "2 tents" in the chat is a quantity of an issue; the cached positions of the usual
    issue words are not used for such a session."""
    from analyzer.stages.evidence import local_evidence
    from analyzer.transcript import Action

    deal = Action("submit", "Submit-Deal", {"speaker_gets": {"tent": 2, "water": 1},
                                            "other_gets": {"tent": 1, "water": 2}})
    t = Transcript("tents", "test", "text", (Speaker("A"), Speaker("B")), (
        Turn(0, "A", "Could I have 2 tents and 1 water?"),
        Turn(1, "B", "Submit-Deal", action=deal)))
    got = [(m.issue, m.quantity, m.side) for m in local_evidence(t)[0].mentions]
    assert got == [("tent", 2, "speaker"), ("water", 1, "speaker")]
    assert local_evidence(t)[0].issue_words == 2
    plain = Transcript("plain", "test", "text", (Speaker("A"),),
                       (Turn(0, "A", "Could I have 2 tents and 1 water?"),))
    assert [m.issue for m in local_evidence(plain)[0].mentions] == ["water"]


def test_a_need_that_names_no_issue_is_no_need_cue():
    """A vague need for supplies ("in need of some more supplies") is still opening by the
    convention of annotators c, d and e; a need naming an issue, asking about needs, or
    naming a quantity keeps its cue."""
    ev = session_evidence(chat("I'm going camping and am in need of some more supplies.",
                               "I will need some additional items for the trip.",
                               "I really need extra firewood.",
                               "Are there any supplies that you really need?",
                               "I would like all 3 packages."))
    assert [v > 0 for v in col(ev, "need")] == [False, False, True, True, True]


def test_a_figure_asked_for_is_a_proposal_even_with_a_wish():
    """Spoken first offers: "we'd like you back, and we're asking ninety thousand" names terms
    (the wish alone would make the amount a need)."""
    ev = session_evidence(chat("We'd like you back as sponsor, and we're asking ninety thousand.",
                               "We'd like a bigger logo, our budget is about seventy thousand."))
    assert col(ev, "proposal") == [1.0, 0.0]


@pytest.mark.parametrize("text, impasse", [
    ("Then I think we're too far apart. Thanks for your time.", True),
    ("So, we're not the right fit for this project at this budget.", True),
    ("I'm sorry, I can't renew at that rate.", True),
    # a refusal of one term, a deferral, or giving up an item: no impasse
    ("I can't agree to that clause until my lawyer has read it.", False),
    ("I cannot agree a number today, the committee meets on Tuesday.", False),
    ("I can give up the firewood if I get the water.", False),
])
def test_impasse_declarations_and_lookalikes(text, impasse):
    ev = session_evidence(chat("Our price is forty thousand.", text))
    assert (col(ev, "impasse")[1] > 0) == impasse
