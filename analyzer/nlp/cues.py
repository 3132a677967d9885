"""Linguistic cues of negotiation moves: small named rules, each tested on example sentences.

The cues follow the codes of negotiation coding schemes (Weingart et al. 1990; Adair & Brett
2005; CaSiNo, Chawla et al. 2021): priority and preference talk, needs (one's own, others',
none), fairness, conditional trade-offs, questions, hedges, negation. The classifier uses
their counts as features next to n-grams; explanations quote the matched words
(``cue:self_need "I need"``).

Each cue is one compiled regular expression over the text (case-insensitive, on word
boundaries). The same rules run two ways:

* as the spaCy component ``negotiation_cues`` (``make_nlp()``), which stores the matches as
  token spans in ``doc._.cues`` and counts in ``doc._.cue_counts``;
* as ``count_cues(texts)`` over a whole batch at once (one regex scan per cue over all the
  texts joined), which is how the classifier featurises thousands of turns per second.

Both give the same counts (tested). We chose regexes over spaCy's ``Matcher`` after
measuring: with ~20 cue families the Matcher ran at ~1,100 turns/s, the batch regexes at
well over 50,000 turns/s, and the patterns stay as readable.
"""

from __future__ import annotations

import re
from operator import itemgetter

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

_A = "['’]"  # apostrophe, straight or curly


def _words(*words: str) -> str:
    return r"(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")"


YOU = _words("you", "u", "ya", "yall", f"y{_A}all")
NEED = _words("need", "needs", "needed", "require", "requires")
ISSUE_WORDS = ("food", "foods", "water", "waters", "firewood", "firewoods", "wood", "fire",
               "package", "packages", "item", "items", "supplies", "price", "salary", "budget",
               "deal", "offer", "terms", "fee", "fees", "cost", "costs", "payment", "delivery")
OTHERS = _words("kids", "kid", "children", "child", "family", "wife", "husband", "son",
                "daughter", "sons", "daughters", "group", "friends", "friend", "dog", "dogs",
                "baby", "babies", "brother", "sister", "mom", "dad", "mother", "father",
                "parents", "grandma", "grandpa", "boys", "girls", "team", "people", "pregnant",
                "elderly", "guests", "nephew", "niece", "grandkids", "grandchildren", "cousin",
                "cousins", "uncle", "aunt", "wifes", "spouse", "partner", "relatives",
                "members", "troop", "scouts", "students", "puppy", "pets?")
GAP = r"(?:\s+[\w'’]+){0,%d}?"  # up to %d words in between

#: cue name -> (definition, regex). One place; docs/moves.md and the tests read it.
CUES: dict[str, tuple[str, str]] = {
    "question": ("a question: '?' or a question opening a sentence",
                 rf"\?+|(?:^|(?<=[.!]\s))(?:what|which|how|would|could|do|does|are|is|can|"
                 rf"will|why|where|who|wanna)\s+(?:{YOU}|your|it|that|there|we|i|anything)\b"),
    "elicit_preference": ("asking what the other needs, wants or values most",
                          rf"\b(?:what|which|how)\b{GAP % 2}\s+{YOU}\s+(?:need|want|prefer|"
                          rf"like|value|looking|thinking|think|feel|have)\b"
                          rf"|\byour\s+(?:priority|priorities|preferences?|needs|top|main|"
                          rf"highest|lowest|most)\b"
                          rf"|\b(?:what|how)\s+about\s+(?:{YOU}|yours)\b"
                          rf"|\b(?:most|more|least)\s+(?:important|valuable|needed)\s+"
                          rf"(?:to|for)\s+{YOU}\b"),
    "priority": ("ranking issues: what matters most or least, more than",
                 r"\b(?:most|more|least|less|not as|not that)\s+(?:important|valuable|needed|"
                 r"crucial|essential)\b|\b(?:top|high|low|main|first|biggest)\s+priority\b"
                 r"|\bpriorit(?:y|ies|ize)\b|\bmatters?\s+(?:most|more)\b"
                 r"|\bneed\s+(?:the\s+)?most\b|\bcare\s+(?:about|for)\b|\bthe\s+(?:most|least)\b"
                 r"|\b(?:more|less)\s+than\b|\brather\s+have\b|\b(?:do|live)\s+without\b"),
    "preference": ("stating a wish: want, like, prefer, would love",
                   rf"\b(?:i|we)(?:{_A}d|\s+would|\s+really|\s+also|\s+just|\s+do|{_A}m|\s+am)*"
                   r"\s+(?:want|like|prefer|love|hoping|hope|wanted|wish|interested)\b"),
    "first_person_plural": ("the joint frame: we, us, our, let's, both of us, together",
                            rf"\b(?:we|us|our|ours|ourselves|lets)\b|\blet{_A}s\b"
                            r"|\b(?:both|each)\s+of\s+us\b|\btogether\b|\bwin[- ]?win\b"
                            r"|\bmeet\s+in\s+the\s+middle\b|\bcompromise\b"
                            r"|\bhelp\s+each\s+other\b|\bwork\s+(?:this|it)\s+out\b"),
    "conditional_offer": ("a trade: 'if you ... (then) I ...', 'in exchange for', 'trade'",
                          rf"\bif\s+(?:{YOU}|we)\b{GAP % 7}\s+(?:then|i|i{_A}ll|we|me)\b"
                          r"|\b(?:in|for)\s+(?:exchange|return|trade)\b"
                          r"|\b(?:trade|swap|exchange)\b"
                          rf"|\b(?:and|then)\s+{YOU}\s+(?:get|take|have|can)\b"),
    "quantity": ("an amount: digits, number words, all, half, extra",
                 r"\b\d+(?:/\d+)?\b|\b(?:one|two|three|four|five|half|all|both|none|extra|"
                 r"more|less|most|least|rest|remaining|each|every)\b"),
    "issue": ("an issue on the table (CaSiNo's items and common deal terms)",
              r"\b" + _words(*ISSUE_WORDS) + r"\b"),
    "fairness": ("appeals to fairness or equality",
                 r"\b(?:fair|fairly|unfair|fairness|equal|equally|evenly|even|split|"
                 r"reasonable|deserve|balanced|share)\b|\b50\s*/\s*50\b|\bfifty[- ]fifty\b"
                 r"|\bhalf\s+and\s+half\b|\bsame\s+amount\b"),
    "self_need": ("arguing one's own need",
                  rf"\b(?:i|we)(?:\s+really|\s+also|\s+definitely|\s+do|{_A}ll|\s+will|\s+would|"
                  rf"\s+still|\s+just|\s+actually|\s+desperately|\s+truly)*\s+{NEED}\b"
                  rf"|\b(?:i|we)(?:{_A}ll|\s+will|\s+really|\s+would)*\s+(?:have|got)\s+to\b"
                  rf"|\b(?:i|we)\s*(?:{_A}m|am|are|{_A}re)\s+(?:\w+\s+)?(?:thirsty|hungry|"
                  r"cold|diabetic|sick|dehydrated|freezing|low|short|running|worried|"
                  r"allergic|pregnant|anemic)\b"
                  r"|\b(?:my|our)\s+(?:\w+\s+)?(?:needs?|condition|medical|health|medication)\b"
                  r"|\b(?:essential|crucial|important|necessary|vital)\s+(?:for|to)\s+(?:me|us)\b"),
    "other_need": ("arguing a need on behalf of someone else (kids, family, group)",
                   rf"\b(?:my|our|the)\s+(?:\w+\s+)?{OTHERS}\b"
                   rf"|\b(?:{OTHERS}|they|he|she)\s+(?:\w+\s+)?(?:{NEED}|want|love|eat|drink)\b"),
    "no_need": ("saying one can do without an issue (so the other can have it)",
                rf"(?:\b(?:do|did|wo|will)(?:n{_A}?t|\s+not)|\bdont|\bdidnt|\bwont)(?:\s+really|"
                r"\s+even|\s+much|\s+actually)*\s+(?:need|want|care|use)\b"
                rf"|\b(?:i|we)\s*(?:have|{_A}ve|already|got|brought)(?:\s+\w+)?\s+(?:plenty|"
                r"enough|lots|a lot|extra|spare)\b"
                r"|\b(?:do|live)\s+without\b|\bnot\s+(?:a\s+)?(?:priority|important)\b"
                rf"|\bno\s+need\b|\b{YOU}\s+can\s+(?:have|take|keep)\b|\ball\s+yours\b"),
    "undervalue_partner": ("questioning the partner's need ('you don't need that much')",
                           rf"\b{YOU}(?:\s+really|\s+probably|\s+do|\s+will|\s+would|\s+wo|"
                           rf"\s+should|\s+can|\s+could)*\s*(?:n{_A}?t|not)\s+(?:\w+\s+)?"
                           r"(?:need|use)\b"
                           rf"|\b{YOU}\s+(?:can|could|should|probably|might)\s+(?:just\s+|"
                           r"easily\s+|always\s+)?(?:find|collect|gather|buy|get more|fish|"
                           r"boil|hunt|forage|purify)\b"
                           rf"|\b{YOU}\s+(?:already|probably)\s+(?:have|got)\b"
                           r"|\bplenty\s+of\b|\b(?:near|by)\s+(?:a|the)\s+(?:lake|river|"
                           r"stream|creek|store)\b|\bthere(?:\s+is|['’]s)\s+(?:a|plenty)\b"),
    "empathy": ("acknowledging the other's situation or feelings",
                r"\bi\s+(?:totally\s+|completely\s+|can\s+)?(?:understand|see|hear\s+you|get\s+it"
                rf"|feel)\b|\bunderstandable\b|\bsorry\s+to\s+hear\b|\bi(?:{_A}m|m|\s+am)\s+"
                r"sorry\b|\bthat\s+(?:sounds|must)\b|\bmakes\s+sense\b|\bno\s+(?:problem|"
                r"worries)\b|\boh\s+no\b|\bpoor\b|\btotally\b|\bof\s+course\b"),
    "rapport": ("greetings, thanks, small talk about the trip",
                r"\b(?:hello|hi|hey|hiya|howdy|greetings|thanks|thank|excited|exciting|fun|"
                r"enjoy|weather|trip|camping|hiking|lol|haha|great|awesome|nice|glad|bye|"
                r"goodbye|luck|wonderful|beautiful|hope)\b|:\)|\bhow\s+are\s+you\b"
                r"|\bgood\s+(?:morning|evening|afternoon)\b|\bhave\s+a\s+(?:good|great|nice)\b"
                r"|\btake\s+care\b"),
    "agreement": ("agreeing or accepting: ok, deal, sounds good, works for me",
                  r"\b(?:ok|okay|deal|agree|agreed|accept|perfect|fine|yes|yeah|sure|alright|"
                  r"yep|sounds)\b|\bworks\s+for\s+me\b|\bthat\s+works\b|\bi\s+can\s+do\s+that\b"),
    "rejection": ("refusing: no, can't, too much, won't work",
                  rf"\b(?:no|nope)\b|\bi\s+(?:can{_A}?t|cannot)\b|\bcan\s+not\b|\bwo(?:n{_A}?t)\s+"
                  rf"work\b|\bdoes(?:n{_A}?t)\s+work\b|\btoo\s+much\b|\bnot\s+(?:enough|fair|"
                  rf"acceptable|going\s+to|really)\b|\bunfair\b|\bno\s+way\b|\bi{_A}?m\s+not\b"
                  rf"|\bsorry\s+but\b|\bi\s+do(?:n{_A}?t|\s+not)\s+think\b"
                  rf"|\brather\s+not\b|\bthat{_A}?s\s+not\b"),
    "negation": ("negation: not, n't, never, no, nothing",
                 r"\b(?:not|never|no|nothing|none|neither|nor|without|dont|cant|wont|cannot|"
                 rf"nt)\b|n{_A}t\b"),
    "hedge": ("hedges that soften a claim: maybe, perhaps, I think, kind of",
              r"\b(?:maybe|perhaps|possibly|probably|might|could|guess|somewhat|hopefully|"
              r"wondering|mind)\b|\bi\s+think\b|\b(?:kind|sort)\s+of\b|\ba\s+(?:bit|little)\b"
              r"|\bi\s+was\s+thinking\b|\bwhat\s+if\b|\bhow\s+about\b|\bwould\s+it\s+be\b"
              r"|\bis\s+it\s+possible\b"),
    "second_person": ("addressing the partner: you, your",
                      rf"\b(?:you|u|ya|yall|your|yours)\b|\by{_A}all\b"),
    "first_person_singular": ("speaking of oneself: I, me, my",
                              r"\b(?:i|me|my|myself|mine)\b"),
}

CUE_NAMES: tuple[str, ...] = tuple(CUES)
_WORD = re.compile(r"\w+")
_WORD_OR_QUESTION = re.compile(r"\w+|\?")  # "?": an anchor of the question rule


def _syntax(rx: str, i: int = 0):
    """``(index, char, depth after it)`` of each "(", ")" and "|" of ``rx`` from ``i`` on, with
    escapes and character classes skipped: the one scanner behind the regex surgery below."""
    depth, klass = 0, False
    while i < len(rx):
        ch = rx[i]
        if ch == "\\":
            i += 2
            continue
        if klass:
            klass = ch != "]"
        elif ch == "[":
            klass = True
        elif ch in "()|":
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth
        i += 1


def _top_level(rx: str) -> list[str]:
    """The top-level alternatives of a regex ("a|(b|c)" -> ["a", "(b|c)"])."""
    bounds = [-1, *(i for i, ch, depth in _syntax(rx) if ch == "|" and depth == 0), len(rx)]
    return [rx[start + 1:end] for start, end in zip(bounds, bounds[1:], strict=False)]


_PURE = re.compile(r"\\b(?:\(\?:([\w|]+)\)|(\w+))\\b")


def _plan(rx: str) -> tuple[frozenset[str], str | None]:
    """Split a cue's regex into plain words (``\\b(?:a|b)\\b`` alternatives, looked up in a
    table) and the rest (run as a regex). Same matches, much faster over many texts."""
    words: set[str] = set()
    rest = []
    for alt in _top_level(rx):
        m = _PURE.fullmatch(alt)
        if m:
            words.update((m.group(1) or m.group(2)).split("|"))
        else:
            rest.append(alt)
    return frozenset(words), ("|".join(rest) if rest else None)


_QUANT = "?*+{"


def _group_end(rx: str, i: int) -> int:
    """Index just past the group opened at ``rx[i]`` ("(")."""
    for j, ch, depth in _syntax(rx, i):
        if ch == ")" and depth == 0:
            return j + 1
    raise ValueError(f"unbalanced group in {rx!r}")


_LINE_START = re.compile(r"\(\?:\^\|\(\?<=((?:[^()|\\]|\\.)+)\)\)")


#: one alternative as (leading literal word, zero-width assertion after it, the rest)
Piece = tuple[str, str, str]


def _flatten(alt: str, cond=None) -> list[Piece] | None:
    """``alt`` (one alternative, no top-level "|") as alternatives that each begin with a
    literal, or None when this cannot be done for it.

    Why: Python's regex engine skips quickly over positions whose character cannot start a
    match, but only when every alternative of the pattern begins with a literal (or the
    pattern with a character class). A rule such as ``\\b(?:i|we)\\s+need`` begins with
    ``\\b`` and is tried at every position of the text. Rewritten as
    ``i(?<!\\wi)\\s+need|we(?<!\\wwe)\\s+need`` it matches exactly the same spans:

    * a leading assertion becomes a look-behind placed after the first literal word ``u``:
      ``\\b`` before a word character is "not preceded by \\w" = ``(?<!\\wu)`` after ``u``;
      ``^`` (multi-line) is ``(?<![^\\n]u)``; ``(?<=X)`` is ``(?<=Xu)``;
    * a group at the start is distributed over the rest, ``(?:a|b)R`` -> ``aR|bR``: the
      engine tries the same alternatives in the same order, so the first match found at a
      position is the same;
    * ``x+`` at the start is ``xx*`` (the same greedy repetition).

    ``cond`` is the pending assertion (a function of the first unit), None for none. The
    rule-by-rule equality of matches is tested (tests/moves/test_speed_equivalence.py)."""
    if alt.startswith("\\b"):
        return None if cond is not None else _flatten(alt[2:], _after_boundary)
    m = _LINE_START.match(alt)
    if m:
        if cond is not None:
            return None
        behind = m.group(1)
        return _flatten(alt[m.end():], lambda u: f"(?:(?<![^\\n]{u})|(?<={behind}{u}))")
    if alt.startswith("(?:"):
        end = _group_end(alt, 0)
        rest = alt[end:]
        if rest[:1] in _QUANT and rest:
            return None
        out: list[Piece] = []
        for inner in _top_level(alt[3:end - 1]):
            got = _flatten(inner + rest, cond)
            if got is None:
                return None
            out += got
        return out
    if alt.startswith("\\d"):
        after = alt[2:]
        look = cond("\\d") if cond else ""
        if after.startswith("+"):
            return [("\\d", look, "\\d*" + after[1:])]
        return None if after[:1] in _QUANT and after else [("\\d", look, after)]
    run = re.match(r"\w+", alt)
    if run is None:
        if cond is not None or not alt:
            return None
        unit = alt[:2] if alt[0] == "\\" else alt[0]
        if unit[-1].isalnum() or unit in "()[|.^$":
            return None  # a class shorthand, group or anchor: leave it alone
        after = alt[len(unit):]
        if after.startswith("+"):
            return [(unit, "", unit + "*" + after[1:])]
        return None if after[:1] in _QUANT and after else [(unit, "", after)]
    word = run.group()
    if alt[len(word):len(word) + 1] in _QUANT and alt[len(word):len(word) + 1]:
        word = word[:-1]  # "pets?": the quantifier belongs to the last letter
    if not word:
        return None
    return [(word, cond(word) if cond else "", alt[len(word):])]


def _after_boundary(unit: str) -> str:
    return f"(?<!\\w{unit})"


def anchored(rx: str) -> str:
    """``rx`` rewritten so that every top-level alternative begins with a literal (see
    ``_flatten``), or ``rx`` itself when some alternative cannot be rewritten.

    Alternatives are then grouped by their first character, ``kids..|kid..|child..`` ->
    ``k(?:ids..|id..)|child..``, so the engine tests a few first letters per position, not
    every alternative; neighbours in a group that begin with the same word and look-behind
    share them, ``i(?<!\\wi)A|i(?<!\\wi)B`` -> ``i(?<!\\wi)(?:A|B)``. Same matches: at a
    position only the alternatives that begin with its character can match, and among
    those the order is kept."""
    pieces: list[Piece] = []
    for alt in _top_level(rx):
        got = _flatten(alt)
        if got is None:
            return rx
        pieces += got
    if any(_first_char(word) is None for word, _, _ in pieces):
        return "|".join(word + look + rest for word, look, rest in pieces)
    groups: dict[str, list[Piece]] = {}
    for piece in pieces:
        groups.setdefault(_first_char(piece[0]), []).append(piece)
    out = []
    for c, group in groups.items():
        merged: list[tuple[str, str, list[str]]] = []
        for word, look, rest in group:
            if merged and merged[-1][:2] == (word, look):
                merged[-1][2].append(rest)
            else:
                merged.append((word, look, [rest]))
        tails = [word[2 if word.startswith("\\") else 1:] + look +
                 (rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")")
                 for word, look, rests in merged]
        head = re.escape(c)
        out.append(head + tails[0] if len(tails) == 1 else head + "(?:" + "|".join(tails) + ")")
    return "|".join(out)


def _first_char(word: str) -> str | None:
    """The literal character a piece's word begins with, None for a class (``\\d``)."""
    if word.startswith("\\"):
        return word[1] if not word[1].isalnum() else None
    return word[0]


#: rule -> anchors: "|" separates alternatives, "&" groups of words. Every match of the
#: rule's regex (the part not in the word table) holds, for some alternative, one word of
#: each of its groups as a whole ``\w+`` token (in the regex the word is bounded by ``\b``,
#: ``\s`` or an apostrophe on both sides), or "?" (each "?" is a token of its own). A text
#: without that cannot match, so ``count_cues`` does not scan it. Read off the regexes
#: alternative by alternative (the comments name them in order); a missing word would lose
#: matches, which the equivalence tests (all of CaSiNo, the examples, generated strings;
#: every match checked against its anchors) would show. Rules not listed are scanned over
#: every text.
_YOU = "you u ya yall all"  # y'all is the tokens "y" "all"
_NEED = "need needs needed require requires"
_OTHERS = " ".join(re.findall(r"\w+", OTHERS)) + " pet"
_ANCHOR_TEXT = {
    # ?; (line or sentence start) what/which/.. you/your/it/..
    "question": "? | what which how would could do does are is can will why where who wanna "
                f"& {_YOU} your it that there we i anything",
    # what/which/how ...; your ...; what/how about; ... important/valuable/needed to you
    "elicit_preference": "what which how your important valuable needed",
    # important..; priority; priorit(y|ies|ize); matter(s) most/more; need (the) most;
    # care about; the most/least; more/less than; rather have; do/live without
    "priority": "important valuable needed crucial essential priority priorities prioritize "
                "most more care least than rather without",
    "preference": "want like prefer love hoping hope wanted wish interested",
    # let's; both/each of us; win-win; meet in the middle; help each other; work it out
    "first_person_plural": "let us win winwin middle other out",
    # if you/we ... then/i/we/me; in/for exchange/return/trade; and/then you get/take/..
    "conditional_offer": f"if & {_YOU} we & then i we me | in for & exchange return trade "
                         f"| and then & {_YOU} & get take have can",
    # 50/50; fifty-fifty; half and half; same amount
    "fairness": "50 fifty half amount",
    # I/we (..) need; I/we (..) have/got to; I'm (word) <adjective> ("iam": no "i" token);
    # my/our (word) needs/condition..; essential/.. for/to me/us
    "self_need": f"i we & {_NEED} | i we & have got & to | thirsty hungry cold diabetic sick "
                 "dehydrated freezing low short running worried allergic pregnant anemic "
                 "| my our & need needs condition medical health medication "
                 "| essential crucial important necessary vital & me us",
    # my/our/the (word) <others>; <others>/they/he/she (word) need/want/love/eat/drink
    "other_need": f"my our the & {_OTHERS} "
                  f"| {_OTHERS} they he she & {_NEED} want love eat drink",
    # don't need/want/care/use; I have plenty/enough/lots/a lot/extra/spare; do without;
    # not (a) priority/important; no need; you can have/take/keep; all yours
    "no_need": "need want care use | plenty enough lots lot extra spare | without "
               f"| not & priority important | no & need | {_YOU} & can & have take keep "
               "| all & yours",
    # you don't need/use; you can find/../get more/..; you already have/got; plenty of;
    # near/by a/the lake/river/..; there is/'s a/plenty
    "undervalue_partner": "need use | can could should probably might & find collect gather "
                          "buy get fish boil hunt forage purify | already probably & have got "
                          "| plenty & of | near by & a the & lake river stream creek store "
                          "| there & a plenty",
    # I (can) understand/see/hear you/get it/feel; sorry to hear; I'm sorry; that
    # sounds/must; makes sense; no problem/worries; oh no; of course
    "empathy": "understand see hear get feel sorry sounds must sense problem worries oh "
               "course",
    # works for me; that works; I can do that
    "agreement": "works that",
    # I can't/cannot; can not; won't work; doesn't work; too much; not ...; no way; I'm
    # not; sorry but; I don't think; rather not; that's not
    "rejection": "can cant cannot not work much way sorry think rather",
    # I think; kind/sort of; a bit/little; I was thinking; what if; how about; would it
    # be; is it possible
    "hedge": "think kind sort bit little thinking if about be possible",
}
ANCHORS: dict[str, tuple[tuple[frozenset[str], ...], ...]] = {
    name: tuple(tuple(frozenset(group.split()) for group in alt.split("&"))
                for alt in text.split("|"))
    for name, text in _ANCHOR_TEXT.items()}

_PLANS = {name: _plan(rx) for name, (_, rx) in CUES.items()}
_WORD_CUES: dict[str, list[int]] = {}
for _j, (_words_set, _) in enumerate(_PLANS.values()):
    for _w in _words_set:
        _WORD_CUES.setdefault(_w, []).append(_j)
_WORD_IDS = {w: i for i, w in enumerate(_WORD_CUES)}
for _w in sorted({w for alts in ANCHORS.values() for alt in alts for g in alt for w in g}
               - set(_WORD_IDS)):
    _WORD_IDS[_w] = len(_WORD_IDS)  # anchor words: looked up, counted by no plain-word rule
#: the words looked up in the word table (``count_cues(words=...)``): the plain-word rules'
#: words, then the anchor words of the other rules
CUE_WORDS: tuple[str, ...] = tuple(_WORD_IDS)
_WORD_TO_CUE = np.zeros((len(_WORD_IDS), len(CUE_NAMES)), dtype=np.float32)
for _w, _cues in _WORD_CUES.items():
    _WORD_TO_CUE[_WORD_IDS[_w], _cues] = 1.0
#: the anchors' distinct word groups as columns over the word ids, and for each anchored
#: rule its alternatives as lists of group columns
_GROUPS: dict[frozenset[str], int] = {}
_ANCHOR_ALTS: dict[int, list[list[int]]] = {}
for _name, _alts in ANCHORS.items():
    _ANCHOR_ALTS[CUE_NAMES.index(_name)] = [[_GROUPS.setdefault(g, len(_GROUPS)) for g in alt]
                                            for alt in _alts]
_WORD_TO_GROUP = np.zeros((len(_WORD_IDS), len(_GROUPS)), dtype=np.float32)
for _g, _k in _GROUPS.items():
    _WORD_TO_GROUP[[_WORD_IDS[_w] for _w in _g], _k] = 1.0
# Texts are lower-cased before matching (faster than re.IGNORECASE; offsets are unchanged
# for the texts we meet, and a text whose length changes when lower-cased is matched
# case-insensitively instead).
_REST = {j: re.compile(anchored(rest), re.MULTILINE)
         for j, (_, rest) in enumerate(_PLANS.values()) if rest}
_REST_CI = {j: re.compile(rest, re.MULTILINE | re.IGNORECASE)
            for j, (_, rest) in enumerate(_PLANS.values()) if rest}


def plain_word_rule(name: str) -> frozenset[str] | None:
    """The words of cue rule ``name`` when the rule is a plain word list (``\\b(?:a|b)\\b``:
    its matches are exactly the text's ``\\w+`` words in the list), else None."""
    words, rest = _PLANS[name]
    return words if rest is None else None


def find_cues(text: str) -> list[tuple[str, int, int]]:
    """Every cue match in ``text`` as (cue, start_char, end_char), by cue then position."""
    low = text.lower()
    table, subject = (_REST, low) if len(low) == len(text) else (_REST_CI, text)
    found = []
    for m in _WORD.finditer(low if len(low) == len(text) else text.lower()):
        for j in _WORD_CUES.get(m.group(), ()):
            found.append((j, m.start(), m.end()))
    for j, rx in table.items():
        found.extend((j, m.start(), m.end()) for m in rx.finditer(subject) if m.end() > m.start())
    found.sort()
    return [(CUE_NAMES[j], a, b) for j, a, b in found]


_CUE_INDEX = {name: j for j, name in enumerate(CUE_NAMES)}


def first_cue(text: str, name: str) -> tuple[int, int] | None:
    """(start, end) of the first match of cue ``name`` in ``text``: the first of
    ``find_cues(text)`` with that name (tested on the corpus), or None.

    Why: an explanation quotes one or two cues of a text; matching those rules alone costs
    a fraction of matching all of them. Same rules as ``find_cues``: the rule's plain words
    (the first such word) and the rest of its regex (its first non-empty match), the
    earlier of the two by (start, end)."""
    j = _CUE_INDEX[name]
    low = text.lower()
    table, subject = (_REST, low) if len(low) == len(text) else (_REST_CI, text)
    best = None
    words = _PLANS[name][0]
    if words:
        for m in _WORD.finditer(low):  # (``find_cues`` reads text.lower() too)
            if m.group() in words:
                best = m.span()
                break
    rx = table.get(j)
    if rx is not None:
        for m in rx.finditer(subject):
            if m.end() > m.start():
                if best is None or m.span() < best:
                    best = m.span()
                break
    return best


def _anchored_texts(alts, present, texts: list[str], sizes: np.ndarray):
    """The texts a rule can match in: those holding every anchor group of one of its
    alternatives (``present``: texts x groups). Returned joined by "\\n\\0\\n" as the rule's
    subject, with each picked text's offset in it and the picked indices; ``None`` when no
    text can match. ``sizes``: each text's length plus the separator's 3."""
    has = np.zeros(len(texts), dtype=bool)
    for alt in alts:
        has |= present[:, alt].all(axis=1)
    at = np.flatnonzero(has)
    if not len(at):
        return None
    picked = itemgetter(*at.tolist())(texts)
    subject = "\n\0\n".join(picked) if len(at) > 1 else picked
    return subject, np.cumsum(sizes[at]) - sizes[at], at


def _cleaned(texts: list[str]) -> tuple[list[str], list[str], bool]:
    """(texts with newlines as spaces, the same lower-cased, whether every text kept its
    length when lower-cased). One replace and one ``lower`` over the texts joined by NUL,
    then one split (texts holding a NUL are done one by one): a few calls, not three per
    text. A single length test suffices: ``str.lower`` maps every character to one or more
    characters (tested), so no text can shrink while another grows."""
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:
        clean = [t.replace("\n", " ").replace("\r", " ") for t in texts]
        lowered = [t.lower() for t in clean]
        return clean, lowered, all(len(a) == len(b) for a, b in zip(lowered, clean,
                                                                     strict=True))
    joined = joined.replace("\n", " ").replace("\r", " ")
    low = joined.lower()
    if len(low) == len(joined):
        lowered = low.split("\0")
        return lowered, lowered, True
    return joined.split("\0"), low.split("\0"), False


def count_cues(texts: list[str], words: tuple[np.ndarray, np.ndarray] | None = None,
               anchors: bool = True) -> np.ndarray:
    """Cue counts for many texts at once (n_texts x n_cues), same counts as ``find_cues``.

    Plain-word rules are a table look-up of every word; the other rules scan all texts
    joined with a separator no rule can match across (newlines inside a text become spaces).
    ``words``: (text of each token, its index in ``CUE_WORDS`` or -1) for the ``\\w+``
    tokens and every "?" of the lower-cased texts, when the caller has looked them up already
    (the move features do, in one pass with their word n-grams; other tokens such as "!"
    are -1). ``anchors``: a rule of ``ANCHORS`` scans only the texts holding its anchor words
    (the same counts: the other texts cannot match; False scans every text, the reference).
    """
    n = len(texts)
    out = np.zeros((n, len(CUE_NAMES)), dtype=np.float32)
    if not texts:
        return out
    clean, lowered, same = _cleaned(texts)
    table = _REST if same else _REST_CI  # rare: lower-casing changed a length (e.g. "İ")
    if same:
        clean = lowered
    if words is None:
        tokens = [_WORD_OR_QUESTION.findall(t) for t in lowered]
        rows = np.repeat(np.arange(n), [len(t) for t in tokens])
        get = _WORD_IDS.get
        ids = np.fromiter((get(w, -1) for t in tokens for w in t), dtype=np.int64,
                          count=len(rows))
    else:
        rows, ids = words
    hit = ids >= 0
    # anchors only where the tokens are those of the scanned texts (lower-cased, same length)
    anchors = anchors and table is _REST
    present = np.zeros((n, len(_GROUPS)), dtype=bool)  # text holds a word of anchor group k
    if hit.any():
        import scipy.sparse as sp

        T = sp.csr_matrix((np.ones(int(hit.sum()), dtype=np.float32), (rows[hit], ids[hit])),
                          shape=(n, len(_WORD_IDS)))
        out += T @ _WORD_TO_CUE
        if anchors:
            present = np.asarray(T @ _WORD_TO_GROUP) > 0
    # "\n\0\n" between texts: no pattern can match across the NUL (no \w, no \s), and
    # "^" still matches at the start of every text
    sizes = np.fromiter(map(len, clean), dtype=np.int64, count=n) + 3
    starts = np.cumsum(sizes) - sizes
    joined = "\n\0\n".join(clean)
    for j, rx in table.items():
        alts = _ANCHOR_ALTS.get(j) if anchors else None
        if alts is None:
            subject, where, at = joined, starts, None
        else:
            picked = _anchored_texts(alts, present, clean, sizes)
            if picked is None:
                continue
            subject, where, at = picked
        pos = [m.start() for m in rx.finditer(subject) if m.end() > m.start()]
        if pos:
            r = np.searchsorted(where, np.asarray(pos), side="right") - 1
            np.add.at(out[:, j], r if at is None else at[r], 1.0)
    return out


for _ext in ("cues", "cue_counts"):
    if not Doc.has_extension(_ext):
        Doc.set_extension(_ext, default=None)


@Language.factory("negotiation_cues")
def make_cue_component(nlp: Language, name: str):
    return CueComponent()


class CueComponent:
    """Sets ``doc._.cues`` (list of (cue, start_token, end_token)) and ``doc._.cue_counts``."""

    def __call__(self, doc: Doc) -> Doc:
        found, counts = [], {}
        for name, start, end in find_cues(doc.text.replace("\n", " ").replace("\r", " ")):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            found.append((name, span.start, span.end))
            counts[name] = counts.get(name, 0) + 1
        doc._.cues = found
        doc._.cue_counts = counts
        return doc


def cue_quotes(doc: Doc) -> dict[str, list[str]]:
    """Cue name -> the words that matched, for explanations."""
    quotes: dict[str, list[str]] = {}
    for name, start, end in doc._.cues or []:
        quotes.setdefault(name, []).append(doc[start:end].text)
    return quotes


def text_quotes(text: str) -> dict[str, list[str]]:
    """Like ``cue_quotes`` straight from a text (no doc needed)."""
    return quotes_of(text, find_cues(text))


def quotes_of(text: str, cues) -> dict[str, list[str]]:
    """``text_quotes`` from matches already found (``find_cues(text)``): a caller that has
    them (the offer rules need them too) does not scan the text twice."""
    quotes: dict[str, list[str]] = {}
    for name, start, end in cues:
        quotes.setdefault(name, []).append(text[start:end].strip())
    return quotes
