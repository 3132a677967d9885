"""Which moves count as what, for the rules that spot turning points and missed opportunities.

The move model may use CaSiNo's strategy names (``elicit-pref``, ``promote-coordination``...)
or its own; offers are flagged by rules in ``TurnMove.offer`` (``package_offer``,
``single_issue_offer``...). Matching on a few name fragments rather than one exact list keeps
the report working with a model trained on a researcher's own scheme; the fragments are the
whole definition, so a reader of this file knows exactly what the report calls a "priority
question" or a "package offer".
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

from ..number_words import CARDINALS, alternation
from .facts import TurnFact

#: Move names that ask about the other side's priorities or preferences.
PRIORITY_QUESTION_NAMES = ("elicit-pref", "elicit_pref", "elicit-priorit", "ask-priorit",
                           "ask_priorit", "priority-question", "priority_question")
#: Words that make a question one about priorities (the model's ``elicit-pref`` alone also
#: fires on "Are you looking at the blue estate?").
_PRIORITY_WORDS = re.compile(
    r"\b(most|least|priorit\w*|prefer\w*|important|matters?|need\w*|want\w*|value\w*|"
    r"worth)\b", re.I)
#: Words that make a statement carry priority information: what matters, how much, where
#: one is flexible ("Salary first ... the start date matters less, I'm flexible there").
_PRIORITY_STATEMENT = re.compile(
    r"\b(matters?|mattered|important|importance|priorit\w*|concern\w*|flexib\w*|most|"
    r"least|worth|care (?:most|more|less|about)|prefer\w*|worried|not as|"
    r"highest|lowest|top|main|objective|"
    # "For me personally, it's the safety scoring", "what I care about is" (coach QA)
    r"for (?:me|us)(?: personally)?,? (?:it'?s|it is|what)|what (?:i|we) care about)\b", re.I)
#: An amount asked for or offered ("2 waters", "all three packages", "none of the food").
_AMOUNT = re.compile(
    rf"\b(\d+|{alternation((*CARDINALS, 'all', 'none', 'half', 'both'))})\b", re.I)
#: Accepting what was proposed, or giving something away: neither is a rebuff.
_ACCEPTS_OR_GIVES = re.compile(
    r"\b(sounds? (?:good|great|fair|perfect|fine|reasonable|ok|okay)|that works|works for me|"
    r"i (?:can |will )?accept|deal\b|i agree|agreed|i(?:'ll| will| can)? give|you can (?:have|"
    r"take)|(?:is|are) yours|(?:i'm|i am|we're|we are) (?:comfortable|happy|fine|okay|ok) with|"
    r"(?:that's|that is) (?:a )?reasonable|(?:i|we) can live with|something (?:i|we) can take|"
    # a side adding its own share to a package: "and we'd contribute by cutting our travel
    # budget" answers a package with a give, not a counter (multi-party QA, 28 Nov 2026)
    r"(?:i|we)(?:'d| would| will|'ll| can| could)? (?:contribute|chip in|put in|cover|absorb|"
    r"throw in|match)\b)",
    re.I)
#: A conditional proposal inside a statement ("... if Greenway pays for the flood works"):
#: a trade offered, not a rebuff.
_CONDITIONAL = re.compile(r"\b(if|provided|as long as|in exchange|in return)\b", re.I)
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
#: Offer kinds (or move names) that put several issues on the table at once.
PACKAGE_NAMES = ("package", "multi", "tradeoff")
#: Offer kinds (or move names) about one issue only.
SINGLE_ISSUE_NAMES = ("single",)
#: Move names that propose to work together or to trade across issues.
COORDINATION_NAMES = ("promote-coordination", "coordinat", "trade", "logroll", "joint")


#: Relational moves: they build the climate but say little about the deal, so a quote of
#: one is shown only when a stage has nothing more substantive.
RELATIONAL_NAMES = ("small-talk", "small_talk", "showing-empathy", "empathy", "rapport",
                    "greeting")


def _has(fact: TurnFact, fragments: tuple[str, ...]) -> bool:
    return any(fragment in name for name in fact.names for fragment in fragments)


#: Moves that are pleasantries: greetings, small talk and goodbyes.
PLEASANTRY_NAMES = ("small-talk", "small_talk", "greeting")


def is_pleasantry(fact: TurnFact) -> bool:
    return any(fragment in fact.move.lower() for fragment in PLEASANTRY_NAMES)


def is_relational(fact: TurnFact) -> bool:
    return any(fragment in fact.move.lower() for fragment in RELATIONAL_NAMES)


def _questions_in(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.rstrip().endswith("?")]


def _statements_in(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if not s.rstrip().endswith("?")]


def is_priority_question(fact: TurnFact) -> bool:
    """A question about what matters to the other side (Olekalns et al. 1996's priority
    information, sought): a question that names needs, wants, worth or priorities, asked
    in a turn the model calls elicit-pref or does not call distributive. The words are
    required either way: the model's elicit-pref also fires on questions about facts."""
    if fact.is_action:
        return False
    asked = any(_PRIORITY_WORDS.search(q) for q in _questions_in(fact.text))
    return asked and (_has(fact, PRIORITY_QUESTION_NAMES) or fact.orientation != "distributive")


def shares_priorities(fact: TurnFact) -> bool:
    """A statement about what matters and how much ("X matters most", "we're flexible on
    Y"): priority information, whatever the move model calls the turn. A CaSiNo-trained
    model often labels such an answer self-need, because it also names a need."""
    return any(_PRIORITY_STATEMENT.search(_BOTTOM_LINE.sub(" ", s))
               for s in _statements_in(fact.text))


#: A bottom line or a limit ("Nineteen hundred is the lowest I can go", "the most we can
#: pay", "that's my final number"): a position, not priority information, though it has the
#: words "lowest" and "most" (coach QA, 28 Nov 2026: a package offer answered with an
#: ultimatum was not flagged as a missed opportunity).
_BOTTOM_LINE = re.compile(
    r"\b(?:(?:the )?(?:lowest|highest|most|least|best|max(?:imum)?|min(?:imum)?|top)\b"
    r"(?: (?:price|figure|number|offer|rate|amount))?"
    r" (?:i|we)(?:'d| would| will|'ll)?(?: (?:can|could|be able to|am able to|are able to))?"
    r" (?:go|do|pay|offer|accept|take|afford|manage|stretch|spend|give|bid)\b"
    r"|bottom line|final (?:offer|number|price|figure)|(?:my|our) (?:last|best) offer)",
    re.I)


#: Words that make a short first sentence no answer naming a priority ("No.", "Well...").
_NOT_A_NAMED_PRIORITY = frozenset("""
no nope not never yes yeah yep ok okay sure hmm um uh er well sorry right fine good great
nice interesting question thanks thank hi hello hey let me see think guess
that it this hard tough depends everything nothing all none both""".split())
#: Hedges around a named priority ("Honestly, reach."): left out before counting words.
_HEDGES = frozenset("honestly frankly mostly mainly really probably definitely".split())


def names_a_priority(fact: TurnFact) -> bool:
    """The turn opens with a short answer that names something ("Honestly, reach. Your app
    has ...", "Price, mostly."): asked what matters most, the answer is priority
    information even without the words "matters" or "most" (QA: the partnership example
    was flagged as a positional reply)."""
    first = next(iter(_SENTENCE.findall(fact.text)), "").strip()
    if not first or first.endswith("?"):
        return False
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", first) if w.lower() not in _HEDGES]
    return 1 <= len(words) <= 3 and not re.search(r"\d", first) and \
        not any(w.lower() in _NOT_A_NAMED_PRIORITY for w in words)


#: A question that engages with a proposal ("What if the ready meals don't sell?", "How
#: would the volume band work?"): a concern or an interest put on the table, not a rebuff.
_ENGAGING_QUESTION = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?(?:what\s+if|what\s+about|how\s+(?:would|could|about|do|"
    r"does|will|can)|could|would|can|if|suppose)\b", re.I)


def asks_about_it(fact: TurnFact) -> bool:
    """The turn asks an engaging question (``_ENGAGING_QUESTION``) in any of its sentences."""
    return any(_ENGAGING_QUESTION.match(q.strip()) for q in _questions_in(fact.text))


_YES = re.compile(r"^\W*(yes|yeah|yep|sure|ok|okay|definitely|absolutely|of course|"
                  r"sounds good|agreed)\b", re.I)


def says_yes(fact: TurnFact) -> bool:
    """The turn opens with a yes ("Yeah should be easy. My food problem is ...")."""
    return bool(_YES.match(fact.text))


def names_amounts(fact: TurnFact) -> bool:
    """The turn names an amount: a demand or offer has them, a statement of need may not."""
    return bool(_AMOUNT.search(fact.text))


def accepts_or_gives(fact: TurnFact) -> bool:
    """The turn accepts ("That sounds fair to me!") or gives something away ("I'll give 1
    package of water"): offer kinds accept/concession, or their words."""
    return fact.offer in ("accept", "concession") or bool(_ACCEPTS_OR_GIVES.search(fact.text))


#: Moves that state a need (CaSiNo's self-need, other-need): the answer to "what do you
#: need?", unless they come with amounts claimed.
NEED_NAMES = ("need",)


def is_need(move: str) -> bool:
    return any(fragment in move.lower() for fragment in NEED_NAMES) and "no-need" not in move


def proposes_conditionally(fact: TurnFact) -> bool:
    """A statement with a condition ("we wouldn't object, if you pay for the flood works"):
    a trade put on the table."""
    return any(_CONDITIONAL.search(s) for s in _statements_in(fact.text))


def claim_move(fact: TurnFact) -> str | None:
    """The move that makes a turn distributive: its first distributive unit's, or, for a
    turn without units, the turn's own. None when no unit is distributive (a long turn
    can lean distributive as a whole, by the mixed-turn rule's probabilities, while every
    unit alone leans elsewhere: then there is no one claim to point a coach to)."""
    if fact.orientation != "distributive":
        return None
    if not fact.units:
        return None if _heads_disagree(fact.move) else fact.move
    return next((move for move, orientation in fact.units
                 if orientation == "distributive" and not _heads_disagree(move)), None)


def _heads_disagree(move: str) -> bool:
    """A move of the project's scheme whose own definition is not distributive
    (promote-coordination, non-strategic...): when the orientation head calls such a unit
    distributive, the two heads disagree and neither is a claim to show a coach ("a move
    the model labels distributive (non-strategic)" contradicted itself: coach QA, 28 Nov
    2026). A move of another scheme is taken at the orientation head's word."""
    from ..moves.taxonomy import MOVE_BY_NAME

    known = MOVE_BY_NAME.get(move)
    return known is not None and known.orientation != "distributive"


def is_package_offer(fact: TurnFact) -> bool:
    """An offer covering several issues at once (a trade-off across issues)."""
    return _has(fact, PACKAGE_NAMES)


def is_single_issue_offer(fact: TurnFact) -> bool:
    return _has(fact, SINGLE_ISSUE_NAMES)


#: Words two turns about a deal share without talking about the same term: deal words
#: (a counter on the price names the price too), CaSiNo's issues (every offer there names
#: them; a reply asking for one of them is still a one-issue counter), units of time and
#: spaCy's English stop words.
_COMMON_DEAL_WORDS = STOP_WORDS | {
    "price", "prices", "cost", "costs", "rate", "rates", "fee", "fees", "deal", "offer",
    "offers", "money", "budget", "total", "number", "numbers", "paid", "pay", "package",
    "packages", "food", "foods", "water", "waters", "firewood", "wood", "item", "items",
    "thousand", "hundred", "percent", "dollars", "euros", "pounds", "think", "thinking",
    "really", "okay", "that's", "what's", "need", "want", "like", "make", "take", "give",
    "year", "years", "month", "months", "week", "weeks", "day", "days",
}
_CONTENT_WORD = re.compile(r"[a-z][a-z'-]{3,}")


def takes_up_terms(offer: TurnFact, reply: TurnFact) -> bool:
    """Whether a reply names a term of the offer other than its price or CaSiNo's items
    ("Could you do thirty-one if we drop the overnight to one guard?" -> "One guard
    overnight, I could do thirty-three"): a counter that does bargains over the package,
    keeping one of its terms, rather than answering it on a single issue."""
    def words(text: str) -> set[str]:
        found = set(_CONTENT_WORD.findall(text.lower().replace("\u2019", "'")))
        return {w[:-1] if w.endswith("s") and len(w) > 4 else w for w in found
                if w not in _COMMON_DEAL_WORDS
                and not all(part in CARDINALS for part in w.split("-"))}  # "thirty-one"
    return bool(words(offer.text) & words(reply.text))


def is_integrative_proposal(fact: TurnFact) -> bool:
    """An integrative turn that proposes something: coordination, a trade, or a package."""
    if fact.orientation != "integrative" or fact.is_action:
        return False
    return _has(fact, COORDINATION_NAMES) or is_package_offer(fact)
