"""Bagging by parameter averaging in ``fit_params``: off by default, a resample of every
session reproduces the single fit, each bag's weights are the mean, the counts come from all
sessions, and the averaged emissions still find the stages."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.results import STAGES
from analyzer.stages import fit
from analyzer.stages.evidence import FEATURES
from analyzer.stages.segmenter import Segmenter


def sessions(count: int = 24) -> tuple[list[np.ndarray], list[list[str]]]:
    """Synthetic sessions: each stage has its own marker feature, plus noise."""
    rng = np.random.default_rng(0)
    marks = [FEATURES.index(f) for f in ("greet", "need", "proposal", "act_accept")]
    matrices, labels = [], []
    for k in range(count):
        n = 8 + k % 5
        cut = sorted(rng.choice(np.arange(1, n), size=3, replace=False).tolist())
        first = k % 2  # every other session has no opening
        seq = [STAGES[max(first, sum(t >= c for c in cut))] for t in range(n)]
        m = rng.random((n, len(FEATURES))) * 0.2
        m[:, FEATURES.index("bias")] = 1.0
        for t, stage in enumerate(seq):
            m[t, marks[STAGES.index(stage)]] += 1.0
        matrices.append(m)
        labels.append(seq)
    return matrices, labels


@pytest.fixture(scope="module")
def data():
    return sessions()


def test_no_bagging_by_default(data):
    single = fit.fit_params(*data)
    assert fit.DEFAULT_BAGS == 0 and "bags" not in single.meta


def test_resamples_of_every_session_reproduce_the_single_fit(data):
    # fraction 1 without replacement: every bag is the whole training set
    single = fit.fit_params(*data)
    bagged = fit.fit_params(*data, bags=3, bag_fraction=1.0)
    assert bagged.meta["bags"] == {"n": 3, "fraction": 1.0, "seed": 0}
    assert np.allclose(bagged.coef, single.coef, atol=1e-6)
    assert np.allclose(bagged.intercept, single.intercept, atol=1e-6)
    assert np.allclose(bagged.boundary, single.boundary, atol=1e-6)
    for prev, model in single.memm.items():
        assert bagged.memm[prev]["classes"] == model["classes"]
        assert np.allclose(bagged.memm[prev]["coef"], model["coef"], atol=1e-6)


def test_bagged_weights_are_the_mean_of_the_bags_and_counts_use_all_sessions(data):
    matrices, labels = data
    bagged = fit.fit_params(matrices, labels, bags=2, bag_seed=7)
    rounds = fit._resamples(len(labels), 2, None, 7)
    assert all(len(idx) == len(labels) for idx in rounds)  # bootstraps of n sessions
    parts = [fit.fit_emission([matrices[i] for i in idx], [labels[i] for i in idx])
             for idx in rounds]
    assert np.allclose(bagged.coef, (parts[0][0] + parts[1][0]) / 2)
    assert np.allclose(bagged.intercept, (parts[0][1] + parts[1][1]) / 2)
    single = fit.fit_params(matrices, labels)
    assert np.array_equal(bagged.start, single.start)
    assert np.array_equal(bagged.transitions, single.transitions)
    # seeded: the same call gives the same weights, another seed other ones
    assert np.array_equal(fit.fit_params(matrices, labels, bags=2, bag_seed=7).coef,
                          bagged.coef)
    assert not np.allclose(fit.fit_params(matrices, labels, bags=2, bag_seed=8).coef,
                           bagged.coef)


def test_bagged_emissions_find_the_marked_stages(data):
    matrices, labels = data
    params = fit.fit_params(matrices, labels, bags=4, bag_fraction=0.8)
    X = np.vstack(matrices)
    gold = [STAGES.index(s) for seq in labels for s in seq]
    predicted = np.argmax(X @ params.coef.T + params.intercept, axis=1)
    assert np.mean(predicted == gold) > 0.95
    Segmenter(params).decode(matrices[0])  # a bagged model is an ordinary one
