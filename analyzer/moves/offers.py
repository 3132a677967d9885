"""Offers, acceptances, rejections and concessions, found by rules on the cue matches.

CaSiNo does not label offers (they hide in ``non-strategic``), so the classifier cannot learn
them; these rules name the offer kind of a turn (``TurnMove.offer``) and, for formal actions,
the move itself. Rules read the cue matches of ``analyzer.nlp.cues`` and the words:

* ``tradeoff_offer``: a conditional trade ("if you give me the water, I'll give you food")
  or an exchange naming two issues;
* ``package_offer``: a proposal that allocates two or more issues at once ("I take 2 food
  and 1 water, you get the rest");
* ``single_issue_offer``: a request or proposal with an amount about one issue ("can I
  have 2 waters?");
* ``concession``: giving ground ("ok, you can have the firewood then");
* ``accept`` / ``reject``: short reactions opening with agreement / refusal.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from operator import itemgetter

import numpy as np

from ..nlp.cues import CUE_NAMES, find_cues, plain_word_rule
from ..transcript import Action
from .commitments import find_commitment
from .term_offers import term_offer

_PROPOSE = {"give", "take", "get", "have", "keep", "offer", "propose", "want", "need",
            "trade", "swap", "split", "receive", "let"}
_ISSUE_CANON = {"foods": "food", "waters": "water", "firewoods": "firewood", "wood": "firewood",
                "fire": "firewood"}
_YIELD = frozenset({"have", "take", "keep"})
_GENERIC = {"package", "packages", "item", "items", "supplies", "deal", "offer", "terms"}


_WORD = re.compile(r"[\w'’/]+")


def _issues(text: str, cues) -> set[str]:
    found = set()
    for name, start, end in cues:
        if name == "issue":
            word = text[start:end].lower()
            if word not in _GENERIC:
                found.add(_ISSUE_CANON.get(word, word))
    return found


def detect_offer(text: str, cues=None) -> str | None:
    """The offer kind of one turn or unit, or ``None`` (rules on the cue matches).

    ``cues`` are ``find_cues(text)`` when the caller already has them (then the text is
    not scanned again)."""
    if cues is None:
        cues = find_cues(text)
    counts = Counter(map(itemgetter(0), cues))
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None
    kind = _offer_kind(words, _issues(text, cues), counts["quantity"],
                       counts["conditional_offer"], counts["agreement"], counts["no_need"],
                       counts["rejection"])
    return with_term_offers(text, kind)


def with_term_offers(text: str, kind: str | None) -> str | None:
    """``kind``, or where the item rules found no offer or a one-issue one, the package or
    trade ``term_offers`` finds in amounts of other terms (salary, years, units)."""
    if kind is None or kind == "single_issue_offer":
        return term_offer(text) or kind
    return kind


def _offer_kind(words: list[str], issues, quantity, conditional, agreement, no_need,
                rejection) -> str | None:
    """The rules of ``detect_offer`` on what they read: the lower-cased words (not empty),
    the issues named and the number of matches of five cue rules."""
    has_amount = quantity > 0 and (_RANKING.isdisjoint(words) or _names_amount(words))
    # read only with an amount (the two rules that use it need one)
    proposes = has_amount and not _PROPOSE.isdisjoint(words)
    if conditional and len(issues) >= 2:
        return "tradeoff_offer"
    if len(issues) >= 2 and proposes:
        return "package_offer"
    first = words[0]
    yielding = agreement and "you" in words and not has_amount and \
        not _YIELD.isdisjoint(words)
    if issues and (no_need and not _reassures(words) or yielding):
        return "concession"
    if len(issues) == 1 and proposes:
        return "single_issue_offer"
    if len(words) <= 8 and agreement and (not rejection or _reassures(words)) and \
            (first in _ACCEPT_FIRST or _reassures(words)) and not _says_otherwise(words):
        return "accept"  # "No problem, deal." too (regression QA, 28 Nov 2026)
    if has_amount and _CONDITIONAL_DEAL.search(" ".join(words)):
        return "single_issue_offer"  # "185 and you have a deal": terms on a condition
    if rejection and len(words) <= 15 and first in _REJECT_FIRST and not _reassures(words):
        return "reject"
    return None


#: a "no" that puts the other side at ease ("No problem.", "No worries, take your time",
#: "No need to be nervous!"): no refusal, and no need about an issue (trainer QA, 28 Nov
#: 2026: a recruiter's "No need to be nervous! ... Shall we go through the four points:
#: salary, ..." was a concession and opened bargaining; 12 CaSiNo turns such as "No
#: problem. We can work something out." were rejections)
_REASSURING = re.compile(r"^no (?:worries|worry|problem|problems|prob|probs|rush|hurry|"
                         r"need to (?:be|worry|apologi[sz]e|thank|rush|feel|panic|stress))\b")


def _reassures(words: list[str]) -> bool:
    return bool(words) and words[0] == "no" and \
        _REASSURING.match(" ".join(words[:5])) is not None


#: after a word of agreement, a counter that keeps the talk open: "ok well i can do 4800",
#: "okay how about 45", "ok weekly but 13.10"
_COUNTER = re.compile(r"\b(?:but|how about|what about|instead|if|walk(?:ing)? (?:away|out))\b"
                      r"|\b(?:i|we) (?:can|could) (?:do|go|offer|give|pay) (?:\S+ )?\d"
                      r"|\band (?:it'?s yours|(?:you|we) (?:have|'?ve got|got) a deal"
                      r"|it'?s a deal)\b")
#: "<terms> and you have a deal", "5500 and it's yours": terms offered on a condition
_CONDITIONAL_DEAL = re.compile(r"\band (?:it'?s yours|(?:you|we) (?:have|'?ve got|got) a deal"
                               r"|it'?s a deal)\b")


def _says_otherwise(words: list[str]) -> bool:
    """Does a short reaction that opens with a word of agreement go on to counter or walk
    away ("ok then i think ill walk away", "ok well i can do 4800", "ok weekly but
    13.10")? Then the "ok" takes the floor; it accepts nothing (trainer QA, 28 Nov 2026:
    all three were acceptances, the walk-away shown as "accept" in a session the report
    called an impasse)."""
    text = " ".join(words[1:])
    return bool(_COUNTER.search(text)) or find_commitment(text) is not None


#: Quantity words that rank issues rather than count them: "what matters most to you?",
#: "the exact day is less important" (QA of a coach: both were single-issue offers).
_RANKING = frozenset({"most", "least", "more", "less"})
_IMPORTANCE = frozenset({"important", "valuable", "needed", "crucial", "essential", "of"})
#: after "more" / "less", words that make it a comparison or a weight, not an amount: "more
#: important", "more than the unit price" (a 600-word account of priorities was a package
#: offer; visual QA, 28 Nov 2026)
_COMPARING = _IMPORTANCE | {"than"}
#: The other words of the quantity cue: each is an amount wherever it stands.
_AMOUNT_WORDS = frozenset({"one", "two", "three", "four", "five", "half", "all", "both",
                           "none", "extra", "rest", "remaining", "each", "every"})


def _names_amount(words: list[str]) -> bool:
    """Whether an amount is named other than by ranking words: a number, an amount word, or
    "more" / "less" not followed by a word of importance ("more water", not "more
    important"; "most" and "least" never count)."""
    for i, w in enumerate(words):
        if w in _AMOUNT_WORDS or _NUMBER_TOKEN.match(w):
            return True
        if w in ("more", "less") and (i + 1 == len(words) or words[i + 1] not in _COMPARING):
            return True
    return False


_NUMBER_TOKEN = re.compile(r"\d+(?:/\d+)?$")
_ACCEPT_FIRST = frozenset({"ok", "okay", "deal", "sure", "yes", "yeah", "alright", "agreed",
                           "perfect", "sounds", "that", "great", "fine", "yep", "i"})
_REJECT_FIRST = frozenset({"no", "nope", "sorry", "i", "that", "thats", "that's",
                           "unfortunately"})
#: the cue rules the offer rules count, as columns of ``count_cues``
_COUNTED = [CUE_NAMES.index(name) for name in ("quantity", "conditional_offer", "agreement",
                                               "no_need", "rejection", "issue")]
#: the issue rule is a plain word list (``\b(?:food|...)\b``), so the issues of a text
#: are its ``\w+`` words in that list; the generic ones ("deal") are no issue
_ISSUE_WORDS = plain_word_rule("issue")
_ISSUE_PLAIN = _ISSUE_WORDS is not None
_ISSUE_ONLY = frozenset(_ISSUE_WORDS or ()) - _GENERIC
_CUE_WORD = re.compile(r"\w+")
# ASCII text: every character but the word characters of ``_WORD`` ("\w" is [A-Za-z0-9_]
# there, and "'" "/") and NUL (the text separator) as a space, so that ``split`` cuts
# what ``_WORD.findall`` finds; without "'" and "/" too, what ``_CUE_WORD`` finds
_WORD_SPACES = str.maketrans({c: " " for c in range(128)
                              if not (chr(c).isalnum() or chr(c) in "_'/\0")})


def detect_offers(texts: list[str], counts: np.ndarray) -> list[str | None]:
    """``detect_offer`` of many texts from their cue counts (``counts``: the rows of
    ``count_cues(texts)``), the same answers (tested on all of CaSiNo).

    Why: the move features count the cues of every text already; matching the rules again
    to find the offers cost more than the offer rules themselves. The rules need the
    counts of five cues, the words and the issues named (the issue rule is a plain word
    list: its matches are the lower-cased text's ``\\w+`` words in the list). ASCII texts
    are cut into words all at once, by one ``translate`` and ``split`` (a regex scan per
    text cost more than the rules). A text with a line break (``count_cues`` reads it as a
    space, ``find_cues`` does not), a NUL, or whose length changes when lower-cased
    (``find_cues`` then quotes other characters) takes ``detect_offer``."""
    n = len(texts)
    flags = (counts[:, _COUNTED] > 0).tolist() if n else []
    out: list[str | None] = [None] * n
    ascii_: list[int] = []
    for i, (text, f) in enumerate(zip(texts, flags, strict=True)):
        if "\n" in text or "\r" in text or "\0" in text or not _ISSUE_PLAIN:
            out[i] = detect_offer(text)
        elif not (f[5] or f[2] or f[4]):  # every rule needs an issue, agreement or rejection
            out[i] = term_offer(text)  # ... but those of ``term_offers`` (any term) may
            continue
        elif text.isascii():
            ascii_.append(i)
        else:
            low = text.lower()
            if len(low) != len(text):
                out[i] = detect_offer(text)
                continue
            words = [w.lower() for w in _WORD.findall(text)]
            out[i] = with_term_offers(text, _offer_of(words, _CUE_WORD.findall(low) if f[5]
                                                 else (), f))
    if ascii_:
        cut = "\0".join([texts[i] for i in ascii_]).lower().translate(_WORD_SPACES)
        pieces = cut.split("\0")
        parts = cut.replace("'", " ").replace("/", " ").split("\0")
        for i, piece, part in zip(ascii_, pieces, parts, strict=True):
            f = flags[i]
            out[i] = _offer_of(piece.split(), part.split(), f) if f[5] else \
                _reaction(piece.split(), f)
            out[i] = with_term_offers(texts[i], out[i])
    return out


def _reaction(words: list[str], flags) -> str | None:
    """``_offer_of`` of a text that names no issue: of the rules of ``_offer_kind`` only
    the last two (accept, reject) can apply, the others all need an issue."""
    if not words:
        return None
    first = words[0]
    if len(words) <= 8 and flags[2] and (not flags[4] or _reassures(words)) and \
            (first in _ACCEPT_FIRST or _reassures(words)) and not _says_otherwise(words):
        return "accept"
    if _CONDITIONAL_DEAL.search(" ".join(words)) and any(_NUMBER_TOKEN.match(w) or
                                                          w in _AMOUNT_WORDS for w in words):
        return "single_issue_offer"  # "185 and you have a deal"
    if flags[4] and len(words) <= 15 and first in _REJECT_FIRST and not _reassures(words):
        return "reject"
    return None


def _offer_of(words: list[str], cue_words, flags) -> str | None:
    """``_offer_kind`` from the words, the ``\\w+`` words (for the issues) and the flags."""
    if not words:
        return None
    issues = {_ISSUE_CANON.get(w, w) for w in _ISSUE_ONLY.intersection(cue_words)}
    return _offer_kind(words, issues, *flags[:5])


def action_move(action: Action) -> tuple[str, str, str | None]:
    """(move, orientation, offer kind) of a formal action.

    Submit-Deal is an offer whose kind comes from its terms: ``tradeoff_offer`` when each side
    gets more of some issue (a trade across issues), ``package_offer`` otherwise. Formal acts
    are counted neutral except walk-away (distributive; see ``taxonomy``).
    """
    if action.kind == "submit":
        kind = offer_kind_of_terms(action.terms)
        return kind, "neutral", kind
    if action.kind == "accept":
        return "accept", "neutral", None
    if action.kind == "reject":
        return "reject", "neutral", None
    if action.kind == "walk_away":
        return "walk_away", "distributive", None
    return "non-strategic", "neutral", None


def offer_kind_of_terms(terms: Mapping) -> str:
    mine = terms.get("speaker_gets") or {}
    theirs = terms.get("other_gets") or {}
    more_mine = any(float(mine.get(k, 0)) > float(theirs.get(k, 0)) for k in mine)
    more_theirs = any(float(theirs.get(k, 0)) > float(mine.get(k, 0)) for k in theirs)
    if len([k for k in set(mine) | set(theirs)]) <= 1:
        return "single_issue_offer"
    return "tradeoff_offer" if more_mine and more_theirs else "package_offer"


# --- acceptances in their turn ------------------------------------------------------------
# The rules above read one unit alone, so "Okay." is an acceptance wherever it stands. In a
# turn it is often an acknowledgement before the speaker moves on ("Okay. And dates?",
# "Ok, what would you counter offer with?": 95 of the 598 acceptances over the spoken
# sessions and 32 of the 320 of 400 CaSiNo dialogues ended on such a question, coach QA of
# 28 Nov 2026), and a spoken acceptance often restates the terms first ("Two-ninety, four
# hundred tonnes, thirty days. I can live with that."), which the short-reaction rule never
# reads. ``turn_acceptance`` settles both with the turn's units and the offer before it.

#: leading words of agreement, skipped to see what a unit goes on to ask
_AGREEING = frozenset({"ok", "okay", "k", "yes", "yeah", "yep", "yup", "sure", "great", "fine",
                       "good", "alright", "right", "perfect", "cool", "awesome", "thanks",
                       "thank", "you", "so", "well", "oh", "hmm", "um", "uh"})
#: words that open a question about something else than the offer on the table
_ASKING = frozenset({"what", "whats", "what's", "how", "hows", "how's", "when", "where", "who",
                     "why", "which", "and", "can", "could", "would", "will", "shall", "do",
                     "does", "did", "is", "are", "am", "should", "may", "any", "anything",
                     "tell", "you"})
#: a question that checks the deal itself ("Does that work?", "Deal?", "Are you good to
#: submit?"): the acceptance before it stands
_CHECKS_DEAL = re.compile(r"\b(?:deal|agreed?|agreement|works?|working|sounds?|fair|submit|"
                          r"okay with|ok with|good with|fine with|happy with|settled?)\b")
#: a unit that is a whole acceptance, after any words of agreement ("Okay, I can live with
#: that.", "Done.", "You have a deal.", "Let's go with that."); not "X and you've got a
#: deal" (a condition) nor a question
_CLOSES = re.compile(
    r"^(?:(?:ok|okay|yes|yeah|yep|right|fine|great|good|alright|so|then|well|perfect|but|"
    r"hm+|um+|oh|i think|i guess|both ways)[\s,.!-]+)*"
    r"(?:(?:i|we) can (?:live with|accept|do|work with) (?:that|it|those|this)|"
    r"i'?ll take (?:it|that)|let'?s (?:go with|do) (?:that|it|this)|"
    r"(?:(?:then )?(?:it'?s|that'?s|we have|we'?ve got|you have|you'?ve got) )?a deal|deal|done|"
    r"agreed|(?:that|it|this) works(?: for (?:me|us))?|works for (?:me|us)|"
    r"(?:we|i) accept(?: that| it| this| your offer)?|shake on it|(?:i'?m|we'?re) in(?=[\s.!]*$))"
    r"(?:,? (?:then|thanks|thank you)|,? \w+)?[\s.!]*$")

#: the offer kinds that put terms on the table for the other side to accept
PUT_FORWARD = frozenset({"tradeoff_offer", "package_offer", "single_issue_offer",
                         "concession"})


def asks_past_acceptance(sentences: Sequence[str]) -> bool:
    """Does a turn that accepts go on to ask about something else?

    Then the acceptance was an acknowledgement ("Okay. And dates?", "okay ,what you want
    ?"), not a yes to terms. A question that checks the deal itself ("Yes. Does that
    work?", "okay deal?") leaves it standing. ``sentences``: the turn's, in order."""
    if any(closes_with_acceptance(t) for t in sentences):
        return False  # "Yes. Okay. I think that's a deal. Alan?": the chair accepts, then
        # hands over
    # the accepting sentence: the first that opens with a word of agreement (the
    # short-reaction rule's own test; running the rules again per sentence cost ~3 us a turn)
    first = next((j for j, t in enumerate(sentences)
                  if (w := _WORD.findall(t.lower()[:20])) and w[0] in _ACCEPT_FIRST), 0)
    for j in range(first, len(sentences)):
        text = sentences[j].strip()
        if not text.endswith("?"):
            continue
        words = _WORD.findall(text.lower())
        if _CHECKS_DEAL.search(" ".join(words)):
            continue
        if j > first:
            return True
        # the accepting sentence itself: "Okay, is this better?" asks on, "okay deal?" not
        k = 0
        while k < len(words) and words[k] in _AGREEING:
            k += 1
        if k < len(words) and words[k] in _ASKING:
            return True
    return False


def closes_with_acceptance(unit: str) -> bool:
    """Is this unit (the last of a turn) a whole acceptance ("I can live with that.",
    "Done.", "You have a deal.")?"""
    text = unit.strip().lower().replace("\u2019", "'")
    return len(text) <= 60 and _CLOSES.match(text) is not None


#: words of a turn past which an "Okay." that opens it, with no offer on the table, is the
#: speaker taking the floor (a chair's "Okay, good afternoon everyone. Let's start, ...")
_LONG_TURN = 25
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def turn_acceptance(offer: str | None, units: Sequence[str], offer_pending: bool
                    ) -> str | None:
    """The offer kind of a spoken turn once its units are read together: ``offer`` as the
    units' rules gave it, ``None`` for an acceptance the speaker asked on from, ``"accept"``
    for a turn (with no offer or terms of one issue restated) that ends on a whole
    acceptance while the other side's offer is on the table (``offer_pending``). A long turn
    that opens with "Okay." while no offer is on the table is no acceptance either."""
    if offer == "accept":
        sentences = [t for u in units for t in _SENTENCE_END.split(u.strip()) if t]
        if asks_past_acceptance(sentences):
            return None
        if not offer_pending and sum(len(t.split()) for t in sentences) > _LONG_TURN:
            return None  # "Okay. Thank you both. So let me reflect back what I heard, ..."
        return offer
    if offer_pending and offer in (None, "single_issue_offer") and units:
        last = _SENTENCE_END.split(units[-1].strip())[-1]
        if closes_with_acceptance(last):
            return "accept"
    if offer_pending and offer in PUT_FORWARD and units and accepts_then_recaps(units):
        return "accept"
    return offer


#: A sentence that restates agreed terms: "So just to recap: ...", "To confirm, ...".
_RECAP = re.compile(
    r"^(?:so,?\s+|okay,?\s+|and\s+)?(?:just\s+)?(?:to\s+(?:recap|confirm|summari[sz]e|be\s+clear)"
    r"|let\s+me\s+(?:recap|confirm|summari[sz]e|read\s+(?:it|that|this)\s+back)"
    r"|recap(?:ping)?\b|(?:that'?s|so\s+that'?s|so\s+we\s+have|the\s+deal\s+is)\b)",
    re.IGNORECASE)


def accepts_then_recaps(units: Sequence[str]) -> bool:
    """Does a turn accept the offer on the table and then restate the terms ("Then yes,
    I'm in. So just to recap: eight thousand sign-on, start on the first...")? Its terms
    are the accepted deal read back, not a new package (coach QA, 28 Nov 2026: such turns
    were package offers, and the acceptance in them went unseen). The acceptance is the
    first sentence, or the second after a short opener ("Great."); a recap must follow it."""
    sentences = [t for u in units for t in _SENTENCE_END.split(u.strip()) if t]
    for k in (0, 1):
        if len(sentences) <= k + 1 or (k and len(sentences[0].split()) > 3):
            break
        if closes_with_acceptance(sentences[k]) and \
                _RECAP.match(sentences[k + 1].strip().replace("\u2019", "'")):
            return True
    return False
