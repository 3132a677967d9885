"""The two scikit-learn estimators of the move model: what learns, as opposed to what
labels (``classifier.FittedClassifier``, ``features.FittedFeaturizer``).

Why a module of their own: these classes must inherit scikit-learn's ``BaseEstimator``
(the estimator contract: ``get_params``, ``clone``), and importing scikit-learn costs about
a second in a fresh process. Prediction never needs them, so the modules prediction imports
stay free of scikit-learn and only training, evaluation and tests import this one.

Each class keeps the module path model files have always named it by (``__module__``): a
model saved now still names ``analyzer.moves.classifier.MoveClassifier``, which that module
resolves to this class on first use, so old and new model files read the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from ..results import ORIENTATIONS
from .classifier import STACK_PARTS, FittedClassifier, _softmax, as_label_sets, group_folds
from .features import FittedFeaturizer, fit_vocab
from .taxonomy import CASINO_ORIENTATION, orientation_of_labels
from .vectors import WordVectors
from .vectors import resolve as resolve_vectors


class TurnFeaturizer(FittedFeaturizer, TransformerMixin, BaseEstimator):
    """Learns the n-gram vocabularies of the features (``fit``); transforms as
    ``FittedFeaturizer``."""

    __module__ = "analyzer.moves.features"  # the path model files name (module docstring)

    def __init__(self, word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=2,
                 max_char_features=30000, use_cues=True, use_context=True,
                 prev_weight=0.5, context_texts=("prev_text",), next_weight=0.5,
                 word_vectors=None, vector_weight=0.5, vector_context=0.5) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_char_features = max_char_features
        self.use_cues = use_cues
        self.use_context = use_context
        self.prev_weight = prev_weight
        self.context_texts = context_texts
        self.next_weight = next_weight
        self.word_vectors = word_vectors
        self.vector_weight = vector_weight
        self.vector_context = vector_context

    def fit(self, X: pd.DataFrame, y=None, extra_texts=None):
        """Learn the vocabularies. ``extra_texts`` (e.g. unlabelled dialogues) only widen the
        vocabulary and idf statistics; they carry no labels."""
        texts = list(dict.fromkeys(X["text"].tolist() + list(extra_texts or [])))
        self.word_ = fit_vocab("word", self.word_ngrams, texts, self.min_df, None)
        self.char_ = None
        if self.char_ngrams:
            self.char_ = fit_vocab("char_wb", self.char_ngrams, texts, self.min_df,
                                   self.max_char_features)
        for stale in ("vectors_", "vectors_sha256_", "vectors_dim_", "_vec_of"):
            self.__dict__.pop(stale, None)
        path = resolve_vectors(self.word_vectors)
        if path is not None:  # the table is an input, not learned: attach it as it is
            vectors = WordVectors.load(path)
            self.vectors_sha256_, self.vectors_dim_ = vectors.sha256, vectors.dim
            self.attach_vectors(vectors)
        return self


class MoveClassifier(FittedClassifier, ClassifierMixin, BaseEstimator):
    """The move classifier as a scikit-learn estimator (``classifier`` module docstring).

    ``fit(X, y)``: X a turn table, y the label sets (tuples or comma-separated strings);
    predicts as ``FittedClassifier``.
    """

    __module__ = "analyzer.moves.classifier"  # the path model files name (module docstring)
    #: weight of the project's spoken sessions' turns in the fits (``__init__``); a class
    #: default too, so estimators loaded from files made before the parameter still answer
    #: ``get_params``
    spoken_weight = 1.0

    def __init__(self, orientation_map=None, C=3.0, orientation_C=1.0, stage1_C=1.0,
                 word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=2, max_char_features=30000,
                 use_cues=True, use_context=True, prev_weight=0.5,
                 context_texts=("prev_text", "next_text"), next_weight=0.5, stack=True,
                 stack_weight=1.0, class_weight="balanced", threshold=0.6, calibrate=True,
                 blend=0.5, inner_folds=5, random_state=0, word_vectors=None,
                 vector_weight=0.5, vector_context=0.5, spoken_weight=1.0):
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
        self.word_vectors = word_vectors
        self.vector_weight = vector_weight
        self.vector_context = vector_context
        self.spoken_weight = spoken_weight

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
        # the project's spoken sessions (named folder/file#session_id) weigh spoken_weight
        # in every fit; None (all 1) leaves the fits exactly as without the parameter
        w_ = None
        if self.spoken_weight != 1.0 and "session_id" in X:
            spoken = X["session_id"].astype(str).str.contains("#", regex=False).to_numpy()
            w_ = np.where(spoken, float(self.spoken_weight), 1.0)

        self.featurizer_ = TurnFeaturizer(
            word_ngrams=self.word_ngrams, char_ngrams=self.char_ngrams, min_df=self.min_df,
            max_char_features=self.max_char_features, use_cues=self.use_cues,
            use_context=self.use_context, prev_weight=self.prev_weight,
            context_texts=tuple(self.context_texts), next_weight=self.next_weight,
            word_vectors=self.word_vectors, vector_weight=self.vector_weight,
            vector_context=self.vector_context).fit(X)
        parts = self.featurizer_.transform_parts(X)
        M, T, idx = parts.matrix, parts.text_matrix, parts.idx

        self.stacked_ = bool(self.stack and folds)
        if self.stacked_:
            W1, b1 = self._fit_labels(T[idx["text"]], Y, self.stage1_C, w_)
            self.stage1_coef_, self.stage1_intercept_ = W1.astype(np.float32), b1.astype(
                np.float32)
            S = np.zeros((len(X), len(STACK_PARTS) * len(self.classes_)), dtype=np.float32)
            for tr, te in folds:  # out-of-fold stage-1 probabilities
                Wf, bf = self._fit_labels(T[idx["text"][tr]], Y[tr], self.stage1_C,
                                          None if w_ is None else w_[tr])
                S[te] = self._stack_block(T, {k: v[te] for k, v in idx.items()}, Wf, bf)
            M = sp.hstack([M, sp.csr_matrix(S)], format="csr")
        if parts.dense is not None:  # the word-vector block: always the last columns
            M = sp.hstack([M, sp.csr_matrix(parts.dense)], format="csr")

        W, b = self._fit_labels(M, Y, self.C, w_)
        self.label_coef_, self.label_intercept_ = W.astype(np.float32), b.astype(np.float32)
        self.orientation_coef_, self.orientation_intercept_ = self._fit_orientation(
            M, o, w_)
        self.orientation_temperature_ = 1.0
        if self.calibrate and folds and len(np.unique(o)) > 1:
            Zo = np.zeros((len(o), len(ORIENTATIONS)), dtype=np.float32)
            for tr, te in folds:
                Wo, bo = self._fit_orientation(M[tr], o[tr],
                                               None if w_ is None else w_[tr])
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

    def _fit_labels(self, M, Y, C, w=None) -> tuple[np.ndarray, np.ndarray]:
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
                lr.fit(M, Y[:, k], sample_weight=w)
                W[:, k], b[k] = lr.coef_[0], lr.intercept_[0]
        else:
            yk = Y.argmax(axis=1)
            if len(np.unique(yk)) < 2:
                b[:] = -30.0
                b[yk[0]] = 0.0
                return W, b
            lr = LogisticRegression(C=C, max_iter=3000, class_weight=self.class_weight)
            lr.fit(M, yk, sample_weight=w)
            if len(lr.classes_) == 2:
                W[:, lr.classes_[1]], b[lr.classes_[1]] = lr.coef_[0], lr.intercept_[0]
                b[[k for k in range(K) if k not in lr.classes_]] = -30.0
            else:
                W[:, lr.classes_], b[lr.classes_] = lr.coef_.T, lr.intercept_
                b[[k for k in range(K) if k not in lr.classes_]] = -30.0
        return W, b

    def _fit_orientation(self, M, o, w=None) -> tuple[np.ndarray, np.ndarray]:
        W = np.zeros((M.shape[1], len(ORIENTATIONS)), dtype=np.float32)
        b = np.full(len(ORIENTATIONS), -30.0, dtype=np.float32)
        present = np.unique(o)
        if len(present) < 2:
            b[present[0]] = 0.0
            return W, b
        lr = LogisticRegression(C=self.orientation_C, max_iter=3000,
                                class_weight=self.class_weight).fit(M, o, sample_weight=w)
        cols = lr.classes_
        if len(cols) == 2:  # binary LR: one coefficient row, for the second class
            W[:, cols[1]], b[cols[1]], b[cols[0]] = lr.coef_[0], lr.intercept_[0], 0.0
        else:
            W[:, cols], b[cols] = lr.coef_.T, lr.intercept_
        return W, b
