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

from .facts import TurnFact

#: Move names that ask about the other side's priorities or preferences.
PRIORITY_QUESTION_NAMES = ("elicit-pref", "elicit_pref", "elicit-priorit", "ask-priorit",
                           "ask_priorit", "priority-question", "priority_question")
#: Words that make a question one about priorities, when no move name says so.
_PRIORITY_WORDS = re.compile(
    r"\b(most|least|priorit\w*|prefer\w*|important|matters?|need\w*|want\w*|value\w*)\b", re.I)
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


def is_relational(fact: TurnFact) -> bool:
    return any(fragment in fact.move.lower() for fragment in RELATIONAL_NAMES)


def is_priority_question(fact: TurnFact) -> bool:
    """A question about what matters to the other side (Olekalns et al. 1996's priority
    information, sought): the model says elicit-pref, or a non-distributive question that
    names needs, wants or priorities."""
    if fact.is_action:
        return False
    if _has(fact, PRIORITY_QUESTION_NAMES):
        return True
    return (fact.questions > 0 and fact.orientation != "distributive"
            and bool(_PRIORITY_WORDS.search(fact.text)))


def is_package_offer(fact: TurnFact) -> bool:
    """An offer covering several issues at once (a trade-off across issues)."""
    return _has(fact, PACKAGE_NAMES)


def is_single_issue_offer(fact: TurnFact) -> bool:
    return _has(fact, SINGLE_ISSUE_NAMES)


def is_integrative_proposal(fact: TurnFact) -> bool:
    """An integrative turn that proposes something: coordination, a trade, or a package."""
    if fact.orientation != "integrative" or fact.is_action:
        return False
    return _has(fact, COORDINATION_NAMES) or is_package_offer(fact)
