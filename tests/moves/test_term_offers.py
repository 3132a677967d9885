"""Packages and trades stated in amounts of any term (``moves/term_offers``)."""

import pytest

from analyzer.moves.offers import detect_offer
from analyzer.moves.term_offers import term_offer

PACKAGES = [
    # the spoken examples' packages, none of which the item rules found (coach QA)
    "What if we do it as a package: ninety-eight base, two days remote, and a five thousand "
    "signing bonus if you can start on the first of May?",
    "I could go to eight thousand for the signing bonus. And we'd review your salary after "
    "six months instead of twelve.",
    "That helps. But forty-five is still above the other quotes. How about forty-three, "
    "three years, and we take the volume band?",
    "What if we do ten percent commission, you give us three recipes a week, and we feature "
    "you on the home screen once a month?",
    # CaSiNo packages the item rules missed ("how about" was no word of proposing)
    "How about 2 Food for me, 1 water, and 1 firewood",
    "Would you accept 1 water, 1 firewood and 3 food?",
]
TRADES = [
    "All right. Here's an idea: we build a hundred and thirty homes on the south-east and the "
    "middle, taller buildings near the road, we leave the low meadow open as a flood meadow, "
    "and we keep the footpath. In exchange, the allotments move to the field behind the "
    "church, which we would buy and fit with water.",
    "That opens things up. If you take the three-year support at forty euros per laptop per "
    "year, I can do the hardware at eight hundred and ninety, delivered by the fifteenth of "
    "August.",
]
NO_OFFER = [
    # an acceptance that restates the terms proposes nothing
    "Okay. Then ninety-eight, two remote days, eight thousand signing bonus, review at six "
    "months, start on the first of May. I accept.",
    # a split of one thing: bare numbers name no terms
    "How about I get 2 and you get 1?",
    "How about two firewood for you and one for me?",
    # amounts, but no proposal
    "Forty-eight? Martin, that's a fourteen percent increase. I can't take that to my CFO. "
    "We have two other quotes at forty-four.",
    # a condition without a proposal, "100 percent" as "fully", a verb after an amount
    "if you have three wood already, i need some of the extra supplies.",
    "I 100 percent understand the need for water. What if I only took 1 water, and you take 2?",
    "I can give you 2 water, but I have to have 1 to help me when I am cooking.",
    # containers name no term of their own
    "I really think I need two firewood packages. I will do my best to get along with one "
    "package of firewood.",
    "Yes i can agree to that! I sure do miss having a 6 month old baby. mine is 2 and is not "
    "interested in snuggling anymore.",
]


SINGLE = [
    # one term put forward, in business talk's own words (no CaSiNo item, no "price" word)
    "Sure. We were thinking twelve thousand for the whole package.",
    "A hundred and ten is still way over. Could you do ninety?",
    "Great. I saw it on the site. Would you take two thousand for it?",
    "With trailers? Not in this shape. I could go to fifty-one. That's as low as I'll go.",
]
NOT_PUT_FORWARD = [
    "Okay. Then ninety-eight, two remote days, eight thousand signing bonus, review at six "
    "months, start on the first of May. I accept.",
    "Forty-eight? Martin, that's a fourteen percent increase. I can't take that to my CFO.",
    # a number of people, a question handed back, "100%" as "fully"
    "Great! I'm on a camping trip with my five children, how about you?",
    "I'm trying to be fair, 100% down the middle, we can work it out.",
]


@pytest.mark.parametrize("text", NO_OFFER)
def test_no_package_without_a_proposal_of_two_terms(text):
    assert term_offer(text) not in ("package_offer", "tradeoff_offer")


@pytest.mark.parametrize("text, kind", [
    *((t, "package_offer") for t in PACKAGES),  # packages in any terms
    *((t, "tradeoff_offer") for t in TRADES),  # conditional trades
    *((t, "single_issue_offer") for t in SINGLE),  # one term put forward
])
def test_offers_in_any_terms(text, kind):
    assert term_offer(text) == kind
    assert detect_offer(text) == kind


@pytest.mark.parametrize("text", NOT_PUT_FORWARD)
def test_amounts_put_forward_by_nobody_are_no_offer(text):
    assert term_offer(text) is None


def test_a_one_term_offer_with_something_given_for_it_is_a_trade():
    assert term_offer("Could you do thirty-one if we drop the overnight to one guard?") == \
        "tradeoff_offer"
    # "what if" opens a proposal; it gives nothing
    assert term_offer("What if we went to a lighter stock, at forty pound?") == \
        "single_issue_offer"
    # an amount in another sentence than the proposal is not put forward by it
    assert term_offer("Three years is a long time for us with a new product line. What if "
                      "the ready meals don't sell?") is None


def test_item_rules_come_first():
    """An offer the item rules name keeps its kind: a concession or an acceptance is never
    turned into a package, and a trade of CaSiNo items stays a trade."""
    assert detect_offer("if you give me 2 firewood, i'll give you 2 food") == "tradeoff_offer"
    assert detect_offer("ok, you can have the firewood then") == "concession"
    assert detect_offer("Can I have 2 waters?") == "single_issue_offer"


def test_an_amount_and_something_given_on_top_is_a_package():
    assert term_offer("Six thousand eight hundred with the deposit today, and I'll include "
                      "the garden ceremony area.") == "package_offer"
    assert term_offer("Docking stations I can include. Support has to stay at forty, that's "
                      "our standard rate.") == "package_offer"


def test_an_amount_for_something_asked_in_return_is_a_trade():
    assert term_offer("I can do 2,500 if you sign for five years.") == "tradeoff_offer"
    assert term_offer("I could go to forty if you're OK with that.") == "single_issue_offer"


def test_a_hyphenated_amount_names_the_term_after_it():
    assert term_offer("I could do the two-year warranty and fifteen hundred for the "
                      "hatchback, at eighteen thousand.") == "package_offer"


def test_an_amount_of_something_is_no_amount_of_people():
    assert term_offer("I can give you 2 of everything.") == "single_issue_offer"
    assert term_offer("We can do this, I have my five children with me.") is None
