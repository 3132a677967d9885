"""Minimum-Bayes-risk decoding: the stage path with the fewest expected Pk window errors.

Why: Viterbi returns the single most probable path, but the segmentation is judged window by
window (Pk: do turns ``i`` and ``i + k`` fall in one stage?). When the decoder hesitates
between two turns for a boundary (most errors are the start of closing one turn off), the
path that agrees best with the whole posterior is a better bet than the mode (Goodman 1996;
Kumar & Byrne 2004 for MBR decoding of segmentations).

How, exactly and in linear time:

1. ``same_segment_probs``: under the chain distribution (the decoder's potentials divided by
   a temperature, since the mixed HMM + MEMM + boundary scores are over-confident), the
   probability ``q[i]`` that turns ``i`` and ``i + k`` are in one stage. Stages run left to
   right, so that is the probability of staying in one stage from ``i`` to ``i + k``:
   ``sum_s alpha_i(s) * stay(i..i+k, s) * beta_{i+k}(s) / Z``.
2. ``mbr_path``: a dynamic programme over (stage, turns since the stage started, capped at
   ``k``). At turn ``j >= k`` the window ``(j - k, j)`` lies in one stage exactly when that
   count has reached ``k``; its expected error is ``1 - q`` then and ``q`` otherwise. A small
   share of the path's own log score (``path_weight``) breaks ties towards the Viterbi
   path. Forbidden moves (backwards, or the guideline's hard constraints: -inf potentials)
   stay forbidden.

``k`` is the metric's: half the mean segment length, taken from the Viterbi path (the gold
is not known when decoding).
"""

from __future__ import annotations

import numpy as np

from ..results import STAGES
from .metrics import default_k

N = len(STAGES)
_FORWARD = np.triu(np.ones((N, N), dtype=bool), 1)  # a -> b with b > a


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return np.squeeze(out, axis=axis)


def same_segment_probs(init: np.ndarray, steps: np.ndarray, k: int) -> np.ndarray:
    """P(turns i and i + k are in the same stage), i = 0..n-k-1, under the chain
    with log potentials ``init`` (N,) and ``steps`` (n-1, N, N)."""
    n = steps.shape[0] + 1
    alpha = np.zeros((n, N))
    beta = np.zeros((n, N))
    alpha[0] = init
    for t in range(1, n):
        alpha[t] = _logsumexp(alpha[t - 1][:, None] + steps[t - 1], axis=0)
    for t in range(n - 2, -1, -1):
        beta[t] = _logsumexp(steps[t] + beta[t + 1][None, :], axis=1)
    log_z = _logsumexp(alpha[-1], axis=0)
    stay = np.diagonal(steps, axis1=1, axis2=2)  # (n-1, N)
    cum = np.vstack([np.zeros(N), np.cumsum(stay, axis=0)])
    i = np.arange(max(n - k, 0))
    with np.errstate(invalid="ignore"):
        v = alpha[i] + (cum[i + k] - cum[i]) + beta[i + k] - log_z
    v = np.where(np.isfinite(v), v, -np.inf)
    return np.clip(np.exp(v).sum(axis=1), 0.0, 1.0)


def mbr_path(init: np.ndarray, steps: np.ndarray, viterbi_path: list[int],
             temperature: float = 6.0, path_weight: float = 0.01) -> list[int]:
    """The stage path minimising expected Pk window errors (see the module docstring)."""
    n = steps.shape[0] + 1
    if n < 3:
        return list(viterbi_path)
    k = default_k([STAGES[s] for s in viterbi_path])
    q = same_segment_probs(init / temperature, steps / temperature, k)
    inf = np.inf
    allowed_init = np.isfinite(init)
    cost = np.full((N, k + 1), inf)
    cost[allowed_init, 0] = -path_weight * init[allowed_init]
    back_state = np.zeros((n, N, k + 1), dtype=int)
    back_age = np.zeros((n, N, k + 1), dtype=int)
    stages = np.arange(N)
    for t in range(1, n):
        st = steps[t - 1]
        ok = np.isfinite(st)
        move = np.where(ok, -path_weight * np.where(ok, st, 0.0), inf)  # (a, b)
        new = np.full((N, k + 1), inf)
        # stay in stage a: the age grows by one, capped at k
        stay = cost + move[stages, stages][:, None]
        new[:, 1:k] = stay[:, 0:k - 1]
        back_state[t, :, 1:k] = stages[:, None]
        back_age[t, :, 1:k] = np.arange(k - 1)[None, :]
        capped = np.where(stay[:, k] <= stay[:, k - 1], k, k - 1)
        new[:, k] = np.minimum(stay[:, k - 1], stay[:, k])
        back_state[t, :, k] = stages
        back_age[t, :, k] = capped
        # move forward a -> b (b > a): the new stage's age is 0
        best_age = np.argmin(cost, axis=1)
        best = cost[stages, best_age]
        cand = np.where(_FORWARD, best[:, None] + move, inf)  # (a, b)
        src = np.argmin(cand, axis=0)
        new[:, 0] = cand[src, stages]
        back_state[t, :, 0] = src
        back_age[t, :, 0] = best_age[src]
        if t >= k:
            i = t - k
            new[:, k] += 1.0 - q[i]
            new[:, :k] += q[i]
        cost = new
    s, a = np.unravel_index(int(np.argmin(cost)), cost.shape)
    if not np.isfinite(cost[s, a]):
        return list(viterbi_path)
    path = [int(s)]
    for t in range(n - 1, 0, -1):
        s, a = back_state[t, s, a], back_age[t, s, a]
        path.append(int(s))
    return path[::-1]
