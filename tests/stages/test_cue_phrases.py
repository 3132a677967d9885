"""Every stage cue phrase matches the text it stands for, as a transcript writes it (with a
straight or a typographic apostrophe).

The lists keep a contraction's parts apart ("i 'm asking"); until 27 Nov 2026 the matcher
tokenised them as listed, and a standalone clitic was split again ("i ' m"), so eight phrases
("I'm asking", "I'm okay with", "once we've seen", ...) never matched a real turn."""

from __future__ import annotations

import pytest

from analyzer.stages.cue_counts import _joint_matcher
from analyzer.stages.cues import CUES, RULE_CUES, written
from analyzer.stages.evidence import get_nlp

PHRASES = sorted({(name, phrase) for name, phrases in (*CUES.items(), *RULE_CUES.items())
                  for phrase in phrases})


def _as_typed(phrase: str) -> str:
    """The phrase as a person types it: contractions joined, first letter capitalised."""
    text = written(phrase).replace(" n't", "n't").replace("ca n't", "can't")
    return text[:1].upper() + text[1:]


def test_written_joins_only_clitics() -> None:
    assert written("i 'm asking") == "i'm asking"
    assert written("once we 've seen") == "once we've seen"
    assert written("that 's fair") == "that's fair"
    assert written("ca n't") == "ca n't"  # the tokenizer splits "can't" so already
    assert written("'s a deal") == "'s a deal"
    assert written("rock 'n roll") == "rock 'n roll"  # not a clitic of the list


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_every_phrase_matches_its_typed_text(apostrophe: str) -> None:
    """Typed with the straight apostrophe and with the typographic one ("I\u2019m")."""
    nlp = get_nlp()
    matcher, names = _joint_matcher(nlp)
    missed = []
    for name, phrase in PHRASES:
        typed = _as_typed(phrase).replace("'", apostrophe)
        doc = nlp.make_doc(f"Well, {typed} then.")
        found = {names[m] for m, _, _ in matcher(doc)}
        if name not in found:
            missed.append((name, typed))
    assert not missed, missed


@pytest.mark.parametrize("text, cue", [
    ("I'm asking fifty-four.", "prop_cue"),
    ("I'm offering a flat fee of six thousand.", "prop_cue"),
    ("I'm okay with that.", "accept"),
    ("Hi! I'm good, thanks.", "greet"),
    ("We can sign once we've seen the survey.", "defer"),
    ("I\u2019m asking fifty-four.", "prop_cue"),
    ("Let\u2019s do it.", "accept"),
    ("I can\u2019t do that.", "reject"),
])
def test_contractions_in_real_turns(text: str, cue: str) -> None:
    nlp = get_nlp()
    matcher, names = _joint_matcher(nlp)
    assert cue in {names[m] for m, _, _ in matcher(nlp.make_doc(text))}


@pytest.mark.parametrize("text, accepts", [
    ("No deal. We'll go with Northwind.", False),
    ("I can't accept that.", False),
    ("That's not fair.", False),
    ("That's not really fair.", False),
    ("I don't agree.", False),
    ("Deal.", True),
    ("No problem, deal!", True),
    ("That's fair.", True),
])
def test_a_negated_acceptance_accepts_nothing(text: str, accepts: bool) -> None:
    """Until 28 Nov 2026 "No deal." counted as a strong acceptance (coach QA)."""
    from analyzer.stages.cue_counts import _cues

    nlp = get_nlp()
    doc = nlp.make_doc(text)
    cues = _cues(nlp, doc, [t.text for t in doc])
    assert bool(cues["accept"] + cues["accept_strong"]) is accepts


@pytest.mark.parametrize("text, impasse", [
    ("Fifty-seven and we're done.", False),
    ("You sign it in DocuSign, and we're done.", False),
    ("Then we're done here.", True),
    ("I think we are done.", True),
])
def test_and_we_are_done_closes_a_deal_not_the_talks(text: str, impasse: bool) -> None:
    """"Fifty-seven and we're done." made a session an impasse (multi-party QA, 28 Nov)."""
    from analyzer.stages.cue_counts import _cues

    nlp = get_nlp()
    doc = nlp.make_doc(text)
    assert bool(_cues(nlp, doc, [t.text for t in doc])["impasse"]) is impasse


def test_the_per_pipeline_tables_let_a_pipeline_go():
    """Ten throwaway Analyzers kept eight pipelines alive through lru_caches (Python API QA,
    28 Nov 2026); the tables are now weakly keyed by their pipeline."""
    import gc
    import weakref

    from analyzer.nlp import make_nlp
    from analyzer.stages.evidence import _fact_cache, _word_flags

    nlp = make_nlp()
    _joint_matcher(nlp), _fact_cache(nlp), _word_flags(nlp)
    assert _joint_matcher(nlp) is _joint_matcher(nlp)  # built once per pipeline
    gone = weakref.ref(nlp)
    del nlp
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("text, accepts", [
    ("192 and you have a deal.", False),
    ("8,500 and we have a deal.", False),
    ("Two firewood and it's a deal.", False),
    ("Perfect, and we have a deal!", True),
    ("Okay then, you have a deal.", True),
    ("Ok, 193. Deal.", True),
])
def test_terms_and_you_have_a_deal_is_an_offer_on_a_condition(text: str, accepts: bool) -> None:
    """Trainer QA, 28 Nov 2026: "192 and you have a deal." (answered with a counter) was the
    agreement, and the closing stage started there."""
    from analyzer.stages.cue_counts import _cues

    nlp = get_nlp()
    doc = nlp.make_doc(text)
    cues = _cues(nlp, doc, [t.text for t in doc])
    assert bool(cues["accept"] + cues["accept_strong"]) is accepts, cues


@pytest.mark.parametrize("text, impasse", [
    ("I'll save you the suspense, we've decided to go with Fieldwise.", True),
    ("Yes, agreed, we're not going to reopen it.", False),
    ("The decision's made, we sign with you today.", False),
    ("We've decided to go with your proposal.", False),
    ("We've decided to go with the second option.", False),
])
def test_a_lost_deal_is_an_impasse(text: str, impasse: bool) -> None:
    """Sales QA, 28 Nov 2026: a buyer who had chosen a competitor and would not reopen it,
    then agreed to a check-in in the fall, was an agreement."""
    from analyzer.stages.cue_counts import _cues

    nlp = get_nlp()
    doc = nlp.make_doc(text)
    assert bool(_cues(nlp, doc, [t.text for t in doc])["impasse"]) is impasse


def test_a_yes_to_terms_and_you_have_a_deal_is_the_agreement(tmp_path):
    """Regression QA, 28 Nov 2026: once "185 and you have a deal." was no acceptance, the
    "Deal." that answers it was no agreement either (the terms were no proposal)."""
    from analyzer.io import read_transcripts
    from analyzer.pipeline import Analyzer

    path = tmp_path / "cond.txt"
    path.write_text("A: Hi, thanks for meeting. What matters most to you in this deal?\n"
                    "B: Mostly the price. Delivery timing matters too.\n"
                    "A: Our list price is 200 per unit for 500 units.\n"
                    "B: That is more than we planned to spend.\n"
                    "A: 185 and you have a deal.\nB: Deal.\n", encoding="utf-8")
    analysis = Analyzer().analyze(next(read_transcripts(path)))
    assert (analysis.stages.outcome, analysis.stages.outcome_turn) == ("agreement", 5)
