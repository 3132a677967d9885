"""Issues on the table: what is being negotiated, and whether the talk stays on the main point.

With a blank English spaCy pipeline there are no part-of-speech tags, so issues are found by
frequency and offer context instead of by noun detection: a term (a token of letters, not a
stop word, negotiation small word, unit of measure, -ed/-ing form or word of a speaker's
name, plural folded to singular) is an issue when it is
*quantified* at least once ("2 food", "all the water", "three hours") or is mentioned at least
``MIN_MENTIONS`` times by at least two parties. CaSiNo's issues (food, water, firewood, with
"wood" counted as firewood) come out of this rule by themselves; the alias table only merges
spellings.

Focus: the share of all issue mentions that fall on the top issue, and the normalised entropy
of mentions over issues (0 = all on one issue, 1 = spread evenly). The verdict is ours:
"focused" when the top issue takes at least half of the mentions and more than the next one,
"a few main issues" when the top three take at least 80 %, "spread over N issues" otherwise
(until 0.4.0 "scattered", which read as a criticism of multi-issue talk, the very talk that
makes trades across issues possible; QA of a negotiation coach).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from ..number_words import CARDINALS
from ..results import STAGES
from .facts import TurnFact

MIN_MENTIONS = 3
MAX_ISSUES = 8
_NUMBERS = frozenset(CARDINALS)
#: Units of measure: they quantify an issue ("thirty percent") and are never one themselves.
MEASURES = frozenset("""
percent cent cents dollar dollars euro euros pound pounds unit units times per
year years month months week weeks day days hour hours minute minutes
tonne tonnes ton tons kilo kilos kilogram kilograms litre litres liter liters
metre metres meter meters mile miles foot feet inch inches gallon gallons""".split())
NUMBER_WORDS = _NUMBERS | frozenset("""
a an all both half none no some more most extra any every each the""".split())
#: Words frequent in any negotiation that are never what is negotiated.
SMALL_WORDS = frozenset("""
hi hello hey thanks thank okay ok yes yeah yep sure fine great good nice cool awesome sounds
sound deal deals offer offers think like want wants need needs needed take get give gets
would could should really lot lots little bit much many more less extra also well let make
going got know mean maybe hope sorry please right agree agreed fair understand idea way
thing things stuff item items package packages everything anything something nothing
one two three four five six seven eight nine ten half all both each rest amount amounts
trip camping camp time today day days people person family friend friends kids guys
lol haha hmm wow yea yup alright gonna wanna okey kind sort work works worked weekend
majority minority portion share split stay stays start starts keep keeps put near lead
matter matters monday tuesday wednesday thursday friday saturday sunday
aunt uncle mother mom mum father dad parent parents wife husband son daughter brother sister
member members bidder bidders buyer buyers seller sellers lawyer lawyers attorney attorneys
mediator mediators chair committee committees team teams
grandma grandpa grandmother grandfather cousin niece nephew baby boss colleague
north south east west northern southern eastern western left side sides part parts end
free pay paid pays cheap expensive low high big small large new old better best worse worst
happy glad able busy ready whole point points question questions answer
actually honestly basically said say says come comes came look looks looking bad hard
important plus minus second seconds sign change request requests problem
problems issue issues concern concerns talk call email meeting tomorrow yesterday tonight far
morning afternoon evening honest true sense feel feels hear run runs usually clear reason
difference tops ahead twice ways fixed number numbers figure figures
first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth
fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth
mr mrs ms miss dr sir madam cllr
instead ask asks asked add adds added live decision decisions
""".split()) | _NUMBERS | MEASURES
#: Money terms: one is quantified by an amount later in its sentence too ("My fee for the
#: full identity is four thousand two hundred"), which the rule "a number before it" missed
#: (QA: the fee of a logo negotiation was not among its issues).
MONEY_TERMS = frozenset("""
fee price rate salary rent budget cost wage bonus deposit fare charge retainer commission
royalty discount premium payment invoice quote""".split())
#: Words that are often no issue ("another option", "my name is Dana") but can be the very
#: thing negotiated (stock options, a studio's name: coach QA, 28 Nov 2026): an issue only
#: when quantified ("10,000 options") or mentioned twice as often as other terms.
WEAK_TERMS = frozenset({"option", "name"})
#: Nouns shaped like verb forms that are often what a deal is about ("onboarding was
#: mentioned six times and never listed": sales QA, 28 Nov 2026); other -ing and -ed words
#: are left out as verb forms (``_is_term``).
ING_TERMS = frozenset("""
onboarding pricing billing licensing training funding housing parking shipping staffing
financing packaging marketing consulting catering branding hosting flooring roofing
landscaping cleaning heating lighting seating boarding vesting advertising accounting
printing testing mentoring coaching tooling scaffolding plumbing wiring fencing
""".split())
_SENTENCE_END = frozenset(".?!;")
#: Tokens after which a capital says nothing about the word (a sentence or clause starts).
_STARTS_SENTENCE = _SENTENCE_END | {":", '"', "“", "(", "-", "—"}
ALIASES = {"wood": "firewood", "woods": "firewood"}
#: Words ending like plurals that are singular already ("series" is not "sery").
NOT_PLURAL = frozenset("series species christmas news means lens canvas atlas".split())
_DIGIT = re.compile(r"^\d+([.,]\d+)?%?$")
_LETTERS = re.compile(r"^[a-z][a-z'-]*[a-z]$")


@lru_cache(maxsize=1)
def _default_nlp():
    """The project's pipeline (for its tokenizer); blank English when it is not available."""
    try:
        from ..nlp import make_nlp
        return make_nlp()
    except ImportError:  # the nlp package is optional for building reports by hand
        import spacy
        return spacy.blank("en")


def fold(word: str) -> str:
    """Lower-case, alias and crude plural folding ("waters" -> "water", not "glass" -> "glas")."""
    w = word.lower()
    if w in NOT_PLURAL:
        pass
    elif len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("ches", "shes", "xes", "sses")):
        w = w[:-2]
    elif len(w) > 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return ALIASES.get(w, w)


def _is_term(word: str) -> bool:
    """Letters only, not a stop or small word, and not shaped like a verb form (-ed, -ing):
    without part-of-speech tags this keeps "signing bonus" down to "bonus"."""
    return (len(word) >= 3 and bool(_LETTERS.match(word))
            and (word in WEAK_TERMS or word not in STOP_WORDS) and word not in SMALL_WORDS
            and (word in ING_TERMS or not (len(word) > 5 and word.endswith(("ed", "ing")))))


def _name_words(facts: Sequence[TurnFact]) -> frozenset[str]:
    """The words of the speakers' names ("Kyle Brennan": kyle, brennan), folded like terms:
    people are addressed by name all through a meeting, and a name is never an issue."""
    words = set()
    for speaker in {f.speaker for f in facts}:
        words.update(fold(w) for w in re.findall(r"[^\W\d_]+", speaker.lower()))
    return frozenset(words)


def term_mentions(facts: Sequence[TurnFact], nlp=None) -> list[tuple[TurnFact, str, bool]]:
    """``(turn, term, quantified)`` for each candidate term in spoken turns, and each issue a
    formal action's terms split (quantified by definition); never a word of a speaker's
    name, nor a proper noun (``_proper_nouns``)."""
    nlp = nlp or _default_nlp()
    written = {fact.index: [tok.text for tok in nlp.make_doc(fact.text)] for fact in facts
               if not fact.is_action and fact.text.strip()}  # each turn tokenised once
    names = _name_words(facts) | _proper_nouns(written.values())
    out = []
    bare: list[TurnFact] = []  # spoken turns naming an amount and no term it quantifies
    sizes: dict[str, list[float]] = {}  # the amounts said with each money term
    tokens_of: dict[int, list[str]] = {}  # the bare turns' tokens
    for fact in facts:
        if fact.is_action:  # a Submit-Deal names every item it splits, with a quantity
            out.extend((fact, term, True) for term in map(fold, fact.action_issues)
                       if _is_term(term))
            continue
        if fact.index not in written:
            continue
        tokens = [text.lower() for text in written[fact.index]]
        found_quantified = False
        for i, token in enumerate(tokens):
            term = fold(token)
            if not _is_term(term) or term in names:
                continue
            before = _same_sentence(tokens[max(0, i - 3):i])
            quantified = any(_DIGIT.match(b) or b in MEASURES
                             or b in NUMBER_WORDS - {"a", "an", "the"} for b in before)
            if not quantified and term in MONEY_TERMS:
                quantified = _amount_later_in_sentence(tokens, i)
            if quantified and term in MONEY_TERMS:
                sizes.setdefault(term, []).extend(
                    _amounts(before) or _amounts(_first_sentence(tokens[i + 1:i + 4])))
            out.append((fact, term, quantified))
            found_quantified = found_quantified or quantified
        if not found_quantified and _bare_amount(tokens) and \
                not any(token in MONEY_TERMS for token in tokens):
            bare.append(fact)
            tokens_of[fact.index] = tokens
    if bare:  # amounts said alone ("Eight thousand. That's my number."): the money term
        # the session uses most, or "price" (coach QA, 28 Nov 2026: a car haggle had no
        # price among its issues, though it was the only one)
        money = Counter(term for _, term, _ in out if term in MONEY_TERMS)
        named = money.most_common(1)[0] if money else ("price", 0)
        term = named[0] if named[1] >= 2 else "price"  # a money word said once is no name
        for fact in bare:
            out.append((fact, _term_of_size(_amounts(tokens_of[fact.index]), sizes, term),
                        True))
    return out


def _term_of_size(said: list[float], sizes: Mapping[str, list[float]], default: str) -> str:
    """The money term whose amounts are of the size of the amounts ``said`` alone, or
    ``default``; when the session's money terms came with amounts and none is of its size,
    "price". Why: a job offer's "74,000" and "80,000" went to "bonus", the money word said
    most, whose amounts were 2,000 and 5,000 (trainer QA, 28 Nov 2026)."""
    known = {term: values for term, values in sizes.items() if values}
    if not said or not known:
        return default
    size = max(said)
    fits = [(sum(1 for v in values if v / 3 <= size <= v * 3), term)
            for term, values in known.items()]
    best = max(fits)
    return best[1] if best[0] else (default if default not in known else "price")


def _first_sentence(tokens: list[str]) -> list[str]:
    """The tokens of ``tokens`` up to its first sentence end."""
    for k, token in enumerate(tokens):
        if token in _SENTENCE_END:
            return tokens[:k]
    return tokens


def _amounts(tokens: Sequence[str]) -> list[float]:
    """The amounts written in digits among ``tokens`` ("$5,000", "22k", "80 thousand"), as
    numbers; years and percentages are left out."""
    out = []
    for k, token in enumerate(tokens):
        digits = token.lstrip("$€£").replace(",", "")
        scale = 1.0
        if re.match(r"^\d+(\.\d+)?k$", digits):
            digits, scale = digits[:-1], 1000.0
        if not re.match(r"^\d+(\.\d+)?$", digits) or _YEAR.match(digits):
            continue
        after = tokens[k + 1] if k + 1 < len(tokens) else ""
        scale *= {"thousand": 1e3, "k": 1e3, "grand": 1e3, "million": 1e6}.get(after, 1.0)
        out.append(float(digits) * scale)
    return out


#: Words that make a number an amount of money or a large figure.
_AMOUNT_WORDS = frozenset("hundred thousand grand million billion k".split())
_CURRENCY = frozenset("$ € £ ¥ usd eur gbp dollars dollar euros euro pounds bucks".split())
_YEAR = re.compile(r"^(19|20)\d\d$")


def _bare_amount(tokens: list[str]) -> bool:
    """Whether a turn names an amount of money or a large figure: a currency sign or word
    next to a number, a number of 100 or more (not a year), "22k", "eight thousand"."""
    for k, token in enumerate(tokens):
        if token in _AMOUNT_WORDS and k and (tokens[k - 1] in _NUMBERS
                                             or _DIGIT.match(tokens[k - 1])):
            return True
        digits = token.lstrip("$€£").replace(",", "")
        if token[:1] in "$€£" and _DIGIT.match(digits):
            return True
        if re.match(r"^\d+(\.\d+)?k$", token):
            return True
        if _DIGIT.match(digits) and not _YEAR.match(digits):
            value = float(digits.rstrip("%").replace(",", "."))
            near = tokens[max(0, k - 1):k + 2]
            if value >= 100 and not token.endswith("%") or any(t in _CURRENCY for t in near):
                return True
    return False


def _same_sentence(before: list[str]) -> list[str]:
    """The tokens of ``before`` after its last sentence end: "Hi both. Weird week." must
    not quantify "weird" with the "both" of the sentence before (coach QA, 28 Nov 2026)."""
    for k in range(len(before) - 1, -1, -1):
        if before[k] in _SENTENCE_END:
            return before[k + 1:]
    return before


def _proper_nouns(turns: Iterable[list[str]]) -> frozenset[str]:
    """Terms written with a capital wherever they stand inside a sentence, at least twice
    ("Greenway" of "Greenway Homes"): names of firms, places and people, never what is
    negotiated (QA: a developer's company name was listed as an issue). Without a tagger,
    the capital is the only sign; a word seen only at the start of sentences says nothing."""
    capital: Counter[str] = Counter()
    lower: set[str] = set()
    for tokens in turns:  # each spoken turn's tokens as written
        previous = "."  # a turn starts a sentence
        for text in tokens:
            if text[:1].isalpha() and previous not in _STARTS_SENTENCE:
                if text[0].isupper():
                    capital[fold(text)] += 1
                else:
                    lower.add(fold(text))
            previous = text
    return frozenset(t for t, n in capital.items()
                     if n >= 2 and t not in lower and t not in _MONTHS)


#: Capitalised but a term of a deal all the same (a date: "the first week of September").
_MONTHS = frozenset("""january february march april may june july august september october
november december""".split())


def _amount_later_in_sentence(tokens: list[str], i: int) -> bool:
    """Whether a number (digits or a number word) follows token ``i`` in its sentence."""
    for token in tokens[i + 1:]:
        if token in _SENTENCE_END:
            return False
        if _DIGIT.match(token.lstrip("$€£")) or token in _NUMBERS:
            return True
    return False


def issues_on_the_table(facts: Sequence[TurnFact], nlp=None) -> dict:
    mentions = term_mentions(facts, nlp)
    count: Counter[str] = Counter()
    quantified: Counter[str] = Counter()
    parties: dict[str, set[str]] = defaultdict(set)
    by_stage: dict[str, Counter[str]] = defaultdict(Counter)
    by_speaker: dict[str, Counter[str]] = defaultdict(Counter)
    for fact, term, q in mentions:
        count[term] += 1
        quantified[term] += q
        if fact.is_party:
            parties[term].add(fact.speaker)
        by_stage[fact.stage][term] += 1
        by_speaker[fact.speaker][term] += 1
    n_parties = len({f.speaker for f in facts if f.is_party and f.spoken}) or 1
    need = min(2, n_parties)
    chosen = [t for t in count if quantified[t] >= 1 and count[t] >= 2
              or (count[t] >= MIN_MENTIONS * (2 if t in WEAK_TERMS else 1)
                  and len(parties[t]) >= need)]
    capped = len(chosen) > MAX_ISSUES
    chosen = sorted(chosen, key=lambda t: (-(count[t] + 2 * quantified[t]), t))[:MAX_ISSUES]
    chosen = sorted(chosen, key=lambda t: (-count[t], t))
    total = sum(count[t] for t in chosen)
    issues = [{"issue": t, "mentions": count[t], "quantified": quantified[t],
               "share": count[t] / total if total else 0.0,
               "parties": sorted(parties[t]),
               "by_stage": {s: by_stage[s][t] for s in STAGES if by_stage[s][t]},
               "by_speaker": {sp: c[t] for sp, c in by_speaker.items() if c[t]}}
              for t in chosen]
    return {"issues": issues, "focus": focus(issues, capped=capped),
            "by_stage": {s: focus([{"issue": t, "mentions": by_stage[s][t]} for t in chosen
                                   if by_stage[s][t]]) for s in STAGES if by_stage.get(s)}}


def focus(issues: Sequence[dict], capped: bool = False) -> dict:
    """Top-issue share, normalised entropy and a one-word verdict. "Focused" needs a top
    issue ahead of the next one (two issues at 50/50 are two main issues, not a focus);
    ``capped``: more issues were found than the ``MAX_ISSUES`` listed."""
    ordered = sorted(issues, key=lambda i: (-i["mentions"], i["issue"]))
    counts = [i["mentions"] for i in ordered]
    total = sum(counts)
    if not total:
        return {"top_issue": None, "top_share": None, "top3_share": None, "entropy": None,
                "verdict": "no recurring issue terms found"}
    shares = [c / total for c in counts]
    entropy = (-sum(p * math.log(p) for p in shares if p) / math.log(len(shares))
               if len(shares) > 1 else 0.0)
    top = ordered[0]["issue"]
    top3 = sum(shares[:3])
    if shares[0] >= 0.5 and (len(shares) == 1 or shares[0] > shares[1]):
        verdict = f"focused on {top}"
    elif top3 >= 0.8:
        verdict = "on a few main issues"
    elif capped:
        verdict = f"spread over more than {len(shares)} issues"
    else:
        verdict = f"spread over {len(shares)} issues"
    return {"top_issue": top, "top_share": shares[0], "top3_share": top3,
            "entropy": round(entropy, 4), "verdict": verdict}
