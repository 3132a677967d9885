"""``explain=False`` (what a batch without reports runs) leaves out reasons, per-orientation
probabilities and per-turn stage probabilities and changes nothing else; the cheaper
move-prediction code (offers from the feature cue counts, the roll-up in plain floats) gives
the same numbers."""

from __future__ import annotations

import dataclasses
import gc

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
        assert a.units == b.units
        # the stages: the same labels and outcome, the per-turn probabilities left out
        assert len(a.stages.probabilities) == len(a.stages.stages)
        assert b.stages.probabilities == ()
        assert a.stages == dataclasses.replace(b.stages, probabilities=a.stages.probabilities)
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
    # a report of a lean analysis still builds: stage probabilities are None per turn
    from analyzer.report.session_report import build_report

    turns = build_report(lean[0])["turns"]
    assert turns and all(t["stage_probabilities"] is None for t in turns)
    assert all(t["stage_probabilities"] for t in build_report(full[0])["turns"])


def test_batch_workers_explain_only_when_writing_reports(monkeypatch):
    from analyzer.batch import worker
    from analyzer.batch.worker import WorkerConfig, get_analyzer

    monkeypatch.setattr(worker, "_STATE", {"config": None, "analyzer": None})  # a fresh process
    try:
        assert get_analyzer(WorkerConfig()).explain is False
        assert gc.get_freeze_count() > 100_000  # the loaded analyser, out of the GC's walks
        assert get_analyzer(WorkerConfig(reports=("json",))).explain is True
    finally:
        gc.unfreeze()  # this test process goes on


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
    assert (parts.full() != analyzer.model.estimator.features(frame)).nnz == 0


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


def test_first_cue_is_the_first_match_of_find_cues(casino_dir, examples_dir):
    from analyzer.moves.data import read_casino
    from analyzer.nlp.cues import CUE_NAMES, find_cues, first_cue

    texts = [turn.text for t in read_casino(casino_dir / "casino_valid.json",
                                            annotated_only=False) for turn in t.turns]
    texts += [turn.text for p in expand_inputs([examples_dir]) for t in read_transcripts(p)
              for turn in t.turns]
    texts += ["İ need food?\nWhat do you need most", "", "  ok  ", "I I need need"]
    for text in dict.fromkeys(texts):
        first: dict[str, tuple[int, int]] = {}
        for name, start, end in find_cues(text):
            first.setdefault(name, (start, end))
        assert {name: first_cue(text, name) for name in CUE_NAMES} == \
            {name: first.get(name) for name in CUE_NAMES}, text


def _reference_reasons(est, M, rows, ks, texts, top=4):
    """``explain_rows`` as written before: a row at a time, names parsed per reason, all
    cue matches of the text."""
    from analyzer.moves.model import _CONTEXT_TEXT, _SILENT
    from analyzer.nlp.cues import find_cues, quotes_of

    X = M[rows]
    W = est.explain_weights()
    contrib_all = X.data * W[X.indices, np.repeat(ks, np.diff(X.indptr))]
    names = est.feature_names()
    out = []
    for i, row in enumerate(rows.tolist()):
        contrib = contrib_all[X.indptr[i]:X.indptr[i + 1]]
        indices = X.indices[X.indptr[i]:X.indptr[i + 1]]
        found = []
        for j in np.argsort(-contrib):
            if contrib[j] <= 0 or len(found) >= top:
                break
            name = str(names[indices[j]])
            if name in _SILENT:
                continue
            kind, _, value = name.partition(":")
            if kind == "cue":
                q = quotes_of(texts[row], find_cues(texts[row])).get(value, [])
                found.append(f'cue:{value} "{q[0]}"' if q else f"cue:{value}")
            elif kind == "ctx":
                found.append(f"context:{_CONTEXT_TEXT.get(name, value)}")
            elif kind == "stack":
                part, _, label = value.partition(":")
                where = {"text": "this turn", "prev": "previous turn",
                         "next": "reply"}.get(part, part)
                found.append(f"{where} reads as {label}")
            elif kind in ("word", "char") or kind.endswith(("_word", "_cue")):
                found.append(f'{kind}:"{value}"')
            else:
                found.append(name)
        out.append(found)
    return out


def test_explain_rows_equals_the_row_by_row_reference(analyzer, transcripts):
    """Every spoken row of the valid split and the examples, explained towards each
    orientation (top 4, and a longer walk: top 12), with and without cue matches given."""
    from analyzer.moves.features import turn_frame
    from analyzer.moves.model import explain_rows
    from analyzer.nlp.cues import find_cues

    est = analyzer.model.estimator
    frame = turn_frame(transcripts)
    frame = frame[~frame["is_action"]].reset_index(drop=True)
    M = est.features(frame)
    texts = frame["text"].tolist()
    rows = np.arange(len(texts))
    cues = [find_cues(t) for t in texts]
    for k in range(3):
        ks = np.full(len(rows), k)
        expected = _reference_reasons(est, M, rows, ks, texts)
        assert explain_rows(est, M, rows, ks, texts) == expected
        assert explain_rows(est, M, rows, ks, texts, cues) == expected
    ks = np.zeros(len(rows), dtype=np.int64)
    assert explain_rows(est, M, rows, ks, texts, top=12) == \
        _reference_reasons(est, M, rows, ks, texts, top=12)
    assert any(r.startswith("cue:") and '"' in r for rs in expected for r in rs)


def test_explain_rows_reads_past_many_silent_entries(analyzer, transcripts):
    """A row whose largest contributions are more silent entries than ``explain_rows``
    takes out of numpy up front (here: a silent column repeated, as an unsummed sparse
    matrix may hold it) is walked on, as the reference does."""
    import scipy.sparse as sp

    from analyzer.moves.features import turn_frame
    from analyzer.moves.model import explain_rows

    est = analyzer.model.estimator
    frame = turn_frame(transcripts[:3])
    frame = frame[~frame["is_action"]].reset_index(drop=True)
    M = est.features(frame).tocsr()
    names = est.feature_names().tolist()
    W = est.explain_weights()
    k = 0
    silent = next(j for j, n in enumerate(names) if n == "ctx:log_words" and W[j, k] != 0)
    value = 1e6 * np.sign(W[silent, k])  # a huge positive contribution, 6 times per row
    data, indices, indptr = [], [], [0]
    for i in range(M.shape[0]):
        a, b = M.indptr[i], M.indptr[i + 1]
        data += [value] * 6 + M.data[a:b].tolist()
        indices += [silent] * 6 + M.indices[a:b].tolist()
        indptr.append(len(data))
    odd = sp.csr_matrix((np.array(data, dtype=np.float32), np.array(indices), indptr),
                        shape=M.shape)
    rows, ks = np.arange(M.shape[0]), np.full(M.shape[0], k)
    texts = frame["text"].tolist()
    got = explain_rows(est, odd, rows, ks, texts)
    assert got == _reference_reasons(est, odd, rows, ks, texts)
    assert all(len(r) == 4 for r in got)
