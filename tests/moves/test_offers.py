"""Offer moves by rules, on named example sentences, and the moves of formal actions."""

from __future__ import annotations

import pytest

from analyzer.moves.offers import action_move, detect_offer, offer_kind_of_terms
from analyzer.transcript import Action

NAMED = {
    "tradeoff": ("If you give me two waters, I'll give you all the firewood.", "tradeoff_offer"),
    "tradeoff_exchange": ("I can give you the food in exchange for the water.",
                          "tradeoff_offer"),
    "package": ("I take 2 food and 1 water, you get the rest.", "package_offer"),
    "package_question": ("How about I get 3 firewood and 2 food?", "package_offer"),
    "single_issue": ("Can I have 2 waters?", "single_issue_offer"),
    "single_demand": ("I'll need all of the food.", "single_issue_offer"),
    "concession": ("Ok, you can have the firewood then.", "concession"),
    "concession_no_need": ("I don't really need the water.", "concession"),
    "accept": ("Sounds good to me!", "accept"),
    "accept_deal": ("Ok deal", "accept"),
    "reject": ("No, that does not work for me.", "reject"),
    "small_talk": ("Hello! Are you excited for the trip?", None),
    "need_only": ("I really need water because it is hot.", None),
    # trainer QA, 28 Nov 2026: an "ok" that takes the floor to counter or walk away
    "ok_walks_away": ("ok then i think ill walk away. sorry", None),
    "ok_counters": ("ok well i can do 4800", "single_issue_offer"),
    "ok_but": ("ok weekly but 13.10", None),
    "ok_restates": ("Ok, 193. Deal.", "accept"),
    "ok_can_do_that": ("ok I can do that", "accept"),
    # a "no" that reassures refuses nothing (12 CaSiNo turns were rejections)
    "no_problem": ("No problem. We can work something out.", None),
    "no_worries": ("No worries, take your time.", None),
    "no_need_nervous": ("No need to be nervous!", None),
    # regression QA, 28 Nov 2026
    "conditional_deal": ("185 and you have a deal.", "single_issue_offer"),
    "no_problem_deal": ("No problem, deal.", "accept"),
    "ok_its_yours": ("OK, 5500 and it's yours.", "single_issue_offer"),
    "sure_if": ("Sure, if you make it 170.", None),
    "ok_walking_away": ("Ok, then I'm walking away.", None),
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_offer_kind_of_named_sentences(name):
    sentence, kind = NAMED[name]
    assert detect_offer(sentence) == kind


def test_actions_have_fixed_moves():
    assert action_move(Action("accept", "Accept-Deal")) == ("accept", "neutral", None)
    assert action_move(Action("reject", "Reject-Deal")) == ("reject", "neutral", None)
    assert action_move(Action("walk_away", "Walk-Away")) == ("walk_away", "distributive", None)


def test_submit_deal_offer_kind_comes_from_its_terms():
    trade = {"speaker_gets": {"Food": 3, "Water": 0, "Firewood": 1},
             "other_gets": {"Food": 0, "Water": 3, "Firewood": 2}}
    greedy = {"speaker_gets": {"Food": 3, "Water": 3, "Firewood": 2},
              "other_gets": {"Food": 0, "Water": 0, "Firewood": 1}}
    assert offer_kind_of_terms(trade) == "tradeoff_offer"
    assert offer_kind_of_terms(greedy) == "package_offer"
    assert action_move(Action("submit", "Submit-Deal", trade)) == \
        ("tradeoff_offer", "neutral", "tradeoff_offer")


@pytest.mark.parametrize("text,kind", [
    # ranking words are no amounts (coach QA: a priority question and statements were
    # called single-issue offers)
    ("Before we get into price, can I ask what matters most to you on this deal?", None),
    ("The month matters most. The exact day is less important, and our budget is tight.",
     None),
    ("I need food the most", None),
    # "more than" compares (visual QA, 28 Nov 2026: a long account of priorities was a
    # package offer)
    ("I need food more than water.", None),
    ("We really need to think about the delivery schedule and the price and the warranty; "
     "what matters most to us is predictability more than the unit price.", None),
    # ... but "more" of an issue is still asked for, and numbers stay amounts
    ("Can I have more water?", "single_issue_offer"),
    ("Food matters most, so can I have 2 food?", "single_issue_offer"),
])
def test_words_that_rank_issues_are_no_amounts(text, kind):
    assert detect_offer(text) == kind
