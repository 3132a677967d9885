"""Cue counts of one turn text, with acceptances asked about or conditional set apart.

``evidence.py`` reads each distinct turn text once (``_text_facts``); the cue part of that
reading is here: all cue lists of ``cues.py`` in one spaCy ``PhraseMatcher`` (``_cues``),
and the sentence shapes that tell an acceptance given ("Ok, I will accept your deal ...?")
from one only asked about ("does that work for you?") or offered on a condition ("if that
works for you, ..."), plus whether a turn opens by accepting.

Why a module of its own: these are the rules about questions and conditions, read from
token texts alone; they are judged and tuned apart from the term parsing (``terms.py``)
and from the session context (``evidence.py``), and only ``_cues`` and
``_opens_with_accept_t`` are called from outside (imported by name into ``evidence.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from ..nlp.per_pipeline import per_pipeline
from .cues import ACCEPT_OPENERS, CUES, RULE_CUES, written


@per_pipeline
def _joint_matcher(nlp: Language) -> tuple[PhraseMatcher, dict[int, str]]:
    """All cue lists in one ``PhraseMatcher`` (one scan of a doc instead of one per cue);
    a phrase listed under several cues matches once under each, as with separate matchers.

    A phrase with an apostrophe is added a second time with the typographic one ("I’m
    asking", "can’t"), which transcripts from some tools and many chat turns use: the
    matcher compares lower-cased token texts, so without it no contraction cue matched
    there."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    names = {}
    for name, phrases in (*CUES.items(), *RULE_CUES.items()):
        forms = [written(p) for p in phrases]
        forms += [p.replace("'", "’") for p in forms if "'" in p]
        matcher.add(name, list(nlp.tokenizer.pipe(forms)))
        names[nlp.vocab.strings[name]] = name
    return matcher, names


#: every cue at 0, in ``CUES`` order (the start of each text's counts)
_NO_CUES = dict.fromkeys((*CUES, *RULE_CUES), 0)


def _cues(nlp: Language, doc: Doc, texts: Sequence[str],
          lower: Sequence[str] | None = None) -> dict[str, int]:
    """Cue counts of a doc; acceptances asked about or inside "make a deal" are set apart.

    Only the acceptance and "make a deal" spans are kept; the sentence shapes the
    acceptances are judged by are read only when the text has an acceptance. ``lower``: the
    token texts lower-cased, when the caller has them."""
    matcher, names = _joint_matcher(nlp)
    cues = dict(_NO_CUES)
    accept: list[tuple[int, int]] = []
    strong: list[tuple[int, int]] = []
    vague: list[tuple[int, int]] = []
    kept = {"accept": accept, "accept_strong": strong, "vague_deal": vague}
    for key, start, end in matcher(doc):
        name = names[key]
        if name == "impasse" and _not_an_impasse(texts, start, end):
            continue
        cues[name] += 1
        spans = kept.get(name)
        if spans is not None:
            spans.append((start, end))
    if not (accept or strong):
        cues["accept_q"] = cues["accept_strong_q"] = 0
        return cues
    if lower is None:
        lower = [t.lower() for t in texts]
    for name, found in (("accept", accept), ("accept_strong", strong)):
        spans = [(start, end) for start, end in found
                 if not any(vs <= start < ve for vs, ve in vague)] if vague else found
        spans = [(start, end) for start, end in spans if not _negated(lower, start)]
        cues[name + "_q"] = sum(1 for start, end in spans
                                if (_asks(texts, start) and
                                    not _given_in_question(lower, start, end))
                                or _conditional(lower, start, end))
        if name == "accept_strong" and not cues["prop_cue"] and \
                any(_conditional_deal(lower, start, end) for start, end in spans):
            # the terms before it are put forward: a proposal the other side may accept
            # (regression QA: "185 and you have a deal." / "Deal." was no agreement)
            cues["prop_cue"] = 1
        # an acceptance asked about is not given; "we can make a deal" accepts nothing
        cues[name] = len(spans) - cues[name + "_q"]
    return cues


#: What a party walks away from when it ends the talks ("walking away from the table"); from
#: anything else it gives something up ("I'm walking away from a bonus").
_WALKED_FROM = frozenset({"deal", "table", "talks", "negotiation", "negotiations", "agreement",
                          "offer", "contract", "this", "that", "it", "here", "you", "them",
                          "everything"})


#: after "decided to go with": what makes it a choice of the other side's terms
_YOURS = frozenset({"your", "you", "yours", "the", "this", "that", "it", "option", "plan",
                    "offer", "proposal", "deal", "package", "these", "i", "we", "a", "an"})


def _not_an_impasse(texts: Sequence[str], start: int, end: int) -> bool:
    """An impasse phrase that declares none: "Fifty-seven and we're done." (a final offer;
    QA), "I'm walking away from a bonus" (a concession), "we're stuck with it" (a fact;
    coach QA, 28 Nov 2026)."""
    first = texts[start].lower()
    if first == "we" and start and texts[start - 1].lower() == "and":
        return True
    after = [t.lower() for t in texts[end:end + 4]]
    if first == "decided":  # a lost deal only before a name: "... to go with Fieldwise"
        name = texts[end] if end < len(texts) else ""
        return not name[:1].isupper() or name.lower() in _YOURS
    if first in ("walk", "walking") and after[:1] == ["from"]:
        objects = [t for t in after[1:] if t not in ("a", "an", "the", "my", "our", "your",
                                                     "some", "any", "this", "that")] or after[1:]
        return bool(objects) and objects[0] not in _WALKED_FROM and \
            after[1] not in ("this", "that")
    return texts[end - 1].lower() == "stuck" and after[:1] == ["with"]


#: First words of a sentence that make it a real question ("does that work?", "how about
#: ...?"), as opposed to a statement said with a rising "?" ("I will accept your deal ...?").
QUESTION_STARTS = frozenset({
    "can", "could", "would", "will", "shall", "should", "do", "does", "did", "is", "are", "am",
    "was", "were", "may", "might", "what", "how", "which", "who", "why", "when", "where",
    "have", "has", "right",
})


#: tokens that end a sentence, and punctuation that is no word of it (sets: the scans below
#: test every token of a sentence)
_SENTENCE_ENDS = frozenset({".", "!", "?", "..."})
_NOT_WORDS = frozenset({",", "-", "...", "!"})


def _given_in_question(lower: Sequence[str], start: int, end: int) -> bool:
    """Is the acceptance cue ``lower[start:end]``, in a sentence ending with "?", given rather
    than asked about? Guideline: "Ok, I will accept your deal of 3 food ...?" accepts; the
    speaker states it and only checks the terms. Given: (a) the speaker's own acceptance,
    "I" / "we" among the four words before the cue ("I will accept", "I accept your deal"),
    in a sentence not opened as a question ("can I accept ...?" asks); (b) the cue followed
    by "to me" / "for me" ("that sounds good to me, ...?"); (c) an opener ("ok", "yes")
    that begins the sentence and is followed by a statement ("Ok, so I get 2 water?"), not
    by a question ("yes does that sound good to you?") or by nothing ("Deal?")."""
    first = start
    while first > 0 and lower[first - 1] not in _SENTENCE_ENDS:
        first -= 1
    words = [k for k in range(first, len(lower)) if lower[k] not in _NOT_WORDS]
    head = words[0] if words else start
    if tuple(lower[end:end + 2]) in (("to", "me"), ("for", "me")):  # (a list or a tuple)
        return True
    if any(lower[k] in ("i", "we") for k in range(max(first, start - 4), start + 1)):
        return lower[head] not in QUESTION_STARTS
    if start == head and end == start + 1 and lower[start] in ACCEPT_OPENERS and \
            end < len(lower) and lower[end] in (",", "so", "then", "i", "we"):
        rest = [k for k in words if k > start and lower[k] != "so"]
        return bool(rest) and lower[rest[0]] not in QUESTION_STARTS | {"?", "you", "u"}
    return False


#: words that turn an acceptance into its opposite when they come just before it ("No
#: deal.", "I can't accept that", "that's not fair", "I don't agree"), and the few words
#: that may stand between ("not a deal", "not really fair", "can't be happy with")
_NEGATORS = frozenset({"no", "not", "n't", "never", "nt", "cannot"})
_BETWEEN = frozenset({"a", "really", "be", "quite", "so", "too", "that", "very", "exactly"})


def _negated(lower: Sequence[str], start: int) -> bool:
    """Is the acceptance cue at ``start`` negated? Until 28 Nov 2026 the cues read no
    negation: "No. Sorry, Elena. No deal. We'll go with Northwind." was a strong acceptance
    as well as an impasse, and the session ended unfinished (coach QA)."""
    if start and lower[start - 1] in _NEGATORS:
        return True
    return start > 1 and lower[start - 1] in _BETWEEN and lower[start - 2] in _NEGATORS


def _conditional(lower: Sequence[str], start: int, end: int) -> bool:
    """Is the acceptance ``lower[start:end]`` only a condition ("if that works for you, ...",
    "if it sounds good to you can we finalize") or conditioned on something new ("I can do
    that if I could have a water")? Then it waits for the other side like a question: "if"
    among the three words before it in the same clause, or one of the two words after it."""
    before = lower[max(0, start - 3):start]
    if "if" in lower[end:end + 2]:
        return True
    if _conditional_deal(lower, start, end):
        return True
    return "if" in before and not any(w in (",", ".", "!", "?", ";")
                                      for w in before[before.index("if"):])


#: the words of "(and) you have a deal", "we've got a deal", "it's a deal"
_DEAL_WORDS = frozenset({"you", "we", "it", "'s", "’s", "'ve", "’ve", "have", "got", "a",
                         "then"})
#: words before "and we have a deal" that make it a yes ("Perfect, and we have a deal")
_AGREEING_OR_END = frozenset({",", ".", "!", ";", "-", "ok", "okay", "yes", "yeah", "great",
                              "perfect", "good", "fine", "sure", "alright", "right", "then",
                              "so"})


def _conditional_deal(lower: Sequence[str], start: int, end: int) -> bool:
    """Is the acceptance ``lower[start:end]`` the end of "<terms> and you have a deal"? Terms
    offered on a condition, not a yes to the other side's (trainer QA, 28 Nov 2026: the
    agreement was placed at "192 and you have a deal.", answered with a counter)."""
    if "deal" not in lower[start:end]:
        return False
    k = start - 1
    while k > 0 and start - k <= 4 and lower[k] in _DEAL_WORDS:
        k -= 1
    return k > 0 and lower[k] == "and" and lower[k - 1] not in _AGREEING_OR_END


def _asks(texts: Sequence[str], k: int) -> bool:
    """Whether the sentence of token ``k`` ends with a question mark: a sentence ends at
    ". ! ? ..." or at the last token (only the acceptances' sentences are looked at)."""
    n = len(texts)
    for i in range(k, n):
        if texts[i] in _SENTENCE_ENDS or i == n - 1:
            return "?" in texts[i]
    return False


def _opens_with_accept_t(words: Sequence[str]) -> bool:
    """Does the turn begin by accepting ("Ok, I will accept...", "Yes! That is correct")?
    From its first two lower-cased word tokens."""
    return bool(words) and (words[0] in ACCEPT_OPENERS or
                            (words[0] in ("i", "that", "this") and len(words) > 1 and
                             words[1] in ("agree", "accept", "works", "sounds")))
