"""Fitting the stage HMM on gold sessions, and the hand-set parameters it started from.

``fit_params`` learns the emission classifier (multinomial logistic regression on the
evidence features, L2, class-balanced so the short opening and closing stages count) and
counts start and transition probabilities on the gold label sequences, with add-one
smoothing over the allowed (forward) moves.

Run ``python -m analyzer.stages.fit --oof-moves /tmp/stage-oof-moves/k5-s0.json`` to refit
the shipped ``params.json`` on all gold (``corpora/stages/gold_*.tsv``), with out-of-fold move
labels for the gold dialogues the move model was trained on (``oof_moves.py``: otherwise the
fit learns from in-sample ``mv_*`` columns no new dialogue has); ``analyzer evaluate-stages
--cv 5 --oof-moves FILE`` measures the same recipe with dialogue-level cross-validation, so
the shipped numbers are never scored on data they were fitted on.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..results import STAGES
from .adjourned import apply_gate, fit_gate
from .boundary import fit_boundaries
from .context import fit_context
from .evidence import FEATURES
from .segmenter import PARAMS_PATH, StageParams
from .text import INNER_FOLDS, TARGETS, TEXT_C, column_name, fit_text, oof_columns

N = len(STAGES)
#: Regularisation strength chosen by cross-validation on the gold (see docs/history/stages-log.md).
DEFAULT_C = 10.0
#: Weights of the HMM, MEMM, perceptron, boundary and context-MEMM scores in decoding, chosen
#: by cross-validation on the gold (docs/history/stages-log.md).
DEFAULT_MIX = {"hmm": 1.0, "memm": 1.0, "crf": 0.0, "boundary": 2.0, "context": 2.0}
#: Regularisation of the boundary conditional logits (``boundary.py``), chosen by CV.
BOUNDARY_C = 0.1
#: Class weighting of the emission classifier ("balanced" or None), chosen by CV.
BALANCED: str | None = "balanced"
#: Class weighting of the MEMM transition classifiers, chosen by CV.
MEMM_WEIGHT: str | None = None
#: Regularisation of the MEMM classifiers (None: the same C as the emissions).
MEMM_C: float | None = None
#: How labels are read off the chain (``mbr.py``): the path with the fewest expected Pk
#: window errors under the chain tempered by ``temperature``, ``path_weight`` times the path's
#: log score added, stage changes less probable than ``floor`` ruled out; chosen by
#: cross-validation on the gold (docs/history/stages-log.md; temperature 6 until the context MEMM
#: joined the mix, then 3, which the CV cannot tell from 4-6 and which keeps a plain "we have a
#: deal" ending in closing, where 6 no longer did).
DEFAULT_DECODING = {"method": "mbr-pk", "temperature": 3.0, "path_weight": 0.01,
                    "floor": 1e-6}
#: Passes of the structured perceptron over the gold.
DEFAULT_EPOCHS = 10
#: Bagging of the fitted parts (``fit_params``): how many resamples of the training sessions
#: the emission, MEMM and boundary weights are averaged over (0: one fit on all sessions),
#: and the share of sessions each resample draws (None: a bootstrap, n with replacement;
#: a float: that share without replacement).
DEFAULT_BAGS = 0
DEFAULT_BAG_FRACTION: float | None = None


def hand_params() -> StageParams:
    """Documented hand-set parameters: what the segmenter used before any gold existed.

    Each stage scores the features the guideline names for it: greetings for opening, need
    and priority talk for exploring, a proposal made so far for bargaining, an acceptance
    that sticks / formal deal actions / goodbyes after it for closing.
    """
    weights = {
        "opening": {"greet": 3.0, "smalltalk": 1.0, "first": 1.0, "proposal_so_far": -4.0,
                    "need": -1.5, "need_before": -1.5},
        "exploring": {"need": 2.0, "no_need": 1.5, "pref_question": 1.5, "need_before": 1.0,
                      "proposal_so_far": -4.0},
        "bargaining": {"proposal_so_far": 3.0, "proposal": 2.0, "reject": 1.0},
        "closing": {"accept_sticks": 3.0, "accept_final": 2.0, "terms_final": 1.0,
                    "closing_cue_after_final": 2.0, "act_accept": 4.0, "act_walk_away": 6.0,
                    "after_final_accept": 4.0, "submit_matches_other": 3.0,
                    "proposal_after": -3.0, "terms_nonfinal_after": -3.0, "reject_after": -3.0,
                    "proposal_so_far": 1.0, "bias": -2.0},
    }
    coef = np.zeros((N, len(FEATURES)))
    for s, stage in enumerate(STAGES):
        for name, value in weights[stage].items():
            coef[s, FEATURES.index(name)] = value
    trans = np.array([[0.70, 0.15, 0.13, 0.02],
                      [0.00, 0.70, 0.28, 0.02],
                      [0.00, 0.00, 0.85, 0.15],
                      [0.00, 0.00, 0.00, 1.00]])
    return StageParams(features=list(FEATURES), coef=coef, intercept=np.zeros(N),
                       priors=np.full(N, 1.0 / N), start=np.array([0.55, 0.2, 0.25, 0.0001]),
                       transitions=trans, meta={"name": "stage-hmm", "fitted": False,
                                                "note": "hand-set parameters"})


def fit_memm(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
             C: float = DEFAULT_C) -> dict[str, dict]:
    """Input-dependent transitions: for each previous state, P(next stage | x_t).

    Training rows: the first turn of every session under "start" (any stage may come first),
    and every later turn under the gold stage of the turn before it, labelled with its own
    gold stage (staying or moving on). Closing never moves on, so it needs no model.
    """
    from sklearn.linear_model import LogisticRegression

    bias = FEATURES.index("bias")
    rows: dict[str, list[np.ndarray]] = {"start": [], **{s: [] for s in STAGES[:-1]}}
    targets: dict[str, list[str]] = {k: [] for k in rows}
    for matrix, seq in zip(matrices, labels, strict=True):
        for t, stage in enumerate(seq):
            prev = "start" if t == 0 else seq[t - 1]
            if prev in rows:
                rows[prev].append(matrix[t])
                targets[prev].append(stage)
    models: dict[str, dict] = {}
    for prev, X in rows.items():
        y = np.array(targets[prev])
        classes = sorted(set(y.tolist()), key=STAGES.index)
        if not classes:
            continue
        if len(classes) == 1:
            models[prev] = {"classes": classes, "coef": np.zeros((1, len(FEATURES))),
                            "intercept": np.zeros(1)}
            continue
        clf = LogisticRegression(C=C, max_iter=3000, class_weight=MEMM_WEIGHT)
        clf.fit(np.delete(np.vstack(X), bias, axis=1), y)
        coef = np.insert(clf.coef_, bias, 0.0, axis=1)
        intercept = clf.intercept_
        if len(clf.classes_) == 2:  # sklearn keeps one row for two classes: make it two
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        models[prev] = {"classes": [str(c) for c in clf.classes_], "coef": coef,
                        "intercept": intercept}
    return models


def fit_perceptron(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
                   epochs: int = DEFAULT_EPOCHS, seed: int = 0) -> dict[str, np.ndarray]:
    """Averaged structured perceptron (Collins 2002) over the left-to-right chain.

    Decodes each gold session with the current weights and moves them towards the gold
    path's features and away from the predicted one's; the average over all steps is kept.
    Trained on whole sequences, it learns where stages *start* (``enter``) as well as what
    they look like (``emit``), which per-turn classifiers only see indirectly.
    """
    from .segmenter import crf_scores, viterbi

    F = len(FEATURES)
    w = {"emit": np.zeros((N, F)), "enter": np.zeros((N, F)), "trans": np.zeros((N, N))}
    total = {k: np.zeros_like(v) for k, v in w.items()}
    gold_paths = [[STAGES.index(s) for s in seq] for seq in labels]
    order = np.arange(len(matrices))
    rng = np.random.default_rng(seed)
    steps_done = 0

    def phi(matrix: np.ndarray, path: list[int]) -> dict[str, np.ndarray]:
        f = {"emit": np.zeros((N, F)), "enter": np.zeros((N, F)), "trans": np.zeros((N, N))}
        for t, s in enumerate(path):
            f["emit"][s] += matrix[t]
            if t == 0 or path[t - 1] != s:
                f["enter"][s] += matrix[t]
            if t:
                f["trans"][path[t - 1], s] += 1
        return f

    for _ in range(epochs):
        rng.shuffle(order)
        for k in order:
            matrix, gold = matrices[k], gold_paths[k]
            if not gold:
                continue
            init, steps = crf_scores(matrix, w["emit"], w["enter"], w["trans"])
            pred = viterbi(init, steps)
            if pred != gold:
                fg, fp = phi(matrix, gold), phi(matrix, pred)
                for key in w:
                    w[key] += fg[key] - fp[key]
            for key in w:
                total[key] += w[key]
            steps_done += 1
    return {k: v / max(steps_done, 1) for k, v in total.items()}


def fit_emission(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
                 C: float = DEFAULT_C) -> tuple[np.ndarray, np.ndarray]:
    """Emission classifier P(stage | evidence): (coef (stages, features), intercept).

    Multinomial logistic regression, L2, class-balanced by ``BALANCED``; a stage absent from
    ``labels`` gets intercept -20 (never emitted)."""
    from sklearn.linear_model import LogisticRegression

    X = np.vstack(matrices)
    y = np.array([STAGES.index(s) for seq in labels for s in seq])
    bias = FEATURES.index("bias")
    X_fit = np.delete(X, bias, axis=1)  # the classifier has its own intercept
    clf = LogisticRegression(C=C, max_iter=2000, class_weight=BALANCED)
    clf.fit(X_fit, y)
    coef = np.zeros((N, len(FEATURES)))
    intercept = np.zeros(N)
    for row, cls in enumerate(clf.classes_):
        coef[cls] = np.insert(clf.coef_[row], bias, 0.0)
        intercept[cls] = clf.intercept_[row]
    for cls in set(range(N)) - set(clf.classes_):
        intercept[cls] = -20.0  # a stage never seen in the gold is never emitted
    return coef, intercept


def mix_has(mix: dict[str, float] | None, part: str) -> bool:
    """Whether the decoding mix (default ``DEFAULT_MIX``) uses ``part``."""
    return bool((mix or DEFAULT_MIX).get(part))


def _resamples(n: int, bags: int, fraction: float | None, seed: int
               ) -> list[np.ndarray] | None:
    """Session indices of each bag (seeded), or None for no bagging."""
    if bags <= 0 or n == 0:
        return None
    out = []
    for b in range(bags):
        rng = np.random.default_rng([seed, b])
        if fraction is None:
            out.append(np.sort(rng.integers(0, n, n)))
        else:
            out.append(np.sort(rng.permutation(n)[:max(1, round(fraction * n))]))
    return out


def _bagged(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
            rounds: list[np.ndarray], C: float, mix: dict[str, float] | None
            ) -> tuple[np.ndarray, np.ndarray, dict | None, np.ndarray | None]:
    """Emission, MEMM and boundary weights averaged over fits on resampled sessions.

    Why: the fitted parts are high-variance (the learning curve is still steep at 161
    sessions); averaging the coefficients of fits on resamples (bagging by parameter
    averaging) lowers that variance while the shipped model stays one linear scorer per
    part, so decoding costs nothing more. Every part is a softmax over weights centred over
    its classes (sklearn's multinomial solution; the two-class MEMM rows are made +-half),
    so the averages are comparable across bags. A MEMM whose classes differ in a bag from
    those of the full data (a rare stage missing from the resample) is averaged over the
    bags that have them all; if none has, the full-data fit is kept."""
    coefs, inters, bounds = [], [], []
    memms: list[dict[str, dict]] = []
    for idx in rounds:
        m = [matrices[i] for i in idx]
        lab = [labels[i] for i in idx]
        c, i0 = fit_emission(m, lab, C)
        coefs.append(c)
        inters.append(i0)
        if mix_has(mix, "memm"):
            memms.append(fit_memm(m, lab, MEMM_C or C))
        if mix_has(mix, "boundary"):
            bounds.append(fit_boundaries(m, lab, BOUNDARY_C))
    memm = None
    if mix_has(mix, "memm"):
        memm = fit_memm(matrices, labels, MEMM_C or C)
        for prev, full in memm.items():
            same = [b[prev] for b in memms
                    if prev in b and list(b[prev]["classes"]) == list(full["classes"])]
            if same:
                full["coef"] = np.mean([b["coef"] for b in same], axis=0)
                full["intercept"] = np.mean([b["intercept"] for b in same], axis=0)
    bound = np.mean(bounds, axis=0) if bounds else None
    return np.mean(coefs, axis=0), np.mean(inters, axis=0), memm, bound


def fit_params(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
               C: float = DEFAULT_C, meta: dict | None = None,
               mix: dict[str, float] | None = None,
               decoding: dict | None = None, bags: int = DEFAULT_BAGS,
               bag_fraction: float | None = DEFAULT_BAG_FRACTION,
               bag_seed: int = 0,
               context_matrices: Sequence[np.ndarray] | None = None) -> StageParams:
    """Fit emissions, priors, start and transitions (and the MEMM) on gold sessions.

    ``decoding``: how the segmenter reads labels off the chain (default ``DEFAULT_DECODING``;
    ``{}`` for plain Viterbi). ``bags``: average the emission, MEMM and boundary weights
    over that many seeded resamples of the sessions (``_bagged``; 0: one fit); the start,
    transition and prior counts always come from all sessions. ``context_matrices``: the
    matrices the context MEMM learns from (default ``matrices``; ``fit_stacked`` passes them
    with the check for meetings put off applied, as the decoder will see them)."""
    y = np.array([STAGES.index(s) for seq in labels for s in seq])
    rounds = _resamples(len(labels), bags, bag_fraction, bag_seed)
    if rounds is None:
        coef, intercept = fit_emission(matrices, labels, C)
        memm = fit_memm(matrices, labels, MEMM_C or C) if mix_has(mix, "memm") else None
        bound = fit_boundaries(matrices, labels, BOUNDARY_C) if mix_has(mix, "boundary") \
            else None
    else:
        coef, intercept, memm, bound = _bagged(matrices, labels, rounds, C, mix)
    # scaled likelihoods divide by the prior the classifier was trained under: uniform with
    # class-balanced weights, the gold stage frequencies without
    if BALANCED:
        priors = np.full(N, 1.0 / N)
    else:
        priors = (np.bincount(y, minlength=N) + 1.0) / (len(y) + N)
    counts = np.ones((N, N)) * np.triu(np.ones((N, N)))
    start = np.ones(N)
    for seq in labels:
        idx = [STAGES.index(s) for s in seq]
        if idx:
            start[idx[0]] += 1
        for a, b in zip(idx, idx[1:], strict=False):
            counts[a, b] += 1
    trans = counts / counts.sum(axis=1, keepdims=True)
    info = {"name": "stage-hmm", "fitted": True, "C": C, "sessions": len(labels),
            "turns": int(len(y)), "date": _dt.date.today().isoformat()}
    if rounds is not None:
        info["bags"] = {"n": bags, "fraction": bag_fraction, "seed": bag_seed}
    info.update(meta or {})
    mix = dict(mix or DEFAULT_MIX)
    info["mix"] = mix
    return StageParams(features=list(FEATURES), coef=coef, intercept=intercept,
                       priors=priors, start=start / start.sum(), transitions=trans, meta=info,
                       memm=memm, mix=mix,
                       crf=fit_perceptron(matrices, labels) if mix.get("crf") else None,
                       boundary=bound,
                       context=fit_context(context_matrices or matrices, labels,
                                           list(FEATURES)) if mix.get("context") else None,
                       decoding=dict(DEFAULT_DECODING if decoding is None else decoding)
                       or None)


def fit_stacked(matrices: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
                tokens: Sequence[Sequence[tuple[str, ...]]] | None = None, *,
                text_c: float = TEXT_C, inner: int = INNER_FOLDS, seed: int = 0,
                **kwargs) -> StageParams:
    """``fit_params`` with the learned text signal stacked under it (the standard fit).

    The ``text_*`` columns of every training session are filled out-of-fold
    (``text.oof_columns``: a text model fitted on the other ``inner`` folds of these
    sessions, seeded by ``seed``), the stage parameters are fitted on those matrices, and
    the text model the segmenter ships (``params.text``) is fitted on all of them. So no
    session's labels reach its own text columns, and at prediction time the columns come
    from a text model fitted on every session given here. ``tokens``: each session's
    ``text.turn_tokens``; None fits without a text model (the columns stay 0)."""
    if tokens is None:
        return fit_params(matrices, labels, **kwargs)
    cols = [FEATURES.index(column_name(t)) for t in TARGETS]
    filled = []
    for matrix, probs in zip(matrices, oof_columns(tokens, labels, k=inner, seed=seed,
                                                   targets=TARGETS, C=text_c), strict=True):
        m = np.array(matrix, dtype=float)
        m[:, cols] = probs
        filled.append(m)
    gate = fit_gate(matrices, labels)
    params = fit_params(filled, labels, context_matrices=[apply_gate(gate, m) for m in filled],
                        **kwargs)
    params.gate = gate
    params.text = fit_text(tokens, labels, targets=TARGETS, C=text_c)
    params.meta["text"] = {"targets": list(TARGETS), "C": text_c, "inner_folds": inner,
                           "seed": seed, "vocabulary": len(params.text.vocab)}
    return params


def main(argv: Sequence[str] | None = None) -> int:
    """Refit ``params.json`` on gold TSVs (``python -m analyzer.stages.fit``)."""
    from ..errors import AnalyzerError, UsageError
    from .evaluate import check_refit, default_gold_files, gold_evidence, out_of_fold_moves
    from .gold import read_gold, resolve
    from .text import turn_tokens

    parser = argparse.ArgumentParser(prog="python -m analyzer.stages.fit",
                                     description="Refit the stage HMM on all gold sessions.")
    parser.add_argument("gold", nargs="*", help="gold TSVs (default corpora/stages/gold_*.tsv)")
    parser.add_argument("--casino", default=None, help="CaSiNo folder")
    parser.add_argument("--model", default=None, help="move model folder")
    parser.add_argument("--C", type=float, default=DEFAULT_C)
    parser.add_argument("--out", default=str(PARAMS_PATH))
    parser.add_argument("--oof-moves", default=None,
                        help="out-of-fold move labels (python -m analyzer.stages.oof_moves; "
                             "built first if the file is missing) for the CaSiNo dialogues "
                             "the move model was trained on")
    args = parser.parse_args(argv)
    try:
        files = args.gold or [str(p) for p in default_gold_files()]
        if not files:
            raise UsageError("no gold files given and none in corpora/stages/",
                             hint="pass gold TSVs, e.g. corpora/stages/gold_casino.tsv")
        entries = [e for f in files for e in read_gold(f)]
        pairs = resolve(entries, casino=args.casino)
        check_refit(len(pairs))
        oof = None
        if args.oof_moves:
            from .oof_moves import info

            oof = out_of_fold_moves(args.oof_moves, pairs, casino=args.casino, log=print)
        matrices, labels = gold_evidence(pairs, model_dir=args.model, oof_moves=oof)
        params = fit_stacked(matrices, labels, [turn_tokens(t) for _, t in pairs], C=args.C,
                             meta={"gold": [Path(f).name for f in files],
                                   "oof_moves": info(args.oof_moves) if oof else None})
        params.save(Path(args.out))
    except AnalyzerError as exc:
        # as the CLI prints it (code, message, fix) and its usage exit code: until 28 Nov
        # 2026 a gold error here was a raw traceback (QA)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"fitted on {len(labels)} sessions, {sum(map(len, labels))} turns -> {args.out}")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
