"""The context MEMM (``analyzer/stages/context.py``): its input rows, what it learns, that the
folded weights compute what the network does, and that it survives JSON and new features."""

from __future__ import annotations

import numpy as np

from analyzer.results import STAGES
from analyzer.stages import context
from analyzer.stages.context import (
    PREVIOUS,
    Prepared,
    context_rows,
    fit_context,
    from_json,
    to_json,
    training_rows,
)
from analyzer.stages.fit import fit_params
from analyzer.stages.segmenter import Segmenter

FEATURES = ["cue", "noise", "bias"]


def toy_sessions(n: int = 80, seed: int = 0):
    """Sessions whose closing starts one turn *before* the turn with ``cue`` = 1: a single
    turn's evidence cannot tell where closing starts, its next neighbour's can."""
    rng = np.random.default_rng(seed)
    matrices, labels = [], []
    for _ in range(n):
        turns = int(rng.integers(6, 12))
        start = int(rng.integers(2, turns - 2))
        m = np.zeros((turns, 3))
        m[:, 1] = rng.normal(size=turns)
        m[:, 2] = 1.0
        m[start + 1, 0] = 1.0
        matrices.append(m)
        labels.append(["opening"] * start + ["closing"] * (turns - start))
    return matrices, labels


def test_context_rows_shift_the_neighbours_in_and_pad_with_zeros():
    m = np.arange(1, 7, dtype=float).reshape(3, 2)
    rows = context_rows(m, width=1)
    assert rows.shape == (3, 6)
    np.testing.assert_array_equal(rows[:, :2], m)  # the turn itself
    np.testing.assert_array_equal(rows[:, 2:4], [[0, 0], [1, 2], [3, 4]])  # the one before
    np.testing.assert_array_equal(rows[:, 4:], [[3, 4], [5, 6], [0, 0]])  # the one after
    assert context_rows(m[:1], width=2).shape == (1, 10)


def test_training_rows_skip_turns_after_closing_and_mark_the_previous_stage():
    m = np.ones((4, 3))
    X, y = training_rows([m], [["opening", "exploring", "closing", "closing"]], width=1)
    assert len(y) == 3  # the last turn follows closing, which cannot move on
    assert [STAGES[k] for k in y] == ["opening", "exploring", "closing"]
    onehot = X[:, -len(PREVIOUS):]
    assert [PREVIOUS[k] for k in onehot.argmax(axis=1)] == ["start", "opening", "exploring"]


def test_the_network_learns_a_boundary_only_the_next_turn_shows():
    matrices, labels = toy_sessions()
    model = fit_context(matrices, labels, FEATURES, width=1, hidden=8, alpha=0.1)
    prep = Prepared(model, FEATURES, FEATURES)
    test, gold = toy_sessions(20, seed=1)
    hits = 0
    for m, seq in zip(test, gold, strict=True):
        lp = prep.log_probs(m)  # (turns, previous, next)
        # from opening, where is moving to closing most probable?
        best = int(np.argmax(lp[1:, PREVIOUS.index("opening"), STAGES.index("closing")])) + 1
        hits += best == seq.index("closing")
    assert hits >= 18


def test_folded_weights_compute_the_network_on_the_context_rows():
    matrices, labels = toy_sessions(40)
    model = fit_context(matrices, labels, FEATURES, width=2, hidden=6, alpha=1.0)
    prep = Prepared(model, FEATURES, FEATURES)
    m = matrices[0]
    w_in = model["w_in"].reshape(-1, 6)
    got = prep.log_probs(m)
    cols = [STAGES.index(c) for c in model["classes"]]
    for p in range(len(PREVIOUS)):
        hid = np.maximum(context_rows(m, 2) @ w_in + model["w_prev"][p] + model["b_in"], 0)
        out = hid @ model["w_out"] + model["b_out"]
        out = out - np.log(np.exp(out).sum(axis=1, keepdims=True))
        np.testing.assert_allclose(got[:, p, cols], np.maximum(out, context.FLOOR), atol=1e-9)
    # stages the network never predicts get the floor
    absent = [s for s in range(len(STAGES)) if s not in cols]
    assert (got[:, :, absent] == context.FLOOR).all()


def _one_session_log_probs(prep: Prepared, matrix: np.ndarray) -> np.ndarray:
    """``Prepared.log_probs`` as it was written per session (before ``log_probs_many``):
    each offset's block shifted by slicing."""
    n, h = matrix.shape[0], prep.hidden
    z = matrix @ prep.w_in
    hid = np.empty((n, h))
    hid[:] = prep.b_in
    for b, d in enumerate(prep.offsets):
        part = z[:, b * h:(b + 1) * h]
        if d == 0:
            hid += part
        elif d < 0 and -d < n:
            hid[-d:] += part[:n + d]
        elif 0 < d < n:
            hid[:n - d] += part[d:]
    act = np.maximum(hid[:, None, :] + prep.w_prev[None, :, :], 0.0)
    out = act @ prep.w_out + prep.b_out
    top = out.max(axis=2, keepdims=True)
    out = out - (np.log(np.exp(out - top).sum(axis=2, keepdims=True)) + top)
    lp = np.full((n, len(PREVIOUS), len(STAGES)), context.FLOOR)
    lp[:, :, prep.cols] = np.maximum(out, context.FLOOR)
    return lp


def test_many_sessions_at_once_give_the_numbers_of_each_alone():
    matrices, labels = toy_sessions(40)
    model = fit_context(matrices, labels, FEATURES, width=2, hidden=6, alpha=1.0)
    prep = Prepared(model, FEATURES, FEATURES)
    rng = np.random.default_rng(3)
    # sessions shorter than the window too (1 and 2 turns: neighbours past both ends)
    batch = [*matrices[:5], rng.normal(size=(1, 3)), rng.normal(size=(2, 3)), matrices[7],
             rng.normal(size=(3, 3))]
    want = np.vstack([_one_session_log_probs(prep, m) for m in batch])
    got = prep.log_probs_many(batch)
    assert got.shape == want.shape
    assert got.tobytes() == want.tobytes()  # bit for bit
    for m in batch:
        assert prep.log_probs(m).tobytes() == _one_session_log_probs(prep, m).tobytes()


def test_json_round_trip_and_a_feature_added_later():
    matrices, labels = toy_sessions(40)
    model = fit_context(matrices, labels, FEATURES, width=1, hidden=4, alpha=1.0)
    back = from_json(to_json(model))
    m = matrices[3]
    before = Prepared(model, FEATURES, FEATURES).log_probs(m)
    np.testing.assert_allclose(Prepared(back, FEATURES, FEATURES).log_probs(m), before,
                               atol=1e-4)
    wider = ["new", *FEATURES]  # a feature the model never saw: weight 0
    m2 = np.hstack([np.full((len(m), 1), 5.0), m])
    np.testing.assert_allclose(Prepared(model, FEATURES, wider).log_probs(m2), before,
                               atol=1e-12)


def test_the_decoder_uses_the_context_scores_when_the_mix_weighs_them(casino_dir):
    from analyzer.io import read_transcripts
    from analyzer.stages.evidence import FEATURES as ALL
    from analyzer.stages.evidence import session_evidence

    transcripts = list(read_transcripts(casino_dir / "casino_valid.json"))[:30]
    matrices = [session_evidence(t).matrix for t in transcripts]
    # labels from the formal actions only: the first turn opens, closing from the first
    # Submit-Deal on, bargaining between
    labels = []
    for t in transcripts:
        first = next((k for k, turn in enumerate(t.turns) if turn.action is not None),
                     len(t.turns))
        first = max(first, 1)
        labels.append(["opening"] + ["bargaining"] * (first - 1)
                      + ["closing"] * (len(t.turns) - first))
    with_ctx = fit_params(matrices, labels, mix={"hmm": 1.0, "context": 2.0})
    assert with_ctx.context is not None and with_ctx.context["w_in"].shape[1] == len(ALL)
    without = fit_params(matrices, labels, mix={"hmm": 1.0})
    assert without.context is None
    seg = Segmenter(with_ctx)
    init, steps = seg.potentials(matrices[0])
    off = Segmenter(without).potentials(matrices[0])
    lp = seg._context.log_probs(matrices[0])
    np.testing.assert_allclose(init - off[0], 2.0 * lp[0, 0])
    finite = np.isfinite(off[1])
    added = 2.0 * np.concatenate([lp[1:, 1:, :], np.zeros((len(lp) - 1, 1, len(STAGES)))],
                                 axis=1)  # nothing is added to moves out of closing
    np.testing.assert_allclose(steps[finite] - off[1][finite], added[finite])
    # and it survives the parameter file
    from analyzer.stages.segmenter import StageParams

    again = StageParams.from_json(with_ctx.to_json())
    np.testing.assert_allclose(Segmenter(again).potentials(matrices[0])[0], init, atol=1e-3)
