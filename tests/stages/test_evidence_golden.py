"""The per-turn evidence facts equal a stored golden copy, on the examples and CaSiNo valid.

Why: ``local_evidence`` reads token facts from plain lists, caches them per text and may be
handed the tokens the unit splitter already made (``remember_docs``); each of those is a
speed-up that must change nothing. The golden file (``tests/data/evidence_golden.json``) was
written by the old token-by-token reference path before it was removed, so these tests keep
its guarantee without keeping its ~150 duplicated lines. Only the per-turn local facts are
stored (cues, quantities with their side, numbers, money, question shape, actions): the
session-level features are a deterministic function of them and may grow without touching
the golden file. Compared: every stored field; cue counts that are not stored must be 0 (a
new cue list may be added without rewriting the file).

Regenerate (only when a cue list or a parsing rule changes on purpose, and say so in the
commit): ``PYTHONPATH=$PWD python tests/stages/test_evidence_golden.py --write``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from analyzer.io import expand_inputs, read_transcripts
from analyzer.stages.evidence import (
    _fact_cache,
    get_nlp,
    local_evidence,
    remember_docs,
)
from analyzer.transcript import Speaker, Transcript, Turn

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "data" / "evidence_golden.json"
#: The CaSiNo slice: casino_valid.json (30 dialogues; no CaSiNo text is stored, only the
#: facts derived from it).
CASINO_SLICE = 30

EDGE_LINES = ["", "   ", "Hello! How are you?", "I'd pay $5 or 10 dollars, ok?",
              "I have five children. Can I have 2 water and you take the food?",
              "Ok, I will accept that :)", "Is that a deal? 🙂", "Hello! How are you?",
              "so 2 of the firewood to me, 1 to you\n\nthanks", "at least 2 of them please"]


def edge_transcript() -> Transcript:
    """Texts where token flags matter: empty and blank turns, money, numbers about people,
    questions inside a turn, a repeated text (served from the cache), emoji at the end."""
    turns = tuple(Turn(index=i, speaker="AB"[i % 2], text=t) for i, t in enumerate(EDGE_LINES))
    return Transcript("edge", "test", "text", (Speaker("A"), Speaker("B")), turns)


def golden_transcripts(examples: Path, casino: Path) -> dict[str, Transcript]:
    out = {"edge": edge_transcript()}
    for path in expand_inputs([examples]):
        for t in read_transcripts(path):
            out[f"examples/{Path(path).name}:{t.session_id}"] = t
    for t in list(read_transcripts(casino / "casino_valid.json"))[:CASINO_SLICE]:
        out[f"casino_valid:{t.session_id}"] = t
    return out


def facts(ev) -> dict:
    """One turn's ``TurnEvidence`` as JSON-ready data (zero cue counts left out)."""
    return {
        "cues": {k: v for k, v in sorted(ev.cues.items()) if v},
        "mentions": [[m.issue, m.quantity, m.side, m.explicit] for m in ev.mentions],
        "money": ev.money, "ends_question": ev.ends_question, "issue_words": ev.issue_words,
        "opens_with_accept": ev.opens_with_accept, "numbers": ev.numbers,
        "generic_quantities": ev.generic_quantities, "words": ev.words,
        "question": ev.question, "action": ev.action,
        "terms": json.loads(json.dumps(ev.terms)) if ev.terms else None,
        "speaker": ev.speaker,
    }


def _assert_matches(name: str, got: list, want: list) -> None:
    assert len(got) == len(want), name
    for i, (ev, stored) in enumerate(zip(got, want, strict=True)):
        assert facts(ev) == stored, f"{name} turn {i}"


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def transcripts(examples_dir, casino_dir) -> dict[str, Transcript]:
    return golden_transcripts(examples_dir, casino_dir)


def test_golden_covers_examples_casino_and_edge_texts(golden, transcripts):
    assert set(golden) == set(transcripts)
    assert sum(len(v) for v in golden.values()) > 600


def test_evidence_equals_golden_cold_and_warm_cache(golden, transcripts):
    nlp = get_nlp()
    for warm in (False, True):  # first with an empty text cache, then with every text in it
        if not warm:
            _fact_cache(nlp).clear()
        for name, t in transcripts.items():
            _assert_matches(name, local_evidence(t, nlp), golden[name])


@pytest.mark.parametrize("docs_from", ["shared", "other"])
def test_evidence_from_docs_equals_golden(golden, transcripts, docs_from):
    """Facts computed from Docs another step tokenised: with the evidence's own pipeline
    (what ``Analyzer`` does: ``shared``), or with a separate blank English pipeline with its
    own vocab and strings (``other``: the facts are read by token id, and the ids' texts come
    from the doc's own strings)."""
    import spacy

    nlp = get_nlp()
    tokenizer = nlp if docs_from == "shared" else spacy.blank("en")
    _fact_cache(nlp).clear()
    for t in transcripts.values():
        texts = [turn.text for turn in t.turns if not turn.is_action]
        remember_docs(nlp, texts, [tokenizer.make_doc(x) for x in texts])
    for name, t in transcripts.items():
        _assert_matches(name, local_evidence(t, nlp), golden[name])


def test_edge_facts_known_answers():
    ev = local_evidence(edge_transcript())
    assert ev[3].money > 0 and ev[4].numbers == 1  # "five children" is no term
    assert ev[2].ends_question and ev[6].ends_question and not ev[5].ends_question


def test_cue_counts_from_norms_equal_those_from_lower_cased_texts(transcripts):
    """``_text_facts`` hands ``_cues`` the norms as the lower-cased token texts when the text
    has no "\u2019" (the one character the norms replace): the counts are those of the
    tokens' own ``lower()``, on every golden text and on texts with a curly apostrophe."""
    from spacy.attrs import ORTH

    from analyzer.stages.evidence import _cues, _text_facts

    nlp = get_nlp()
    texts = [turn.text for t in transcripts.values() for turn in t.turns if not turn.is_action]
    texts += ["Ok, I\u2019ll accept that if you\u2019re fine with it?", "I\u2019m OK WITH THAT?",
              "Deal\u2019s fine, sure?", "Okay, that works for me?"]
    cache: dict = {}
    accepted = 0
    for text in dict.fromkeys(texts):
        doc = nlp.make_doc(text)
        words = [doc.vocab.strings[o] for o in doc.to_array(ORTH).tolist()]
        want = _cues(nlp, doc, words)
        assert _text_facts(nlp, cache, text, doc).cues == want, text
        accepted += bool(want["accept"] + want["accept_q"] + want["accept_strong"] +
                         want["accept_strong_q"])
    assert accepted > 100


def test_not_terms_or_plural_is_the_plural_rule(transcripts):
    """``_numbers_t``'s one set test equals its rule word by word: ``w in NOT_TERMS`` or
    ``w`` ending in "s" with ``w[:-1] in NOT_TERMS``, on every golden token and edge words."""
    from analyzer.stages.cues import NOT_TERMS
    from analyzer.stages.terms import _NOT_TERMS_OR_PLURAL

    nlp = get_nlp()
    words = {tok.lower_ for t in transcripts.values() for turn in t.turns
             for tok in nlp.make_doc(turn.text)}
    words |= set(NOT_TERMS) | {w + "s" for w in NOT_TERMS} | {w + "ss" for w in NOT_TERMS}
    words |= {w[:-1] for w in NOT_TERMS} | {"", "s", "ss", "o'clocks", "kidss"}
    for w in words:
        assert (w in _NOT_TERMS_OR_PLURAL) == \
            (w in NOT_TERMS or (w.endswith("s") and w[:-1] in NOT_TERMS)), w


def write_golden() -> None:
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import EXAMPLES, find_casino

    casino = find_casino()
    assert casino is not None, "CaSiNo is needed to write the golden file"
    nlp = get_nlp()
    data = {name: [facts(ev) for ev in local_evidence(t, nlp)]
            for name, t in golden_transcripts(EXAMPLES, casino).items()}
    GOLDEN.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                      encoding="utf-8")
    print(f"wrote {GOLDEN} ({len(data)} sessions)")


if __name__ == "__main__" and "--write" in sys.argv:
    write_golden()


def test_text_cache_is_bounded_but_keeps_a_whole_batch(monkeypatch):
    """The text cache stays small (a corpus of repeated copies must not be read from it, see
    ``_CACHE_SIZE``), yet every text handed over in one ``remember_docs`` call is kept until
    the evidence reads it, even when one batch holds more texts than the bound."""
    from analyzer.stages import evidence

    nlp = get_nlp()
    cache = _fact_cache(nlp)
    cache.clear()
    monkeypatch.setattr(evidence, "_CACHE_SIZE", 4)
    first = [f"I can give you {k} water" for k in range(3)]
    remember_docs(nlp, first, [nlp.make_doc(x) for x in first])
    assert set(cache) == set(first)
    batch = [f"Could I have {k} food?" for k in range(6)]  # more than the bound
    remember_docs(nlp, batch, [nlp.make_doc(x) for x in batch])
    assert set(cache) == set(batch)  # the earlier texts went first, none of this batch did
    evidence._text_facts(nlp, cache, "Deal, thanks!")  # an unremembered text: bound applies
    assert list(cache) == ["Deal, thanks!"]
    cache.clear()
