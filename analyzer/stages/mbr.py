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
   stay forbidden, and so do first stages and stage changes whose posterior probability
   under the untempered chain is below ``floor`` (``plausible``): without it the risk
   minimiser sometimes hedges with a path the model rules out, e.g. a whole session in
   closing from turn 0, which tells the user nothing true.

The chain sums run in scaled probability space (Rabiner's scaling), not log space: sessions
are short and the stages few, so numpy's per-call cost is what counts, and the decoder must
stay within a fifth of the plain Viterbi segmenter's time.

``k`` is the metric's: half the mean segment length, taken from the Viterbi path (the gold
is not known when decoding), capped at ``MAX_K`` turns. The programme's time and memory grow
with the number of turns times ``k``, and ``k`` grows with the session: uncapped, a
6,000-turn meeting took 26 s and 2.5 GB in this function alone, a 9,000-turn one 5.6 GB
(long-sessions QA, 28 Nov 2026). Capped, a long session's path minimises the expected
errors of windows of ``MAX_K`` turns, still a hedge between neighbouring boundaries; no
gold session is long enough for the cap to apply (78 turns at most, so ``k`` <= 39).
"""

from __future__ import annotations

import math

import numpy as np

from ..results import STAGES
from .metrics import default_k

N = len(STAGES)
#: The largest window the risk minimiser works with (module docstring).
MAX_K = 40
_OFF_DIAGONAL = ~np.eye(N, dtype=bool)


def window_k(path: list[int]) -> int:
    """The window of the expected Pk errors for a decoded ``path`` (stage indices): the
    metric's ``k`` (half the mean segment length), at most ``MAX_K``."""
    return min(default_k([STAGES[s] for s in path]), MAX_K)


def _by_zero(row: list[float]) -> list[float]:
    """``row / 0.0`` as numpy computes it (inf, -inf, or NaN for 0): a chain whose scaled
    sums underflow keeps the values the numpy recursion gave (``Chain.ok`` is False then)."""
    return [x * math.inf if x else math.nan for x in row]


def _scaled_passes(first: list[float], flat: list[float]
                   ) -> tuple[list[float], list[float], list[float]]:
    """Rabiner's scaled forward and backward recursions on plain floats, written out for the
    four stages: (forward, backward, scale), forward and backward as flat lists (turn by
    turn, four values each: one ``np.array`` of a flat list costs half one of nested lists).
    ``flat``: the step weights (n-1, 4, 4) flattened, 16 per step, from-stage by from-stage
    (``tolist`` of the flat array costs about half the nested one). The products are
    unrolled (about half the time of generic loops, which matters at two chains per
    session); a sum that comes out 0 divides as numpy does (``_by_zero``)."""
    a, b, c, d = first
    total = a + b + c + d
    f = [a / total, b / total, c / total, d / total] if total else _by_zero(first)
    fw, sc = list(f), [total]
    for x0, x1, x2, x3, y0, y1, y2, y3, z0, z1, z2, z3, u0, u1, u2, u3 in \
            zip(*[iter(flat)] * 16, strict=True):
        a, b, c, d = f
        r0 = a * x0 + b * y0 + c * z0 + d * u0
        r1 = a * x1 + b * y1 + c * z1 + d * u1
        r2 = a * x2 + b * y2 + c * z2 + d * u2
        r3 = a * x3 + b * y3 + c * z3 + d * u3
        total = r0 + r1 + r2 + r3
        f = [r0 / total, r1 / total, r2 / total, r3 / total] if total else \
            _by_zero([r0, r1, r2, r3])
        fw += f
        sc.append(total)
    n = len(sc)
    bw = [1.0] * (4 * n)
    a = b = c = d = 1.0
    for t in range(n - 2, -1, -1):
        x0, x1, x2, x3, y0, y1, y2, y3, z0, z1, z2, z3, u0, u1, u2, u3 = flat[16 * t:16 * t + 16]
        total = sc[t + 1]
        g = [x0 * a + x1 * b + x2 * c + x3 * d, y0 * a + y1 * b + y2 * c + y3 * d,
             z0 * a + z1 * b + z2 * c + z3 * d, u0 * a + u1 * b + u2 * c + u3 * d]
        g = [g[0] / total, g[1] / total, g[2] / total, g[3] / total] if total else \
            _by_zero(g)
        bw[4 * t:4 * t + 4] = g
        a, b, c, d = g
    return fw, bw, sc


class Chain:
    """Scaled forward-backward quantities of a chain with log potentials ``init`` (N,) and
    ``steps`` (n-1, N, N): ``forward[t] * backward[t]`` is P(stage at t)."""

    def __init__(self, init: np.ndarray, steps: np.ndarray) -> None:
        n = steps.shape[0] + 1
        with np.errstate(invalid="ignore"):
            top = steps.max(axis=(1, 2), keepdims=True) if n > 1 else np.zeros((0, 1, 1))
            self.weights = np.exp(steps - np.where(np.isfinite(top), top, 0.0))
            first = np.exp(init - init.max())
        # the recursions run on plain floats: with four stages a numpy call per turn costs
        # more than the arithmetic
        fw, bw, sc = _scaled_passes(first.tolist(), self.weights.ravel().tolist())
        forward, backward = np.array(fw).reshape(n, N), np.array(bw).reshape(n, N)
        scale = np.array(sc)
        self.forward, self.backward, self.scale = forward, backward, scale
        #: False when a scaled sum under- or overflowed (then use log-space sums instead):
        #: the scales, or the backward values, which can overflow while the scales do not
        #: (a 5,000-turn session: inf * 0 made 4,728 of its posterior rows NaN, with a
        #: numpy RuntimeWarning; fuzzing QA, 28 Nov 2026)
        self.ok = all(0.0 < x < math.inf for x in sc) \
            and bool(np.isfinite(backward).all())  # finite and > 0 (NaN fails)

    def posteriors(self) -> np.ndarray:
        """(n, N): P(stage at t), each row normalised (exact rows sum to 1 up to rounding)."""
        post = self.forward * self.backward
        return post / post.sum(axis=1, keepdims=True)

    def first_probs(self) -> np.ndarray:
        """P(stage at turn 0)."""
        return self.forward[0] * self.backward[0]

    def move_probs(self) -> np.ndarray:
        """(n-1, N, N): P(stage a at t, stage b at t + 1)."""
        return (self.forward[:-1, :, None] * self.weights * self.backward[1:, None, :]
                / self.scale[1:, None, None])

    def same_segment_probs(self, k: int) -> np.ndarray:
        """P(turns i and i + k are in the same stage), i = 0..n-k-1: staying in one stage
        from i to i + k (stages never come back)."""
        n = len(self.scale)
        stay = self.weights.diagonal(axis1=1, axis2=2) / self.scale[1:, None]  # (n-1, N)
        with np.errstate(divide="ignore"):
            log_stay = np.log(stay)
        if k >= n:
            return np.zeros(0)
        cum = np.zeros((n, N))
        log_stay.cumsum(axis=0, out=cum[1:])
        with np.errstate(invalid="ignore"):  # rows i + k and i by slices, not index arrays
            window = np.exp(cum[k:] - cum[:n - k])
        if not np.isfinite(window).all():  # (nan_to_num costs more than the check)
            window = np.nan_to_num(window)
        q = (self.forward[:n - k] * window * self.backward[k:]).sum(axis=1)
        return np.clip(q, 0.0, 1.0)


def same_segment_probs(init: np.ndarray, steps: np.ndarray, k: int) -> np.ndarray:
    """P(turns i and i + k are in the same stage), i = 0..n-k-1, under the chain
    with log potentials ``init`` (N,) and ``steps`` (n-1, N, N)."""
    return Chain(init, steps).same_segment_probs(k)


def plausible(init: np.ndarray, steps: np.ndarray, viterbi_path: list[int],
              floor: float, chain: Chain | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``init`` and ``steps`` with the first stages and stage changes whose posterior
    probability (untempered chain) is below ``floor`` set to -inf, except the Viterbi path's
    own: the risk-minimising path may move a boundary among the places the model finds
    plausible, never to a place it rules out (e.g. closing from the first turn)."""
    chain = chain or Chain(init, steps)
    # a chain whose sums overflowed (``chain.ok`` False) has NaN here, which compares False:
    # only the Viterbi path's first stage is kept and no change is ruled out, as before; the
    # errstate only keeps numpy's RuntimeWarning off the user's terminal
    with np.errstate(invalid="ignore", over="ignore"):
        keep = chain.first_probs() >= floor
        rare = (chain.move_probs() < floor) & _OFF_DIAGONAL[None, :, :]
    keep[viterbi_path[0]] = True
    t = np.arange(1, len(viterbi_path))
    path = np.asarray(viterbi_path)
    rare[t - 1, path[:-1], path[1:]] = False  # the Viterbi path stays feasible
    return np.where(keep, init, -np.inf), np.where(rare, -np.inf, steps)


def mbr_path(init: np.ndarray, steps: np.ndarray, viterbi_path: list[int],
             temperature: float = 6.0, path_weight: float = 0.01,
             floor: float = 1e-6, chain: Chain | None = None) -> list[int]:
    """The stage path minimising expected Pk window errors (see the module docstring).

    ``chain``: the untempered ``Chain`` of these potentials, when the caller has it."""
    n = steps.shape[0] + 1
    if n < 3:
        return list(viterbi_path)
    k = window_k(viterbi_path)
    tempered = Chain(init / temperature, steps / temperature)
    if not tempered.ok:
        return list(viterbi_path)  # sums under- or overflowed: keep the mode
    q = tempered.same_segment_probs(k).tolist()
    vit = viterbi_path
    if all((vit[i] == vit[i + k]) == (q[i] >= 0.5) for i in range(n - k)):
        # the Viterbi path already takes the likelier side of every window and has the best
        # log score: it minimises both terms, so it is the answer
        return list(viterbi_path)
    if floor > 0:
        init, steps = plausible(init, steps, viterbi_path, floor, chain)
    inf = float("inf")
    # path costs: -path_weight * log potential, +inf where forbidden (plain floats: the
    # programme below works on a handful of numbers per turn)
    first = [-path_weight * x if x > -inf else inf for x in init.tolist()]
    move = np.where(np.isfinite(steps), -path_weight * np.where(np.isfinite(steps), steps, 0.0),
                    inf).tolist()
    ages = range(k + 1)
    cost = [[first[s] if a == 0 else inf for a in ages] for s in range(N)]
    back: list[list[list[tuple[int, int]]]] = []
    for t in range(1, n):
        mv = move[t - 1]
        best = [min(zip(cost[a], ages, strict=True)) for a in range(N)]  # (cost, age)
        new, here = [], []
        for b in range(N):
            row, ptr = [inf] * (k + 1), [(b, 0)] * (k + 1)
            stay, cb = mv[b][b], cost[b]
            for a in range(k):  # stay: age a -> a + 1 (capped at k)
                row[a + 1], ptr[a + 1] = cb[a] + stay, (b, a)
            if cb[k] + stay <= row[k]:
                row[k], ptr[k] = cb[k] + stay, (b, k)
            entry, src = inf, (b, 0)
            for a in range(b):  # move forward a -> b: age 0
                c = best[a][0] + mv[a][b]
                if c < entry:
                    entry, src = c, (a, best[a][1])
            row[0], ptr[0] = entry, src
            new.append(row)
            here.append(ptr)
        if t >= k:
            same, split = 1.0 - q[t - k], q[t - k]
            for row in new:
                for a in range(k):
                    row[a] += split
                row[k] += same
        cost = new
        back.append(here)
    s, a = min(((s, a) for s in range(N) for a in ages), key=lambda sa: cost[sa[0]][sa[1]])
    if cost[s][a] == inf:
        return list(viterbi_path)
    path = [s]
    for here in reversed(back):
        s, a = here[s][a]
        path.append(s)
    return path[::-1]
