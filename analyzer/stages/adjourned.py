"""Was the meeting put off? A session-level check for transcripts without formal deal actions.

Why: without formal actions the segmenter opens closing at an acceptance cue, and a meeting
adjourned to another day ends in "okay", "perfect", "thanks" too. Phrase rules (the deferral
rule of ``evidence.py``) recognised 0-2 of 7 adjourned meetings in a fresh writer's sessions:
every writer puts a meeting off in other words. This module looks at the session as a whole
instead: a small logistic regression over ten counts of its evidence (deferrals, acceptances,
thanks, recaps, questions and proposals near the end, how often closing could open at all),
fitted on the gold's sessions without formal actions. When it says the meeting was put off
(probability at least ``threshold``), closing may open only at a declared impasse, so the
session ends unfinished (guideline: "a meeting that ends without acceptance or impasse has no
closing"). Sessions with formal deal actions are never touched: their actions decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .evidence import FEATURES

#: the session-level features, in the order of the fitted coefficients
GATE_FEATURES: tuple[str, ...] = (
    "defer_end", "defer_share", "accept_strong_end", "accept_end", "thanks_end", "recap_end",
    "closing_allowed_end", "closing_allowed_share", "question_end", "proposal_end",
)
_COL = {name: FEATURES.index(name) for name in (
    "defer", "accept_strong", "accept", "thanks", "recap", "closing_allowed", "question",
    "proposal", "impasse", "act_submit", "act_accept", "act_reject", "act_walk_away")}
_ACTIONS = [_COL[name] for name in ("act_submit", "act_accept", "act_reject", "act_walk_away")]
#: the default regularisation and decision threshold (chosen in a dialogue-level CV of the
#: gold's sessions without formal actions, docs/history/stages-log.md: on the 82 of the time 16 of
#: 21 put-off meetings caught and 1 agreement gated; on the 160 of the 861-session gold,
#: the same CV 35 of 48 and 5 of 112)
DEFAULT_C = 1.0
DEFAULT_THRESHOLD = 0.7


#: The longest "end" of a session the counts look at. Why: the counts are fitted on gold
#: sessions of 12-78 turns (ends of 3-15 turns); over the last fifth of a 200-turn meeting
#: they ran far outside that range (21 proposals at the end: "put off" with probability
#: 0.9, and every session of 200 turns or more ended unfinished: long-sessions QA, 28 Nov
#: 2026). No gold session is long enough for the cap to apply.
TAIL_MAX = 16


def gate_features(matrix: np.ndarray) -> np.ndarray | None:
    """The ten counts of one session's evidence matrix, or None when it has formal deal
    actions (the check does not apply). "End": the last fifth of the turns, at least 3 and
    at most ``TAIL_MAX``."""
    n = matrix.shape[0]
    if n == 0 or (matrix[:, _ACTIONS] > 0).any():
        return None
    on = matrix > 0
    tail = on[max(0, n - min(TAIL_MAX, max(3, n // 5))):]
    c = _COL
    return np.array([
        tail[:, c["defer"]].sum(), on[:, c["defer"]].mean(),
        tail[:, c["accept_strong"]].sum(), tail[:, c["accept"]].sum(),
        tail[:, c["thanks"]].sum(), tail[:, c["recap"]].sum(),
        tail[:, c["closing_allowed"]].sum(), on[:, c["closing_allowed"]].mean(),
        tail[:, c["question"]].mean(), tail[:, c["proposal"]].sum(),
    ], dtype=float)


def fit_gate(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
             C: float = DEFAULT_C, threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any] | None:
    """The check fitted on the gold sessions without formal actions: a session without
    closing is "put off" (1), one whose closing opens at an acceptance is not (0); sessions
    closed by an impasse are left out (the gate never blocks an impasse). None when there
    are too few of either kind (fewer than 5) to fit it."""
    from sklearn.linear_model import LogisticRegression

    X, y = [], []
    for matrix, seq in zip(matrices, labels, strict=True):
        feats = gate_features(np.asarray(matrix))
        if feats is None:
            continue
        if "closing" in seq:
            start = list(seq).index("closing")
            if matrix[start, _COL["impasse"]] > 0:
                continue
            y.append(0)
        else:
            y.append(1)
        X.append(feats)
    if min(sum(y), len(y) - sum(y)) < 5:
        return None
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=1000)
    model.fit(np.array(X), np.array(y))
    return {"features": list(GATE_FEATURES), "coef": [round(float(v), 6) for v in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6), "C": C,
            "threshold": threshold, "sessions": len(y), "put_off": int(sum(y))}


def put_off_probability(gate: dict[str, Any], matrix: np.ndarray) -> float | None:
    """P(the meeting was put off) for one session, or None when the check does not apply."""
    feats = gate_features(matrix)
    if feats is None:
        return None
    z = float(np.dot(np.asarray(gate["coef"], dtype=float), feats) + gate["intercept"])
    return 1.0 / (1.0 + np.exp(-z))


def apply_gate(gate: dict[str, Any] | None, matrix: np.ndarray) -> np.ndarray:
    """``matrix``, or a copy in which closing may open only at a declared impasse when the
    check says the meeting was put off."""
    if gate is None:
        return matrix
    p = put_off_probability(gate, matrix)
    if p is None or p < gate["threshold"]:
        return matrix
    out = matrix.copy()
    out[:, _COL["closing_allowed"]] = np.where(out[:, _COL["impasse"]] > 0,
                                               out[:, _COL["closing_allowed"]], 0.0)
    return out
