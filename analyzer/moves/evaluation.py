"""Scoring move predictions against human codes: one held-out model or dialogue-level CV.

Figures: per-class precision / recall / F1, macro-F1, Cohen's kappa and the confusion table
for the 3-way orientation; per-label P/R/F1 and macro-F1 for the (multi-)label move codes;
Brier score and expected calibration error (ECE) of the orientation probabilities. In CV a
dialogue is never split across folds (folds are drawn over dialogues with a fixed seed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

from ..results import ORIENTATIONS
from .classifier import MoveClassifier, as_label_sets
from .data import CodedData
from .features import turn_frame
from .taxonomy import orientation_of_labels


@dataclass
class Scores:
    """Everything ``analyzer evaluate`` prints, as plain data (``as_dict`` for --json)."""

    n_turns: int
    n_dialogues: int
    orientation: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    derived_orientation: dict[str, Any] = field(default_factory=dict)
    setup: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"n_turns": self.n_turns, "n_dialogues": self.n_dialogues, "setup": self.setup,
                "orientation": self.orientation, "labels": self.labels,
                "derived_orientation": self.derived_orientation}


def class_report(y_true, y_pred, classes) -> dict[str, Any]:
    """Per-class P/R/F1 and support, macro-F1, Cohen's kappa and the confusion table."""
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    present = [c for c in classes if (y_true == c).any() or (y_pred == c).any()]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present,
                                                 zero_division=0)
    per = {c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
               "support": int(s[i])} for i, c in enumerate(present)}
    # one class in all (a scheme with no orientation map: every turn neutral): the table is
    # that count; scikit-learn warns about it even with ``labels`` given
    cm = confusion_matrix(y_true, y_pred, labels=present) if len(present) > 1 else \
        np.array([[len(y_true)]] if present else [[]], dtype=int)
    return {"per_class": per, "macro_f1": float(np.mean(f)) if len(f) else 0.0,
            "kappa": float(cohen_kappa_score(y_true, y_pred)) if len(set(y_true)) > 1 else 0.0,
            "accuracy": float(np.mean(y_true == y_pred)),
            "confusion": {"labels": present, "rows_true_cols_pred": cm.tolist()}}


def multilabel_report(true_sets, pred_sets, classes) -> dict[str, Any]:
    index = {c: j for j, c in enumerate(classes)}
    T = np.zeros((len(true_sets), len(classes)), dtype=int)
    P = np.zeros_like(T)
    for i, (a, b) in enumerate(zip(true_sets, pred_sets, strict=True)):
        for lab in a:
            if lab in index:
                T[i, index[lab]] = 1
        for lab in b:
            if lab in index:
                P[i, index[lab]] = 1
    p, r, f, s = precision_recall_fscore_support(T, P, zero_division=0)
    per = {c: {"precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]),
               "support": int(s[j])} for j, c in enumerate(classes)}
    # A label neither in the gold nor predicted (a model's label absent from a small test
    # file) has F1 0 by convention, not by error: averaging it in would lower macro-F1 for
    # nothing. Average over the labels present, as scikit-learn's ``labels=`` does.
    present = [j for j in range(len(classes)) if T[:, j].any() or P[:, j].any()]
    return {"per_class": per,
            "macro_f1": float(np.mean(f[present])) if present else 0.0,
            "macro_f1_labels": [classes[j] for j in present],
            "exact_match": float(np.mean((T == P).all(axis=1)))}


def calibration(probs: np.ndarray, y_idx: np.ndarray, bins: int = 10) -> dict[str, float]:
    """Multi-class Brier score and ECE (confidence of the top class vs its accuracy)."""
    onehot = np.eye(probs.shape[1])[y_idx]
    brier = float(np.mean(np.sum((probs - onehot) ** 2, axis=1)))
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y_idx
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=False):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return {"brier": brier, "ece": float(ece)}


def dialogue_folds(groups: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number per row; whole dialogues go to one fold, shuffled with ``seed``."""
    ug = np.unique(groups)
    rng = np.random.RandomState(seed)
    order = rng.permutation(len(ug))
    fold_of = {g: i % k for i, g in zip(range(len(ug)), ug[order], strict=False)}
    return np.array([fold_of[g] for g in groups])


def score(sets_true, sets_pred, P_or, classes, mapping, multilabel, n_dialogues,
          setup) -> Scores:
    o_true = [orientation_of_labels(s, mapping) for s in sets_true]
    o_pred = [ORIENTATIONS[i] for i in P_or.argmax(axis=1)]
    orient = class_report(o_true, o_pred, list(ORIENTATIONS))
    orient["calibration"] = calibration(P_or, np.array([ORIENTATIONS.index(o) for o in o_true]))
    if multilabel:
        labels = multilabel_report(sets_true, sets_pred, list(classes))
    else:
        labels = class_report([s[0] if s else "" for s in sets_true],
                              [s[0] for s in sets_pred], list(classes))
    derived = class_report(o_true, [orientation_of_labels(s, mapping) for s in sets_pred],
                           list(ORIENTATIONS))
    return Scores(len(sets_true), n_dialogues, orient, labels, derived, setup)


def cross_validate(data: CodedData, k: int = 5, seed: int = 0,
                   params: dict[str, Any] | None = None, progress=None) -> Scores:
    """Dialogue-level k-fold CV of a fresh ``MoveClassifier`` on ``data``.

    Sessions coded by the project (``data.train_only``, ``codes.py``) join every training
    fold and are never scored: the folds are drawn over the corpus's own coded sessions
    alone, exactly as without them, so the figures of both runs compare fold for fold."""
    from .training import DEFAULT_PARAMS

    X_all = turn_frame(data.transcripts, labelled_only=True)
    extra = X_all["session_id"].astype(str).isin(data.train_only).to_numpy()
    X = X_all[~extra].reset_index(drop=True)
    X_extra = X_all[extra].reset_index(drop=True)
    groups = X["session_id"].to_numpy()
    n_groups = len(np.unique(groups))
    if n_groups < k:
        from ..errors import UsageError

        raise UsageError(f"--cv {k} needs at least {k} sessions; the data has {n_groups}",
                         hint="lower --cv or add a session_id column to your CSV")
    folds = dialogue_folds(groups, k, seed)
    sets = as_label_sets(X["gold"])
    extra_sets = as_label_sets(X_extra["gold"]) if len(X_extra) else []
    extra_groups = X_extra["session_id"].astype(str).to_numpy()
    kwargs = {**DEFAULT_PARAMS, **(params or {})}
    P_or = np.zeros((len(X), len(ORIENTATIONS)))
    pred: list[tuple[str, ...]] = [()] * len(X)
    est = None
    for f in range(k):
        tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        X_tr, y_tr, g_tr = X.iloc[tr], [sets[i] for i in tr], groups[tr]
        if len(X_extra):
            X_tr = pd.concat([X_tr, X_extra], ignore_index=True)
            y_tr = y_tr + list(extra_sets)
            g_tr = np.concatenate([g_tr.astype(str), extra_groups])
        est = MoveClassifier(orientation_map=data.orientation_map or None, random_state=seed,
                             **kwargs)
        est.fit(X_tr, y_tr, groups=g_tr)
        parts = est.feature_parts(X.iloc[te])  # as labelling does (word vectors dense)
        Pl, Po = est.scores(parts.matrix, parts.dense)
        P_or[te] = Po
        for i, s in zip(te, est.labels_from_proba(Pl), strict=True):
            pred[i] = s
        if progress:
            progress(f + 1, k)
    classes = sorted({lab for s in sets for lab in s})
    mapping = est.orientation_map_
    setup = {"method": f"dialogue-level {k}-fold cross-validation", "seed": seed,
             "unit": _UNIT_NOTE.format(max_words=_max_words()),
             "params": {key: v for key, v in est.get_params().items()
                        if key != "orientation_map"}}
    if len(X_extra):
        setup["training_only"] = {
            "codes": [p.name for p in data.codes],
            "sessions": len(set(extra_groups)), "labelled_turns": int(len(X_extra)),
            "note": "project-coded sessions added to every training fold, never scored"}
    return score(sets, pred, P_or, classes, mapping, any(len(s) > 1 for s in sets),
                 n_groups, setup)


def dialogue_fingerprint(transcript) -> str:
    """A short hash of what a session says (its spoken turns' words, case and spacing
    ignored): the same dialogue in any file, under any name, has the same fingerprint."""
    import hashlib

    said = "\n".join(" ".join(turn.text.split()).casefold() for turn in transcript.turns
                     if turn.action is None)
    return hashlib.sha256(said.encode("utf-8")).hexdigest()[:16]


def training_overlap(meta: dict[str, Any], data: CodedData) -> list[str]:
    """The files of ``data`` the model card lists as training data, or, where the card
    holds the fingerprints of its training dialogues, what of ``data`` they find.

    The card records the training files' names and one hash of them all, so a file counts
    as seen when its name is listed or when ``data`` as a whole has the card's hash. A
    subset of the training data under another name has neither: until 28 Nov 2026 its
    scores were called held out (researcher QA). Cards since then also list a fingerprint
    per training dialogue (``dialogue_fingerprint``), and any dialogue of ``data`` among
    them makes the evaluation in-sample ("12 of 20 dialogues in casino_small.json").
    Scores on such files are in-sample: they show memory, not accuracy on new data.
    """
    card = meta.get("training_data") or {}
    codes = set(data.codes)  # the project's codes are never scored, so never the question
    names = [p.name for p in data.files if p not in codes]
    if card.get("sha256") and card.get("sha256") == data.sha256():
        return names
    listed = set(card.get("files") or ())
    seen = [n for n in names if n in listed]
    known = set(card.get("dialogue_fingerprints") or ())
    if known and not seen:
        scored = [t for t in data.transcripts if str(t.session_id) not in data.train_only
                  and any(turn.gold for turn in t.turns)]
        by_file: dict[str, list[int]] = {}
        for t in scored:
            counts = by_file.setdefault(Path(t.source).name, [0, 0])
            counts[1] += 1
            counts[0] += dialogue_fingerprint(t) in known
        seen = [f"{hit} of {total} dialogues in {name}"
                for name, (hit, total) in by_file.items() if hit]
    return seen


def evaluate_model(model, data: CodedData) -> Scores:
    """Score a trained model on coded data (held out, unless the card lists its files)."""
    est: MoveClassifier = model.estimator
    X = turn_frame(data.transcripts, labelled_only=True)
    if data.train_only:  # project codes are training data, never a yardstick
        X = X[~X["session_id"].astype(str).isin(data.train_only)].reset_index(drop=True)
    sets = as_label_sets(X["gold"])
    parts = est.feature_parts(X)
    Pl, Po = est.scores(parts.matrix, parts.dense)
    pred = est.labels_from_proba(Pl)
    classes = sorted(set(map(str, est.classes_)) | {lab for s in sets for lab in s})
    mapping = dict(est.orientation_map_)
    if data.orientation_map:
        mapping.update(data.orientation_map)
    seen = training_overlap(model.meta, data)
    method = ("in-sample evaluation of a trained model (its training data: "
              f"{', '.join(seen)})" if seen else "held-out evaluation of a trained model")
    setup = {"method": method, "model": model.info.get("name"),
             "model_hash": model.info.get("hash"), "in_sample": bool(seen),
             "unit": _UNIT_NOTE.format(max_words=_max_words())}
    return score(sets, pred, Po, classes, mapping, bool(est.multilabel_),
                 len(set(X["session_id"])), setup)


#: What the figures score. Training and scoring label whole turns, while ``analyze`` labels
#: the sentence units of long turns and rolls them up, so its turn labels can differ.
_UNIT_NOTE = ("whole turns (analyze splits turns over {max_words} words into sentence units "
              "and rolls their labels up, so its labels of long turns can differ)")


def _max_words() -> int:
    from ..nlp.units import MAX_WORDS

    return MAX_WORDS


def format_scores(s: Scores, level: str = "both") -> str:
    """Plain-text tables of the scores (what the CLI prints)."""
    lines = [f"{s.setup.get('method', '')}: {s.n_turns} coded turns in {s.n_dialogues} "
             "sessions"]
    if s.setup.get("in_sample"):
        lines.append("these figures are in-sample (the model has seen these turns): they say "
                     "nothing about new data; use --cv K for honest ones")
    lines.append(f"labelled unit: {s.setup.get('unit', 'whole turns')}")
    extra = s.setup.get("training_only")
    if extra:
        lines.append(f"every training fold also had {extra['labelled_turns']} turns of "
                     f"{extra['sessions']} sessions coded by the project "
                     f"({', '.join(extra['codes'])}; never scored)")

    def block(title, rep, with_kappa=True):
        lines.append("")
        lines.append(title)
        lines.append(f"  {'class':<22}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
        for c, v in rep["per_class"].items():
            lines.append(f"  {c:<22}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}"
                         f"{v['support']:>9d}")
        tail = f"  macro-F1 {rep['macro_f1']:.3f}"
        absent = len(rep["per_class"]) - len(rep.get("macro_f1_labels", rep["per_class"]))
        if absent:
            tail += (f" (over the {len(rep['macro_f1_labels'])} labels in the gold or the "
                     f"predictions; {absent} with neither left out)")
        if with_kappa and "kappa" in rep:
            tail += f"   Cohen's kappa {rep['kappa']:.3f}   accuracy {rep['accuracy']:.3f}"
        lines.append(tail)

    if level in ("orientation", "both"):
        block("Orientation (integrative / distributive / neutral)", s.orientation)
        cal = s.orientation.get("calibration", {})
        if cal:
            lines.append(f"  calibration: Brier {cal['brier']:.3f}   ECE {cal['ece']:.3f}")
        conf = s.orientation["confusion"]
        lines.append("  confusion (rows = human, columns = model):")
        lines.append("  " + " " * 14 + "".join(f"{c[:12]:>14}" for c in conf["labels"]))
        for c, row in zip(conf["labels"], conf["rows_true_cols_pred"], strict=False):
            lines.append(f"  {c[:12]:<14}" + "".join(f"{v:>14d}" for v in row))
        d = s.derived_orientation
        if d:
            lines.append(f"  orientation derived from predicted labels by the mixed-turn rule: "
                         f"macro-F1 {d['macro_f1']:.3f}, kappa {d['kappa']:.3f}")
    if level in ("strategy", "both"):
        block("Move labels" + (" (multi-label)" if "exact_match" in s.labels else ""),
              s.labels, with_kappa="kappa" in s.labels)
    return "\n".join(lines)
