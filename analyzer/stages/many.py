"""The decoder's chain potentials of many sessions at once, the same numbers as one by one.

Why: ``Segmenter.potentials`` makes a session's chain scores (HMM, MEMM and boundary terms,
the closing constraints) with ~40 numpy calls on arrays of a few dozen numbers, so numpy's
cost per call, not the arithmetic, was most of it. ``potentials_many`` does the
element-wise work of a whole batch of sessions (the analyser segments ~50 together) on
all their turns stacked: one array of step scores with a slot per turn (the scores of
moving into that turn; a session's first slot is unused) and one row of first-turn scores
per session. Each element goes through the same operations in the same order as in
``potentials``, so the result is the same bit for bit (``tests/stages/test_many.py``
compares them on CaSiNo and the examples).

What depends on a session's shape stays per session: the products of its evidence matrix
with the weights (BLAS may add a product's terms in another order for another number of
rows: a product of the stacked matrices differs in the last bits) and the boundary
scores' sums over its turns (``boundary.log_probs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np

from . import boundary
from .segmenter import _FORBIDDEN, N, _logsumexp, _times, closing_constraints, closing_flags

if TYPE_CHECKING:
    from .segmenter import Segmenter


def potentials_many(seg: Segmenter, matrices: Sequence[np.ndarray],
                    ends: Sequence[int | None] | None = None
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[seg.potentials(m, end) for m, end in zip(matrices, ends)]``, bit for bit (see the
    module docstring). Parameters with perceptron (CRF) scores, and empty sessions, go one
    by one. ``ends``: each session's parties' last turn (``segmenter.talk_end``)."""
    stacked = stacked_potentials(seg, matrices, ends)
    if stacked is None:
        return [seg.potentials(m, None if ends is None else ends[k])
                for k, m in enumerate(matrices)]
    init, steps, firsts, sizes = stacked
    return [(init[b], steps[first + 1:first + size])
            for b, (first, size) in enumerate(zip(firsts.tolist(), sizes, strict=True))]


def stacked_potentials(seg: Segmenter, matrices: Sequence[np.ndarray],
                       ends: Sequence[int | None] | None = None
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]] | None:
    """The potentials of ``potentials_many`` as they are made: (first-turn scores, one row
    per session; step scores, one slot per turn, session after session, a session's first
    slot unused; each session's first slot; its number of turns). None where they are not
    made this way (no sessions, an empty one, perceptron scores)."""
    params = seg.params
    mix = params.mix
    w_hmm, w_memm = mix.get("hmm", 1.0), mix.get("memm", 0.0)
    w_crf, w_bound = mix.get("crf", 0.0), mix.get("boundary", 0.0)
    sizes = [m.shape[0] for m in matrices]
    if not matrices or (w_crf and params.crf) or not all(sizes):
        return None
    n_sessions, n_turns = len(sizes), sum(sizes)
    firsts = np.fromiter(accumulate(sizes[:-1], initial=0), dtype=np.int64, count=n_sessions)
    init = np.zeros((n_sessions, N))
    steps = np.zeros((n_turns, N, N))  # slot t: the scores of the move into turn t
    steps[:, _FORBIDDEN] = -np.inf
    if w_hmm:  # ``seg.emissions``
        scores = np.vstack([m @ seg._coef.T for m in matrices]) + params.intercept
        emit = (scores - _logsumexp(scores, axis=1)[:, None]) - seg._log_prior
        init += _times(w_hmm, seg._log_start + emit[firsts])
        steps += _times(w_hmm, seg._log_trans[None, :, :] + emit[:, None, :])
    if w_memm and params.memm:
        m_init, m_steps = _memm(seg, matrices, firsts, n_turns)
        init += _times(w_memm, m_init)
        steps += _times(w_memm, m_steps)
    if w_bound and seg._boundary is not None:
        b_init, b_steps, b_final = _boundary(seg, matrices, sizes, n_turns)
        init += w_bound * b_init
        steps += w_bound * b_steps
        last = firsts + np.asarray(sizes, dtype=np.int64) - 1
        single = np.asarray(sizes) == 1
        if single.any():
            init[single] += w_bound * b_final[single]
        if not single.all():
            steps[last[~single]] += w_bound * b_final[~single][:, None, :]
    w_ctx = mix.get("context", 0.0)
    if w_ctx and seg._context is not None:  # (the same numbers as per session)
        lp = seg._context.log_probs_many(matrices)
        init += w_ctx * lp[firsts, 0]
        steps[:, :N - 1, :] += w_ctx * lp[:, 1:, :]
    closing_constraints(init, steps, closing_flags(np.vstack(matrices), sizes=sizes, ends=ends),
                        sizes, (firsts + 1).tolist())
    return init, steps, firsts, sizes


def _memm(seg: Segmenter, matrices: Sequence[np.ndarray], firsts: np.ndarray, n_turns: int
          ) -> tuple[np.ndarray, np.ndarray]:
    """``seg.memm_potentials`` of every session: (first-turn rows, step slots)."""
    lay = seg._memm_layout()
    m_init = np.empty((len(matrices), N))
    m_init[:] = lay.base[0]
    m_steps = np.empty((n_turns, N, N))
    m_steps[:] = lay.base[1:]
    if not len(lay.starts):
        return m_init, m_steps
    z = np.vstack([m @ lay.weights.T for m in matrices]) + lay.bias
    top = np.maximum.reduceat(z, lay.starts, axis=1)
    top = np.where(np.isfinite(top), top, 0.0)[:, lay.group]
    with np.errstate(divide="ignore"):
        total = np.log(np.add.reduceat(np.exp(z - top), lay.starts, axis=1))
    z = z - (total[:, lay.group] + top)
    m_init[:, lay.first_to] = z[firsts][:, lay.first_cols]
    m_steps[:, lay.step_from, lay.step_to] = z[:, lay.step_cols]
    return m_init, m_steps


def _boundary(seg: Segmenter, matrices: Sequence[np.ndarray], sizes: list[int],
              n_turns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``boundary.chain_potentials(boundary.log_probs(m, ...), n)`` of every session: (first
    rows, step slots, final rows), the sums of absent stages added as there (Python floats,
    from int 0, left to right)."""
    lp, first_rows, last_rows = _log_probs(seg, matrices, sizes)
    b_init, b_final, added = [], [], []
    for (f1, f2, f3), (a1, a2, a3) in zip(lp[first_rows].tolist(), lp[last_rows].tolist(),
                                          strict=True):
        b_init.append([0.0, f1 + 0, f2 + (0 + a1), f3 + ((0 + a1) + a2)])
        b_final.append([((0 + a1) + a2) + a3, (0 + a2) + a3, 0 + a3, 0])
        added.append([0, 0 + a1, (0 + a1) + a2, 0, 0 + a2, 0])
    b_steps = np.zeros((n_turns, N, N))
    turns = np.delete(lp, last_rows, axis=0)  # (turns, 3): each turn's start scores
    per_turn = np.repeat(np.array(added, dtype=float), sizes, axis=0)
    b_steps[:, boundary._FROM, boundary._TO] = turns[:, boundary._TO_ROW] + per_turn
    return np.array(b_init), b_steps, np.array(b_final, dtype=float)


def _log_probs(seg: Segmenter, matrices: Sequence[np.ndarray], sizes: list[int]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``boundary.log_probs`` of every session, transposed and stacked: session b's n + 1
    rows (its turns, then "absent") one after the other, with the rows of each session's
    first turn and of its "absent" row. Per session only what depends on its shape: the
    product with the weights, the one with its column maxima, and the sum over its rows
    (numpy sums a column of a (rows, 3) block pairwise: a stacked sum would differ)."""
    weights, pair = seg._boundary, seg._boundary_pair
    f = matrices[0].shape[1]
    s = weights.shape[0]
    n = np.asarray(sizes, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(n + 1)[:-1]])  # each session's first row
    last_rows = starts + n
    turn_rows = np.delete(np.arange(int(n.sum() + len(sizes))), last_rows)
    both = np.vstack([m @ pair for m in matrices])  # (turns, 2s)
    z = np.empty((len(turn_rows) + len(sizes), s))
    z[turn_rows] = both[:, :s]
    later = np.ones(len(turn_rows), dtype=bool)  # turns after their session's first
    later[starts - np.arange(len(sizes))] = False
    z[turn_rows[later]] += both[np.flatnonzero(later) - 1, s:]
    z[starts] += weights[:, 2 * f]
    tops = np.maximum.reduceat(np.vstack(matrices), starts - np.arange(len(sizes)), axis=0)
    z[last_rows] = weights[:, 2 * f + 1] + np.array([weights[:, 2 * f + 2:] @ top
                                                      for top in tops])
    m = np.maximum.reduceat(z, starts, axis=0)
    exp = np.exp(z - np.repeat(m, n + 1, axis=0))
    sums = np.array([exp[a:a + size + 1].sum(axis=0) for a, size in zip(
        starts.tolist(), sizes, strict=True)])
    return z - np.repeat(m + np.log(sums), n + 1, axis=0), starts, last_rows


def viterbi_answers(init: np.ndarray, steps: np.ndarray, firsts: np.ndarray,
                    sizes: list[int], paths: list[list[int]], temperature: float
                    ) -> list[bool]:
    """For each session of ``stacked_potentials``: does ``mbr.mbr_path`` answer with its
    Viterbi path (``paths``) before its dynamic programme? It does for a session of fewer
    than three turns, when the tempered chain's scaled sums fail, and when the Viterbi path
    takes the likelier side of every window (most sessions).

    The tempered chains (``mbr.Chain`` of the potentials divided by ``temperature``) and
    their same-segment probabilities are computed for all the sessions at once, the same
    numbers as ``Chain(init / temperature, steps / temperature).same_segment_probs(k)``
    one by one (the recursions themselves run per session on plain floats, as there, and
    each session's cumulative sums are its own)."""
    from .mbr import _scaled_passes, window_k

    answers = [n < 3 for n in sizes]
    if all(answers):
        return answers
    init_t, steps_t = init / temperature, steps / temperature
    with np.errstate(invalid="ignore"):  # (``Chain.__init__``)
        top = steps_t.max(axis=(1, 2), keepdims=True)
        weights = np.exp(steps_t - np.where(np.isfinite(top), top, 0.0))
        first = np.exp(init_t - init_t.max(axis=1, keepdims=True))
    flat = weights.ravel().tolist()
    first_rows = first.tolist()
    chains = []  # (session, k, forward, backward, scale) of the sessions with sound sums
    for b, (start, n) in enumerate(zip(firsts.tolist(), sizes, strict=True)):
        if n < 3:
            continue
        fw, bw, sc = _scaled_passes(first_rows[b], flat[16 * (start + 1):16 * (start + n)])
        if not all(0.0 < x < np.inf for x in sc):
            answers[b] = True  # the scaled sums under- or overflowed: the mode
            continue
        chains.append((b, window_k(paths[b]), fw, bw, sc))
    if not chains:
        return answers
    # ``Chain.same_segment_probs`` of every chain: its turns stacked (offset ``at``)
    forward = np.array([x for c in chains for x in c[2]]).reshape(-1, N)
    backward = np.array([x for c in chains for x in c[3]]).reshape(-1, N)
    slots = [t for c in chains for t in range(firsts[c[0]] + 1, firsts[c[0]] + len(c[4]))]
    scale = np.array([x for c in chains for x in c[4][1:]])
    stay = weights.diagonal(axis1=1, axis2=2)[slots] / scale[:, None]
    with np.errstate(divide="ignore"):
        log_stay = np.log(stay)
    cum = np.zeros((len(forward), N))
    lo, hi, at, step = [], [], 0, 0
    for _, k, _, _, sc in chains:
        n = len(sc)
        log_stay[step:step + n - 1].cumsum(axis=0, out=cum[at + 1:at + n])
        lo += range(at, at + n - k)  # turn i and turn i + k
        hi += range(at + k, at + n)
        at += n
        step += n - 1
    with np.errstate(invalid="ignore"):
        window = np.exp(cum[hi] - cum[lo])
    if not np.isfinite(window).all():  # (per element: as per session)
        window = np.nan_to_num(window)
    q = np.clip((forward[lo] * window * backward[hi]).sum(axis=1), 0.0, 1.0).tolist()
    done = 0
    for b, k, _, _, sc in chains:
        m = len(sc) - k
        vit, qs = paths[b], q[done:done + m]
        answers[b] = all((vit[i] == vit[i + k]) == (qs[i] >= 0.5) for i in range(m))
        done += m
    return answers
