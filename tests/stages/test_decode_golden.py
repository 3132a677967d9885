"""The stage decoder's labels and per-turn probabilities equal a stored golden copy.

Why: ``Segmenter.decode`` and ``mbr.py`` were rewritten for speed (one scaled forward-backward
pass on plain floats, the MEMM scores in one product); the rewrite must change nothing. The
golden file (``tests/data/decode_golden.json``) was written by the previous implementation
(log-space forward-backward, commit 3ee4f05) on the gold examples and a CaSiNo valid slice. It
holds derived numbers only, no text: each session's evidence matrix (sparse), the labels under
minimum-Bayes-risk and Viterbi decoding, and the posteriors. It also keeps its own copy of the
stage parameters, so refitting ``params.json`` or adding evidence features does not touch it
(a new feature is a zero column; the stored parameters give it no weight).

Regenerate (only when decoding changes on purpose, and say so in the commit; needs CaSiNo):
``PYTHONPATH=$PWD python tests/stages/test_decode_golden.py --write``.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from analyzer.results import STAGES
from analyzer.stages import mbr
from analyzer.stages.evidence import FEATURES
from analyzer.stages.segmenter import (
    UNSEEN_LOG_PROB,
    Segmenter,
    StageParams,
    _logsumexp,
    log_posteriors,
    round4,
    viterbi,
)

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "data" / "decode_golden.json"
#: the CaSiNo slice: the first dialogues of casino_valid.json
CASINO_SLICE = 30


# -- the per-model and numpy forms the fast code is checked against -------------------------

def numpy_viterbi(init: np.ndarray, steps: np.ndarray) -> list[int]:
    """Viterbi with numpy, for any number of stages (the form before the plain-float one)."""
    n, k = steps.shape[0] + 1, init.shape[0]
    delta = init
    back = np.zeros((n, k), dtype=int)
    for t in range(1, n):
        cand = delta[:, None] + steps[t - 1]
        back[t] = np.argmax(cand, axis=0)
        delta = cand[back[t], np.arange(k)]
    path = [int(np.argmax(delta))]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def memm_log_probs(seg: Segmenter, prev: str, matrix: np.ndarray) -> np.ndarray:
    """log P(next stage | prev, x_t) for every turn, one MEMM model at a time (the form
    before ``Segmenter.memm_potentials`` stacked them)."""
    first = STAGES.index(prev) if prev in STAGES else 0
    out = np.full((matrix.shape[0], len(STAGES)), -np.inf)
    out[:, first:] = UNSEEN_LOG_PROB
    model = (seg.params.memm or {}).get(prev)
    if model is None:  # closing (or an unfitted state) stays
        out[:, first] = 0.0
        return out
    cols = [STAGES.index(c) for c in model["classes"]]
    if len(cols) == 1:
        out[:, cols[0]] = 0.0
        return out
    coef, intercept = seg._memm_weights(prev, model)
    scores = matrix @ coef.T + intercept
    out[:, cols] = scores - _logsumexp(scores, axis=1)[:, None]
    return out


def build(segmenter_module) -> dict:
    """The golden data, decoded by ``segmenter_module`` (this one, or an older revision's)."""
    from analyzer.io import read_transcripts
    from analyzer.stages import evidence
    from analyzer.stages.evaluate import run_moves
    from analyzer.stages.gold import find_casino, read_gold, resolve
    from analyzer.stages.segmenter import PARAMS_PATH

    casino = find_casino()
    named = {f"examples:{t.session_id}": t for _, t in
             resolve(read_gold(REPO / "corpora" / "stages" / "gold_examples.tsv"))}
    for t in list(read_transcripts(casino / "casino_valid.json"))[:CASINO_SLICE]:
        named[f"casino_valid:{t.session_id}"] = t
    moves = run_moves(list(named.values()))
    params = json.loads(PARAMS_PATH.read_text(encoding="utf-8"))
    mbr_seg = segmenter_module.Segmenter(segmenter_module.StageParams.from_json(params))
    plain = copy.deepcopy(params)
    plain["decoding"] = None
    vit_seg = segmenter_module.Segmenter(segmenter_module.StageParams.from_json(plain))
    sessions = {}
    for (key, t), m in zip(named.items(), moves, strict=True):
        matrix = evidence.session_evidence(t, m).matrix
        path, post = mbr_seg.decode(matrix)
        sessions[key] = {
            "matrix": [[[j, float(v)] for j, v in enumerate(row) if v != 0]
                       for row in matrix.tolist()],
            "mbr": list(path), "viterbi": list(vit_seg.decode(matrix)[0]),
            "probabilities": post.tolist()}
    return {"features": list(evidence.FEATURES), "params": params, "sessions": sessions}


@pytest.fixture(scope="module")
def golden() -> dict:
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    missing = [f for f in data["features"] if f not in FEATURES]
    if missing:
        pytest.skip(f"evidence features removed since the golden file: {missing[:3]}; "
                    "regenerate it (see the module docstring)")
    return data


def matrix_of(session: dict, stored: list[str]) -> np.ndarray:
    """The stored sparse evidence laid out in the current feature order."""
    out = np.zeros((len(session["matrix"]), len(FEATURES)))
    cols = [FEATURES.index(f) for f in stored]
    for i, row in enumerate(session["matrix"]):
        for j, v in row:
            out[i, cols[j]] = v
    return out


@pytest.mark.parametrize("method", ["mbr", "viterbi"])
def test_labels_and_probabilities_equal_the_golden_copy(golden, method):
    params = copy.deepcopy(golden["params"])
    if method == "viterbi":
        params["decoding"] = None
    seg = Segmenter(StageParams.from_json(params))
    sessions = golden["sessions"]
    assert len(sessions) >= 30 + 5
    changed = 0
    for key, session in sessions.items():
        path, post = seg.decode(matrix_of(session, golden["features"]))
        assert path == session[method], key
        np.testing.assert_allclose(post, np.asarray(session["probabilities"]),
                                   rtol=0, atol=1e-9, err_msg=key)
        changed += session["mbr"] != session["viterbi"]
    assert changed >= 1  # the slice exercises MBR moving a boundary, not only its shortcut


@pytest.mark.parametrize("method", ["mbr", "viterbi"])
def test_labels_without_probabilities_equal_the_golden_copy(golden, method):
    """``decode(..., probabilities=False)`` (explain off: no posteriors, the untempered pass
    only when MBR needs it) gives the golden labels, and no posteriors."""
    params = copy.deepcopy(golden["params"])
    if method == "viterbi":
        params["decoding"] = None
    seg = Segmenter(StageParams.from_json(params))
    for key, session in golden["sessions"].items():
        path, post = seg.decode(matrix_of(session, golden["features"]), probabilities=False)
        assert path == session[method] and post is None, key
    assert seg.decode(np.zeros((0, len(FEATURES))), probabilities=False) == ([], None)


def test_scaled_posteriors_equal_log_space_ones_on_random_chains():
    rng = np.random.default_rng(7)
    for n in (1, 2, 5, 40):
        init = rng.normal(0, 5, 4)
        steps = rng.normal(0, 5, (n - 1, 4, 4))
        steps[:, np.tril(np.ones((4, 4), dtype=bool), -1)] = -np.inf
        chain = mbr.Chain(init, steps)
        assert chain.ok
        np.testing.assert_allclose(chain.posteriors(), log_posteriors(init, steps),
                                   rtol=0, atol=1e-12)


def test_plain_float_viterbi_equals_the_numpy_one_ties_included():
    rng = np.random.default_rng(3)
    for n in (1, 2, 6, 30):
        for rounded in (False, True):  # whole numbers: many ties, first stage wins
            init = rng.normal(0, 2, 4)
            steps = rng.normal(0, 2, (n - 1, 4, 4))
            if rounded:
                init, steps = np.round(init), np.round(steps)
            steps[:, np.tril(np.ones((4, 4), dtype=bool), -1)] = -np.inf
            assert viterbi(init, steps) == numpy_viterbi(init, steps)


def test_grouped_memm_scores_equal_the_per_model_ones(golden):
    seg = Segmenter(StageParams.from_json(golden["params"]))
    for session in list(golden["sessions"].values())[:10]:
        matrix = matrix_of(session, golden["features"])
        init, steps = seg.memm_potentials(matrix)
        np.testing.assert_allclose(init, memm_log_probs(seg, "start", matrix[:1])[0],
                                   rtol=0, atol=1e-12)
        for a, prev in enumerate(STAGES):
            np.testing.assert_allclose(steps[:, a, :], memm_log_probs(seg, prev, matrix[1:]),
                                       rtol=0, atol=1e-12)


def numpy_recursion(weights: np.ndarray, first: np.ndarray) -> tuple:
    """The scaled recursions as the numpy code before the rewrite ran them."""
    n = weights.shape[0] + 1
    forward, backward, scale = np.empty((n, 4)), np.empty((n, 4)), np.empty(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale[0] = first.sum()
        forward[0] = first / scale[0]
        for t in range(1, n):
            row = forward[t - 1] @ weights[t - 1]
            scale[t] = row.sum()
            forward[t] = row / scale[t]
        backward[-1] = 1.0
        for t in range(n - 2, -1, -1):
            backward[t] = (weights[t] @ backward[t + 1]) / scale[t + 1]
    return forward, backward, scale


def test_round4_equals_python_round_halves_included():
    """``round4`` (the rounding of the per-turn probabilities) gives exactly ``round(p, 4)``:
    random values, the decimal halves ``k / 10**4 + 0.00005`` and their neighbours one ulp
    away, 0, -0.0, 1, tiny values, and values outside [0, 1] or NaN (rounded by ``round``)."""
    rng = np.random.default_rng(11)
    halves = (np.arange(10_001) + 0.5) / 10_000
    special = [0.0, -0.0, 1.0, 5e-324, 1e-300, 0.99995, 0.00005, 1.00004, 1.5, -0.3, np.nan]
    values = np.concatenate([
        special, rng.random(200_000), rng.random(1000) ** 20, halves,
        np.nextafter(halves, 0.0), np.nextafter(halves, 1.0), np.arange(10_001) / 10_000])
    values = values[: len(values) // 4 * 4].reshape(-1, 4)
    got = round4(values)
    want = [[round(p, 4) for p in row] for row in values.tolist()]
    assert repr(got) == repr(want)  # repr: -0.0 and nan compared as written


def test_underflow_falls_back_to_log_space():
    """Every path goes through a move e^-2000 times the step's best: the scaled sums come
    out zero, so the decoder must use the log-space pass, which still gets it right."""
    inf = np.inf
    init = np.array([0.0, -inf, -inf, -inf])
    step = np.full((4, 4), -inf)
    step[0, 3], step[3, 3] = -2000.0, 0.0
    steps = np.stack([step, step])
    chain = mbr.Chain(init, steps)
    assert not chain.ok
    # the scaled values keep what the numpy recursion gives (0 / 0 NaN, x / 0 inf), so the
    # MBR decoder's plausibility check sees what it saw before the rewrite
    ref = numpy_recursion(chain.weights, np.exp(init - init.max()))
    for got, want in zip((chain.forward, chain.backward, chain.scale), ref, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(log_posteriors(init, steps),
                               [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1]], atol=1e-12)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit(__doc__)
    from analyzer.stages import segmenter

    GOLDEN.write_text(json.dumps(build(segmenter), separators=(",", ":")) + "\n",
                      encoding="utf-8")
    print(f"wrote {GOLDEN}")
