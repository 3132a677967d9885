"""Minimum-Bayes-risk decoding (``analyzer/stages/mbr.py``) against brute force on small
chains: every monotone stage path enumerated, probabilities and expected Pk computed by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analyzer.results import STAGES
from analyzer.stages.mbr import mbr_path, plausible, same_segment_probs
from analyzer.stages.metrics import default_k, pk
from analyzer.stages.segmenter import Segmenter, StageParams, viterbi

N = len(STAGES)


def random_chain(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Log potentials of a left-to-right chain (backward moves -inf), like the decoder's."""
    rng = np.random.default_rng(seed)
    init = rng.normal(0, 2, N)
    steps = rng.normal(0, 2, (n - 1, N, N))
    steps[:, np.tril(np.ones((N, N), dtype=bool), -1)] = -np.inf
    return init, steps


def all_paths(n: int) -> list[tuple[int, ...]]:
    return [p for p in itertools.product(range(N), repeat=n)
            if all(a <= b for a, b in zip(p, p[1:], strict=False))]


def score(init: np.ndarray, steps: np.ndarray, path: tuple[int, ...]) -> float:
    return init[path[0]] + sum(steps[t - 1][path[t - 1], path[t]] for t in range(1, len(path)))


def distribution(init, steps, n):
    paths = all_paths(n)
    s = np.array([score(init, steps, p) for p in paths])
    w = np.exp(s - s.max())
    return paths, w / w.sum()


@pytest.mark.parametrize("seed", range(6))
def test_same_segment_probabilities_match_enumeration(seed):
    n, k = 6, 2
    init, steps = random_chain(seed, n)
    paths, prob = distribution(init, steps, n)
    expected = [sum(p for path, p in zip(paths, prob, strict=True) if path[i] == path[i + k])
                for i in range(n - k)]
    assert np.allclose(same_segment_probs(init, steps, k), expected)


@pytest.mark.parametrize("seed", range(6))
def test_mbr_path_minimises_expected_pk_over_all_paths(seed):
    n, temperature, weight = 6, 3.0, 0.01
    init, steps = random_chain(seed, n)
    vit = viterbi(init, steps)
    k = default_k([STAGES[s] for s in vit])
    paths, prob = distribution(init / temperature, steps / temperature, n)

    def risk(hyp):
        h = [STAGES[s] for s in hyp]
        # Pk averages over n - k windows; the decoder minimises the window count
        return sum(p * pk([STAGES[s] for s in g], h, k) * (n - k)
                   for g, p in zip(paths, prob, strict=True)) - weight * score(init, steps, hyp)

    best = min(paths, key=risk)
    got = mbr_path(init, steps, vit, temperature=temperature, path_weight=weight, floor=0.0)
    assert risk(tuple(got)) == pytest.approx(risk(best))


def test_floor_keeps_the_path_among_plausible_boundaries():
    n = 8
    init, steps = random_chain(3, n)
    vit = viterbi(init, steps)
    init_p, steps_p = plausible(init, steps, vit, floor=0.05)
    paths, prob = distribution(init, steps, n)
    got = mbr_path(init, steps, vit, temperature=5.0, path_weight=0.01, floor=0.05)
    assert np.isfinite(score(init_p, steps_p, tuple(got)))  # only plausible moves used
    assert np.isfinite(score(init_p, steps_p, tuple(vit)))  # Viterbi's own path stays allowed
    # every stage change it makes has posterior probability at least the floor (or is Viterbi's)
    for t in range(1, n):
        a, b = got[t - 1], got[t]
        if a != b and (vit[t - 1], vit[t]) != (a, b):
            mass = sum(p for path, p in zip(paths, prob, strict=True)
                       if path[t - 1] == a and path[t] == b)
            assert mass >= 0.05


def test_decoding_setting_round_trips_and_older_files_mean_viterbi(tmp_path):
    from analyzer.stages.fit import hand_params

    params = hand_params()
    assert params.decoding is None
    rng = np.random.default_rng(0)
    matrix = rng.random((12, len(params.features)))
    plain = Segmenter(params)
    path, _ = plain.decode(matrix)
    assert path == viterbi(*plain.potentials(matrix))
    params.decoding = {"method": "mbr-pk", "temperature": 6.0, "path_weight": 0.01,
                       "floor": 0.001}
    params.save(tmp_path / "p.json")
    loaded = StageParams.load(tmp_path / "p.json")
    assert loaded.decoding == params.decoding
    path_mbr, post = Segmenter(loaded).decode(matrix)
    assert all(a <= b for a, b in zip(path_mbr, path_mbr[1:], strict=False))
    assert np.allclose(post.sum(axis=1), 1.0)
