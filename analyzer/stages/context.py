"""A nonlinear transition score over a turn's neighbourhood: the context MEMM.

Why: every other fitted part of the decoder is linear in one turn's evidence (the emission
and MEMM regressions) or in a turn and the one before it (the boundary scores). Where the
segmenter errs most, the start of closing, the answer depends on how several turns combine:
an acceptance counts when the next turn does not reopen the terms and the one after is the
Submit-Deal, a recap question counts only with the "yes" after it. Per-turn evidence with
its neighbours', fed to a small neural network, learns such combinations from the gold.
Measured with the dialogue-level CV of ``evaluate-stages`` (docs/history/stages-log.md, "A context
MEMM"): gradient-boosted trees over the same rows did as well or slightly better but cost
~40 us per row to evaluate; this network costs a few matrix products per batch.

The model: for each turn t, the evidence rows of turns t - ``width`` .. t + ``width`` (zeros
past either end) and the stage of turn t - 1 ("start" at turn 0; never closing, which cannot
move on) as a one-hot, standardised, through one hidden layer of ReLUs to a softmax over the
stage of turn t: P(stage_t | stage_t-1, neighbourhood). Its log probabilities are added to
the chain's step scores with weight ``params.mix["context"]``, like the MEMM's.

Stored as plain numbers in ``params.json`` (never pickled): the standardisation is folded
into the first layer's weights, which are kept per offset and evidence feature, so a
parameter file keeps working when features are added later (they get weight 0).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..results import STAGES

N = len(STAGES)
#: neighbours on each side whose evidence the network sees (chosen by CV,
#: docs/history/stages-log.md)
WIDTH = 2
#: hidden units and L2 penalty of the network (chosen by CV, docs/history/stages-log.md)
HIDDEN = 32
ALPHA = 3.0
#: the previous-stage inputs: "start" (turn 0), then every stage that can move on
PREVIOUS = ("start", *STAGES[:-1])
#: the smallest probability a step gets (as log), so a formal action that forces a stage
#: always leaves a path
FLOOR = float(np.log(1e-6))


def context_rows(matrix: np.ndarray, width: int = WIDTH) -> np.ndarray:
    """Each turn's row followed by those of turns t-1, t+1, t-2, t+2, ... (zeros past the
    ends): the network's evidence input, (turns, features * (2 * width + 1))."""
    n, f = matrix.shape
    blocks = [matrix]
    for d in range(1, width + 1):
        prev = np.zeros((n, f))
        nxt = np.zeros((n, f))
        if d < n:
            prev[d:] = matrix[:-d]
            nxt[:-d] = matrix[d:]
        blocks += [prev, nxt]
    return np.hstack(blocks)


def offsets(width: int) -> list[int]:
    """The turn offset of each block of ``context_rows``: 0, -1, +1, -2, +2, ..."""
    out = [0]
    for d in range(1, width + 1):
        out += [-d, d]
    return out


def training_rows(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
                  width: int = WIDTH) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets) of every gold turn whose previous stage can still move on: the
    neighbourhood rows with the previous stage one-hot, and the turn's stage index."""
    rows, prevs, targets = [], [], []
    for matrix, seq in zip(matrices, labels, strict=True):
        if not len(seq):
            continue
        ctx = context_rows(np.asarray(matrix, dtype=float), width)
        for t, stage in enumerate(seq):
            prev = "start" if t == 0 else seq[t - 1]
            if prev not in PREVIOUS:
                continue
            rows.append(ctx[t])
            prevs.append(PREVIOUS.index(prev))
            targets.append(STAGES.index(stage))
    onehot = np.zeros((len(prevs), len(PREVIOUS)))
    onehot[np.arange(len(prevs)), prevs] = 1.0
    X = np.hstack([np.vstack(rows), onehot]) if rows else np.zeros((0, 0))
    return X, np.array(targets, dtype=int)


def fit_context(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
                features: Sequence[str], width: int = WIDTH, hidden: int = HIDDEN,
                alpha: float = ALPHA, seed: int = 0) -> dict[str, Any] | None:
    """The network fitted on gold sessions (``StandardScaler``, then scikit-learn's
    ``MLPClassifier`` with its default Adam solver, seeded), returned as folded plain
    weights; None with fewer than two stages in the targets."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    X, y = training_rows(matrices, labels, width)
    if len(set(y.tolist())) < 2:
        return None
    scaler = StandardScaler().fit(X)
    net = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=alpha, max_iter=500,
                        random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(scaler.transform(X), y)
    # fold the standardisation into the first layer: (x - m) / s @ W = x @ (W / s) - (m / s) @ W
    w1 = net.coefs_[0] / scaler.scale_[:, None]
    b1 = net.intercepts_[0] - (scaler.mean_ / scaler.scale_) @ net.coefs_[0]
    w2, b2 = net.coefs_[1], net.intercepts_[1]
    if w2.shape[1] == 1:  # two classes: sklearn keeps one logistic output; make it two
        w2 = np.hstack([np.zeros_like(w2), w2])
        b2 = np.concatenate([[0.0], b2])
    f = len(features)
    blocks = 2 * width + 1
    return {"width": width, "classes": [STAGES[int(c)] for c in net.classes_],
            "w_in": w1[:f * blocks].reshape(blocks, f, hidden),
            "w_prev": w1[f * blocks:], "b_in": b1, "w_out": w2, "b_out": b2,
            "fit": {"hidden": hidden, "alpha": alpha, "seed": seed, "rows": int(len(y)),
                    "iterations": int(net.n_iter_)}}


def to_json(model: dict[str, Any]) -> dict[str, Any]:
    """Plain lists (6 decimals) for ``params.json``."""
    return {k: (np.round(np.asarray(v), 6).tolist() if k.startswith(("w_", "b_")) else v)
            for k, v in model.items()}


def from_json(data: dict[str, Any]) -> dict[str, Any]:
    """The stored model with its weights as arrays."""
    return {k: (np.asarray(v, dtype=float) if k.startswith(("w_", "b_")) else v)
            for k, v in data.items()}


class Prepared:
    """The network's weights in the current feature order, ready for ``log_probs``.

    The first layer is one product of a session's evidence matrix with the weights of all
    offsets side by side; each offset's block is then shifted onto the turn it feeds."""

    def __init__(self, model: dict[str, Any], stored: Sequence[str],
                 current: Sequence[str]) -> None:
        unknown = [f for f in stored if f not in current]
        if unknown:
            raise ValueError(f"context model uses unknown features: {', '.join(unknown[:3])}")
        w_in = np.asarray(model["w_in"], dtype=float)
        blocks, _, hidden = w_in.shape
        self.width = int(model["width"])
        self.offsets = offsets(self.width)
        self.hidden = hidden
        weights = np.zeros((blocks, len(current), hidden))
        index = [list(current).index(f) for f in stored]
        weights[:, index, :] = w_in
        # (current features, blocks * hidden): block b's columns are offset b's weights
        self.w_in = np.ascontiguousarray(weights.transpose(1, 0, 2).reshape(len(current), -1))
        self.w_prev = np.asarray(model["w_prev"], dtype=float)
        self.b_in = np.asarray(model["b_in"], dtype=float)
        self.w_out = np.asarray(model["w_out"], dtype=float)
        self.b_out = np.asarray(model["b_out"], dtype=float)
        self.cols = np.array([STAGES.index(c) for c in model["classes"]], dtype=int)

    def log_probs(self, matrix: np.ndarray) -> np.ndarray:
        """log P(stage_t | stage_t-1, neighbourhood) of one session, (turns, previous, next):
        previous in ``PREVIOUS`` order, at least ``FLOOR``."""
        return self.log_probs_many([matrix])

    def log_probs_many(self, matrices: Sequence[np.ndarray]) -> np.ndarray:
        """``np.vstack([self.log_probs(m) for m in matrices])``: the sessions' rows one after
        the other, the same numbers.

        Why: ~20 numpy calls per session on a dozen rows cost more than their arithmetic
        (the decoder gives it a batch of sessions at once). Only the first layer's product
        stays per session (OpenBLAS may add a product's terms in another order for another
        number of rows); the neighbours' blocks are added over all the turns stacked, each
        turn reading only rows of its own session, in the same order of offsets; the
        second layer is one small product per turn either way (a (previous, hidden) slice
        of ``act``), so stacking leaves its numbers alone. Tested bit for bit against the
        per-session form (tests/stages/test_context.py)."""
        sizes = np.fromiter(map(len, matrices), dtype=np.int64, count=len(matrices))
        n = int(sizes.sum())
        h = self.hidden
        z = np.vstack([m @ self.w_in for m in matrices])  # (n, blocks * hidden)
        hid = np.empty((n, h))
        hid[:] = self.b_in
        pos = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # in its session
        size = np.repeat(sizes, sizes)
        for b, d in enumerate(self.offsets):  # turn t reads row t + d of block b
            part = z[:, b * h:(b + 1) * h]
            if d == 0:
                hid += part
            else:
                rows = np.flatnonzero((pos + d >= 0) & (pos + d < size))
                hid[rows] += part[rows + d]
        act = np.maximum(hid[:, None, :] + self.w_prev[None, :, :], 0.0)  # (n, prev, h)
        out = act @ self.w_out + self.b_out  # (n, prev, classes)
        top = out.max(axis=2, keepdims=True)
        out = out - (np.log(np.exp(out - top).sum(axis=2, keepdims=True)) + top)
        lp = np.full((n, len(PREVIOUS), N), FLOOR)
        lp[:, :, self.cols] = np.maximum(out, FLOOR)
        return lp
