"""Boundary scores: for each stage, which turn of the session starts it (or none does).

Why: with only three boundaries per session, choosing *where* each stage starts among the
session's turns is a ranking problem. Per-turn classifiers (the HMM emissions, the MEMM) judge
each turn alone; a conditional logit (McFadden) over the candidates of one session is trained
to put the gold start above every other turn of the same session, e.g. the acceptance that
sticks above the earlier or later ones. Each stage after opening has its own model; its
candidates are every turn (features of the turn and of the turn before it) plus "absent" (the
stage is skipped or never reached), described by the session's maximum evidence.

The log probabilities decompose over the left-to-right chain (a move a -> b at turn t means b
starts at t and the stages between are absent), so they are added to the decoder's chain
potentials: decoding stays exact and forward-backward gives the per-turn probabilities.
Weights are plain arrays kept in ``params.json`` (no pickle).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..results import STAGES

N = len(STAGES)
#: stages whose start is scored (opening, when present, always starts at turn 0)
SCORED = STAGES[1:]
_FROM, _TO = np.triu_indices(N, 1)  # the forward moves a -> b
_TO_ROW = _TO - 1  # row of the stage b in the boundary scores (opening has none)


def candidates(matrix: np.ndarray) -> np.ndarray:
    """Candidate rows of one session: turns 0..n-1, then "absent".

    A turn's row is [its evidence, the previous turn's evidence, is-first-turn, 0, 0...]; the
    absent row is [0..., 0..., 0, 1, the session's maximum evidence].
    """
    n, f = matrix.shape
    zero = np.zeros((1, f))
    prev = np.vstack([zero, matrix[:-1]]) if n else np.zeros((0, f))
    first = np.zeros((n, 1))
    if n:
        first[0, 0] = 1.0
    turns = np.hstack([matrix, prev, first, np.zeros((n, 1 + f))])
    top = matrix.max(axis=0) if n else np.zeros(f)
    absent = np.concatenate([np.zeros(2 * f + 1), [1.0], top])[None, :]
    return np.vstack([turns, absent])


def remap(weights: np.ndarray, stored: Sequence[str], current: Sequence[str]) -> np.ndarray:
    """Weights fitted over the ``stored`` feature order, laid out for the ``current`` one.

    The candidate row has three feature blocks (turn, previous turn, session maximum) and two
    single columns; features new since fitting get weight 0.
    """
    f_old, f_new = len(stored), len(current)
    if weights.shape[1] != 3 * f_old + 2:
        raise ValueError(f"boundary weights have {weights.shape[1]} columns, "
                         f"expected {3 * f_old + 2}")
    out = np.zeros((weights.shape[0], 3 * f_new + 2))
    cols = np.array([list(current).index(name) for name in stored], dtype=int)
    out[:, cols] = weights[:, :f_old]
    out[:, f_new + cols] = weights[:, f_old:2 * f_old]
    out[:, 2 * f_new:2 * f_new + 2] = weights[:, 2 * f_old:2 * f_old + 2]
    out[:, 2 * f_new + 2 + cols] = weights[:, 2 * f_old + 2:]
    return out


def gold_index(labels: Sequence[str], stage: str) -> int:
    """Index among the candidates of the gold start of ``stage`` (n when absent)."""
    return labels.index(stage) if stage in labels else len(labels)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    m = z.max()
    return z - (m + np.log(np.exp(z - m).sum()))


def fit_stage(cands: Sequence[np.ndarray], gold: Sequence[int], C: float) -> np.ndarray:
    """Conditional logit weights (L2 with strength 1/C) by L-BFGS."""
    from scipy.optimize import minimize

    d = cands[0].shape[1]
    big = np.vstack(cands)
    offsets = np.cumsum([0] + [len(c) for c in cands])
    gold_rows = np.array([offsets[i] + g for i, g in enumerate(gold)])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = big @ w
        total, grad_z = 0.0, np.zeros_like(z)
        for i in range(len(cands)):
            lo, hi = offsets[i], offsets[i + 1]
            lp = _log_softmax(z[lo:hi])
            total -= lp[gold_rows[i] - lo]
            grad_z[lo:hi] = np.exp(lp)
        grad_z[gold_rows] -= 1.0
        return total + 0.5 * w @ w / C, big.T @ grad_z + w / C

    res = minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B",
                   options={"maxiter": 500})
    return res.x


def fit_boundaries(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
                   C: float = 0.3) -> np.ndarray:
    """Weights (stages after opening, candidate features) fitted on gold sessions."""
    cands = [candidates(m) for m in matrices]
    return np.vstack([fit_stage(cands, [gold_index(list(seq), s) for seq in labels], C)
                      for s in SCORED])


def pair_weights(weights: np.ndarray, f: int) -> np.ndarray:
    """The turn and previous-turn blocks of ``weights`` side by side, (f, 2 * stages): what
    ``log_probs`` multiplies the evidence by (the decoder keeps it rather than rebuild it
    for every session)."""
    return np.vstack([weights[:, :f], weights[:, f:2 * f]]).T


def log_probs(matrix: np.ndarray, weights: np.ndarray,
              pair: np.ndarray | None = None) -> np.ndarray:
    """(stages after opening, n + 1): log P(stage starts at turn t), last column absent.

    The numbers of ``candidates(matrix) @ w`` and a log-softmax per stage (equal up to
    rounding), without building the candidate rows, mostly zeros: the decoder calls this
    for every session. ``pair``: ``pair_weights(weights, f)``, when the caller keeps it."""
    n, f = matrix.shape
    s = weights.shape[0]
    z = np.empty((n + 1, s))
    # one product gives each turn's score as a candidate and as the next one's previous turn
    if pair is None:
        pair = pair_weights(weights, f)
    both = matrix @ pair  # (n, 2s)
    z[:n] = both[:, :s]
    z[1:n] += both[:n - 1, s:]
    if n:
        z[0] += weights[:, 2 * f]
    top = matrix.max(axis=0) if n else np.zeros(f)
    z[n] = weights[:, 2 * f + 1] + weights[:, 2 * f + 2:] @ top
    m = z.max(axis=0)
    return (z - (m + np.log(np.exp(z - m).sum(axis=0)))).T


def chain_potentials(lp: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The boundary log probabilities as chain scores: (init, steps, final).

    First stage c: stages 1..c-1 absent, c starts at 0 (opening has no score). Move a -> b at
    t: b starts at t, stages between absent. Final stage c: stages after c absent.
    """
    # the sums of absent scores written out for the four stages (as ``mbr.py``'s passes
    # are), added as ``sum`` adds them (from int 0, left to right): stages 1..3 absent cost
    # a1, a2, a3 (opening 0)
    a1, a2, a3 = lp[:, n].tolist()
    f1, f2, f3 = lp[:, 0].tolist()
    init = np.array([0.0, f1 + 0, f2 + (0 + a1), f3 + ((0 + a1) + a2)])
    steps = np.zeros((max(n - 1, 0), N, N))
    if n > 1:  # every forward pair (a, b) at once: b starts at t, a + 1 .. b - 1 skipped
        # pairs in (_FROM, _TO) order: (0, 1) (0, 2) (0, 3) (1, 2) (1, 3) (2, 3)
        steps[:, _FROM, _TO] = lp[_TO_ROW, 1:n].T + [0, 0 + a1, (0 + a1) + a2, 0, 0 + a2, 0]
    final = np.array([((0 + a1) + a2) + a3, (0 + a2) + a3, 0 + a3, 0])
    return init, steps, final
