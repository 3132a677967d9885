"""Boundary scores: the chain potentials add up to exactly the boundary log probabilities of
the segmentation a path stands for, the fitted ranking puts the gold start first on data it
can separate, and the shipped parameters carry and use them."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from analyzer.results import STAGES
from analyzer.stages import boundary
from analyzer.stages.evidence import FEATURES
from analyzer.stages.segmenter import PARAMS_PATH, Segmenter, StageParams


def path_score(init, steps, final, path):
    score = init[path[0]]
    for t in range(1, len(path)):
        score += steps[t - 1, path[t - 1], path[t]]
    return score + final[path[-1]]


def induced_log_prob(lp, path, n):
    """Sum over stages after opening of log P(start at its first turn, or absent)."""
    total = 0.0
    for s in range(1, len(STAGES)):
        where = path.index(s) if s in path else n
        total += lp[s - 1, where]
    return total


@pytest.mark.parametrize("n", [1, 2, 5])
def test_chain_potentials_equal_the_boundary_log_probs_of_every_monotone_path(n):
    rng = np.random.default_rng(n)
    raw = rng.normal(size=(3, n + 1))
    lp = raw - np.log(np.exp(raw).sum(axis=1, keepdims=True))
    init, steps, final = boundary.chain_potentials(lp, n)
    for path in itertools.product(range(len(STAGES)), repeat=n):
        if any(a > b for a, b in zip(path, path[1:], strict=False)):
            continue
        assert path_score(init, steps, final, list(path)) == pytest.approx(
            induced_log_prob(lp, list(path), n))


def test_log_probs_are_distributions_over_turns_and_absent():
    matrix = np.random.default_rng(0).random((7, len(FEATURES)))
    weights = np.random.default_rng(1).normal(size=(3, 3 * len(FEATURES) + 2))
    lp = boundary.log_probs(matrix, weights)
    assert lp.shape == (3, 8)
    assert np.allclose(np.exp(lp).sum(axis=1), 1.0)


def test_fitted_ranking_puts_the_marked_turn_first():
    # one feature marks where closing starts; sessions without it never reach closing
    col = FEATURES.index("act_accept")
    rng = np.random.default_rng(0)
    matrices, labels = [], []
    for k in range(30):
        n = 6 + k % 4
        m = rng.random((n, len(FEATURES))) * 0.1
        m[:, col] = 0.0
        start = 2 + k % 3
        seq = ["bargaining"] * n
        if k % 5:
            m[start, col] = 1.0
            seq[start:] = ["closing"] * (n - start)
        matrices.append(m)
        labels.append(seq)
    weights = boundary.fit_boundaries(matrices, labels, C=1.0)
    closing = boundary.SCORED.index("closing")
    for m, seq in zip(matrices, labels, strict=True):
        lp = boundary.log_probs(m, weights)[closing]
        assert int(np.argmax(lp)) == boundary.gold_index(seq, "closing")


def test_remap_follows_the_feature_order():
    stored = ["a", "b"]
    w = np.arange(3 * 2 + 2, dtype=float)[None, :]  # [a b | a b | first absent | a b]
    out = boundary.remap(w, stored, ["b", "x", "a"])
    assert out.tolist() == [[1, 0, 0, 3, 0, 2, 4, 5, 7, 0, 6]]
    with pytest.raises(ValueError):
        boundary.remap(np.zeros((1, 5)), stored, stored)


def test_shipped_parameters_use_boundary_scores():
    data = json.loads(PARAMS_PATH.read_text(encoding="utf-8"))
    assert data["mix"].get("boundary", 0) > 0
    params = StageParams.from_json(data)
    assert params.boundary.shape == (3, 3 * len(params.features) + 2)
    Segmenter(params)  # loads and maps onto the current features
