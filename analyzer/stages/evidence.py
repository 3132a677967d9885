"""Per-turn evidence for the stage decoder: what each turn says and does, and where it stands.

The stage guideline (``docs/stages.md``) defines stages by a few observable events: first
contact, need talk, the FIRST concrete proposal, the acceptance that STICKS (or a walk-away),
recaps and goodbyes, and the formal deal actions. This module turns a transcript (text and
formal actions with their terms) plus its ``TurnMove``s into one numeric feature row per turn
that says how much of each event is present:

- local cues, from spaCy ``PhraseMatcher``s over the tokens (the lists in ``cues.py``,
  counted in ``cue_counts.py``, which also tells an acceptance given from one asked about);
- quantities per issue ("2 water", "all the firewood", "you take the food") with the side
  they go to, parsed from the tokens (``terms.py``), so a proposal can be told from a wish
  and a Submit-Deal can be compared with what was said in the chat;
- formal actions (Submit / Accept / Reject / Walk-Away) and whether a Submit-Deal reproduces
  terms proposed earlier in the chat (then it is an acceptance, not a new proposal);
- context from the whole session (the decoder sees all of it): has a proposal been made yet,
  does a later turn still propose or reject (then an acceptance here did not stick), does this
  turn's proposal equal the deal finally accepted, relative position.

This module keeps the feature list, the per-text facts and their per-pipeline cache, and
the session context; the token-level rules live in ``terms.py`` and ``cue_counts.py``
(their names used elsewhere stay importable from here).

The decoder (``segmenter.py``) learns how much each feature counts; nothing here decides a
stage. Tokenising with the shared ``make_nlp()`` pipeline's tokenizer only keeps it fast
enough for batch runs (thousands of sessions).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

from ..nlp.per_pipeline import per_pipeline
from ..transcript import Transcript
from .cue_counts import _cues, _opens_with_accept_t
from .cues import CUES, ISSUE_WORDS, NUMBER_WORDS
from .terms import (
    Mention,
    _is_currency,
    _money_t,
    _numbers_t,
    _parse_mentions,
    _terms,
    compare_terms,
    matches_terms,
    term_agreement,
)
from .text import TEXT_COLUMNS

#: Feature names, in the column order of ``Evidence.matrix``. The fitted parameters store
#: this list and loading checks it, so a change here cannot silently misalign coefficients.
FEATURES: tuple[str, ...] = (
    # local cues
    "greet", "smalltalk", "need", "no_need", "pref_question", "question", "prop_cue",
    "accept", "accept_strong", "accept_q", "accept_strong_q", "reject", "recap", "thanks",
    "impasse", "defer",
    "quantities", "issues_named", "two_sided", "proposal", "money", "numbers",
    "number_offer",
    "short", "long",
    # formal actions
    "act_submit", "act_accept", "act_reject", "act_walk_away",
    "submit_matches_chat", "submit_matches_other", "submit_new_terms",
    "submit_exact_last", "submit_conflicts_last", "terms_exact_final", "terms_conflict_final",
    "accept_exact_final",
    # moves (from the move model, when given)
    "mv_offer", "mv_smalltalk", "mv_need", "mv_elicit",
    # session context
    "proposal_before", "proposal_so_far", "need_before", "proposal_after",
    "reject_after", "submit_after", "accept_after", "accept_action_after",
    "prev_proposal", "prev_proposal_final", "terms_final", "terms_nonfinal_after",
    "accept_sticks", "accept_final", "closing_cue_after_final",
    "after_final_accept", "after_last_nonfinal", "first_accept_after_prop",
    "accept_by_addressee", "first_addressee_accept", "is_final_owner_turn",
    "rule_closing", "rule_closing_sofar", "rule_closing_near",
    "accept_plain", "accept_with_proposal", "accept_q_after", "plain_accepts_after",
    "vague_deal", "open_issue", "items", "issue_words", "opens_with_accept",
    "opens_with_accept_after_prop", "ends_question", "accept_then_asks", "accept_no_question",
    "closing_allowed", "open_proposal_after", "accept_then_only_recaps",
    "accepts_previous_offer", "accepts_previous_offer_sticks",
    "open_issue_after",
    "last_chat_proposal", "after_last_chat_proposal", "prev_proposal_other",
    "to_submit_0", "to_submit_1", "to_submit_2", "to_submit_3", "to_submit_4_5",
    "to_submit_6", "no_final_submit",
    "position", "first", "last", "near_end",
    "bias",
)
#: Events whose "has it happened yet?" form is evidence too: labels never go back, so a turn
#: is in closing exactly when a closing-start event happened at or before it.
CUMULATIVE: tuple[str, ...] = (
    "greet", "need", "pref_question", "accept_sticks", "accept_final",
    "first_accept_after_prop", "accept_by_addressee", "submit_matches_chat",
    "submit_matches_other", "act_submit", "act_walk_away", "thanks", "impasse",
)
FEATURES = FEATURES + tuple(f"{name}_sofar" for name in CUMULATIVE)
#: The columns ``session_evidence`` computes (all but the text columns).
EVIDENCE_FEATURES: tuple[str, ...] = FEATURES
#: Last, the learned text signal (``text.py``): ``session_evidence`` leaves these columns 0;
#: the segmenter fills them from its text model (``Segmenter.ready_to_decode``), the evaluation
#: with out-of-fold text models (``fit.fit_stacked``).
FEATURES = FEATURES + TEXT_COLUMNS

_CUE_NAMES = tuple(CUES)


@dataclass
class TurnEvidence:
    """Local facts of one turn, before the session context is added."""

    cues: dict[str, int]
    mentions: list[Mention]
    money: int
    ends_question: bool
    issue_words: int
    opens_with_accept: bool
    numbers: int
    generic_quantities: int
    words: int
    question: bool
    action: str | None
    terms: Mapping[str, Any] | None
    speaker: str


@dataclass(frozen=True)
class Evidence:
    """The evidence of one session: a row of ``FEATURES`` per turn."""

    matrix: np.ndarray  # shape (turns, len(FEATURES))
    final_deal_turn: int | None  # the Submit-Deal that was accepted, if any
    accept_turn: int | None  # the Accept-Deal of that deal (or the last Accept-Deal)
    walk_away_turn: int | None
    closing_candidate: int | None = None

    def column(self, name: str) -> np.ndarray:
        return self.matrix[:, FEATURES.index(name)]


def _default_nlp() -> Language:
    try:
        from ..nlp import make_nlp
    except ImportError:  # the nlp package not ready: a blank English tokenizer is all we use
        import spacy

        return spacy.blank("en")
    return make_nlp()


_NLP: Language | None = None


def get_nlp(nlp: Language | None = None) -> Language:
    """The pipeline whose tokenizer the evidence uses (the shared one unless given)."""
    global _NLP
    if nlp is not None:
        return nlp
    if _NLP is None:
        _NLP = _default_nlp()
    return _NLP


def _norm(text: str) -> str:
    return text.lower().replace("\u2019", "'")


def _issue_vocab(transcript: Transcript) -> dict[str, str]:
    vocab = dict(ISSUE_WORDS)
    for turn in transcript.turns:
        if turn.action is not None:
            for side in ("speaker_gets", "other_gets"):
                for issue in (turn.action.terms or {}).get(side, {}) or {}:
                    name = str(issue).lower()
                    vocab.setdefault(name, name)
                    vocab.setdefault(name + "s", name)
    return vocab


def parse_mentions(doc: Doc, issues: Mapping[str, str]) -> list[Mention]:
    """Quantities of issues named in ``doc``: "2 water", "all the firewood", "you take the food".

    The side is the nearest person word before the quantity in the same sentence: "I"/"me"
    means the speaker's share, "you" the other side's.
    """
    return _parse_mentions(tuple(_norm(t.text) for t in doc), tuple(t.like_num for t in doc),
                           issues)


def local_evidence(transcript: Transcript, nlp: Language | None = None) -> list[TurnEvidence]:
    """The local facts of every turn (cues, quantities, actions).

    Each distinct turn text's tokens are read once into plain lists and cached with the cue
    counts (``_TextFacts``): building a spaCy ``Token`` per attribute read was half the time
    of a whole analysis. ``tests/stages/test_evidence_golden.py`` pins the result to what
    the old token-by-token reading gave, on the examples and CaSiNo valid.
    """
    nlp = get_nlp(nlp)
    cache = _fact_cache(nlp)
    issues = _issue_vocab(transcript)
    shared = len(issues) == len(ISSUE_WORDS)  # no issue beyond ISSUE_WORDS (it holds them)
    out = []
    for turn in transcript.turns:
        action = turn.action
        # an action's text is not read (its facts are those of ""), and counts no words
        facts = _text_facts(nlp, cache, turn.text if action is None else "")
        norms = facts.norms
        # the issue words, in order (kept with the facts for the shared issue words)
        hits = facts.issue_at if shared else [i for i, w in enumerate(norms) if w in issues]
        cues = dict(facts.cues)
        if cues["need"] and cues["items"] and not hits and not facts.numbers and \
                not facts.question:
            # "I'm in need of some more supplies", "will need some additional items": a need
            # that names no issue is still opening (the convention of annotators c, d, e)
            cues["need"] = 0
        out.append(TurnEvidence(
            cues=cues, mentions=_parse_mentions(norms, facts.like_num, issues, hits),
            money=facts.money, numbers=facts.numbers,
            generic_quantities=facts.generic_quantities,
            opens_with_accept=facts.opens_with_accept,
            ends_question=facts.ends_question,
            issue_words=sum(1 for i in hits if norms[i] not in ("each", "everything")),
            words=facts.words, question=facts.question,
            action=action.kind if action else None,
            terms=_terms(action.terms) if action else None, speaker=turn.speaker))
    return out


class _TextFacts(NamedTuple):
    """What the evidence needs from one turn text's tokens, independent of the session.

    Read from the ``Doc`` in one pass (``texts``, lower-cased ``norms``, ``like_num``) plus
    everything computed from them alone (cue counts, numbers, money, question shape), so a
    text seen again (greetings, "Deal!", the same text in another run) costs a dict lookup.
    Only the issue mentions depend on the session (its issue vocabulary) and are parsed per
    turn from ``norms``. (An immutable named tuple: built once per new text, a frozen
    dataclass's field-by-field ``__init__`` cost more.)
    """

    texts: tuple[str, ...]
    norms: tuple[str, ...]
    like_num: tuple[bool, ...]
    cues: Mapping[str, int]
    money: int
    numbers: int
    generic_quantities: int
    opens_with_accept: bool
    ends_question: bool
    words: int  # whitespace-separated words of the text
    question: bool  # a "?" anywhere in the text
    issue_at: tuple[int, ...]  # positions of the tokens whose norm is in ``ISSUE_WORDS``


#: Bound of the per-pipeline text cache; cleared when full. Small on purpose: the cache
#: carries the facts of the texts the pipeline has just tokenised (``remember_docs``) to the
#: evidence of the same sessions, and memoises the short phrases every session repeats
#: ("ok", "Submit-Deal"), nothing more. At 50,000 it also held every text of a synthetic
#: corpus made of copies (the batch benchmark's x10 and x100), so from the second copy on
#: the evidence read nearly every turn's facts from it, ~15% of the analysis a real corpus
#: of distinct texts does not get (``benchmarks/bench_batch.py``,
#: docs/history/batch-log.md, fourth round).
_CACHE_SIZE = 4_096


@per_pipeline
def _fact_cache(nlp: Language) -> dict[str, _TextFacts]:
    return {}


@per_pipeline
def _word_flags(nlp: Language) -> dict[int, _Word]:
    """Per distinct token, by its ``ORTH`` id: its text, ``like_num``, norm, what it may be
    (bits: ``_CARDINAL``, ``_CASH``, ``_ISSUE``) and what kind of token it is (``_WORD``,
    ``_PUNCT`` or ``_SPACE``).

    These are lexical facts (the same for every token of that text, read from its
    ``Lexeme``), so each word is looked up once per pipeline instead of once per token; the
    ids come from one ``Doc.to_array(ORTH)``, which costs less than reading ``Token.text``
    token by token."""
    return {}


#: the facts of one distinct token (see ``_word_flags``)
_Word = tuple[str, bool, str, int, int]
#: what a token may be: a cardinal ("2", "two"), money ("$5", or like a number), an issue
_CARDINAL, _CASH, _ISSUE = 1, 2, 4
#: what kind of token it is
_WORD, _PUNCT, _SPACE = 0, 1, 2


def _flags_of(nlp: Language, words: dict, orth: int, doc: Doc) -> _Word:
    text = doc.vocab.strings[orth]  # (the doc's own strings: it may come from another vocab)
    lex = nlp.vocab[text]
    norm = _norm(text)
    like_num = bool(lex.like_num)
    may_be = (_CARDINAL if norm[:1].isdigit() or norm in NUMBER_WORDS else 0) | \
        (_CASH if like_num or _is_currency(text[:1]) else 0) | \
        (_ISSUE if norm in ISSUE_WORDS else 0)
    kind = _SPACE if lex.is_space else _PUNCT if lex.is_punct else _WORD
    flags = (text, like_num, norm, may_be, kind)
    if len(words) >= _CACHE_SIZE:
        words.clear()
    words[orth] = flags
    return flags


#: tokens after which a turn's question mark still ends it ("...?)", "...? 🙂")
_TRAILERS = (")", "🙂", ":)")


def _text_facts(nlp: Language, cache: dict[str, _TextFacts], text: str,
                doc: Doc | None = None, bounded: bool = True) -> _TextFacts:
    """The facts of ``text`` (from the cache, else from ``doc``, tokenised here if not given).

    The per-token columns come from the word table in one ``zip``; the number, money and
    issue scans visit only the tokens that may be one, the acceptance sentence shapes are
    read only for an acceptance (equal facts: ``tests/stages/test_evidence_golden.py``, cold
    and warm cache and shared docs)."""
    facts = cache.get(text)
    if facts is not None:
        return facts
    if doc is None:
        doc = nlp.tokenizer(text)
    words = _word_flags(nlp)
    flags = [words.get(o) or _flags_of(nlp, words, o, doc) for o in doc.to_array(ORTH).tolist()]
    if flags:
        # (every entry has five fields: no ``strict`` length checks, ~0.4 us a text)
        texts, like_num, norms, may_be, _ = zip(*flags, strict=False)
    else:
        texts = like_num = norms = may_be = ()
    counted, money, issue_at = (0, 0), 0, ()
    if any(may_be):
        special = [(i, bits) for i, bits in enumerate(may_be) if bits]
        cardinals = [i for i, bits in special if bits & _CARDINAL]
        cash = [i for i, bits in special if bits & _CASH]
        if cardinals:
            counted = _numbers_t(norms, cardinals)
        if cash:
            money = _money_t(texts, norms, like_num, cash)
        issue_at = tuple([i for i, bits in special if bits & _ISSUE])
    first_words: list[str] = []  # the first two word tokens (not punctuation or space)
    for f in flags:
        if f[4] == _WORD:
            first_words.append(f[2])
            if len(first_words) == 2:
                break
    # does the turn end by asking (waiting for the other side's answer)? its last token that
    # is neither space nor a trailer has a "?"
    last = next((f[0] for f in reversed(flags) if f[4] != _SPACE and f[0] not in _TRAILERS),
                None)
    facts = _TextFacts(
        texts=texts, norms=norms, like_num=like_num,
        # (the norms are the tokens' lower-cased texts unless a "\u2019" was replaced)
        cues=_cues(nlp, doc, texts, norms if "\u2019" not in text else None), money=money,
        numbers=counted[0], generic_quantities=counted[1],
        opens_with_accept=_opens_with_accept_t(first_words),
        ends_question=last is not None and "?" in last,
        words=len(text.split()), question="?" in text, issue_at=issue_at)
    if bounded and len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[text] = facts
    return facts


def remember_docs(nlp: Language, texts: Sequence[str], docs: Sequence[Doc]) -> None:
    """Read the facts of turn texts another step has already tokenised with ``nlp`` (the
    unit splitter does, in ``Analyzer``), so the evidence does not tokenise them again.
    The facts are the ones ``local_evidence`` would compute itself (tested).

    Give it all the texts of the sessions about to be segmented at once: the cache is
    cleared first if they would not fit, and then holds every one of them (past the bound,
    if a batch of long sessions needs it), so none is evicted before the evidence reads it."""
    cache = _fact_cache(nlp)
    if len(cache) + len(texts) > _CACHE_SIZE:
        cache.clear()
    for text, doc in zip(texts, docs, strict=True):
        if text not in cache:
            _text_facts(nlp, cache, text, doc, bounded=False)


def _is_proposal(ev: TurnEvidence) -> bool:
    """A concrete proposal in the guideline's sense: terms that say who gets what."""
    if ev.action == "submit":
        return True
    mentions = ev.mentions
    if mentions:  # (most turns have none: no sets or lists built for them)
        if len({m.side for m in mentions if m.side}) == 2 and len(mentions) >= 2 and \
                any(m.quantity != "some" for m in mentions):
            # a two-sided split, even without numbers; an exchange of "some" of one issue
            # for "some" of another names no division yet (exploring: the convention of
            # annotators c, d and e, docs/history/stages-log.md, round 4)
            return True
        explicit = [m for m in mentions if m.explicit]
        if explicit and (ev.cues["prop_cue"] or ev.cues["need"] or
                         any(m.side for m in explicit)):
            return True  # a request or demand naming a quantity
    if ev.generic_quantities and (ev.cues["prop_cue"] or ev.cues["need"]):
        return True  # "I would like all 3 packages", "I need at least 2"
    if ev.numbers and ev.cues["prop_cue"] and not mentions:
        return True  # terms in numbers without CaSiNo's issues: a price, a date, a share
    # a price or an amount of money is a term on the table, unless it is said as a need or
    # a constraint with no word of offering ("our budget is 250", "we'll need about two
    # million units": exploring, by the guideline's convention for spoken talk)
    return bool(ev.money) and not (ev.cues["need"] and not ev.cues["prop_cue"])


#: Move labels behind each move column (compared lower-cased, "_" read as "-").
_MOVE_LABELS = (
    ("mv_smalltalk", frozenset({"small-talk", "showing-empathy", "rapport"})),
    ("mv_need", frozenset({"self-need", "other-need", "no-need", "priority", "share-priority",
                           "share-need"})),
    ("mv_elicit", frozenset({"elicit-pref", "ask-priority", "question"})),
)
_OFFER_LABELS = frozenset({"offer", "package-offer", "single-issue-offer"})
_NO_MOVE = (0.0, 0.0, 0.0, 0.0)
#: ``_move_values`` by (move, labels, has an offer) as text: sessions repeat a few dozen
#: label combinations, so the label normalising runs once per combination (bounded)
_MOVE_CACHE: dict[tuple, tuple[float, float, float, float]] = {}


def _move_values(move: Any) -> tuple[float, float, float, float]:
    """The move columns of a turn's move (``mv_offer``, ``mv_smalltalk``, ``mv_need``,
    ``mv_elicit``; all 0 without a move), computed once per distinct key (the result
    depends only on the texts of the move and labels and on the offer)."""
    if move is None:
        return _NO_MOVE
    key = (str(getattr(move, "move", "")), bool(getattr(move, "offer", None)),
           *map(str, getattr(move, "labels", ()) or ()))
    hit = _MOVE_CACHE.get(key)
    if hit is None:
        labels = {x.lower().replace("_", "-") for x in key[2:]}
        labels.add(key[0].lower().replace("_", "-"))
        hit = (float(key[1] or bool(labels & _OFFER_LABELS)),
               *(float(bool(labels & names)) for _, names in _MOVE_LABELS))
        if len(_MOVE_CACHE) >= 4096:
            _MOVE_CACHE.clear()
        _MOVE_CACHE[key] = hit
    return hit


def closing_candidate(local: Sequence[TurnEvidence], chat_props: Sequence[int],
                      accept_cue: Sequence[bool], owner_turn: int | None,
                      final_deal: int | None, accept_turn: int | None,
                      walk_away: int | None) -> int | None:
    """Where the guideline's closing rule puts the start of closing, as one evidence feature.

    The acceptance that sticks: the first acceptance, by the side the final terms were
    offered to, after those terms were put on the table; when nobody accepts in the chat, a
    Submit-Deal reproducing the other side's offer; a Submit-Deal with new terms closes at
    its Accept-Deal; a walk-away closes at once. Term parsing is imperfect, so the decoder
    weighs this against the other evidence rather than trusting it.
    """
    if walk_away is not None and (accept_turn is None or walk_away > accept_turn):
        return walk_away
    end = final_deal if final_deal is not None else len(local)
    if owner_turn is not None:
        owner = local[owner_turn].speaker
        for i in range(owner_turn + 1, end):
            if accept_cue[i] and local[i].speaker != owner and local[i].action is None:
                return i
        if final_deal is not None and local[final_deal].speaker != owner:
            return final_deal
    elif chat_props:
        last = chat_props[-1]
        for i in range(last + 1, end):
            if accept_cue[i] and local[i].speaker != local[last].speaker and \
                    local[i].action is None:
                return i
    if final_deal is not None:
        return final_deal if owner_turn is not None else accept_turn
    return None


#: Column of each feature in ``Evidence.matrix``.
_COL = {name: k for k, name in enumerate(FEATURES)}
#: Cue counts that become columns (capped at 3, scaled to 0..1), with their column.
_CUE_COLS = tuple((name, _COL[name]) for name in (*_CUE_NAMES, "defer", "accept_q",
                                                  "accept_strong_q"))
#: min(count, 3) / 3.0 for counts 0..3 (the same floats the division gives)
_THIRDS = (0 / 3.0, 1 / 3.0, 2 / 3.0, 3 / 3.0)
_ACT_COL = {kind: _COL["act_" + kind] for kind in ("submit", "accept", "reject", "walk_away")}
_MOVE_COLS = tuple(_COL[name] for name in ("mv_offer", "mv_smalltalk", "mv_need", "mv_elicit"))
#: column of the turns-to-the-final-Submit-Deal bucket by gap (6 and more: ``to_submit_6``)
_GAP_COL = {0: _COL["to_submit_0"], 1: _COL["to_submit_1"], 2: _COL["to_submit_2"],
            3: _COL["to_submit_3"], 4: _COL["to_submit_4_5"], 5: _COL["to_submit_4_5"]}
#: (event column, its "so far" column) for the cumulative features
_SOFAR = tuple((_COL[name], _COL[f"{name}_sofar"]) for name in CUMULATIVE)


def _third(count: int) -> float:
    """``min(count, 3) / 3.0`` for a count >= 0 (the loop below writes it out inline as
    ``_THIRDS[count] if count < 3 else 1.0``: a call per cell costs more than the cell)."""
    return _THIRDS[count] if count < 3 else 1.0


def session_evidence(transcript: Transcript, moves: Sequence[Any] | None = None,
                     nlp: Language | None = None) -> Evidence:
    """The feature matrix of a whole session (local cues plus session context).

    Three passes over the turns: forward for the per-turn facts the context needs and the
    formal deal, backward for the lookahead counts, forward again filling each row. A row
    starts as zeros and only the columns that are set are written, through precomputed
    column indices; the "so far" columns are kept in the last pass. (The matrix equals the
    one the per-feature form gave: ``tests/stages/test_session_evidence_golden.py``.)"""
    local = local_evidence(transcript, nlp)
    n = len(local)
    width = len(FEATURES)
    # pass 1: proposals, acceptances, and the deal finally accepted (the last Submit-Deal
    # followed by an Accept-Deal)
    proposal: list[bool] = []
    chat_prop: list[bool] = []
    accept_cue: list[bool] = []
    plain: list[bool] = []
    final_deal = accept_turn = walk_away = None
    last_submit = None
    has_actions = False
    for i, ev in enumerate(local):
        cues, action = ev.cues, ev.action
        prop = _is_proposal(ev)
        acc = bool(cues["accept_strong"]) or (bool(cues["accept"]) and not cues["reject"])
        proposal.append(prop)
        chat_prop.append(prop and action is None)
        accept_cue.append(acc)
        plain.append(acc and not ev.question and not prop and action is None)
        if action is not None:
            has_actions = True
            if action == "submit":
                last_submit = i
            elif action == "accept":
                accept_turn = i
                final_deal = last_submit if last_submit is not None else final_deal
            elif action == "walk_away":
                walk_away = i
    end = last_submit if last_submit is not None else n  # the last Submit-Deal, else the end
    final_terms = local[final_deal].terms if final_deal is not None else None
    final_speaker = local[final_deal].speaker if final_deal is not None else ""
    # each chat turn's quantities against the final deal: the forgiving verdict, and item
    # by item (confirmed, contradicted)
    final_match: list[bool | None] = [None] * n
    final_agree = [(0, 0)] * n
    if final_terms is not None:
        for i, ev in enumerate(local):
            if ev.action is None and ev.mentions:
                verdict, good, bad = compare_terms(ev.mentions, ev.speaker, final_terms,
                                                   final_speaker)
                final_match[i] = verdict
                final_agree[i] = (good, bad)

    # pass 2, backward: what comes after turn i (counts and "is there still ...")
    open_after = [False] * n
    accept_q_after = [False] * n
    plain_after = [0] * n
    prop_after = [0] * n
    open_prop_after = [0] * n  # later proposals that are not recaps of the final deal
    nonfinal_after = [0] * n
    reject_after = [False] * n
    submit_after = [False] * n
    accept_after = [False] * n
    accept_action_after = [False] * n
    for i in range(n - 2, -1, -1):
        j = i + 1
        nxt = local[j]
        cues, action = nxt.cues, nxt.action
        inside = j < end
        open_after[i] = open_after[j] or (inside and bool(cues["open_issue"]))
        accept_q_after[i] = accept_q_after[j] or (inside and bool(
            cues["accept_q"] + cues["accept_strong_q"]))
        plain_after[i] = plain_after[j] + (inside and plain[j])
        prop_after[i] = prop_after[j] + chat_prop[j]
        open_prop_after[i] = open_prop_after[j] + (chat_prop[j] and final_match[j] is not True)
        nonfinal_after[i] = nonfinal_after[j] + (chat_prop[j] and final_match[j] is False)
        reject_after[i] = reject_after[j] or action == "reject"
        submit_after[i] = submit_after[j] or action == "submit"
        accept_after[i] = accept_after[j] or accept_cue[j]
        accept_action_after[i] = accept_action_after[j] or action == "accept"
    chat_props = [i for i in range(n) if chat_prop[i]]
    last_chat = chat_props[-1] if chat_props else None
    nonfinal = [i for i in chat_props if final_match[i] is False]
    last_nonfinal = nonfinal[-1] if nonfinal else None
    # who put the final terms on the table: the first chat proposal agreeing with the final
    # deal after the last one that disagreed with it
    owner_turn = next((i for i in chat_props if final_match[i] is True and
                       (last_nonfinal is None or i > last_nonfinal)), None)
    owner = local[owner_turn].speaker if owner_turn is not None else None
    candidate = closing_candidate(local, chat_props, accept_cue, owner_turn, final_deal,
                                  accept_turn, walk_away)

    # pass 3: the rows, each a C array of doubles (a copy of a zero row), joined into the
    # matrix's buffer at the end (``np.array`` of nested lists cost as much as the loop)
    c = _COL
    zero = array("d", bytes(8 * width))
    table: list[array] = []
    seen_prop = seen_need = False
    last_prop = None
    prop_speaker = None  # the speaker of ``last_prop``
    accepted_since_prop = False
    addressee_accepted = False
    last_defer = None  # the last turn putting the decision off to another day or person
    sofar_off = list(_SOFAR)  # cumulative events not seen yet
    sofar_on: list[int] = []  # "so far" columns already on
    span = max(n - 1, 1)
    for i, ev in enumerate(local):
        r = zero[:]
        table.append(r)
        cues, action, speaker = ev.cues, ev.action, ev.speaker
        acc = accept_cue[i]
        for name, k in _CUE_COLS:
            count = cues[name]
            if count:
                r[k] = _THIRDS[count] if count < 3 else 1.0
        if ev.question:
            r[c["question"]] = 1.0
        mentions = ev.mentions
        if mentions:
            r[c["quantities"]] = _third(len(mentions))
            r[c["issues_named"]] = _third(len({m.issue for m in mentions}))
            if len({m.side for m in mentions if m.side}) == 2:
                r[c["two_sided"]] = 1.0
        if proposal[i]:
            r[c["proposal"]] = 1.0
        if ev.money > 0:
            r[c["money"]] = 1.0
        if ev.numbers:
            r[c["numbers"]] = _THIRDS[ev.numbers] if ev.numbers < 3 else 1.0
            if cues["prop_cue"]:
                r[c["number_offer"]] = 1.0
        if 0 < ev.words <= 4:
            r[c["short"]] = 1.0
        if ev.words >= 25:
            r[c["long"]] = 1.0
        if action is not None:
            k = _ACT_COL.get(action)
            if k is not None:
                r[k] = 1.0
            if action == "submit" and ev.terms:
                matched = [j for j in range(i) if chat_prop[j] and matches_terms(
                    local[j].mentions, local[j].speaker, ev.terms, speaker)]
                if matched:
                    r[c["submit_matches_chat"]] = 1.0
                    if any(local[j].speaker != speaker for j in matched):
                        r[c["submit_matches_other"]] = 1.0
                else:
                    r[c["submit_new_terms"]] = 1.0
                if last_prop is not None:
                    # the last proposal in the chat, item by item: a submission that changes
                    # one of its items is new terms even when most of them agree
                    good, bad = term_agreement(local[last_prop].mentions,
                                               local[last_prop].speaker, ev.terms, speaker)
                    if bad:
                        r[c["submit_conflicts_last"]] = 1.0
                    elif good >= 2:
                        r[c["submit_exact_last"]] = 1.0
        if moves is not None and i < len(moves):
            for k, value in zip(_MOVE_COLS, _move_values(moves[i]), strict=True):
                r[k] = value
        if seen_prop:
            r[c["proposal_before"]] = 1.0
        if seen_need:
            r[c["need_before"]] = 1.0
        prev_final = False  # the last chat proposal before this turn agrees with the deal
        prev_other = False  # ... and came from the other side
        if last_prop is not None:
            if i - last_prop <= 2:
                r[c["prev_proposal"]] = 1.0
            prev_final = final_match[last_prop] is True
            if prev_final:
                r[c["prev_proposal_final"]] = 1.0
            prev_other = prop_speaker != speaker
            if prev_other:
                r[c["prev_proposal_other"]] = 1.0
        seen_prop = seen_prop or proposal[i]
        seen_need = seen_need or bool(cues["need"] or cues["no_need"])
        if seen_prop:
            r[c["proposal_so_far"]] = 1.0
        if prop_after[i]:
            r[c["proposal_after"]] = _THIRDS[prop_after[i]] if prop_after[i] < 3 else 1.0
        if reject_after[i]:
            r[c["reject_after"]] = 1.0
        if submit_after[i]:
            r[c["submit_after"]] = 1.0
        if accept_after[i]:
            r[c["accept_after"]] = 1.0
        if accept_action_after[i]:
            r[c["accept_action_after"]] = 1.0
        if final_match[i] is True:
            r[c["terms_final"]] = 1.0
        later_nonfinal = nonfinal_after[i]
        good, bad = final_agree[i]
        if bad:
            r[c["terms_conflict_final"]] = 1.0
        elif good >= 2:
            r[c["terms_exact_final"]] = 1.0
        if acc and not bad and last_prop is not None and final_agree[last_prop][1] == 0 and \
                final_agree[last_prop][0] >= 2 and not later_nonfinal:
            r[c["accept_exact_final"]] = 1.0
        if later_nonfinal:
            r[c["terms_nonfinal_after"]] = _THIRDS[later_nonfinal] if later_nonfinal < 3 else 1.0
        if acc and not later_nonfinal and not reject_after[i] and (seen_prop or proposal[i]):
            r[c["accept_sticks"]] = 1.0
            if prev_final:
                r[c["accept_final"]] = 1.0
        if (cues["thanks"] or cues["recap"]) and not later_nonfinal and seen_prop:
            r[c["closing_cue_after_final"]] = 1.0
        if accept_turn is not None and i >= accept_turn:
            r[c["after_final_accept"]] = 1.0
        if seen_prop and (last_nonfinal is None or i > last_nonfinal):
            r[c["after_last_nonfinal"]] = 1.0
        if acc and prev_other and not accepted_since_prop and not later_nonfinal:
            r[c["first_accept_after_prop"]] = 1.0
        if i == last_chat:
            r[c["last_chat_proposal"]] = 1.0
        by_addressee = bool(owner_turn is not None and i > owner_turn and speaker != owner
                            and cues["accept_strong"] + cues["accept"] and not later_nonfinal)
        if by_addressee:
            r[c["accept_by_addressee"]] = 1.0
            if not addressee_accepted:
                r[c["first_addressee_accept"]] = 1.0
            addressee_accepted = True
        if i == owner_turn:
            r[c["is_final_owner_turn"]] = 1.0
        # the guideline opens closing only with an acceptance or a walk-away; without formal
        # actions to say where the deal was made, the decoder may only enter closing there,
        # and not at an "okay" to putting the decision off ("let me take it to the board and
        # I'll come back to you" / "okay, thank you"): that accepts an adjournment, not a deal
        if cues["defer"]:
            last_defer = i
        elif chat_prop[i]:  # new terms on the table: an acceptance may answer them
            last_defer = None
        put_off = last_defer is not None and i - last_defer <= 2
        if has_actions or cues["impasse"] or (
                (acc or ev.opens_with_accept) and not put_off):
            r[c["closing_allowed"]] = 1.0
        later_open = open_prop_after[i]
        if later_open:
            r[c["open_proposal_after"]] = _THIRDS[later_open] if later_open < 3 else 1.0
        if acc:
            if last_prop == i - 1 and prev_other and action is None:  # answers an offer
                r[c["accepts_previous_offer"]] = 1.0
                if not later_open:
                    r[c["accepts_previous_offer_sticks"]] = 1.0
            if not later_open and action is None and seen_prop:
                r[c["accept_then_only_recaps"]] = 1.0
            if ev.ends_question:
                r[c["accept_then_asks"]] = 1.0
            elif action is None:
                r[c["accept_no_question"]] = 1.0
        if ev.issue_words:
            r[c["issue_words"]] = _THIRDS[ev.issue_words] if ev.issue_words < 3 else 1.0
        if ev.ends_question:
            r[c["ends_question"]] = 1.0
        if ev.opens_with_accept:
            r[c["opens_with_accept"]] = 1.0
            if prev_other:
                r[c["opens_with_accept_after_prop"]] = 1.0
        if open_after[i]:
            r[c["open_issue_after"]] = 1.0
        if plain[i]:
            r[c["accept_plain"]] = 1.0
        if cues["accept_strong"] and proposal[i] and action is None:
            r[c["accept_with_proposal"]] = 1.0
        if accept_q_after[i]:
            r[c["accept_q_after"]] = 1.0
        if plain_after[i]:
            r[c["plain_accepts_after"]] = _THIRDS[plain_after[i]] if plain_after[i] < 3 else 1.0
        if candidate is not None:
            if i == candidate:
                r[c["rule_closing"]] = 1.0
            if i >= candidate:
                r[c["rule_closing_sofar"]] = 1.0
            if abs(i - candidate) == 1:
                r[c["rule_closing_near"]] = 1.0
        if last_chat is not None and i > last_chat:
            r[c["after_last_chat_proposal"]] = 1.0
        if final_deal is None:
            r[c["no_final_submit"]] = 1.0
        elif final_deal >= i:
            r[_GAP_COL.get(final_deal - i, c["to_submit_6"])] = 1.0
        r[c["position"]] = i / span
        if i == 0:
            r[c["first"]] = 1.0
        if i == n - 1:
            r[c["last"]] = 1.0
        if n - 1 - i <= 2:
            r[c["near_end"]] = 1.0
        r[c["bias"]] = 1.0
        if sofar_off:  # an event seen once stays seen: labels never go back
            for pair in [p for p in sofar_off if r[p[0]] > 0]:
                sofar_off.remove(pair)
                sofar_on.append(pair[1])
        for k in sofar_on:
            r[k] = 1.0
        if chat_prop[i]:
            last_prop = i
            prop_speaker = speaker
            accepted_since_prop = False
        elif acc:
            accepted_since_prop = True
    rows = np.frombuffer(bytearray().join(table), dtype=float).reshape(n, width) if n \
        else np.zeros((0, width))
    return Evidence(matrix=rows, final_deal_turn=final_deal, accept_turn=accept_turn,
                    walk_away_turn=walk_away, closing_candidate=candidate)
