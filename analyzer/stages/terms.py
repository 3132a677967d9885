"""Terms a turn states, read from its tokens, and whether they agree with a deal's terms.

The token-level half of the stage evidence (``evidence.py``): given a turn's lower-cased
token texts and ``like_num`` flags, find the quantities per issue with the side they go to
("2 water", "all the firewood", "you take the food", "3 waters for 3 woods"), count the
numbers that can be terms when read whole ("forty - one thousand miles" is no term, "a
family of 5" is people), and the amounts of money ("$5", "10 dollars", "8 lakh"). It also
normalises a formal action's terms and compares a turn's quantities with them.

Why a module of its own: this is the largest block of rules of the evidence and the one
most often tuned against transcripts, and it depends on nothing but word lists
(``cues.py``) and plain token sequences: no spaCy, no session, no cache. ``evidence.py``
reads the tokens once per distinct text and calls these functions from its per-token loop
(imported by name, so a call costs what it did when they lived there).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .cues import (
    ALLOCATION_VERBS,
    CURRENCY_WORDS,
    EXCHANGE_VERBS,
    FIRST_PERSON,
    GENERIC_QUANTITY_AFTER,
    MONEY_UNITS,
    NOT_TERMS,
    NUMBER_WORDS,
    PAST_FACT_VERBS,
    QUANTITY_FILLERS,
    QUANTITY_WORDS,
    SECOND_PERSON,
)


@dataclass(frozen=True)
class Mention:
    """A quantity of an issue in a turn, with the side it goes to when the words say so."""

    issue: str
    quantity: int | str  # a number, "all", "half" or "some" (an exchange: "some food for water")
    side: str | None  # "speaker", "other" or None
    explicit: bool = True  # False for "the <issue>" after a verb ("you take the food")


def _terms(action_terms: Mapping[str, Any] | None) -> dict[str, dict[str, int]] | None:
    if not action_terms:
        return None
    out: dict[str, dict[str, int]] = {}
    for side in ("speaker_gets", "other_gets"):
        out[side] = {}
        for issue, value in (action_terms.get(side) or {}).items():
            try:
                out[side][str(issue).lower()] = int(float(value))
            except (TypeError, ValueError):
                continue
    return out if (out["speaker_gets"] or out["other_gets"]) else None


def compare_terms(mentions: Sequence[Mention], mention_speaker: str,
                  terms: Mapping[str, Mapping[str, int]], terms_speaker: str
                  ) -> tuple[bool | None, int, int]:
    """A turn's quantities against a deal's terms, read once for two answers:
    (``matches_terms``'s verdict, and ``term_agreement``'s confirmed and contradicted counts).

    Sides are turned around when the turn and the deal come from different speakers ("I get
    2 water" from the other party is the deal's ``other_gets``); "some" and issues outside the
    deal are left out. (One loop for both, since the evidence asks both of every turn.)"""
    same = mention_speaker == terms_speaker
    mine_all, theirs_all = terms.get("speaker_gets", {}), terms.get("other_gets", {})
    score, good, bad = 0.0, 0, 0
    for m in mentions:
        mine, theirs = mine_all.get(m.issue), theirs_all.get(m.issue)
        if (mine is None and theirs is None) or m.quantity == "some":
            continue
        total = (mine or 0) + (theirs or 0)
        wanted = total if m.quantity == "all" else total / 2 if m.quantity == "half" \
            else m.quantity
        if m.side is not None and wanted == (mine if (m.side == "speaker") == same
                                             else theirs):
            score += 1.0
            good += 1
        elif wanted in (mine, theirs):
            # right number, side unclear (it confirms) or misread ("give me ... for all
            # food": half credit for the verdict, a contradiction for the counts)
            score += 0.5
            if m.side is None:
                good += 1
            else:
                bad += 1
        else:
            score -= 1.0
            bad += 1
    judged = good + bad
    if not judged or (len(mentions) < 2 and mentions[0].quantity != "all"):
        return None, good, bad
    if score >= min(1.5, judged) and score >= 0.6 * judged:
        return True, good, bad
    if score < 0.5 * judged:
        return False, good, bad
    return None, good, bad


def matches_terms(mentions: Sequence[Mention], mention_speaker: str,
                  terms: Mapping[str, Mapping[str, int]], terms_speaker: str) -> bool | None:
    """Do a turn's quantities agree with a deal's terms? ``None`` when too little was said
    (a forgiving verdict: a minority of misread quantities still agree)."""
    return compare_terms(mentions, mention_speaker, terms, terms_speaker)[0]


def term_agreement(mentions: Sequence[Mention], mention_speaker: str,
                   terms: Mapping[str, Mapping[str, int]], terms_speaker: str) -> tuple[int, int]:
    """How many of a turn's quantities a deal's terms confirm and how many it contradicts.

    Stricter than ``matches_terms``, which forgives a minority of misreadings to say whether
    a turn is *about* the deal: a Submit-Deal that changes one item of the last proposal in
    the chat puts new terms on the table (the guideline: closing then starts at its
    Accept-Deal), and only the counts tell that change apart. A quantity without a side
    confirms when it equals either side's share."""
    _, good, bad = compare_terms(mentions, mention_speaker, terms, terms_speaker)
    return good, bad


def _parse_mentions(tokens: Sequence[str], like_num: Sequence[bool],
                    issues: Mapping[str, str], hits: Sequence[int] | None = None
                    ) -> list[Mention]:
    """``parse_mentions`` on lower-cased token texts and their ``like_num`` flags.

    ``hits``: the positions of the tokens found in ``issues``, when the caller has them
    (only those can start a mention; most tokens are not issue words)."""
    if hits is None:
        hits = [i for i, w in enumerate(tokens) if w in issues]
    mentions: list[Mention] = []
    if not hits:  # no issue word: no mention, no exchange
        return mentions
    where: list[int] = []  # the token position of each mention
    for i in hits:
        issue = issues[tokens[i]]
        quantity: int | str | None = None
        j = i - 1
        while j >= 0 and i - j <= 4:
            w = tokens[j]
            if w in QUANTITY_WORDS or like_num[j]:
                quantity = QUANTITY_WORDS.get(w)
                if quantity is None:
                    try:
                        quantity = int(float(w))
                    except ValueError:
                        quantity = None
                break
            if w not in QUANTITY_FILLERS:
                break
            j -= 1
        if quantity is None:
            # "you take the food": a verb of allocation before "the <issue>" means all of it;
            # so does "the water to you"
            k = i - 1
            while k >= 0 and tokens[k] in ("extra", "additional", "remaining"):
                k -= 1
            coordinated = [m for m in mentions if issues[tokens[i - 2]] == m.issue] \
                if i >= 2 and tokens[i - 1] == "and" and tokens[i - 2] in issues else None
            if coordinated:  # "take the food and water": water goes the same way
                mentions.append(Mention(issue, coordinated[-1].quantity, coordinated[-1].side,
                                        explicit=coordinated[-1].explicit))
                where.append(i)
                continue
            if k >= 1 and tokens[k] in ("the", "your", "my") and tokens[k - 1] in ALLOCATION_VERBS:
                quantity, j = "all", k - 1
            elif i >= 1 and tokens[i - 1] == "the" and tokens[i + 1:i + 2] in (("to",), ("for",)) \
                    and tokens[i + 2:i + 3] and \
                    tokens[i + 2] in FIRST_PERSON | SECOND_PERSON:
                quantity, j = "all", i - 1
            else:
                continue
        v = j - 1
        while v >= 0 and tokens[v] in ("up", "already", "just", "almost", "nearly"):
            v -= 1
        if v >= 0 and tokens[v] in PAST_FACT_VERBS:
            continue  # "we used all the water": what happened, not who gets what
        side = None
        after = tokens[i + 1:i + 3]
        if len(after) == 2 and after[0] in ("to", "for"):  # "2 of the firewood to me"
            side = "speaker" if after[1] in FIRST_PERSON else \
                "other" if after[1] in SECOND_PERSON else None
        k = j - 1
        while side is None and k >= 0 and tokens[k] not in (".", "!", "?", ";"):
            if tokens[k] in FIRST_PERSON:
                side = "speaker"
                break
            if tokens[k] in SECOND_PERSON:
                side = "other"
                break
            k -= 1
        mentions.append(Mention(issue, quantity, side, explicit=tokens[j] != "the" and
                                tokens[j] not in ALLOCATION_VERBS))
        where.append(i)
    if "for" in tokens:
        _exchange_sides(tokens, like_num, issues, mentions, where)
    return mentions


#: Words allowed around "for" in an exchange ("some extra food in return for a few waters").
_EXCHANGE_FILL = QUANTITY_FILLERS | {"some", "a", "an", "few", "little", "bit", "supplies",
                                      "supply", "in", "return", "exchange", "and", ","}


def _exchange_sides(tokens: Sequence[str], like_num: Sequence[bool], issues: Mapping[str, str],
                    mentions: list[Mention], where: list[int]) -> None:
    """Sides of an exchange of one issue for another, in place: "I can trade you 3 waters for
    3 woods", "happy to exchange some food supplies for water", "offer you some extra food in
    return for some extra firewood". The guideline counts such a two-sided exchange as a
    concrete proposal even without numbers; the side parser alone gave both issues to the
    person word before them. Needs a verb of exchange in the sentence before the given issue
    (or "in exchange / in return for"), so "I need firewood for the food" stays a need. The
    giver is the person word before the verb ("would you trade your water for ..." gives to
    the speaker); what comes after "for" goes the other way. An issue of the exchange
    without a parsed quantity gets one (``_exchanged``): all of it when named whole ("the
    food"), else "some"; an exchange of "some" for "some" is no proposal (``_is_proposal``)."""
    n = len(tokens)
    for f, word in enumerate(tokens):
        if word != "for":
            continue
        x = next((k for k in range(f - 1, max(-1, f - 5), -1) if tokens[k] in issues), None)
        if x is None or any(tokens[k] not in _EXCHANGE_FILL for k in range(x + 1, f)):
            continue
        got = []
        for k in range(f + 1, min(n, f + 12)):
            if tokens[k] in issues:
                got.append(k)
            elif not (tokens[k] in _EXCHANGE_FILL or like_num[k]):
                break
        if not got:
            continue
        verb = None
        k = x - 1
        while k >= 0 and tokens[k] not in (".", "!", "?", ";"):
            if tokens[k] in EXCHANGE_VERBS:
                verb = k
                break
            k -= 1
        if verb is None and tokens[f - 1] not in ("exchange", "return"):
            continue
        giver = "speaker"
        k = (verb if verb is not None else x) - 1
        while k >= 0 and tokens[k] not in (".", "!", "?", ";", ","):
            if tokens[k] in FIRST_PERSON:
                break
            if tokens[k] in SECOND_PERSON:
                giver = "other"
                break
            k -= 1
        taker = "other" if giver == "speaker" else "speaker"
        for pos, side in [(x, taker)] + [(k, giver) for k in got]:
            if pos in where:
                m = where.index(pos)
                mentions[m] = Mention(mentions[m].issue, mentions[m].quantity, side,
                                      explicit=mentions[m].explicit)
            else:
                at = sum(1 for w in where if w < pos)
                mentions.insert(at, Mention(issues[tokens[pos]], _exchanged(tokens, pos), side,
                                            explicit=False))
                where.insert(at, pos)


def _exchanged(tokens: Sequence[str], pos: int) -> str:
    """The quantity of an issue given in an exchange without a number: the whole of it when
    named as a whole ("the food", "my food packages", "your water"; not "some of the food"),
    else "some" ("trade some food for water", "the majority of food")."""
    if pos >= 1 and tokens[pos - 1] in ("the", "my", "your", "our") and \
            (pos < 2 or tokens[pos - 2] != "of"):
        return "all"
    return "some"


#: the words after a number that make it no term: ``NOT_TERMS`` and their plurals in "s"
#: (a word ``w`` is in it exactly when ``w in NOT_TERMS`` or ``w`` ends in "s" and
#: ``w[:-1] in NOT_TERMS``; one set test for the three words after a number)
_NOT_TERMS_OR_PLURAL = NOT_TERMS | {w + "s" for w in NOT_TERMS}


#: tokens that continue a spoken or written number ("forty - one", "a hundred and five",
#: "two point four"; not a comma: "seventeen eight, two-year warranty" is two terms)
_NUMBER_GLUE = frozenset({"-", "and", "point"})
#: words before a unit of time that make it a rate, a term ("twenty-four thousand a year")
_RATE_WORDS = frozenset({"a", "an", "per", "each", "every", "/"})


#: words between a number and the noun it counts ("2 of my nephews", "two more weeks", "3
#: for our kids", "a three-year contract": a length of time, as before 27 Nov 2026)
_NUMBER_FILLERS = frozenset({
    "-", "of", "for", "my", "our", "your", "his", "her", "their", "the", "more", "extra", "other",
    "young", "little", "small", "old", "whole", "full", "long", "short", "few",
})


#: Tokens of the longest number ``_about_no_term`` reads ("one hundred and twenty - five
#: thousand three hundred and forty" is 11)
_LONGEST_NUMBER = 16


def _about_no_term(tokens: Sequence[str], i: int) -> bool:
    """Is the number at ``i`` about people, time or distance, not a term of the deal?

    The first word after the WHOLE number that is not a filler ("of", "my", "more", ...)
    decides: one of ``NOT_TERMS`` ("five children", "2 of my nephews", "forty-one thousand
    miles", "give me two seconds"), unless it is a rate ("twenty-four thousand a year",
    "thirty-one an hour": a price per unit of time). Why the whole number: a spoken number
    is several tokens, and until 27 Nov 2026 each token was judged by the three after it, so
    "forty - one thousand miles" was a term and money, while "a hundred and thirty homes next
    year" lost its "thirty" to the "year" three words on."""
    n = len(tokens)
    end = i
    # (a spoken number is a dozen tokens at most: the cap keeps "1-1-1-...", 50 KB of it,
    # from walking the whole run from every one of its numbers: 71 s; security QA)
    while end + 1 < n and end - i < _LONGEST_NUMBER:
        nxt = tokens[end + 1]
        if nxt[:1].isdigit() or nxt in NUMBER_WORDS:
            end += 1
        elif nxt in _NUMBER_GLUE and end + 2 < n and \
                (tokens[end + 2][:1].isdigit() or tokens[end + 2] in NUMBER_WORDS):
            end += 2
        else:
            break
    k = end + 1
    if k + 1 < n and tokens[k] in _RATE_WORDS and tokens[k + 1] in _NOT_TERMS_OR_PLURAL:
        return False  # a rate: "a month", "per year"
    while k < n and k <= end + 3 and tokens[k] in _NUMBER_FILLERS:
        k += 1
    return k < n and tokens[k] in _NOT_TERMS_OR_PLURAL


#: words between a noun of ``NOT_TERMS`` and a number about it ("family of 5", "kids are 14
#: and 12", "children aged 5")
_PEOPLE_LINKS = frozenset({"of", "are", "is", "aged", "ages"})


def _numbers_t(tokens: Sequence[str], candidates: Sequence[int] | None = None
               ) -> tuple[int, int]:
    """Numbers that can be terms (not "five children"), and generic quantities among them
    ("all 3 packages", "2 of them", "at least 2"), from lower-cased token texts.
    ``candidates``: the positions of the cardinals, when the caller knows them."""
    terms = generic = 0
    n = len(tokens)
    for i in range(n) if candidates is None else candidates:
        if not (tokens[i][:1].isdigit() or tokens[i] in NUMBER_WORDS):
            continue  # cardinals only: "second" or "first" are not terms
        if i and tokens[i - 1] in ("number", "no", "#"):
            continue
        after = tokens[i + 1] if i + 1 < n else ""
        if _about_no_term(tokens, i):
            continue  # "five children", "2 of my nephews", "forty-one thousand miles"
        k = i - 1
        while k >= 1 and tokens[k] in ("and", ",") and tokens[k - 1][:1].isdigit():
            k -= 2  # a list of numbers: "14 and 12"
        if k >= 1 and tokens[k] in _PEOPLE_LINKS and tokens[k - 1] in _NOT_TERMS_OR_PLURAL:
            continue  # "a family of 5", "my kids are 14 and 12": people again
        terms += 1
        before = " ".join(tokens[max(0, i - 2):i])
        if after in GENERIC_QUANTITY_AFTER or before.endswith(("at least", "atleast")):
            generic += 1
    return terms, generic


def _money_t(texts: Sequence[str], norms: Sequence[str], like_num: Sequence[bool],
             candidates: Sequence[int] | None = None) -> int:
    """Amounts of money: "$5", "£ 5", "USD 5", "10 dollars", "8 lakh". ``candidates``: the
    positions of the tokens that are like numbers or start with a currency symbol, when the
    caller knows them."""
    count = 0
    n = len(texts)
    for i in range(n) if candidates is None else candidates:
        text = texts[i]
        if like_num[i] or _is_currency(text[:1]):
            before = norms[i - 1] if i else ""
            after = norms[i + 1] if i + 1 < n else ""
            if _is_currency(before) or before in CURRENCY_WORDS or _is_currency(text[:1]):
                count += 1
            elif after in MONEY_UNITS and not _about_no_term(norms, i):
                count += 1  # "ten percent", "forty thousand"; not "forty thousand miles"
    return count


def _is_currency(text: str) -> bool:
    """Is ``text`` one currency symbol ("$", "£", "€", "₹", "₦", ...)? Unicode's category
    "Sc", so every currency counts the same (until 27 Nov 2026 only "$" did: "£4,200 a
    month" was no money and so no proposal)."""
    return len(text) == 1 and unicodedata.category(text) == "Sc"
