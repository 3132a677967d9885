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

This module holds the prediction side (``FittedClassifier``) and needs no scikit-learn; the
fitting side is ``estimators.MoveClassifier``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..results import ORIENTATIONS
from .features import FeatureParts

if TYPE_CHECKING:
    import pandas as pd

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


class FittedClassifier:
    """A fitted move classifier: labels and orientation probabilities for rows of a turn
    table (``features.turn_frame``, or a dict of column lists).

    ``classes_`` are the labels; ``predict_proba`` gives one probability per label
    (independent for multi-label data, summing to 1 otherwise); ``predict_orientation_proba``
    gives probabilities over ``orientation_classes_``. The estimator, ``MoveClassifier``
    (``analyzer.moves.estimators``), adds ``fit`` and scikit-learn's estimator API. Why two
    classes: importing scikit-learn costs about a second in a fresh process, and labelling
    turns needs none of it; ``load_model`` builds the shipped model as this class.
    """

    #: word-vector settings (``features.FittedFeaturizer``); class defaults for model files
    #: made before they existed
    word_vectors = None
    vector_weight = 0.5
    vector_context = 0.5

    def _label_probs(self, Z):
        return _sigmoid(Z) if self.multilabel_ else _softmax(Z)

    def _stack_block(self, T, idx, W1, b1) -> np.ndarray:
        """Stage-1 probabilities of each row's own, previous and next text, side by side."""
        P = self._label_probs(np.asarray(T @ W1) + b1)
        return np.hstack([P[idx[part]] for part in STACK_PARTS]).astype(np.float32) * \
            self.stack_weight

    # ---------------------------------------------------------------- predicting
    def features(self, X: pd.DataFrame):
        """The full feature matrix of X (stage-1 probabilities and word vectors included);
        ``scores(parts.matrix, parts.dense)`` of ``feature_parts`` is the same, cheaper."""
        return self.feature_parts(X).full()

    def feature_parts(self, X: pd.DataFrame) -> FeatureParts:
        """``features`` with what the featurizer computed on the way (distinct texts, their
        cue counts: ``features.FeatureParts``)."""
        if not self.stacked_:
            return self.featurizer_.transform_parts(X)
        # the stage-1 block is appended as the featurizer assembles the matrix (one copy)
        return self.featurizer_.transform_parts(X, extra=lambda T, idx: self._stack_block(
            T, idx, self.stage1_coef_, self.stage1_intercept_))

    def scores(self, M, dense=None) -> tuple[np.ndarray, np.ndarray]:
        """(label probabilities, orientation probabilities) from a feature matrix: the full
        one (``features``), or ``matrix`` and ``dense`` of ``feature_parts`` (the word-vector
        block as a dense array: the same products, the last columns' part done densely).

        The orientation is the average (weight ``blend`` on the direct head) of the direct
        head and the orientation the label head implies through the mixed-turn rule; the
        two disagree on different turns, and their average beat either alone in CV."""
        def product(W):
            if dense is None:
                return np.asarray(M @ W)
            n = M.shape[1]
            return np.asarray(M @ W[:n]) + dense @ W[n:]

        heads = self._heads()
        if heads is not None:  # both heads in one pass over M
            Z = product(heads)
            k = self.label_coef_.shape[1]
            Zl, Zo = Z[:, :k], Z[:, k:]
        else:
            Zl, Zo = product(self.label_coef_), product(self.orientation_coef_)
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

    def _scores_of(self, X) -> tuple[np.ndarray, np.ndarray]:
        parts = self.feature_parts(X)
        return self.scores(parts.matrix, parts.dense)

    def predict_proba(self, X) -> np.ndarray:
        return self._scores_of(X)[0]

    def predict_orientation_proba(self, X) -> np.ndarray:
        return self._scores_of(X)[1]

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

    def predict_orientation(self, X) -> np.ndarray:
        return self.orientation_classes_[self.predict_orientation_proba(X).argmax(axis=1)]

    def feature_names(self) -> np.ndarray:
        cached = self.__dict__.get("_names")
        if cached is not None:
            return cached
        names = self.featurizer_.get_feature_names_out()
        if self.stacked_:  # the stage-1 block, before the word-vector block (always last)
            n_vec = sum(1 for n in names.tolist() if str(n).partition(":")[0].endswith("vec"))
            stack = np.asarray([f"stack:{part}:{c}" for part in STACK_PARTS
                                for c in self.classes_], dtype=object)
            names = np.concatenate([names[:len(names) - n_vec], stack,
                                    names[len(names) - n_vec:]])
        self.__dict__["_names"] = names
        return names

    def explain_weights(self) -> np.ndarray:
        """Per orientation, each feature's weight relative to the other orientations. The
        word-vector columns get 0: a dimension of a distilled vector has no reading, so it is
        never quoted as a reason."""
        cached = self.__dict__.get("_explain")
        if cached is None:
            coef = self.orientation_coef_
            cached = coef - coef.mean(axis=1, keepdims=True)
            if self.featurizer_.uses_vectors():
                quiet = [name.partition(":")[0].endswith("vec")
                         for name in map(str, self.feature_names().tolist())]
                cached[np.array(quiet, dtype=bool)] = 0.0
            self.__dict__["_explain"] = cached
        return cached

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_names", None)
        state.pop("_explain", None)
        state.pop("_heads_coef", None)
        return state


def __getattr__(name: str):
    """``MoveClassifier``, the estimator, imported on first use (it imports scikit-learn;
    model files and older code name it here)."""
    if name == "MoveClassifier":
        from .estimators import MoveClassifier

        return MoveClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
