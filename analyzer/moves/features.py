"""Features of a turn for the move classifier: n-grams, cues and context.

Input is a table of turns (``pandas.DataFrame`` with the columns in ``COLUMNS``), one row
per turn or unit to classify, each row carrying its context: the previous turn's text,
whether the same speaker said it, the position in the session. Every distinct text is
tokenised and featurised once (the previous turn of row i is usually row i-1's text), so a
session costs one pass of the tokenizer over its turns, vectorised, no per-turn model calls.

Feature blocks (names appear in explanations):
  ``word:``   TF-IDF of word 1-2 grams of the turn
  ``char:``   TF-IDF of character 2-5 grams inside word boundaries
  ``cue:``    counts of the linguistic cues of ``analyzer.nlp.cues`` (log-scaled)
  ``prev_word:`` / ``prev_cue:``  the same for the previous turn (the partner's, usually)
  ``ctx:``    position in the session, first turn, previous turn was a question / an action,
              same speaker as before, length
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer

from ..nlp.cues import CUE_NAMES, count_cues

COLUMNS = ("text", "prev_text", "next_text", "prev2_text", "prev_same_speaker", "position",
           "turn", "prev_is_action")
#: context texts and the prefix of their features
CONTEXT_TEXTS = {"prev_text": "prev", "next_text": "next", "prev2_text": "prev2"}
CONTEXT_NAMES = ("position", "first_turn", "early", "late", "prev_question", "prev_action",
                 "prev_same_speaker", "no_prev", "log_words", "prev_log_words")

WORD_PATTERN = r"(?u)\b\w+\b|[?!]"


def cue_matrix(texts: list[str]) -> np.ndarray:
    """Cue counts (n_texts x n_cues) from the rules of ``analyzer.nlp.cues`` (batch form of the
    ``negotiation_cues`` spaCy component: same rules, same counts)."""
    return count_cues(texts)


def turn_frame(transcripts, units=None, labelled_only: bool = False) -> pd.DataFrame:
    """The feature table for transcripts: one row per turn (or per unit when ``units`` maps
    session_id -> list[Unit]); ``gold`` holds the human labels as a tuple.

    Actions are rows too (their text is e.g. "Submit-Deal") so they can be context; drop
    them before fitting with ``labelled_only=True``.
    """
    rows = []
    for t in transcripts:
        n = len(t.turns)
        seq = []
        if units is None:
            seq = [(turn, turn.text, 0) for turn in t.turns]
        else:
            for u in units[t.session_id]:
                seq.append((t.turns[u.turn], u.text, u.index))
        prev_text, prev_speaker, prev_action = "", None, False
        first = len(rows)
        for turn, text, k in seq:
            rows.append({
                "session_id": t.session_id, "turn": turn.index, "unit": k,
                "speaker": turn.speaker, "text": text, "prev_text": prev_text,
                "prev_same_speaker": prev_speaker == turn.speaker,
                "position": turn.index / max(n - 1, 1), "prev_is_action": prev_action,
                "is_action": turn.is_action, "gold": tuple(turn.gold),
            })
            prev_text, prev_speaker, prev_action = text, turn.speaker, turn.is_action
        for i in range(first, len(rows)):  # the reply, and the turn before the previous one
            rows[i]["next_text"] = rows[i + 1]["text"] if i + 1 < len(rows) else ""
            rows[i]["prev2_text"] = rows[i - 2]["text"] if i - 2 >= first else ""
    frame = pd.DataFrame(rows, columns=["session_id", "turn", "unit", "speaker", "text",
                                        "prev_text", "next_text", "prev2_text",
                                        "prev_same_speaker", "position",
                                        "prev_is_action", "is_action", "gold"])
    if labelled_only:
        frame = frame[(~frame["is_action"]) & frame["gold"].map(bool)].reset_index(drop=True)
    return frame


class _Vocab:
    """A fitted n-gram vocabulary kept as plain arrays (terms, idf): small to store, quick to
    load, no fitted sklearn object in the model file. The counting itself is sklearn's
    ``CountVectorizer`` analyser, rebuilt on first use."""

    def __init__(self, analyzer: str, ngram_range, terms: np.ndarray, idf: np.ndarray) -> None:
        self.analyzer = analyzer
        self.ngram_range = tuple(int(v) for v in ngram_range)
        self.terms = terms
        self.idf = idf
        self._counter = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_counter"] = None
        state.pop("_cache", None)
        return state

    def counter(self) -> CountVectorizer:
        if self._counter is None:
            vocab = {t: i for i, t in enumerate(self.terms.tolist())}
            self._counter = _counter(self.analyzer, self.ngram_range, vocabulary=vocab)
        return self._counter

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        if self.analyzer != "char_wb":
            return self.counter().transform(texts).astype(np.float32).tocsr()
        # char_wb n-grams of a text are the sum of those of its whitespace-separated words
        # (that is how sklearn builds them), so count each distinct word once: text x word
        # counts times word x n-gram counts. Same numbers, several times faster.
        word_id: dict[str, int] = {}
        cols: list[int] = []
        indptr = [0]
        for text in texts:
            for w in text.lower().split():
                j = word_id.get(w)
                if j is None:
                    j = word_id[w] = len(word_id)
                cols.append(j)
            indptr.append(len(cols))
        T = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), cols, indptr),
                          shape=(len(texts), len(word_id)))
        return (T @ self.word_grams(list(word_id))).tocsr()

    def word_grams(self, words: list[str]) -> sp.csr_matrix:
        """Rows of n-gram counts for words, cached across calls (bounded)."""
        cache = self.__dict__.setdefault("_cache", {})
        new = [w for w in words if w not in cache]
        if new:
            if len(cache) > 200_000:
                cache.clear()
                new = words
            G = self.counter().transform(new).tocsr()
            for k, w in enumerate(new):
                a, b = G.indptr[k], G.indptr[k + 1]
                cache[w] = (G.indices[a:b], G.data[a:b])
        parts = [cache[w] for w in words]
        indptr = np.cumsum([0] + [len(p[0]) for p in parts])
        indices = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int32)
        data = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.float32)
        return sp.csr_matrix((data.astype(np.float32), indices, indptr),
                             shape=(len(words), len(self.terms)))

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """Sublinear TF-IDF, rows L2-normalised (what ``TfidfVectorizer`` would give)."""
        C = self.counts(texts)
        C.data = 1.0 + np.log(C.data)
        C = C @ sp.diags(self.idf)
        norms = np.sqrt(np.asarray(C.multiply(C).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ C, dtype=np.float32)


def _counter(analyzer: str, ngram_range, vocabulary=None, min_df=1, max_features=None):
    if analyzer == "word":
        return CountVectorizer(ngram_range=ngram_range, lowercase=True, min_df=min_df,
                               token_pattern=WORD_PATTERN, vocabulary=vocabulary,
                               max_features=max_features, dtype=np.float32)
    return CountVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=True,
                           min_df=min_df, vocabulary=vocabulary, max_features=max_features,
                           dtype=np.float32)


def fit_vocab(analyzer: str, ngram_range, texts: list[str], min_df: int,
              max_features: int | None) -> _Vocab:
    cv = _counter(analyzer, tuple(ngram_range), min_df=min_df, max_features=max_features)
    C = cv.fit_transform(texts)
    df = np.bincount(C.indices, minlength=C.shape[1]).astype(np.float64)
    n = C.shape[0]
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)  # smooth idf, as sklearn
    terms = np.asarray(cv.get_feature_names_out(), dtype=str)
    return _Vocab(analyzer, ngram_range, terms, idf)


class TurnFeaturizer(TransformerMixin, BaseEstimator):
    """Turns a turn table into a sparse feature matrix (see the module docstring)."""

    def __init__(self, word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=2,
                 max_char_features=30000, use_cues=True, use_context=True,
                 prev_weight=0.5, context_texts=("prev_text",), next_weight=0.5) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_char_features = max_char_features
        self.use_cues = use_cues
        self.use_context = use_context
        self.prev_weight = prev_weight
        self.context_texts = context_texts
        self.next_weight = next_weight

    def _weight(self, column: str) -> float:
        return self.next_weight if column == "next_text" else self.prev_weight

    def fit(self, X: pd.DataFrame, y=None, extra_texts=None):
        """Learn the vocabularies. ``extra_texts`` (e.g. unlabelled dialogues) only widen the
        vocabulary and idf statistics; they carry no labels."""
        texts = list(dict.fromkeys(X["text"].tolist() + list(extra_texts or [])))
        self.word_ = fit_vocab("word", self.word_ngrams, texts, self.min_df, None)
        self.char_ = None
        if self.char_ngrams:
            self.char_ = fit_vocab("char_wb", self.char_ngrams, texts, self.min_df,
                                   self.max_char_features)
        return self

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_names_cache", None)  # rebuilt from the vocabularies when needed
        return state

    def _names(self) -> np.ndarray:
        names = [f"word:{w}" for w in self.word_.terms]
        if self.char_ is not None:
            names += [f"char:{c}" for c in self.char_.terms]
        if self.use_cues:
            names += [f"cue:{c}" for c in CUE_NAMES]
        if self.use_context:
            for column in self.context_texts:
                prefix = CONTEXT_TEXTS[column]
                names += [f"{prefix}_word:{w}" for w in self.word_.terms]
                if self.use_cues:
                    names += [f"{prefix}_cue:{c}" for c in CUE_NAMES]
            names += [f"ctx:{c}" for c in CONTEXT_NAMES]
        return np.asarray(names, dtype=object)

    def get_feature_names_out(self, input_features=None):
        if getattr(self, "_names_cache", None) is None:
            self._names_cache = self._names()
        return self._names_cache

    def transform(self, X: pd.DataFrame):
        return self.transform_with_texts(X)[0]

    def transform_with_texts(self, X: pd.DataFrame):
        """The feature matrix, plus what a second stage needs: the text-only features
        (word, char, cue blocks) of every distinct text of X, and for each row the index of
        its own, previous and next text among them."""
        text = X["text"].tolist()
        prev = X["prev_text"].tolist()
        nxt = X["next_text"].tolist() if "next_text" in X else [""] * len(text)
        others = {c: X[c].tolist() for c in self.context_texts} if self.use_context else {}
        uniq = list(dict.fromkeys(text + prev + nxt +
                                  [s for v in others.values() for s in v]))
        where = {s: i for i, s in enumerate(uniq)}

        def index(values):
            return np.fromiter((where[s] for s in values), dtype=np.int64, count=len(values))

        t_idx = index(text)
        W = self.word_.transform(uniq)
        own = [W]
        if self.char_ is not None:
            own.append(self.char_.transform(uniq))
        cues = None
        if self.use_cues:
            cues = np.log1p(cue_matrix(uniq))
            own.append(sp.csr_matrix(cues))
        T = sp.hstack(own, format="csr", dtype=np.float32)
        blocks = [T[t_idx]]
        if self.use_context:
            for column, values in others.items():
                idx = index(values)
                w = self._weight(column)
                blocks.append(W[idx] * w)
                if self.use_cues:
                    blocks.append(sp.csr_matrix(cues[idx] * w))
            blocks.append(sp.csr_matrix(self._context(X, text, prev)))
        M = sp.hstack(blocks, format="csr", dtype=np.float32)
        return M, T, {"text": t_idx, "prev": index(prev), "next": index(nxt)}

    @staticmethod
    def _context(X: pd.DataFrame, text: list[str], prev: list[str]) -> np.ndarray:
        pos = X["position"].to_numpy(dtype=np.float32)
        turn = X["turn"].to_numpy()
        words = np.fromiter((len(s.split()) for s in text), dtype=np.float32, count=len(text))
        pwords = np.fromiter((len(s.split()) for s in prev), dtype=np.float32, count=len(prev))
        pq = np.fromiter(("?" in s for s in prev), dtype=np.float32, count=len(prev))
        return np.column_stack([
            pos, turn == 0, turn <= 2, pos >= 0.8, pq,
            X["prev_is_action"].to_numpy(dtype=np.float32),
            X["prev_same_speaker"].to_numpy(dtype=np.float32),
            np.fromiter((s == "" for s in prev), dtype=np.float32, count=len(prev)),
            np.log1p(words) / 4, np.log1p(pwords) / 4,
        ]).astype(np.float32)
