"""The move classifier: a scikit-learn estimator over n-gram, cue and context features.

Two heads share one feature matrix:

* the **label head** predicts the coded move labels (CaSiNo's 10 strategies, multi-label
  one-vs-rest logistic regressions; or a user's own label set, multinomial when every row
  has one label);
* the **orientation head** predicts integrative / distributive / neutral directly (a
  multinomial logistic regression on the same features plus the label head's
  out-of-fold probabilities, i.e. stacking), its target derived from the labels with the
  orientation map and the mixed-turn rule of ``taxonomy.orientation_of_labels``.

After fitting, both heads' coefficients are kept as one float32 matrix, so prediction is a
single sparse matrix product for all heads (fast, and small to store). Probabilities are
logistic-regression probabilities, optionally temperature-scaled on out-of-fold scores
(``calibrate=True``) so that ``confidence`` means what it says; docs/moves.md reports their
Brier score and ECE.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from ..results import ORIENTATIONS
from .features import TurnFeaturizer
from .taxonomy import CASINO_ORIENTATION, orientation_of_labels


def as_label_sets(y) -> list[tuple[str, ...]]:
    """Labels as tuples: accepts tuples/lists, or strings ("a,b" is two labels)."""
    out = []
    for v in y:
        if isinstance(v, str):
            out.append(tuple(x.strip() for x in v.split(",") if x.strip()))
        else:
            out.append(tuple(str(x) for x in v))
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class MoveClassifier(ClassifierMixin, BaseEstimator):
    """Predicts move labels and orientation for rows of a turn table (``features.turn_frame``).

    ``fit(X, y)``: X a turn table, y the label sets (tuples or comma-separated strings).
    ``classes_`` are the labels; ``predict_proba`` gives one probability per label (independent
    for multi-label data, summing to 1 otherwise); ``predict_orientation_proba`` gives
    probabilities over ``orientation_classes_``.
    """

    def __init__(self, orientation_map=None, C=2.0, orientation_C=2.0, word_ngrams=(1, 2),
                 char_ngrams=(2, 5), min_df=2, max_char_features=30000, use_cues=True,
                 use_context=True, prev_weight=0.5, stack=True, stack_weight=1.0,
                 class_weight="balanced", threshold=0.5, calibrate=True, random_state=0):
        self.orientation_map = orientation_map
        self.C = C
        self.orientation_C = orientation_C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_char_features = max_char_features
        self.use_cues = use_cues
        self.use_context = use_context
        self.prev_weight = prev_weight
        self.stack = stack
        self.stack_weight = stack_weight
        self.class_weight = class_weight
        self.threshold = threshold
        self.calibrate = calibrate
        self.random_state = random_state

    # ---------------------------------------------------------------- fitting
    def fit(self, X: pd.DataFrame, y, groups=None):
        sets = as_label_sets(y)
        if len(sets) != len(X):
            raise ValueError("X and y have different lengths")
        self.classes_ = np.array(sorted({lab for s in sets for lab in s}), dtype=object)
        if len(self.classes_) < 2:
            raise ValueError("need at least two different labels to learn from")
        self.multilabel_ = any(len(s) > 1 for s in sets)
        mapping = self.orientation_map
        if mapping is None:
            known = set(self.classes_) <= set(CASINO_ORIENTATION)
            mapping = CASINO_ORIENTATION if known else {}
        self.orientation_map_ = {str(k): str(v) for k, v in dict(mapping).items()}
        self.orientation_classes_ = np.array(ORIENTATIONS, dtype=object)
        Y = self._indicator(sets)
        o = np.array([ORIENTATIONS.index(orientation_of_labels(s, self.orientation_map_))
                      for s in sets])
        if groups is None:
            groups = X["session_id"].to_numpy() if "session_id" in X else np.arange(len(X))

        self.featurizer_ = TurnFeaturizer(
            word_ngrams=self.word_ngrams, char_ngrams=self.char_ngrams, min_df=self.min_df,
            max_char_features=self.max_char_features, use_cues=self.use_cues,
            use_context=self.use_context, prev_weight=self.prev_weight).fit(X)
        M = self.featurizer_.transform(X)

        label_W, label_b = self._fit_labels(M, Y)
        do_stack = self.stack and len(np.unique(o)) > 1
        Z_lab = None
        if do_stack or self.calibrate:
            Z_lab = self._oof_label_scores(M, Y, groups)
        if len(np.unique(o)) > 1:
            M_o = self._with_stack(M, Z_lab) if do_stack else M
            orient = LogisticRegression(C=self.orientation_C, max_iter=3000,
                                        class_weight=self.class_weight)
            orient.fit(M_o, o)
            o_W = np.zeros((M_o.shape[1], len(ORIENTATIONS)), dtype=np.float32)
            o_b = np.full(len(ORIENTATIONS), -30.0, dtype=np.float32)
            cols = orient.classes_
            if len(cols) == 2:  # binary LR: one coefficient row for the second class
                o_W[:, cols[1]] = orient.coef_[0]
                o_b[cols[1]] = orient.intercept_[0]
                o_b[cols[0]] = 0.0
            else:
                o_W[:, cols] = orient.coef_.T
                o_b[cols] = orient.intercept_
        else:
            o_W = np.zeros((M.shape[1] + (len(self.classes_) if do_stack else 0),
                            len(ORIENTATIONS)), dtype=np.float32)
            o_b = np.full(len(ORIENTATIONS), -30.0, dtype=np.float32)
            o_b[o[0]] = 0.0
        self.stacked_ = bool(do_stack)
        self.label_coef_ = label_W.astype(np.float32)
        self.label_intercept_ = label_b.astype(np.float32)
        self.orientation_coef_ = o_W
        self.orientation_intercept_ = o_b
        self.label_temperature_ = 1.0
        self.orientation_temperature_ = 1.0
        if self.calibrate:
            self._fit_temperatures(M, Y, o, groups, Z_lab)
        self.n_features_in_ = M.shape[1]
        return self

    def _indicator(self, sets) -> np.ndarray:
        index = {c: j for j, c in enumerate(self.classes_)}
        Y = np.zeros((len(sets), len(self.classes_)), dtype=np.int8)
        for i, s in enumerate(sets):
            for lab in s:
                if lab in index:
                    Y[i, index[lab]] = 1
        return Y

    def _fit_labels(self, M, Y) -> tuple[np.ndarray, np.ndarray]:
        K = Y.shape[1]
        W = np.zeros((M.shape[1], K))
        b = np.zeros(K)
        if self.multilabel_:
            for k in range(K):
                if Y[:, k].min() == Y[:, k].max():
                    b[k] = 30.0 if Y[0, k] else -30.0
                    continue
                lr = LogisticRegression(C=self.C, max_iter=3000, class_weight=self.class_weight,
                                        solver="liblinear", dual=True, tol=1e-3,
                                        random_state=self.random_state)
                lr.fit(M, Y[:, k])
                W[:, k], b[k] = lr.coef_[0], lr.intercept_[0]
        else:
            yk = Y.argmax(axis=1)
            lr = LogisticRegression(C=self.C, max_iter=3000, class_weight=self.class_weight)
            lr.fit(M, yk)
            if len(lr.classes_) == 2:
                W[:, lr.classes_[1]], b[lr.classes_[1]] = lr.coef_[0], lr.intercept_[0]
            else:
                W[:, lr.classes_], b[lr.classes_] = lr.coef_.T, lr.intercept_
        return W, b

    def _folds(self, groups, n=5):
        ug = np.unique(groups)
        n = min(n, len(ug))
        if n < 2:
            return []
        rng = np.random.RandomState(self.random_state)
        order = rng.permutation(len(ug))
        fold_of = {g: int(i % n) for g, i in zip(ug[order], range(len(ug)), strict=False)}
        f = np.array([fold_of[g] for g in groups])
        return [(np.where(f != k)[0], np.where(f == k)[0]) for k in range(n)]

    def _oof_label_scores(self, M, Y, groups) -> np.ndarray:
        """Label-head scores for every training row from a model that did not see its
        dialogue (inner group folds), so the orientation head learns from honest inputs."""
        Z = np.zeros(Y.shape, dtype=np.float32)
        for tr, te in self._folds(groups):
            W, b = self._fit_labels(M[tr], Y[tr])
            Z[te] = M[te] @ W + b
        return Z

    def _label_probs_from_scores(self, Z, T=1.0):
        return _sigmoid(Z / T) if self.multilabel_ else _softmax(Z / T)

    def _with_stack(self, M, Z):
        P = self._label_probs_from_scores(np.asarray(Z, dtype=np.float32))
        return sp.hstack([M, sp.csr_matrix(P * self.stack_weight)], format="csr")

    def _fit_temperatures(self, M, Y, o, groups, Z_lab):
        """One temperature per head, chosen on out-of-fold scores to minimise log-loss."""
        temps = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5])
        if Z_lab is not None:
            losses = []
            for T in temps:
                P = np.clip(self._label_probs_from_scores(Z_lab, T), 1e-6, 1 - 1e-6)
                losses.append(-np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P)))
            self.label_temperature_ = float(temps[int(np.argmin(losses))])
        if len(np.unique(o)) < 2:
            return
        Zo = np.zeros((len(o), len(ORIENTATIONS)), dtype=np.float32)
        folds = self._folds(groups)
        if not folds:
            return
        for tr, te in folds:
            Mo = M
            if self.stacked_:
                Mo = self._with_stack(M, Z_lab)
            lr = LogisticRegression(C=self.orientation_C, max_iter=3000,
                                    class_weight=self.class_weight)
            if len(np.unique(o[tr])) < 2:
                return
            lr.fit(Mo[tr], o[tr])
            z = np.full((len(te), len(ORIENTATIONS)), -30.0, dtype=np.float32)
            if len(lr.classes_) == 2:
                z[:, lr.classes_[0]] = 0.0
                z[:, lr.classes_[1]] = lr.decision_function(Mo[te])
            else:
                z[:, lr.classes_] = lr.decision_function(Mo[te])
            Zo[te] = z
        losses = [-np.mean(np.log(np.clip(_softmax(Zo / T)[np.arange(len(o)), o], 1e-9, 1)))
                  for T in temps]
        self.orientation_temperature_ = float(temps[int(np.argmin(losses))])

    # ---------------------------------------------------------------- predicting
    def features(self, X: pd.DataFrame):
        return self.featurizer_.transform(X)

    def scores(self, M) -> tuple[np.ndarray, np.ndarray]:
        """(label probabilities, orientation probabilities) from a feature matrix."""
        Zl = np.asarray(M @ self.label_coef_) + self.label_intercept_
        Pl = self._label_probs_from_scores(Zl, self.label_temperature_)
        Mo = sp.hstack([M, sp.csr_matrix(self._label_probs_from_scores(Zl) * self.stack_weight)],
                       format="csr") if self.stacked_ else M
        Zo = np.asarray(Mo @ self.orientation_coef_) + self.orientation_intercept_
        return Pl, _softmax(Zo / self.orientation_temperature_)

    def predict_proba(self, X) -> np.ndarray:
        return self.scores(self.features(X))[0]

    def predict_orientation_proba(self, X) -> np.ndarray:
        return self.scores(self.features(X))[1]

    def labels_from_proba(self, P: np.ndarray) -> list[tuple[str, ...]]:
        """Label sets: every label at or above ``threshold`` (multi-label), at least the best."""
        out = []
        for row in P:
            if self.multilabel_:
                idx = [j for j in np.argsort(-row) if row[j] >= self.threshold] or \
                      [int(row.argmax())]
            else:
                idx = [int(row.argmax())]
            out.append(tuple(self.classes_[j] for j in idx))
        return out

    def predict(self, X):
        P = self.predict_proba(X)
        if self.multilabel_:
            Y = (P >= self.threshold).astype(int)
            Y[np.arange(len(P)), P.argmax(axis=1)] = 1
            return Y
        return self.classes_[P.argmax(axis=1)]

    def predict_labels(self, X) -> list[tuple[str, ...]]:
        return self.labels_from_proba(self.predict_proba(X))

    def predict_orientation(self, X) -> np.ndarray:
        return self.orientation_classes_[self.predict_orientation_proba(X).argmax(axis=1)]

    def feature_names(self) -> np.ndarray:
        names = self.featurizer_.get_feature_names_out()
        if self.stacked_:
            names = np.concatenate([names, [f"stack:{c}" for c in self.classes_]])
        return names
