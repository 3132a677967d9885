"""Offers stated in amounts of any term (salary, price, years, units), not only CaSiNo's items.

The offer rules of ``offers`` know an issue by a fixed word list (CaSiNo's food, water and
firewood, and a few deal words such as price or fee). Business talk names its own issues: a
salary, a signing bonus, remote days, a start date, a volume band, the years of a contract.
QA of a negotiation coach found that across the 229 turns of the spoken examples those rules
found no package and no trade at all, so "a package offer met with a single-issue counter"
could never be flagged outside CaSiNo, although the examples hold several ("What if we do it
as a package: ninety-eight base, two days remote, and a five thousand signing bonus if you
can start on the first of May?").

Without a list of issues, the terms of an offer are found by the amounts that carry them:

* ``package_offer``: a proposal (``PROPOSING``: "what if", "how about", "let me try this",
  "I could go to", "we can do"...) naming amounts of two or more different terms (the first
  content word after each amount: "ninety-eight *base*", "two *days* remote", "five thousand
  *signing* bonus"). Bare numbers ("How about I get 2 and you get 1?") name no term: a
  split of one thing, not a package.
* ``tradeoff_offer``: a conditional trade ("in exchange", "in return", "if you ... we", "as
  long as") with at least one amount, in a turn of several clauses ("we build a hundred and
  thirty homes on the south-east ..., we leave the low meadow open ... In exchange, the
  allotments move ...").
* ``single_issue_offer`` (since 0.7.0): a proposal putting forward one amount, in the
  sentence that proposes ("We were thinking twelve thousand", "Could you do ninety?"); a
  trade when something is given or asked in return ("if we drop the overnight to one
  guard"), a package when something is given on top ("and I'll include the garden").

These run only where the item rules found no offer or a one-issue one (and, for a long turn
split into units, on the whole turn when no unit holds the whole offer). Measured when they
were added (``/work/scratch/s23/offer_diff.py``, throw-away): 91 of CaSiNo's 10,750 chat turns
gained an offer, most of them packages the item rules missed for want of a word of proposing
("How about 2 food, 1 water and 1 firewood?"), 29 of a random 30 read by hand real packages
or trades; 148 of the 6,997 turns of the project's spoken sessions, 27 of a random 30 real
(the others a one-issue split in amounts of two words, and a statement of needs).
Acceptances that restate the terms ("Then ninety-eight, two remote days ... I accept.")
propose nothing and stay what they were.
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

from ..number_words import CARDINALS, alternation

_NUMBER_WORD = alternation((*CARDINALS, "half", "dozen"))
_DIGITS = r"[$€£]?\d[\d,.]*(?:k|m|bn|%)?"
_NUMBER = rf"(?:{_DIGITS}|{_NUMBER_WORD}(?:-{_NUMBER_WORD})?)"
#: An amount: numbers in a row, read as one ("a hundred and thirty", "forty-four fifty",
#: "two point five", "5,000").
AMOUNT = re.compile(rf"(?<![\w$€£]){_NUMBER}(?:(?:\s+(?:and\s+|point\s+)?|-){_NUMBER})*"
                    r"(?![\w])")
#: Words that put terms forward ("I could go to", "what if we", "let me try this").
PROPOSING = re.compile(
    r"\bwhat if\b|\bhow about\b|\blet me (?:try|propose|put|offer|suggest)\b"
    r"|\bhere'?s (?:an idea|what|my|our|the deal|a proposal|the offer)\b"
    r"|\b(?:i|we)(?:'d|'ll| can| could| would| will)(?: be able to)?\s+(?:do|go|offer|give|"
    r"pay|include|throw in|meet|build|commit|move|review|cover)\b"
    r"|\b(?:i|we)(?: would| could|'d)? (?:propose|suggest|offer)\b"
    r"|\bwould you (?:accept|take|do|agree|consider)\b|\b(?:our|my) (?:offer|proposal)\b"
    r"|\bas a package\b"
    r"|\b(?:i|we)(?:'re|'m| are| am| were| was) (?:thinking|hoping for)\b"
    r"|\b(?:can|could) you (?:do|go|meet|come)\b|\bmeet (?:you )?(?:at|in the middle)\b"
    r"|\b(?:hold|keep|fix|set) the (?:price|rate|fee|rent)\b")
#: A trade ("In exchange, the allotments move to the field behind the church").
TRADING = re.compile(r"\bin (?:exchange|return)\b")
#: A condition ("if you commit to three years, we ..."): a trade only in a proposal.
CONDITION = re.compile(r"\bas long as\b|\bprovided (?:that )?\w"
                       r"|\bif you\b[^.?!]{0,80}?\b(?:we|i)\b")
#: "100 percent" says "fully", not an amount of anything.
_IDIOMS = re.compile(r"\b(?:100|(?:a|one) hundred) ?(?:percent|%)")
_WORD = re.compile(r"[a-z][a-z'-]*|[^\sa-z]")
#: Words between an amount and its term ("two *of the* packages", "eight thousand *for the*
#: signing bonus"); any other stop word ends the search ("1 to help me", "2 for me").
_SKIP = frozenset({"of", "the", "a", "an", "more", "extra", "additional", "for", "in", "per", "-"})
#: Words after an amount that are no term.
_NO_TERM = STOP_WORDS | {"get", "gets", "take", "takes", "have", "you", "me", "it", "them",
                         "those", "these", "that", "this", "more", "less", "each", "either",
                         "or", "and", "now", "then", "too"}
_CLAUSES = re.compile(r"[,;:.]")
#: The term of an amount listed without one ("How about forty-three, three years, ..."):
#: all such amounts count as one term, so bare numbers alone never make a package.
_ANONYMOUS = ""
_LIST_MARKS = frozenset(",;")
#: Containers of a term ("two *packages of* firewood", "2 *units of* water"): the term is
#: what they hold.
_CONTAINERS = re.compile(r"\b(?:packages?|packs?|bundles?|units?|boxes|cases?) of\b")
#: Spellings of one term.
_ALIASES = {"wood": "firewood"}

#: Something given on top of the terms ("I'll include the garden", "we can throw in").
_ADDS = re.compile(r"\b(?:i|we)(?:'ll|'d| will| can| could| would)? (?:include|throw in|add)\b")
#: Something given or asked in return ("if we drop the overnight", "if you sign for five
#: years", "in return"); not "what if" (a proposal's opening) nor a polite "if you" ("if
#: you're OK with that", "if you want").
_GIVING = re.compile(r"(?<!what )\bif we\b|\bas long as (?:we|you)\b|\bin (?:exchange|return)\b"
                     r"|\bif you(?!'re|'d| are| were| want| would| like| don't| do not| agree|"
                     r" prefer| need| think| wish| have| feel| can't| cannot| could| ever)\b")
#: A question handed back ("how about you?"), which puts nothing forward (left out before
#: the proposing phrases are looked for).
_BACK = re.compile(r"\b(?:how|what) about (?:you|yourself|yours)\b")
#: Amounts of people, not of terms ("my five children", "a family of 4").
_PEOPLE = frozenset({"children", "child", "kids", "kid", "people", "persons", "adults",
                     "friends", "sons", "daughters", "guys", "members"})


def _terms(low: str) -> set[str]:
    """The term each amount of ``low`` names: the first content word within three words
    after it (only ``_SKIP`` words skipped), or ``_ANONYMOUS`` for an amount followed
    by a comma."""
    found = set()
    for match in AMOUNT.finditer(low):
        for k, word in enumerate(_WORD.findall(low, match.end(), match.end() + 40)[:3]):
            if word in _LIST_MARKS:  # "forty-three, three years": a term left unnamed
                if k == 0:
                    found.add(_ANONYMOUS)
                break
            word = word.strip("'")
            if word in _SKIP:
                continue
            if word[:1].isalpha() and word not in _NO_TERM and not AMOUNT.fullmatch(word):
                word = word[:-1] if len(word) > 4 and word.endswith("s") else word
                found.add(_ALIASES.get(word, word))
            break
    return found


def term_offer(text: str) -> str | None:
    """``package_offer``, ``tradeoff_offer`` or None for one turn (see the module)."""
    low = text.lower().replace("\u2019", "'")
    proposing = PROPOSING.search(low) is not None
    # (substrings first: a regex scan of every turn for two phrases cost ~1.5 us)
    trading = (("in exchange" in low or "in return" in low)
               and TRADING.search(low) is not None) \
        or (proposing and CONDITION.search(low) is not None)
    if not (proposing or trading):
        return None
    low = _CONTAINERS.sub("of", _IDIOMS.sub(" ", low))
    if trading and len(_CLAUSES.findall(low)) >= 2 and AMOUNT.search(low):
        return "tradeoff_offer"
    if proposing and len(_terms(low)) >= 2:
        return "package_offer"
    if proposing and _ADDS.search(low) and _puts_amount(low, anywhere=True):
        # an amount and something given on top ("Six thousand eight hundred with the
        # deposit today, and I'll include the garden ceremony area"): two terms
        return "package_offer"
    if proposing and _puts_amount(low):
        # terms of one issue put forward ("we were thinking twelve thousand", "could you do
        # ninety?"), a trade when the proposer gives something for it ("could you do
        # thirty-one if we drop the overnight to one guard?")
        return "tradeoff_offer" if _GIVING.search(low) else "single_issue_offer"
    return None


def _puts_amount(low: str, anywhere: bool = False) -> bool:
    """Whether a sentence of a proposing turn both proposes and names an amount of something
    (not of people): "Nine hundred and forty is the lowest I can go", but not "Three years
    is a long time for us. What if the ready meals don't sell?". ``anywhere``: the amount
    may be in any sentence of the turn."""
    for sentence in _SENTENCES.split(_BACK.sub(" ", low)):
        if not anywhere and PROPOSING.search(sentence) is None:
            continue
        for match in AMOUNT.finditer(sentence):
            after = _WORD.findall(sentence, match.end(), match.end() + 20)[:1]
            if not (after and after[0] in _PEOPLE):
                return True
    return False


#: Sentence ends (a decimal point is no end: "seven point two", "7.2").
_SENTENCES = re.compile(r"(?<!\d)[.?!]+(?!\d)")
