"""The move classifier: a scikit-learn estimator over n-gram, cue and context features.

Two stages, all logistic regressions:

1. a **text-only label model** reads one turn's own words, characters and cues and gives a
   probability per move label. It is applied to the turn itself, the turn before and the
   turn after; in training these probabilities are out-of-fold (each dialogue scored by a
   model that never saw it), so the second stage learns from honest inputs;
2. two **heads** read the full features (own text, previous / next turn's words and cues,
   position) plus the stage-1 probabilities of the turn and its neighbours:
   * the **label head** predicts the coded labels (CaSiNo's 10 strategies as one-vs-rest
     binary models, or a user's own label set, multinomial when every row has one label);
   * the **orientation head** predicts integrative / distributive / neutral directly
     (multinomial), its target derived from the labels with the orientation map and the
     mixed-turn rule of ``taxonomy.orientation_of_labels``.

After fitting, every head's coefficients are kept as float32 matrices, so prediction is a few
sparse matrix products for a whole batch (fast, and small to store). Orientation
probabilities are temperature-scaled on out-of-fold scores (``calibrate=True``) so that
``confidence`` means what it says; docs/moves.md reports Brier score and ECE.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from ..results import ORIENTATIONS
from .features import FeatureParts, TurnFeaturizer
from .taxonomy import CASINO_ORIENTATION, orientation_of_labels

STACK_PARTS = ("text", "prev", "next")


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
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def group_folds(groups, n: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices; whole groups (dialogues) go to one fold."""
    groups = np.asarray(groups)
    ug = np.unique(groups)
    n = min(n, len(ug))
    if n < 2:
        return []
    order = np.random.RandomState(seed).permutation(len(ug))
    fold_of = {g: int(i % n) for i, g in enumerate(ug[order])}
    f = np.array([fold_of[g] for g in groups])
    return [(np.flatnonzero(f != k), np.flatnonzero(f == k)) for k in range(n)]


class MoveClassifier(ClassifierMixin, BaseEstimator):
    """Predicts move labels and orientation for rows of a turn table (``features.turn_frame``).

    ``fit(X, y)``: X a turn table, y the label sets (tuples or comma-separated strings).
    ``classes_`` are the labels; ``predict_proba`` gives one probability per label (independent
    for multi-label data, summing to 1 otherwise); ``predict_orientation_proba`` gives
    probabilities over ``orientation_classes_``.
    """

    def __init__(self, orientation_map=None, C=3.0, orientation_C=1.0, stage1_C=1.0,
                 word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=2, max_char_features=30000,
                 use_cues=True, use_context=True, prev_weight=0.5,
                 context_texts=("prev_text", "next_text"), next_weight=0.5, stack=True,
                 stack_weight=1.0, class_weight="balanced", threshold=0.6, calibrate=True,
                 blend=0.5, inner_folds=5, random_state=0):
        self.orientation_map = orientation_map
        self.C = C
        self.orientation_C = orientation_C
        self.stage1_C = stage1_C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_char_features = max_char_features
        self.use_cues = use_cues
        self.use_context = use_context
        self.prev_weight = prev_weight
        self.context_texts = context_texts
        self.next_weight = next_weight
        self.stack = stack
        self.stack_weight = stack_weight
        self.class_weight = class_weight
        self.threshold = threshold
        self.calibrate = calibrate
        self.blend = blend
        self.inner_folds = inner_folds
        self.random_state = random_state

    # ---------------------------------------------------------------- fitting
    def fit(self, X: pd.DataFrame, y, groups=None):
        # One BLAS thread: L-BFGS on these small problems gets ~10x slower when OpenBLAS
        # threads fight over a busy machine (measured: 53 s -> 4.6 s on a 20-dialogue fit).
        with threadpool_limits(limits=1):
            return self._fit(X, y, groups)

    def _fit(self, X: pd.DataFrame, y, groups=None):
        for cache in ("_names", "_explain", "_heads_coef"):  # of an earlier fit
            self.__dict__.pop(cache, None)
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
        folds = group_folds(groups, self.inner_folds, self.random_state)

        self.featurizer_ = TurnFeaturizer(
            word_ngrams=self.word_ngrams, char_ngrams=self.char_ngrams, min_df=self.min_df,
            max_char_features=self.max_char_features, use_cues=self.use_cues,
            use_context=self.use_context, prev_weight=self.prev_weight,
            context_texts=tuple(self.context_texts), next_weight=self.next_weight).fit(X)
        M, T, idx = self.featurizer_.transform_with_texts(X)

        self.stacked_ = bool(self.stack and folds)
        if self.stacked_:
            W1, b1 = self._fit_labels(T[idx["text"]], Y, self.stage1_C)
            self.stage1_coef_, self.stage1_intercept_ = W1.astype(np.float32), b1.astype(
                np.float32)
            S = np.zeros((len(X), len(STACK_PARTS) * len(self.classes_)), dtype=np.float32)
            for tr, te in folds:  # out-of-fold stage-1 probabilities
                Wf, bf = self._fit_labels(T[idx["text"][tr]], Y[tr], self.stage1_C)
                S[te] = self._stack_block(T, {k: v[te] for k, v in idx.items()}, Wf, bf)
            M = sp.hstack([M, sp.csr_matrix(S)], format="csr")

        W, b = self._fit_labels(M, Y, self.C)
        self.label_coef_, self.label_intercept_ = W.astype(np.float32), b.astype(np.float32)
        self.orientation_coef_, self.orientation_intercept_ = self._fit_orientation(M, o)
        self.orientation_temperature_ = 1.0
        if self.calibrate and folds and len(np.unique(o)) > 1:
            Zo = np.zeros((len(o), len(ORIENTATIONS)), dtype=np.float32)
            for tr, te in folds:
                Wo, bo = self._fit_orientation(M[tr], o[tr])
                Zo[te] = np.asarray(M[te] @ Wo) + bo
            temps = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5])
            losses = [-np.mean(np.log(np.clip(_softmax(Zo / t)[np.arange(len(o)), o], 1e-9, 1)))
                      for t in temps]
            self.orientation_temperature_ = float(temps[int(np.argmin(losses))])
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

    def _fit_labels(self, M, Y, C) -> tuple[np.ndarray, np.ndarray]:
        K = Y.shape[1]
        W = np.zeros((M.shape[1], K))
        b = np.zeros(K)
        if self.multilabel_:
            for k in range(K):
                if Y[:, k].min() == Y[:, k].max():
                    b[k] = 30.0 if Y[0, k] else -30.0
                    continue
                lr = LogisticRegression(C=C, max_iter=2000, class_weight=self.class_weight,
                                        solver="liblinear", dual=True, tol=1e-3,
                                        random_state=self.random_state)
                lr.fit(M, Y[:, k])
                W[:, k], b[k] = lr.coef_[0], lr.intercept_[0]
        else:
            yk = Y.argmax(axis=1)
            if len(np.unique(yk)) < 2:
                b[:] = -30.0
                b[yk[0]] = 0.0
                return W, b
            lr = LogisticRegression(C=C, max_iter=3000, class_weight=self.class_weight)
            lr.fit(M, yk)
            if len(lr.classes_) == 2:
                W[:, lr.classes_[1]], b[lr.classes_[1]] = lr.coef_[0], lr.intercept_[0]
                b[[k for k in range(K) if k not in lr.classes_]] = -30.0
            else:
                W[:, lr.classes_], b[lr.classes_] = lr.coef_.T, lr.intercept_
                b[[k for k in range(K) if k not in lr.classes_]] = -30.0
        return W, b

    def _fit_orientation(self, M, o) -> tuple[np.ndarray, np.ndarray]:
        W = np.zeros((M.shape[1], len(ORIENTATIONS)), dtype=np.float32)
        b = np.full(len(ORIENTATIONS), -30.0, dtype=np.float32)
        present = np.unique(o)
        if len(present) < 2:
            b[present[0]] = 0.0
            return W, b
        lr = LogisticRegression(C=self.orientation_C, max_iter=3000,
                                class_weight=self.class_weight).fit(M, o)
        cols = lr.classes_
        if len(cols) == 2:  # binary LR: one coefficient row, for the second class
            W[:, cols[1]], b[cols[1]], b[cols[0]] = lr.coef_[0], lr.intercept_[0], 0.0
        else:
            W[:, cols], b[cols] = lr.coef_.T, lr.intercept_
        return W, b

    def _label_probs(self, Z):
        return _sigmoid(Z) if self.multilabel_ else _softmax(Z)

    def _stack_block(self, T, idx, W1, b1) -> np.ndarray:
        """Stage-1 probabilities of each row's own, previous and next text, side by side."""
        P = self._label_probs(np.asarray(T @ W1) + b1)
        return np.hstack([P[idx[part]] for part in STACK_PARTS]).astype(np.float32) * \
            self.stack_weight

    # ---------------------------------------------------------------- predicting
    def features(self, X: pd.DataFrame):
        """The full feature matrix of X (stage-1 probabilities included)."""
        return self.feature_parts(X).matrix

    def feature_parts(self, X: pd.DataFrame) -> FeatureParts:
        """``features`` with what the featurizer computed on the way (distinct texts, their
        cue counts: ``features.FeatureParts``)."""
        if not self.stacked_:
            return self.featurizer_.transform_parts(X)
        # the stage-1 block is appended as the featurizer assembles the matrix (one copy)
        return self.featurizer_.transform_parts(X, extra=lambda T, idx: self._stack_block(
            T, idx, self.stage1_coef_, self.stage1_intercept_))

    def scores(self, M) -> tuple[np.ndarray, np.ndarray]:
        """(label probabilities, orientation probabilities) from a feature matrix.

        The orientation is the average (weight ``blend`` on the direct head) of the direct
        head and the orientation the label head implies through the mixed-turn rule; the
        two disagree on different turns, and their average beat either alone in CV."""
        heads = self._heads()
        if heads is not None:  # both heads in one pass over M
            Z = np.asarray(M @ heads)
            k = self.label_coef_.shape[1]
            Zl, Zo = Z[:, :k], Z[:, k:]
        else:
            Zl, Zo = np.asarray(M @ self.label_coef_), np.asarray(M @ self.orientation_coef_)
        Pl = self._label_probs(Zl + self.label_intercept_)
        Zo = Zo + self.orientation_intercept_
        Po = _softmax(Zo / self.orientation_temperature_)
        blend = getattr(self, "blend", 1.0)  # models saved before blending existed: direct
        if blend < 1.0:
            Po = blend * Po + (1.0 - blend) * self.orientation_from_labels(Pl)
        return Pl, Po

    def _heads(self) -> np.ndarray | None:
        """The label and orientation coefficients side by side (built once, not stored), or
        None when their dtypes differ: one sparse product gives both heads' scores, each
        column the same sum in the same order as a product per head (bit for bit, tested),
        for half the passes over M."""
        if "_heads_coef" not in self.__dict__:
            same = self.label_coef_.dtype == self.orientation_coef_.dtype
            self.__dict__["_heads_coef"] = np.hstack(
                [self.label_coef_, self.orientation_coef_]) if same else None
        return self.__dict__["_heads_coef"]

    def orientation_from_labels(self, Pl: np.ndarray) -> np.ndarray:
        """Orientation probabilities implied by label probabilities and the orientation map.

        Multi-label: the mixed-turn rule made soft, with each label's probability first
        shifted so that ``threshold`` counts as even odds: P(distributive) = 1 - prod(1 - p)
        over distributive labels, P(integrative) = (1 - P(distributive)) x (1 - prod(1 - p))
        over integrative labels, the rest neutral. One label per turn: the sum of the
        probabilities of the labels mapped to each orientation."""
        mapped = np.array([self.orientation_map_.get(str(c), "neutral") for c in self.classes_])
        dist, integ = mapped == "distributive", mapped == "integrative"
        if not self.multilabel_:
            out = np.column_stack([Pl[:, integ].sum(axis=1), Pl[:, dist].sum(axis=1),
                                   Pl[:, ~(dist | integ)].sum(axis=1)])
            return out[:, [ORIENTATIONS.index(o) for o in
                           ("integrative", "distributive", "neutral")]]
        t = min(max(self.threshold, 1e-3), 1 - 1e-3)
        p = np.clip(Pl, 1e-9, 1 - 1e-9)
        p = _sigmoid(np.log(p / (1 - p)) - np.log(t / (1 - t)))
        p_dist = 1.0 - np.prod(1.0 - p[:, dist], axis=1)
        p_int = (1.0 - p_dist) * (1.0 - np.prod(1.0 - p[:, integ], axis=1))
        out = np.zeros((len(Pl), len(ORIENTATIONS)))
        out[:, ORIENTATIONS.index("distributive")] = p_dist
        out[:, ORIENTATIONS.index("integrative")] = p_int
        out[:, ORIENTATIONS.index("neutral")] = 1.0 - p_dist - p_int
        return out

    def predict_proba(self, X) -> np.ndarray:
        return self.scores(self.features(X))[0]

    def predict_orientation_proba(self, X) -> np.ndarray:
        return self.scores(self.features(X))[1]

    def labels_from_proba(self, P: np.ndarray) -> list[tuple[str, ...]]:
        """Label sets: every label at or above ``threshold`` (multi-label), at least the best.

        All rows at once (one sort, one comparison): a Python loop per row cost more than the
        model's products when called once per turn. Sorted descending, the labels at or
        above the threshold are a prefix of each row's order; rows where that does not hold
        (NaN) take the row-by-row way, the reference."""
        P = np.asarray(P)
        if self.multilabel_ and P.ndim == 2 and len(P):
            order = np.argsort(-P, axis=1)
            keep = np.take_along_axis(P, order, axis=1) >= self.threshold
            counts = keep.sum(axis=1)
            if np.array_equal(keep, np.arange(P.shape[1]) < counts[:, None]):
                best = self.classes_[P.argmax(axis=1)].tolist()
                names = self.classes_[order].tolist()
                return [tuple(row[:c]) if c else (b,)
                        for row, c, b in zip(names, counts.tolist(), best, strict=True)]
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
        cached = self.__dict__.get("_names")
        if cached is not None:
            return cached
        names = self.featurizer_.get_feature_names_out()
        if self.stacked_:
            names = np.concatenate([names, [f"stack:{part}:{c}" for part in STACK_PARTS
                                            for c in self.classes_]])
        self.__dict__["_names"] = names
        return names

    def explain_weights(self) -> np.ndarray:
        """Per orientation, each feature's weight relative to the other orientations."""
        cached = self.__dict__.get("_explain")
        if cached is None:
            coef = self.orientation_coef_
            cached = self.__dict__["_explain"] = coef - coef.mean(axis=1, keepdims=True)
        return cached

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_names", None)
        state.pop("_explain", None)
        state.pop("_heads_coef", None)
        return state
