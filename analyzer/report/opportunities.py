"""Missed opportunities: moments where a party could have opened up value and did not.

Three patterns, each between a turn of one party and the other party's reply (the next spoken
party turn by a different party, as in ``reciprocity``; a third party's turn in between
means there is no reply):

- ``priority_question_positional``: a question about priorities or preferences answered with
  a distributive move and no priority information (nothing about what matters or where
  one is flexible); a statement of need answers "what do you need?" and counts only when
  it claims amounts ("all three packages of water"). Sharing priority information goes
  with integrative agreements, positional information with distributive ones (Olekalns,
  Smith & Walsh 1996). A reply opening with a short answer that names something
  ("Honestly, reach. ...") is priority information too.
- ``package_single_issue``: a package (multi-issue) offer, with amounts, met with a
  single-issue counter or a distributive reply that asks nothing about the package. A
  counter that names another term of the package than its price or CaSiNo's items
  bargains over the package ("Could you do thirty-one if we drop the overnight to one
  guard?" -> "One guard overnight, I could do thirty-three."): not flagged, nor a counter
  on a condition ("if the training budget is every year, I could look at fifty-four").
  Multi-issue offers are how parties trade across issues (logrolling, Pruitt 1981); coding
  schemes count them integrative (Weingart et al. 1990; Kern et al. 2020).
- ``integrative_proposal_rebuffed``: a proposal to work together or trade met with a
  distributive reply that proposes nothing back (no condition, no package of its own),
  shares no priorities and asks nothing about the proposal ("What if the ready meals don't
  sell?" puts a concern on the table: not a rebuff).

A reply that accepts, gives something away, shares priorities or asks about the other's
priorities is never flagged, nor a "yes" to a proposal to work together. A reply
counts as distributive here only through a unit the model labels distributive (the
move named in the flag, which must not be integrative by its own definition); a turn that
leans distributive as a whole while none of its units does is not flagged.

These are flags for a coach to look at, not verdicts: the move labels are model predictions
and a distributive reply can be a sound choice.
"""

from __future__ import annotations

from collections.abc import Sequence

from .by_stage import clip
from .facts import TurnFact
from .reciprocity import reply_pairs
from .vocab import (
    accepts_or_gives,
    asks_about_it,
    claim_move,
    is_integrative_proposal,
    is_need,
    is_package_offer,
    is_priority_question,
    is_single_issue_offer,
    names_a_priority,
    names_amounts,
    proposes_conditionally,
    says_yes,
    shares_priorities,
    takes_up_terms,
)

WHY = {
    "priority_question_positional": (
        "{by} answered {to}'s question about priorities with a move the model labels "
        "distributive ({move}), with no words of priority (what matters most, what comes "
        "first, where they are flexible); priority information goes with integrative "
        "agreements (Olekalns et al. 1996)."),
    "package_single_issue": (
        "{to} offered a package across issues; {by} replied with {reply_kind}, which "
        "leaves a trade across issues unexplored (logrolling; Pruitt 1981)."),
    "integrative_proposal_rebuffed": (
        "{to} proposed to work together or trade; {by} replied with a move the model labels "
        "distributive ({move}) and proposed nothing back."),
}


def _kind(opportunity: TurnFact, reply: TurnFact) -> tuple[str, str] | None:
    claim = claim_move(reply)
    if accepts_or_gives(reply) or shares_priorities(reply) or is_priority_question(reply):
        return None
    if is_priority_question(opportunity) and claim is not None \
            and (not is_need(claim) or names_amounts(reply)) and not names_a_priority(reply):
        return "priority_question_positional", ""
    if is_package_offer(opportunity) and names_amounts(opportunity):
        if is_single_issue_offer(reply) and takes_up_terms(opportunity, reply):
            return None  # a counter that keeps another term of the package bargains over it
        if is_single_issue_offer(reply) and not proposes_conditionally(reply):
            # (a counter on a condition trades: "I could go to twenty-five if the committee
            # signs by the fourteenth"; coach QA, 28 Nov 2026)
            return "package_single_issue", "a single-issue counter"
        if claim is not None and not is_package_offer(reply) and not asks_about_it(reply) \
                and not proposes_conditionally(reply):
            # (a question about the package engages with it: "What if the ready meals
            # don't sell?" after a three-year volume commitment was offered; so does a
            # counter on a condition, "if the training budget is every year, I could look
            # at fifty-four": coach QA, 28 Nov 2026)
            return "package_single_issue", f"a move the model labels distributive ({claim})"
    elif is_integrative_proposal(opportunity) and claim is not None \
            and not is_package_offer(reply) and not proposes_conditionally(reply) \
            and not says_yes(reply) and not asks_about_it(reply):
        return "integrative_proposal_rebuffed", ""
    return None


def missed_opportunities(facts: Sequence[TurnFact]) -> list[dict]:
    found = []
    for opportunity, reply in reply_pairs(facts):
        kind = _kind(opportunity, reply)
        if kind is None:
            continue
        name, reply_kind = kind
        found.append({
            "kind": name, "turn": opportunity.index, "reply_turn": reply.index,
            "stage": reply.stage, "to": opportunity.speaker, "by": reply.speaker,
            "start": opportunity.start, "opportunity_move": opportunity.move,
            "reply_move": claim_move(reply) or reply.move_for(reply.orientation),
            "opportunity_text": clip(opportunity.text, 200),
            "reply_text": clip(reply.text, 200),
            "why": WHY[name].format(by=reply.speaker, to=opportunity.speaker,
                                    move=claim_move(reply) or reply.move,
                                    reply_kind=reply_kind),
        })
    return found
