"""``explain=False`` (what a batch without reports runs) leaves out reasons and
per-orientation probabilities and changes nothing else; the cheaper move-prediction code
(offers from the feature cue counts, the roll-up in plain floats) gives the same numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analyzer.io import expand_inputs, read_transcripts
from analyzer.pipeline import Analyzer


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.fixture(scope="module")
def transcripts(casino_dir, examples_dir):
    from analyzer.moves.data import read_casino

    found = read_casino(casino_dir / "casino_valid.json", annotated_only=False)
    return found + [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]


def test_explain_off_changes_only_reasons_and_probabilities(analyzer, transcripts):
    from analyzer.report.tables import session_row, stage_rows, turn_rows, unit_rows

    assert analyzer.explain is True
    full = list(analyzer.analyze_many(transcripts))
    lean_analyzer = Analyzer.__new__(Analyzer)  # the same loaded parts, explain off
    lean_analyzer.__dict__.update(analyzer.__dict__, explain=False)
    lean = list(lean_analyzer.analyze_many(transcripts))
    assert len(full) == len(lean) == len(transcripts)
    for a, b in zip(full, lean, strict=True):
        assert a.units == b.units and a.stages == b.stages
        assert [dataclasses.astuple(m) for m in a.unit_moves] == \
            [dataclasses.astuple(m) for m in b.unit_moves]  # confidences bit for bit
        assert all(m.reasons == () and m.probabilities == {} for m in b.moves)
        assert all(m.probabilities for m, t in zip(a.moves, a.transcript.turns, strict=True)
                   if t.is_action)
        assert [dataclasses.replace(m, reasons=(), probabilities={}) for m in a.moves] == \
            list(b.moves)
        assert [m.confidence for m in a.moves] == [m.confidence for m in b.moves]
        # the batch tables: the same rows
        assert turn_rows(a) == turn_rows(b) and unit_rows(a) == unit_rows(b)
        assert stage_rows(a) == stage_rows(b) and session_row(a) == session_row(b)
    assert any(m.reasons for a in full for m in a.moves)


def test_batch_workers_explain_only_when_writing_reports(monkeypatch):
    from analyzer.batch import worker
    from analyzer.batch.worker import WorkerConfig, get_analyzer

    monkeypatch.setattr(worker, "_STATE", {"config": None, "analyzer": None})  # a fresh process
    assert get_analyzer(WorkerConfig()).explain is False
    assert get_analyzer(WorkerConfig(reports=("json",))).explain is True


def test_offers_from_cue_counts_equal_detect_offer(casino_dir, examples_dir):
    """``detect_offers`` on the counts of ``count_cues`` (and on the counts the features
    compute) gives ``detect_offer``'s answer for every CaSiNo and example text, and for
    texts that take the fallback (line breaks, length-changing lower case)."""
    from analyzer.moves.data import casino_files, read_casino
    from analyzer.moves.offers import detect_offer, detect_offers
    from analyzer.nlp.cues import count_cues

    texts = [turn.text for f in casino_files(casino_dir)
             for t in read_casino(f, annotated_only=False) for turn in t.turns]
    texts += [turn.text for p in expand_inputs([examples_dir]) for t in read_transcripts(p)
              for turn in t.turns]
    texts += ["I need 2 food\nand you get the water", "İ take 2 food and 1 water", "",
              "ok,\r deal", "OK DEAL", "Can I have 2 Waters?", "I’ll give you the FOOD/water",
              "ok 👍 you can have the firewood", "sorry, no", "if you give me food then i",
              "I'd take 2 foods/waters, you'd keep the wood's rest", "ok\0 deal, food",
              "Ok, you can have the FIREWOOD", "no i can't give up water", "   ", "?!"]
    texts = list(dict.fromkeys(texts))
    expected = [detect_offer(t) for t in texts]
    assert detect_offers(texts, count_cues(texts)) == expected
    for i in range(0, len(texts), 500):  # other batches: other count_cues paths
        assert detect_offers(texts[i:i + 500], count_cues(texts[i:i + 500])) == \
            expected[i:i + 500]
    assert {"accept", "reject", "package_offer", "single_issue_offer", "tradeoff_offer",
            "concession"} <= set(expected)


def test_feature_cue_counts_are_count_cues(analyzer, transcripts):
    from analyzer.moves.features import turn_frame
    from analyzer.nlp.cues import count_cues

    frame = turn_frame(transcripts)
    parts = analyzer.model.estimator.feature_parts(frame)
    assert np.array_equal(parts.cue_counts, count_cues(parts.texts))
    assert parts.matrix.shape[0] == len(frame)
    assert (parts.matrix != analyzer.model.estimator.features(frame)).nnz == 0


def test_roll_up_in_floats_equals_roll_up():
    from analyzer.moves.model import _roll_up_rows, roll_up

    rng = np.random.default_rng(5)
    for _ in range(3000):
        k = int(rng.integers(2, 25))
        Q = rng.dirichlet(np.ones(3) * rng.uniform(0.05, 3), size=k)
        if rng.random() < 0.1:
            Q[:, 1] = 1.0  # all mass distributive: nothing left to share
            Q[:, [0, 2]] = 0.0
        assert _roll_up_rows(Q.tolist()) == roll_up(Q).tolist()


def test_one_product_for_both_heads_equals_a_product_per_head(analyzer, transcripts):
    """``scores`` multiplies the features by both heads' coefficients side by side; each
    head's scores are those of its own product, bit for bit (the reference: ``scores`` as
    it was written before)."""
    from analyzer.moves.classifier import _softmax
    from analyzer.moves.features import turn_frame

    est = analyzer.model.estimator
    M = est.features(turn_frame(transcripts))
    Pl, Po = est.scores(M)
    Rl = est._label_probs(np.asarray(M @ est.label_coef_) + est.label_intercept_)
    Zo = np.asarray(M @ est.orientation_coef_) + est.orientation_intercept_
    Ro = _softmax(Zo / est.orientation_temperature_)
    Ro = est.blend * Ro + (1.0 - est.blend) * est.orientation_from_labels(Rl)
    assert Pl.dtype == Rl.dtype and Po.dtype == Ro.dtype
    assert np.array_equal(Pl, Rl) and np.array_equal(Po, Ro)
