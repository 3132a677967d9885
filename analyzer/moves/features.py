"""Features of a turn for the move classifier: n-grams, cues and context.

Input is a table of turns (``pandas.DataFrame`` with the columns in ``COLUMNS``), one row
per turn or unit to classify, each row carrying its context: the previous turn's text,
whether the same speaker said it, the position in the session. Every distinct text is
tokenised and featurised once (the previous turn of row i is usually row i-1's text), so a
session costs one pass of the tokenizer over its turns, vectorised, no per-turn model calls.

Feature blocks (names appear in explanations):
  ``word:``   TF-IDF of word n-grams of the turn (1-3 in the shipped model)
  ``char:``   TF-IDF of character 2-5 grams inside word boundaries
  ``cue:``    counts of the linguistic cues of ``analyzer.nlp.cues`` (log-scaled)
  ``prev_word:`` / ``prev_cue:``  the same for the previous turn (the partner's, usually)
  ``ctx:``    position in the session, first turn, previous turn was a question / an action,
              same speaker as before, length
  ``vec:`` / ``prev_vec:`` / ``next_vec:``  (with ``word_vectors``) the mean of the turn's
              static word vectors (``analyzer.moves.vectors``), L2-normalised, x
              ``vector_weight``; the previous / next turn's also x ``vector_context``
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import operator
import re
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import scipy.sparse as sp

from ..lookup import KeyTable
from ..nlp.cues import CUE_NAMES, CUE_WORDS, count_cues

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.feature_extraction.text import CountVectorizer

COLUMNS = ("text", "prev_text", "next_text", "prev2_text", "prev_same_speaker", "position",
           "turn", "prev_is_action")
#: context texts and the prefix of their features
CONTEXT_TEXTS = {"prev_text": "prev", "next_text": "next", "prev2_text": "prev2"}
CONTEXT_NAMES = ("position", "first_turn", "early", "late", "prev_question", "prev_action",
                 "prev_same_speaker", "no_prev", "log_words", "prev_log_words")

WORD_PATTERN = r"(?u)\b\w+\b|[?!]"


def cue_matrix(texts: list[str], words=None) -> np.ndarray:
    """Cue counts (n_texts x n_cues) from the rules of ``analyzer.nlp.cues`` (batch form of the
    ``negotiation_cues`` spaCy component: same rules, same counts)."""
    return count_cues(texts, words)


def turn_frame(transcripts, units=None, labelled_only: bool = False) -> pd.DataFrame:
    """The feature table for transcripts: one row per turn (or per unit when ``units`` maps
    session_id -> list[Unit]); ``gold`` holds the human labels as a tuple.

    Actions are rows too (their text is e.g. "Submit-Deal") so they can be context; drop
    them before fitting with ``labelled_only=True``.
    """
    import pandas as pd

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


class _Ids(dict):
    """word -> id; a missing word is ``unknown`` (so look-ups can run as ``map`` in C)."""

    unknown = 0

    def __missing__(self, key: str) -> int:
        return self.unknown

    def ascii_ids(self) -> _Ids:
        """The same for ASCII words as bytes (``token_ids`` of ASCII texts)."""
        table = self.__dict__.get("_ascii")
        if table is None:
            table = self.__dict__["_ascii"] = _Ids({w.encode("ascii"): i for w, i in self.items()
                                                    if w.isascii()})
            table.unknown = self.unknown
        return table


class _Vocab:
    """A fitted n-gram vocabulary kept as plain arrays (terms, idf): small to store, quick to
    load, no fitted sklearn object in the model file.

    Counting is done here, not by sklearn's ``CountVectorizer`` (``reference_counts``), which
    spent most of its time in per-document Python: word n-grams are looked up with numpy
    over one token list shared with the cue counter, char n-grams are counted once per
    distinct word. The counts are the same, entry for entry and in the same order (tested on
    all of CaSiNo), so everything computed from them is too. The look-up tables are built on
    first use and never stored."""

    def __init__(self, analyzer: str, ngram_range, terms: np.ndarray, idf: np.ndarray) -> None:
        self.analyzer = analyzer
        self.ngram_range = tuple(int(v) for v in ngram_range)
        self.terms = terms
        self.idf = idf
        self._counter = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_counter"] = None
        for lazy in ("_cache", "_index", "_words", "_grams"):
            state.pop(lazy, None)
        return state

    def counter(self) -> CountVectorizer:
        if self._counter is None:
            self._counter = _counter(self.analyzer, self.ngram_range, vocabulary=self.index())
        return self._counter

    def index(self) -> dict[str, int]:
        """term -> column."""
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = {t: i for i, t in enumerate(self.terms.tolist())}
        return index

    def reference_counts(self, texts: list[str]) -> sp.csr_matrix:
        """The counts as computed before the speed work, what ``counts`` must equal entry for
        entry and in the same order: scikit-learn's ``CountVectorizer`` for words; for
        char_wb, scikit-learn's counts of each distinct word summed per text by a sparse
        product (the same numbers as scikit-learn's counts of the texts, tested; the
        order of entries in a row is the product's)."""
        if self.analyzer != "char_wb":
            return self.counter().transform(texts).astype(np.float32).tocsr()
        word_id: dict[str, int] = {}
        cols = [word_id.setdefault(w, len(word_id)) for t in texts for w in t.lower().split()]
        indptr = np.cumsum([0] + [len(t.lower().split()) for t in texts])
        T = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), cols, indptr),
                          shape=(len(texts), len(word_id)))
        return (T @ self.counter().transform(list(word_id)).tocsr()).tocsr()

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        """n-gram counts (n_texts x n_terms, float32, sorted indices)."""
        if self.analyzer == "word":
            if not self.fast_words():
                return self.reference_counts(texts)
            table = self.word_table()
            rows, ids = token_ids([t.lower() for t in texts], table[0])
            return self.word_counts(rows, ids, len(texts), table)
        return self.char_counts([t.lower() for t in texts])

    def char_counts(self, lowered: list[str]) -> sp.csr_matrix:
        """char_wb counts of lower-cased texts (``char_counts_and_words``)."""
        return self.char_counts_and_words(lowered)[0]

    def char_counts_and_words(self, lowered: list[str]) -> tuple[sp.csr_matrix, np.ndarray]:
        """(char_wb counts of lower-cased texts, each text's number of whitespace-separated
        words: ``len(text.split())``, which lower-casing never changes (tested on every
        character), so the features' word counts need no second split).

        The char_wb n-grams of a text are the sum of those of its whitespace-separated words
        (that is how sklearn builds them), so each distinct word is counted once: text x word
        counts times word x n-gram counts. The words of all texts come from one split of the
        texts joined by a NUL word (texts holding a NUL are split one by one)."""
        joined = not any("\0" in t for t in lowered)
        if joined:
            words = " \0 ".join(lowered).split()
        else:
            lists = [t.split() for t in lowered]
            words = [w for x in lists for w in x]
            indptr = np.cumsum([0] + [len(x) for x in lists])
        # each word's first position; the distinct words numbered in order of first
        # occurrence (the order of ``word_id``) through a table of first positions
        word_id: dict[str, int] = {}
        first = np.fromiter(map(word_id.setdefault, words, itertools.count()), dtype=np.int64,
                            count=len(words))
        nul = word_id.pop("\0", None) if joined else None
        number = np.full(len(words), -1, dtype=np.int64)
        number[np.fromiter(word_id.values(), dtype=np.int64, count=len(word_id))] = \
            np.arange(len(word_id))
        ids = number[first]
        if joined:
            sep = first == nul if nul is not None else np.zeros(len(words), dtype=bool)
            ids = ids[~sep]
            indptr = np.searchsorted(np.cumsum(sep)[~sep], np.arange(len(lowered) + 1))
        T = sp.csr_matrix((np.ones(len(ids), dtype=np.float32), ids, indptr),
                          shape=(len(lowered), len(word_id)))
        return (T @ self.word_grams(list(word_id))).tocsr(), np.diff(indptr)

    def fast_words(self) -> bool:
        """Word n-grams of sizes 1-3 are counted here; other sizes by sklearn. Trigram keys
        are three word ids in one int64, so a vocabulary of a million terms or more (whose
        words, with the ~25,000 of a word-vector table, could overflow it) goes to sklearn."""
        return self.analyzer == "word" and self.ngram_range[0] >= 1 and (
            self.ngram_range[1] <= 2 or (self.ngram_range[1] == 3 and len(self.terms) < 1_000_000))

    def word_table(self, extra: tuple[str, ...] = (), key=None):
        """(word -> id, unigram column per id, bigram key -> column, which ids begin / end a
        bigram term, trigram key -> column; the key -> column maps are ``KeyTable``s) over
        the words of the vocabulary's terms, then ``extra`` words (other users of the same
        token look-up, e.g. the cue word table, the word vectors); the id ``len(ids)`` is
        "not a known word". Cached under ``key`` (default: ``extra`` itself; a long
        ``extra`` is better named by a short key, since a tuple's hash is recomputed at
        every look-up)."""
        tables = self.__dict__.setdefault("_words", {})
        key = extra if key is None else key
        table = tables.get(key)
        if table is None:
            ids = _Ids()
            uni, bi, tri = [], [], []
            for col, term in enumerate(self.terms.tolist()):
                parts = [ids.setdefault(w, len(ids)) for w in term.split(" ")]
                (uni, bi, tri)[len(parts) - 1].append((*parts, col))
            for w in ("\0", *extra):  # NUL: the separator of ``token_ids``
                ids.setdefault(w, len(ids))
            size = len(ids) + 1
            ids.unknown = len(ids)
            uni_col = np.full(size, -1, dtype=np.int64)  # last slot: unknown word
            for i, col in uni:
                uni_col[i] = col
            bi_table = KeyTable(np.array([a * size + b for a, b, _ in bi], dtype=np.int64),
                                np.array([c for _, _, c in bi], dtype=np.int64))
            first, second = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
            first[[a for a, _, _ in bi]] = True  # words that begin / end some bigram term
            second[[b for _, b, _ in bi]] = True
            tri_table = KeyTable(np.array([(a * size + b) * size + c for a, b, c, _ in tri],
                                          dtype=np.int64),
                                 np.array([col for *_, col in tri], dtype=np.int64))
            table = tables[key] = (ids, uni_col, bi_table, first, second, tri_table)
        return table

    def word_counts(self, rows: np.ndarray, ids: np.ndarray, n: int, table) -> sp.csr_matrix:
        """Word 1-3-gram counts from the token ids of ``word_table`` (``table``) and the text
        (row) of each token, tokens in text order: a unigram is a known id, a bigram a known
        pair of neighbours in the same text, a trigram a known triple."""
        _, uni_col, bi_table, first, second, tri_table = table
        size = len(uni_col)
        parts_r, parts_c = [], []
        if self.ngram_range[0] == 1:
            cols = uni_col[ids]
            keep = cols >= 0
            parts_r.append(rows[keep])
            parts_c.append(cols[keep])
        if self.ngram_range[0] <= 2 <= self.ngram_range[1] and len(bi_table) and len(ids) > 1:
            a, b = ids[:-1], ids[1:]
            ok = first[a] & second[b] & (rows[:-1] == rows[1:])
            cols = bi_table.get(a[ok] * size + b[ok], -1)
            hit = cols >= 0
            parts_r.append(rows[:-1][ok][hit])
            parts_c.append(cols[hit])
        if self.ngram_range[1] == 3 and len(tri_table) and len(ids) > 2:
            a, b, c = ids[:-2], ids[1:-1], ids[2:]
            ok = rows[:-2] == rows[2:]  # all three in the same text
            cols = tri_table.get((a[ok] * size + b[ok]) * size + c[ok], -1)
            hit = cols >= 0
            parts_r.append(rows[:-2][ok][hit])
            parts_c.append(cols[hit])
        r = np.concatenate(parts_r) if parts_r else np.zeros(0, np.int64)
        c = np.concatenate(parts_c) if parts_c else np.zeros(0, np.int64)
        C = sp.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)),
                          shape=(n, len(self.terms)), dtype=np.float32)
        C.sum_duplicates()
        C.sort_indices()
        return C

    def word_grams(self, words: list[str]) -> sp.csr_matrix:
        """Rows of n-gram counts for words, cached across calls (bounded: a store of more
        than 200,000 words starts afresh).

        The cache (``_GramRows``) keeps every word's row in one set of growing CSR arrays;
        the rows of ``words`` are gathered from it by a few numpy calls, whatever the number
        of words (cutting and joining a slice per word cost ~1 us per word)."""
        store = self.__dict__.get("_cache")
        if store is None or store.__class__ is not _GramRows or len(store.row_of) > 200_000:
            store = self.__dict__["_cache"] = _GramRows()
        row_of = store.row_of
        new = [w for w in words if w not in row_of]
        if new:
            new = list(dict.fromkeys(new))
            store.add(new, self._char_wb_rows(new))
        return store.rows(words, len(self.terms))

    def _char_wb_rows(self, words: list[str]):
        """(columns, counts, row bounds) of the words' char_wb n-grams (``_split_rows``):
        what sklearn's analyser gives for each word as a document (" word " cut into
        n-grams; a word shorter than n counts once, whole).

        All words at once with numpy: each n-gram is read as an integer (its characters'
        ranks in the vocabulary's alphabet, a few bits each) and found by binary search
        among the terms' integers; an n-gram with a character outside the alphabet is no
        term. Words for which this does not apply (lower-casing changes them, or n-grams too
        long for 64 bits) take the plain loop."""
        table = self._gram_table()
        joined = "".join(words)
        if table is None or joined.lower() != joined or _SPACE.search(joined) \
                or self.ngram_range[0] > 3:
            return self._char_wb_rows_loop(words)
        alphabet, bits, keys, key_cols = table
        lo, hi = self.ngram_range
        padded = "".join(f" {w} " for w in words)
        points = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        at = np.minimum(np.searchsorted(alphabet, points), len(alphabet) - 1)
        codes = np.where(alphabet[at] == points, at + 1, 0)
        sizes = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
        ends = np.cumsum(sizes)
        owner = np.repeat(np.arange(len(words), dtype=np.int64), sizes)
        room = ends[owner] - np.arange(len(points))  # characters left in the word from here
        codes = np.concatenate([codes, np.zeros(hi, dtype=np.int64)])
        key = np.zeros(len(points), dtype=np.int64)
        known = np.ones(len(points), dtype=bool)
        found_rows, found_cols = [], []
        for n in range(1, hi + 1):
            c = codes[n - 1:n - 1 + len(points)]
            key |= c << (bits * (n - 1))
            known &= c > 0
            if n < lo:
                continue
            ok = np.flatnonzero(known & (room >= n))
            j = np.minimum(np.searchsorted(keys, key[ok]), len(keys) - 1)
            hit = keys[j] == key[ok]
            found_rows.append(owner[ok[hit]])
            found_cols.append(key_cols[j[hit]])
        n_terms = len(self.terms)
        rows = np.concatenate(found_rows) if found_rows else np.zeros(0, np.int64)
        cols = np.concatenate(found_cols) if found_cols else np.zeros(0, np.int64)
        return self._split_rows(rows, cols, len(words), n_terms)

    @staticmethod
    def _split_rows(rows, cols, n_words: int, n_terms: int):
        """(columns, counts, row bounds) as CSR arrays: per word, its distinct columns
        sorted (int32) and their counts (float32)."""
        keys, counts = np.unique(rows * n_terms + cols, return_counts=True)
        indices = (keys % n_terms).astype(np.int32)
        bounds = np.searchsorted(keys // n_terms, np.arange(n_words + 1))
        return indices, counts.astype(np.float32), bounds

    def _gram_table(self):
        """(alphabet as sorted code points, bits per character, sorted term integers, their
        columns) for ``_char_wb_rows``; None when the terms do not fit in 63 bits."""
        cached = self.__dict__.get("_grams", False)
        if cached is not False:
            return cached
        terms = self.terms.tolist()
        alphabet = np.array(sorted({ord(c) for t in terms for c in t}), dtype=np.int64)
        bits = max(int(len(alphabet) + 1).bit_length(), 1)
        table = None
        if bits * self.ngram_range[1] <= 63 and len(alphabet) and \
                all(1 <= len(t) <= self.ngram_range[1] for t in terms):
            rank = {int(c): i + 1 for i, c in enumerate(alphabet)}
            keys = np.array([sum(rank[ord(c)] << (bits * i) for i, c in enumerate(t))
                             for t in terms], dtype=np.int64)
            order = np.argsort(keys)
            table = (alphabet, bits, keys[order], np.arange(len(terms), dtype=np.int64)[order])
        self.__dict__["_grams"] = table
        return table

    def _char_wb_rows_loop(self, words: list[str]):
        """``_char_wb_rows`` word by word in Python, as sklearn's analyser does it."""
        get = self.index().get
        lo, hi = self.ngram_range
        cols: list[int] = []
        lengths: list[int] = []
        for word in words:
            grams: list[str] = []
            for w in word.lower().split():
                w = " " + w + " "
                size = len(w)
                for n in range(lo, hi + 1):
                    if n >= size:
                        grams.append(w)
                        break
                    grams += [w[k:k + n] for k in range(size - n + 1)]
            found = [j for j in map(get, grams) if j is not None]
            cols += found
            lengths.append(len(found))
        rows = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
        return self._split_rows(rows, np.asarray(cols, dtype=np.int64), len(words),
                                len(self.terms))

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """Sublinear TF-IDF, rows L2-normalised (what ``TfidfVectorizer`` would give)."""
        return self.tfidf(self.counts(texts))

    def tfidf(self, C: sp.csr_matrix) -> sp.csr_matrix:
        """TF-IDF of counts, element-wise on their arrays, in float32: the same products as
        the two sparse products it replaces (the row norms summed by scipy in the same
        order), so bit for bit the same matrix (tests/moves/test_speed_equivalence.py keeps
        the sparse-product form as the reference)."""
        data = (1.0 + np.log(C.data)) * self.idf[C.indices]
        squares = sp.csr_matrix((data * data, C.indices, C.indptr), shape=C.shape)
        norms = np.sqrt(np.asarray(squares.sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        data *= np.repeat(1.0 / norms, np.diff(C.indptr))
        return sp.csr_matrix((data, C.indices, C.indptr), shape=C.shape)


class _GramRows:
    """The n-gram count rows of words met so far (``_Vocab.word_grams``): word -> row number
    (``row_of``) and the rows as CSR arrays (column indices int32, counts float32) with room
    to grow (doubled when full), so adding words copies each row once."""

    __slots__ = ("row_of", "indptr", "indices", "data", "nnz")

    def __init__(self) -> None:
        self.row_of: dict[str, int] = {}
        self.indptr = np.zeros(4097, dtype=np.int64)
        self.indices = np.zeros(1 << 17, dtype=np.int32)
        self.data = np.zeros(1 << 17, dtype=np.float32)
        self.nnz = 0

    def add(self, words: list[str], rows) -> None:
        """Store distinct new ``words`` with their rows (columns, counts, row bounds)."""
        indices, data, bounds = rows
        n, k, m = len(self.row_of), len(words), len(indices)
        if n + k + 1 > len(self.indptr):
            self.indptr = np.concatenate([self.indptr, np.zeros(max(n + k + 1, len(
                self.indptr)), dtype=np.int64)])
        if self.nnz + m > len(self.indices):
            grow = max(self.nnz + m, len(self.indices))
            self.indices = np.concatenate([self.indices, np.zeros(grow, dtype=np.int32)])
            self.data = np.concatenate([self.data, np.zeros(grow, dtype=np.float32)])
        self.indptr[n + 1:n + k + 1] = np.asarray(bounds[1:], dtype=np.int64) + self.nnz
        self.indices[self.nnz:self.nnz + m] = indices
        self.data[self.nnz:self.nnz + m] = data
        self.nnz += m
        self.row_of.update(zip(words, range(n, n + k), strict=True))

    def rows(self, words: list[str], n_terms: int) -> sp.csr_matrix:
        """The stored rows of ``words`` (all stored), in order: a CSR matrix with the
        arrays the per-word slices joined gave (int64 row bounds, int32 columns, float32
        counts; the same matrix, tested)."""
        at = np.fromiter(map(self.row_of.__getitem__, words), dtype=np.int64,
                         count=len(words))
        starts = self.indptr[at]
        lengths = self.indptr[at + 1] - starts
        indptr = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        pos = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        return sp.csr_matrix((self.data[pos], self.indices[pos], indptr),
                             shape=(len(words), n_terms))


# WORD_PATTERN's tokens: a "\\w+" run always starts and ends on a word boundary, so its
# "\\b"s change nothing (and slow the scan down). _JOINED adds NUL, the text separator.
_TOKEN = re.compile(r"\w+|[?!]")
_SPACE = re.compile(r"\s")
_JOINED = re.compile(r"\w+|[?!]|\0")


def token_ids(lowered: list[str], ids: _Ids) -> tuple[np.ndarray, np.ndarray]:
    """(text of each token, id of each token) for lower-cased texts: the tokens of sklearn's
    ``WORD_PATTERN``, in text order, looked up in ``ids`` (a ``word_table``, which holds
    NUL; ``ids.unknown`` for other words).

    All texts joined by NUL (a token of its own, so each token's text is a cumulative
    count), one dict look-up per token. ASCII texts (most chat) are cut without a regex:
    in ASCII, ``\\w`` is letters, digits and "_", so mapping every other byte but "?" and
    "!" to a space and splitting gives the same tokens; the other texts are scanned with
    the regex, and texts that hold a NUL themselves one by one."""
    look_up = ids.__getitem__  # "unknown" for a missing word
    n = len(lowered)
    if any("\0" in t for t in lowered):
        lists = [_TOKEN.findall(t) for t in lowered]
        rows = np.repeat(np.arange(n, dtype=np.int64), [len(x) for x in lists])
        flat = np.fromiter(map(look_up, itertools.chain.from_iterable(lists)),
                           dtype=np.int64, count=len(rows))
        return rows, flat
    ascii_ = np.fromiter(map(str.isascii, lowered), dtype=bool, count=n)
    parts = []
    for which, cut in ((np.flatnonzero(ascii_), _ascii_tokens),
                       (np.flatnonzero(~ascii_), _JOINED.findall)):
        if len(which):
            tokens = cut("\0".join([lowered[i] for i in which]))
            get = ids.ascii_ids().__getitem__ if cut is _ascii_tokens else look_up
            flat = np.fromiter(map(get, tokens), dtype=np.int64, count=len(tokens))
            sep = flat == ids["\0"]
            parts.append((which[np.cumsum(sep)[~sep]], flat[~sep]))
    if len(parts) != 2:
        return parts[0] if parts else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    rows, flat = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    order = np.argsort(rows, kind="stable")  # back to text order, tokens kept in order
    return rows[order], flat[order]


# bytes kept by _ascii_tokens: letters, digits, "_" (ASCII \w), "?", "!" and NUL
_ASCII_KEEP = bytes(c if chr(c).isalnum() or chr(c) in "_?!\0" else 32 for c in range(128)) \
    + bytes(range(128, 256))


def _ascii_tokens(joined: str) -> list[bytes]:
    """``_JOINED.findall`` of an ASCII string, as bytes."""
    cut = joined.encode("ascii").translate(_ASCII_KEEP)
    return cut.replace(b"?", b" ? ").replace(b"!", b" ! ").replace(b"\0", b" \0 ").split()


def _counter(analyzer: str, ngram_range, vocabulary=None, min_df=1, max_features=None):
    from sklearn.feature_extraction.text import CountVectorizer

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


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while a batch is featurised: it allocates hundreds of
    thousands of small strings and lists (tokens, words), none in cycles, and each of them
    counts towards a collection that walks every tracked object of the process (measured:
    ~5% of the batch time with a corpus loaded). Restored afterwards, also on errors."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _hstack(blocks) -> sp.csr_matrix:
    """``sp.hstack(blocks, format="csr", dtype=np.float32)``, without the copy that asking
    for the dtype costs when the blocks are float32 already."""
    if all(b.dtype == np.float32 for b in blocks):
        return sp.hstack(blocks, format="csr")
    return sp.hstack(blocks, format="csr", dtype=np.float32)


def _dense_csr(D: np.ndarray) -> sp.csr_matrix:
    """``sp.csr_matrix(D)`` of a dense float32 block, built from the array directly: the same
    matrix (zeros dropped, columns in order; tested), without the detour through COO that
    cost ~80 ms for the word-vector block of 10,000 rows (here ~10 ms)."""
    D = np.ascontiguousarray(D, dtype=np.float32)
    n, d = D.shape
    flat = D.ravel()
    keep = flat != 0
    indices = np.tile(np.arange(d, dtype=np.int32), n)[keep]
    indptr = np.zeros(n + 1, dtype=np.int32 if n * d < 2**31 else np.int64)
    np.cumsum(keep.reshape(n, d).sum(axis=1), out=indptr[1:])
    return sp.csr_matrix((flat[keep], indices.astype(indptr.dtype), indptr), shape=(n, d))


def _column(X, name: str) -> list:
    """Column ``name`` of a turn table as a list: a ``DataFrame``'s, or the list itself when
    X is a dict of column lists (see ``FittedFeaturizer.transform``)."""
    values = X[name]
    return values if values.__class__ is list else values.tolist()


def _values(X, name: str, dtype=None) -> np.ndarray:
    """Column ``name`` as a numpy array of ``dtype``. From a list of Python values: each one
    converted straight to ``dtype``, the same numbers as a ``DataFrame`` column's
    ``to_numpy(dtype)`` (doubles rounded once to float32, booleans 0/1, ints int64; tested)."""
    values = X[name]
    if values.__class__ is list:
        return np.array(values, dtype=dtype)
    return values.to_numpy(dtype=dtype)


class FeatureParts(NamedTuple):
    """What ``FittedFeaturizer.transform_parts`` computes: the feature matrix; the text-only
    features of each distinct text (rows of ``texts``); for each row the index of its own,
    previous and next text among them (``idx``); the distinct texts' cue counts
    (``count_cues``; None for a featurizer without cues); and the word-vector block, dense
    (None without word vectors).

    The word-vector block is the **last** columns of the features and is kept out of
    ``matrix`` (which ends with the ``extra`` block): ``full`` joins them. Why: as sparse
    columns it doubled the stored entries of every row, and with them the cost of the
    products and of ranking each row's contributions for the explanations (where the
    vector columns never count); the classifier multiplies it densely instead
    (``FittedClassifier.scores``)."""

    matrix: sp.csr_matrix
    text_matrix: sp.csr_matrix
    idx: dict[str, np.ndarray]
    texts: list[str]
    cue_counts: np.ndarray | None
    dense: np.ndarray | None = None

    def full(self) -> sp.csr_matrix:
        """The whole feature matrix: ``matrix``, then the word-vector block."""
        if self.dense is None:
            return self.matrix
        return _hstack([self.matrix, _dense_csr(self.dense)])


class FittedFeaturizer:
    """A fitted featurizer: turns a turn table into a sparse feature matrix (see the module
    docstring). Prediction needs only this class; the estimator that learns the vocabularies,
    ``TurnFeaturizer`` (``analyzer.moves.estimators``), adds ``fit`` and scikit-learn's
    estimator API on top of it. Why two classes: importing scikit-learn costs about a
    second in a fresh process (it imports scipy.stats and pandas), and every batch worker
    and every ``analyzer analyze`` paid it only to label turns. ``load_model`` builds the
    shipped model's featurizer as this class, so labelling never imports scikit-learn."""

    #: settings of the word-vector block (class defaults: model files made before it
    #: existed have none); ``vectors_`` is the table, attached by ``fit`` or ``load_model``
    #: from its own file, never stored in the model file
    word_vectors = None
    vector_weight = 0.5
    vector_context = 0.5
    vectors_ = None

    def _weight(self, column: str) -> float:
        return self.next_weight if column == "next_text" else self.prev_weight

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_names_cache", None)  # rebuilt from the vocabularies when needed
        state.pop("_cue_of", None)
        state.pop("_vec_of", None)
        state.pop("_vec_words", None)
        state.pop("vectors_", None)  # its own file in the model folder (``load_model``)
        return state

    def uses_vectors(self) -> bool:
        """True when the features hold the word-vector block (``vectors_sha256_`` is set by
        ``fit``; the table itself must then be attached)."""
        return bool(self.__dict__.get("vectors_sha256_"))

    def attach_vectors(self, vectors) -> None:
        """Attach the word-vector table (``vectors.WordVectors``) the model was fitted with;
        a table with another hash is refused."""
        from ..errors import ModelError

        if vectors.sha256 != self.__dict__.get("vectors_sha256_"):
            raise ModelError("the word-vector table is not the one this model was fitted with "
                             f"(sha256 {vectors.sha256[:12]}..., expected "
                             f"{str(self.__dict__.get('vectors_sha256_'))[:12]}...)",
                             hint="retrain, or restore the model folder's word_vectors.npz")
        self.__dict__["vectors_"] = vectors
        self.__dict__.pop("_vec_of", None)

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
        if self.uses_vectors():
            dims = range(int(self.vectors_dim_))
            names += [f"vec:{i}" for i in dims]
            for column in self._vector_context():
                names += [f"{CONTEXT_TEXTS[column]}_vec:{i}" for i in dims]
        return np.asarray(names, dtype=object)

    def _vector_context(self) -> tuple[str, ...]:
        """The context texts whose vectors are features (those of the n-gram context)."""
        return tuple(self.context_texts) if self.use_context and self.vector_context else ()

    def get_feature_names_out(self, input_features=None):
        if getattr(self, "_names_cache", None) is None:
            self._names_cache = self._names()
        return self._names_cache

    def transform(self, X: pd.DataFrame):
        """The feature matrix of X: a turn table (``turn_frame``), or for prediction a dict
        of plain lists holding at least the columns of ``COLUMNS`` (the same rows give the
        same matrix bit for bit, tested: building a ``DataFrame`` only for these reads cost
        more than the reads, and its columns come back as new string objects)."""
        return self.transform_with_texts(X)[0]

    def _own_blocks(self, uniq: list[str]):
        """(word TF-IDF, char TF-IDF or None, cue counts or None, number of words or None,
        word-vector means or None) of distinct texts (the cue block of the features is their
        ``log1p``; the words are counted by the char n-grams' split). The texts are tokenised
        once, for the word n-grams, the cue word table and the word vectors together."""
        lowered = [s.lower() for s in uniq]
        cues = V = None
        vectors = self.vectors_ if self.uses_vectors() else None
        if self.uses_vectors() and vectors is None:
            from ..errors import ModelError

            raise ModelError("this model uses word vectors but none are attached",
                             hint="load it with load_model(folder)")
        if self.word_.fast_words():
            extra = CUE_WORDS if self.use_cues else ()
            if vectors is not None:  # the words joined once per table (24,512 of them)
                words = self.__dict__.get("_vec_words")
                if words is None or words[0] != (extra, vectors.sha256):
                    words = self.__dict__["_vec_words"] = ((extra, vectors.sha256),
                                                           extra + tuple(vectors.words))
                table = self.word_.word_table(words[1], key=("vectors", *words[0]))
            else:
                table = self.word_.word_table(extra)
            rows, ids = token_ids(lowered, table[0])
            W = self.word_.tfidf(self.word_.word_counts(rows, ids, len(uniq), table))
            if vectors is not None:
                vec_of = self.__dict__.get("_vec_of")
                if vec_of is None or len(vec_of) != len(table[1]):
                    vec_of = np.full(len(table[1]), -1, dtype=np.int64)
                    vec_of[[table[0][w] for w in vectors.words]] = \
                        np.arange(len(vectors.words))
                    self.__dict__["_vec_of"] = vec_of
                V = vectors.mean_vectors(rows, vec_of[ids], len(uniq))
            if self.use_cues:
                cue_of = self.__dict__.get("_cue_of")
                if cue_of is None or len(cue_of) != len(table[1]):
                    cue_of = np.full(len(table[1]), -1, dtype=np.int64)
                    cue_of[[table[0][w] for w in CUE_WORDS]] = np.arange(len(CUE_WORDS))
                    self.__dict__["_cue_of"] = cue_of
                cues = cue_matrix(uniq, (rows, cue_of[ids]))
        else:
            W = self.word_.transform(uniq)
            if self.use_cues:
                cues = cue_matrix(uniq)
            if vectors is not None:
                V = vectors.text_vectors(uniq)
        C = n_words = None
        if self.char_ is not None:
            counts, n_words = self.char_.char_counts_and_words(lowered)
            C = self.char_.tfidf(counts)
        return W, C, cues, n_words, V

    def transform_with_texts(self, X: pd.DataFrame, extra=None):
        """The feature matrix, plus what a second stage needs: the text-only features
        (word, char, cue blocks) of every distinct text of X, and for each row the index of
        its own, previous and next text among them.

        ``extra(T, idx)``, if given, returns a dense block appended after the others (the
        classifier's stage-1 probabilities: one assembly of the matrix instead of two); the
        word-vector block, if any, comes last (``FeatureParts``)."""
        parts = self.transform_parts(X, extra)
        return parts.full(), parts.text_matrix, parts.idx

    def transform_parts(self, X: pd.DataFrame, extra=None) -> FeatureParts:
        """``transform_with_texts`` plus the distinct texts and their cue counts (what the
        offer rules read: the predictor takes them from here instead of matching the cue
        rules over the same texts a second time)."""
        with _gc_paused():
            return self._transform_with_texts(X, extra)

    def _transform_with_texts(self, X: pd.DataFrame, extra) -> FeatureParts:
        columns: dict[str, list[str]] = {"text": _column(X, "text")}
        columns["prev_text"] = _column(X, "prev_text")
        columns["next_text"] = _column(X, "next_text") if "next_text" in X else \
            [""] * len(columns["text"])
        for c in self.context_texts if self.use_context else ():
            if c not in columns:
                columns[c] = _column(X, c)
        text, prev = columns["text"], columns["prev_text"]
        others = dict.fromkeys(self.context_texts) if self.use_context else {}
        uniq = list(dict.fromkeys(itertools.chain.from_iterable(columns.values())))
        where = {s: i for i, s in enumerate(uniq)}
        at = {c: np.fromiter(map(where.__getitem__, v), dtype=np.int64, count=len(v))
              for c, v in columns.items()}  # each row's text, as a row of T
        t_idx = at["text"]
        W, C, counts, n_words, V = self._own_blocks(uniq)
        cues = np.log1p(counts) if counts is not None else None
        own = [W] + ([C] if C is not None else []) + \
            ([sp.csr_matrix(cues)] if cues is not None else [])
        T = _hstack(own)
        blocks = [T[t_idx]]
        if self.use_context:
            for column in others:
                idx = at[column]
                w = self._weight(column)
                blocks.append(W[idx] * w)
                if self.use_cues:
                    blocks.append(sp.csr_matrix(cues[idx] * w))
            n = len(uniq)
            if n_words is None:
                n_words = np.fromiter(map(len, map(str.split, uniq)), dtype=np.int64, count=n)
            facts = (n_words.astype(np.float32),
                     np.fromiter(map(operator.contains, uniq, itertools.repeat("?")),
                                 dtype=np.float32, count=n),
                     np.fromiter(map(operator.not_, uniq), dtype=np.float32, count=n))
            blocks.append(sp.csr_matrix(self._context(X, text, prev,
                                                      (facts, t_idx, at["prev_text"]))))
        dense = None
        if V is not None:
            V = V * np.float32(self.vector_weight)
            dense = np.hstack([V[t_idx]] + [V[at[c]] * np.float32(self.vector_context)
                                            for c in self._vector_context()])
        idx = {"text": t_idx, "prev": at["prev_text"], "next": at["next_text"]}
        if extra is not None:
            blocks.append(_dense_csr(extra(T, idx)))
        return FeatureParts(_hstack(blocks), T, idx, uniq, counts, dense)

    @staticmethod
    def _context(X: pd.DataFrame, text: list[str], prev: list[str], facts=None) -> np.ndarray:
        """The ``ctx:`` block. ``facts``: (words, has "?", is empty) of each distinct text
        and the row -> text indices of the row's own and previous text, so that each
        distinct text is measured once."""
        pos = _values(X, "position", np.float32)
        turn = _values(X, "turn")
        if facts is None:
            words = np.fromiter((len(s.split()) for s in text), dtype=np.float32,
                                count=len(text))
            pwords = np.fromiter((len(s.split()) for s in prev), dtype=np.float32,
                                 count=len(prev))
            pq = np.fromiter(("?" in s for s in prev), dtype=np.float32, count=len(prev))
            empty = np.fromiter((s == "" for s in prev), dtype=np.float32, count=len(prev))
        else:
            (n_words, question, blank), t_idx, p_idx = facts
            words, pwords, pq, empty = n_words[t_idx], n_words[p_idx], question[p_idx], \
                blank[p_idx]
        return np.column_stack([
            pos, turn == 0, turn <= 2, pos >= 0.8, pq,
            _values(X, "prev_is_action", np.float32),
            _values(X, "prev_same_speaker", np.float32),
            empty, np.log1p(words) / 4, np.log1p(pwords) / 4,
        ]).astype(np.float32)


def __getattr__(name: str):
    """``TurnFeaturizer``, the estimator, imported on first use (it imports scikit-learn;
    model files and older code name it here)."""
    if name == "TurnFeaturizer":
        from .estimators import TurnFeaturizer

        return TurnFeaturizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
