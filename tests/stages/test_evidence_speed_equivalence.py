"""The fast evidence path gives exactly what the reference (token-by-token) path gives.

``local_evidence`` reads each distinct turn text once into plain lists, caches the text's
facts and scans all cue lists with one matcher; ``fast=False`` keeps the old path that reads
the spaCy ``Doc`` token by token. These tests pin that the speed-up changes nothing: the same
per-turn facts, the same feature matrix (exactly) and the same stages, probabilities and
outcome, on the shipped examples and on CaSiNo valid, with the text cache cold and warm.
"""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.io import expand_inputs, read_transcripts
from analyzer.stages import load_segmenter
from analyzer.stages.evidence import _fact_cache, get_nlp, local_evidence, session_evidence
from analyzer.transcript import Speaker, Transcript, Turn


@pytest.fixture(scope="module")
def segmenter():
    return load_segmenter()


def _assert_same(transcripts, segmenter) -> None:
    nlp = get_nlp()
    assert transcripts
    for warm in (False, True):  # first with an empty text cache, then with every text in it
        if not warm:
            _fact_cache(nlp).clear()
        for t in transcripts:
            assert local_evidence(t, nlp) == local_evidence(t, nlp, fast=False), t.session_id
            fast, ref = session_evidence(t, nlp=nlp), session_evidence(t, nlp=nlp, fast=False)
            assert np.array_equal(fast.matrix, ref.matrix), t.session_id
            assert (fast.final_deal_turn, fast.accept_turn, fast.walk_away_turn,
                    fast.closing_candidate) == (ref.final_deal_turn, ref.accept_turn,
                                                ref.walk_away_turn, ref.closing_candidate)
            assert segmenter.segment(t, nlp=nlp) == segmenter.segment(t, nlp=nlp, fast=False)


def test_fast_evidence_equals_reference_on_examples(examples_dir, segmenter):
    transcripts = [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]
    _assert_same(transcripts, segmenter)


def test_fast_evidence_equals_reference_on_casino_valid(casino_dir, segmenter):
    transcripts = list(read_transcripts(casino_dir / "casino_valid.json"))
    _assert_same(transcripts, segmenter)


def test_fast_evidence_equals_reference_on_edge_texts(segmenter):
    """Texts where token flags matter: empty and blank turns, money, numbers about people,
    questions inside a turn, a repeated text (served from the cache), emoji at the end."""
    lines = ["", "   ", "Hello! How are you?", "I'd pay $5 or 10 dollars, ok?",
             "I have five children. Can I have 2 water and you take the food?",
             "Ok, I will accept that :)", "Is that a deal? 🙂", "Hello! How are you?",
             "so 2 of the firewood to me, 1 to you\n\nthanks", "at least 2 of them please"]
    turns = tuple(Turn(index=i, speaker="AB"[i % 2], text=t) for i, t in enumerate(lines))
    transcript = Transcript("edge", "test", "text", (Speaker("A"), Speaker("B")), turns)
    _assert_same([transcript], segmenter)
    ev = local_evidence(transcript)
    assert ev[3].money > 0 and ev[4].numbers == 1  # "five children" is no term
    assert ev[2].ends_question and ev[6].ends_question and not ev[5].ends_question
