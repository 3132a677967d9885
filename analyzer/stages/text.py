"""A learned lexical signal for the stage decoder: word n-gram logistic regressions.

Why: the evidence (``evidence.py``) is hand-built: cue lists, parsed terms, session context.
Whatever the cue lists miss ("that actually doesn't sound too bad", a thank-you phrased
another way) only a learned signal can pick up. This module fits, on the gold, a few binary
logistic regressions (``TARGETS``: does closing start at this turn, is the turn in
opening / exploring / bargaining / closing) over TF-IDF weighted word unigrams and bigrams
of the turn, of the turn before it and of the turn after it (three blocks, one
vocabulary), and their probabilities become evidence columns (``text_*`` in
``evidence.FEATURES``) that the HMM, MEMM and boundary scores weigh like any other.

Stacking: a text column of a training session must come from a text model that never saw
that session's labels, else the decoder learns to trust it too much. ``oof_columns`` fits
the text model on the other folds of the training sessions (nested inside the evaluation's
own folds, ``evaluate.py``); the shipped parameters are fitted on out-of-fold columns of all
gold, and the shipped text model on all gold.

Run time: the tokens are the evidence's own (``evidence._text_facts``, cached per text, so
the pipeline's shared docs serve here too); per distinct text the vocabulary rows of its
n-grams are looked up once (``TextModel.token_rows``, cached by text), then the three blocks'
scores of all the turns are one gather of those rows and their sums (``session_scores``,
``_row_sums``), per turn three additions and a logistic. Weights are plain lists in
``params.json`` (no pickle; the vocabulary as a list of n-grams).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, repeat
from typing import Any

import numpy as np

from ..lookup import KeyTable
from ..results import STAGES
from ..transcript import Transcript

#: what each text column predicts, per turn: ``start:<stage>`` (the stage starts here) or
#: ``in:<stage>`` (the turn is in the stage); the column is ``text_<kind>_<stage>``. The
#: start of closing and the turn's stage: on the 201 mostly CaSiNo sessions of the first fit
#: the closing targets alone did as well, but with 91 sessions without formal actions in the
#: gold the stage of every turn helps (nested CV, seeds 0-7 all better;
#: docs/history/stages-log.md, "Figures with text targets for every stage")
TARGETS: tuple[str, ...] = ("start:closing", "in:closing", "in:opening", "in:exploring",
                            "in:bargaining")
#: the text blocks of a turn's row: its own text, the previous turn's, the next turn's
BLOCKS = 3
#: regularisation of the text regressions (chosen by the nested CV, docs/history/stages-log.md)
TEXT_C = 10.0
#: n-grams kept: seen in at least this many training turns
MIN_DF = 2
#: n-gram order: 2 for unigrams and bigrams
ORDER = 2
#: inner folds of the out-of-fold text columns the stage parameters are fitted on
INNER_FOLDS = 5


def column_name(target: str) -> str:
    """``"start:closing"`` -> ``"text_start_closing"``."""
    kind, stage = target.split(":")
    return f"text_{kind}_{stage}"


#: the evidence columns of ``TARGETS`` (``evidence.FEATURES`` ends with them)
TEXT_COLUMNS: tuple[str, ...] = tuple(column_name(t) for t in TARGETS)


def target_values(labels: Sequence[str], target: str) -> list[int]:
    """The 0/1 target of each turn of one gold session."""
    kind, stage = target.split(":")
    if kind == "in":
        return [int(s == stage) for s in labels]
    return [int(s == stage and (t == 0 or labels[t - 1] != stage))
            for t, s in enumerate(labels)]


def _tokens(nlp, text: str) -> tuple[str, ...]:
    """The lower-cased tokens of a turn text: the evidence's own (``_TextFacts.norms``,
    cached per text, whitespace tokens included)."""
    from .evidence import _fact_cache, _text_facts

    return _text_facts(nlp, _fact_cache(nlp), text).norms


def turn_tokens(transcript: Transcript, nlp=None) -> list[tuple[str, ...]]:
    """The tokens of each turn (``_tokens``); a formal action is the one token
    ``<submit>``, ``<accept>``, ...."""
    from .evidence import get_nlp

    nlp = get_nlp(nlp)
    return [(f"<{turn.action.kind}>",) if turn.action is not None else _tokens(nlp, turn.text)
            for turn in transcript.turns]


#: the start marker before a turn's first token, in bigrams
START = "<s>"
#: an n-gram: a unigram (its token) or a bigram (two tokens)
Gram = str | tuple[str, str]


def ngrams(tokens: Sequence[str], order: int = ORDER) -> list[Gram]:
    """The unigrams of one turn, and with ``order`` 2 its bigrams (pairs of tokens, the
    first after the start marker ``START``)."""
    if order < 2:
        return list(tokens)
    return [*tokens, *zip((START, *tokens), tokens, strict=False)]


def _gram_key(g: Gram) -> tuple[int, Gram]:
    return (0, g) if isinstance(g, str) else (1, g)


class _Rows(dict):
    """Unigram rows by token; a token outside the vocabulary is the zero row."""

    zero = 0

    def __missing__(self, key: str) -> int:
        return self.zero


@dataclass
class TextModel:
    """Fitted text regressions: vocabulary, idf, weights per block and target.

    ``weights``: (vocabulary, blocks * targets), block-major (own, previous, next);
    ``intercept``: (targets,); ``order``: 1 for unigrams, 2 for unigrams and bigrams."""

    targets: list[str]
    vocab: list[Gram]
    idf: np.ndarray
    weights: np.ndarray
    intercept: np.ndarray
    order: int = ORDER
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # unigrams by token; bigrams by an integer made of their two tokens' unigram rows
        # (``token_rows`` builds no tuple or string per pair). A bigram's tokens are
        # unigrams of the vocabulary (each is in every turn the bigram is in); the start
        # marker is V + 1 (in keys only). Row V is a zero row (weights 0, idf 0): the row
        # of every token and pair outside the vocabulary, so nothing needs filtering out.
        v = len(self.vocab)
        self._uni = _Rows({g: j for j, g in enumerate(self.vocab) if isinstance(g, str)})
        self._uni.zero = v
        self._span = v + 2
        self._bi: dict[int, int] = {}
        for j, g in enumerate(self.vocab):
            if isinstance(g, tuple):
                a, b = g
                rows_a = [v + 1] if a == START else []
                if a in self._uni:  # (a turn may hold the marker's text as a token)
                    rows_a.append(self._uni[a])
                if b in self._uni:
                    for ra in rows_a:
                        self._bi[ra * self._span + self._uni[b]] = j
        # idf folded into the rows, the squared idf as a last column (one gather and one
        # ``reduceat`` give a turn's sums and its squared norm); the zero row V last
        self._scaled = np.vstack([
            np.hstack([self.weights * self.idf[:, None], (self.idf ** 2)[:, None]]),
            np.zeros((1, self.weights.shape[1] + 1))])
        self._by_text: dict[Any, dict[Any, list[int]]] = {}

    @property
    def columns(self) -> list[str]:
        return [column_name(t) for t in self.targets]

    def token_rows(self, tokens: Sequence[str]) -> list[int]:
        """The vocabulary row of every n-gram occurrence of a text: its unigrams, then its
        bigrams (repeats kept), the zero row V for those outside the vocabulary; always
        ends with V (so no turn is empty in ``session_scores``)."""
        v = len(self.vocab)
        uni = list(map(self._uni.__getitem__, tokens))
        if self.order >= 2 and self._bi:
            big, span = self._bi.get, self._span
            return [*uni, *[big(a * span + b, v)
                            for a, b in zip((v + 1, *uni), uni, strict=False)], v]
        return [*uni, v]

    def session_scores(self, rows: Sequence[list[int]]) -> np.ndarray:
        """(turns, blocks * targets): each turn's TF-IDF vector (``tfidf_rows``) times each
        block's weights, from its ``token_rows``: one gather and two ``reduceat`` for the
        whole session (numpy's per-call cost, not the arithmetic, is what counts here)."""
        lens = [len(r) for r in rows]
        starts = list(accumulate(lens, initial=0))[:-1]
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=sum(lens))
        sums = np.add.reduceat(self._scaled[flat], starts, axis=0)
        # (a text with no known n-gram: sums 0, divided by a tiny norm, stay 0)
        return sums[:, :-1] / np.sqrt(np.maximum(sums[:, -1:], 1e-300))

    def predict_rows(self, rows: Sequence[list[int]]) -> np.ndarray:
        """(turns, targets) probabilities of one session from its turns' ``token_rows``: a
        turn's own block, the previous turn's previous-turn block and the next turn's
        next-turn block, plus the intercept, through the logistic."""
        n, k = len(rows), len(self.targets)
        if not n:
            return np.zeros((0, k))
        s = self.session_scores(rows).reshape(n, BLOCKS, k)
        z = s[:, 0] + self.intercept
        z[1:] += s[:-1, 1]
        z[:-1] += s[1:, 2]
        return 1.0 / (1.0 + np.exp(-z))

    def predict(self, tokens: Sequence[Sequence[str]]) -> np.ndarray:
        """(turns, targets) probabilities for one session's turn tokens."""
        return self.predict_rows([self.token_rows(t) for t in tokens])

    def predict_transcript(self, transcript: Transcript, nlp=None) -> np.ndarray:
        """``predict(turn_tokens(transcript, nlp))``: ``predict_many`` of one session, its
        turns' rows scored by ``predict_rows`` (fewer numpy calls for a single session)."""
        return self.predict_rows(self._rows_of([transcript], nlp))

    def predict_many(self, transcripts: Sequence[Transcript], nlp=None) -> list[np.ndarray]:
        """``predict(turn_tokens(t, nlp))`` for each of ``transcripts``, the same numbers
        (tested), computed for all of them at once.

        Each text's ``token_rows`` are cached (by text, per pipeline): a text seen before
        costs one look-up, a new one its tokens from the evidence's cache and a dict
        look-up per token. Then one gather and ``reduceat`` over
        every turn of every session, and the previous / next turn's blocks added across
        the turns of a session only: per session, numpy's per-call cost was most of the
        text model's time (a batch gives it ~50 sessions at once)."""
        sizes = [len(t.turns) for t in transcripts]
        k = len(self.targets)
        n = sum(sizes)
        if not n:
            return [np.zeros((0, k)) for _ in transcripts]
        flat, lens = self._flat_rows(transcripts, nlp)
        sums = _row_sums(self._scaled, flat, lens)
        # (``session_scores``: the same gather and sums, the turns' rows built here)
        s = (sums[:, :-1] / np.sqrt(np.maximum(sums[:, -1:], 1e-300))).reshape(n, BLOCKS, k)
        firsts = np.fromiter(accumulate(sizes[:-1], initial=0), dtype=np.int64,
                             count=len(sizes))
        lasts = firsts + np.asarray(sizes, dtype=np.int64) - 1
        inside = np.asarray(sizes) > 0
        firsts, lasts = firsts[inside], lasts[inside]
        # as ``predict_rows`` per session: own block + intercept, then the previous turn's
        # previous-turn block, then the next turn's next-turn block (x + 0.0 is x, and
        # a -0.0 made 0.0 gives the same logistic)
        z = s[:, 0] + self.intercept
        add = np.zeros((n, k))
        add[1:] = s[:-1, 1]
        add[firsts] = 0.0
        z += add
        add = np.zeros((n, k))
        add[:-1] = s[1:, 2]
        add[lasts] = 0.0
        z += add
        p = 1.0 / (1.0 + np.exp(-z))
        out, start = [], 0
        for size in sizes:
            out.append(p[start:start + size])
            start += size
        return out

    def _flat_rows(self, transcripts: Sequence[Transcript], nlp
                   ) -> tuple[np.ndarray, np.ndarray]:
        """(the ``token_rows`` of every turn of ``transcripts``, one turn after the other,
        and each turn's number of rows): those of ``_rows_of``, built for all the distinct
        texts at once with numpy (their tokens' unigram rows in one look-up pass, the
        bigrams' in a hash table of the vocabulary's bigram keys) instead of a list per
        text and a dict look-up per token pair (tested: the same rows)."""
        from .evidence import _fact_cache, _text_facts, get_nlp

        nlp = get_nlp(nlp)
        facts = _fact_cache(nlp)
        number: dict[Any, int] = {}  # each distinct text (an action: its kind in a tuple)
        tokens: list[tuple[str, ...]] = []
        turn_text: list[int] = []
        for transcript in transcripts:
            for turn in transcript.turns:
                action = turn.action
                key = turn.text if action is None else (action.kind,)
                at = number.get(key)
                if at is None:
                    at = number[key] = len(tokens)
                    if action is not None:
                        tokens.append((f"<{action.kind}>",))
                    else:  # (``_tokens``, the evidence's cache read once per text)
                        known = facts.get(key)
                        tokens.append((known or _text_facts(nlp, facts, key)).norms)
                turn_text.append(at)
        v = len(self.vocab)
        m = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        total = int(m.sum())
        uni = np.fromiter(map(self._uni.get, chain.from_iterable(tokens), repeat(v)),
                          dtype=np.int64, count=total)
        owner = np.repeat(np.arange(len(tokens)), m)
        first = np.cumsum(m) - m
        pos = np.arange(total) - first[owner]
        bigrams = self.order >= 2 and bool(self._bi)
        per = (2 * m + 1) if bigrams else (m + 1)  # rows of a text: unigrams, bigrams, V
        begin = np.cumsum(per) - per
        rows = np.empty(int(per.sum()), dtype=np.int64)
        rows[begin[owner] + pos] = uni
        if bigrams:
            before = np.empty(total, dtype=np.int64)
            before[1:] = uni[:-1]
            before[first[m > 0]] = v + 1  # the start marker before a text's first token
            rows[begin[owner] + m[owner] + pos] = self._bigram_table().get(
                before * self._span + uni, v)
        rows[begin + per - 1] = v
        which = np.asarray(turn_text, dtype=np.int64)
        lens = per[which]
        out = np.cumsum(lens) - lens
        flat = rows[np.repeat(begin[which] - out, lens) + np.arange(int(lens.sum()))]
        return flat, lens

    def _bigram_table(self) -> KeyTable:
        """The bigram keys of ``_bi`` and their vocabulary rows as a ``KeyTable`` (built
        once; a hash look-up of a batch's keys costs a quarter of a binary search)."""
        table = self.__dict__.get("_bi_table")
        if table is None:
            table = self.__dict__["_bi_table"] = KeyTable(
                np.fromiter(self._bi.keys(), dtype=np.int64, count=len(self._bi)),
                np.fromiter(self._bi.values(), dtype=np.int64, count=len(self._bi)))
        return table

    def _rows_of(self, transcripts: Sequence[Transcript], nlp) -> list[list[int]]:
        """The ``token_rows`` of every turn of ``transcripts``, in order (see
        ``predict_many``)."""
        from .evidence import _CACHE_SIZE, _fact_cache, _text_facts, get_nlp

        nlp = get_nlp(nlp)
        cache = self._by_text.get(nlp)
        if cache is None:
            cache = self._by_text[nlp] = {}
        facts = _fact_cache(nlp)
        found: dict[Any, list[int] | None] = {}  # the rows of every text of the sessions
        new: dict[Any, tuple[str, ...]] = {}  # the tokens of those not cached yet
        keys = []
        for transcript in transcripts:
            for turn in transcript.turns:
                action = turn.action
                key = turn.text if action is None else (action.kind,)  # (no text is a tuple)
                keys.append(key)
                if key in found:
                    continue
                hit = found[key] = cache.get(key)
                if hit is None:
                    if action is not None:
                        new[key] = (f"<{action.kind}>",)
                    else:  # (``_tokens``, the evidence's cache read once per text)
                        known = facts.get(key)
                        new[key] = (known or _text_facts(nlp, facts, key)).norms
        if new:
            if len(cache) + len(new) > _CACHE_SIZE:  # (as small as the evidence's, for
                cache.clear()  # the same reason: see ``evidence._CACHE_SIZE``)
            made = {key: self.token_rows(tokens) for key, tokens in new.items()}
            cache.update(made)
            found.update(made)
        return [found[key] for key in keys]

    def to_json(self) -> dict:
        return {"format": "analyzer-stage-text/1", "targets": list(self.targets),
                "order": self.order,
                "vocab": [g if isinstance(g, str) else list(g) for g in self.vocab],
                "idf": np.round(self.idf, 6).tolist(),
                "weights": np.round(self.weights, 6).tolist(),
                "intercept": np.round(self.intercept, 6).tolist(), "meta": self.meta}

    @classmethod
    def from_json(cls, data: dict) -> TextModel:
        model = cls(targets=[str(t) for t in data["targets"]],
                    vocab=[g if isinstance(g, str) else (str(g[0]), str(g[1]))
                           for g in data["vocab"]],
                    idf=np.asarray(data["idf"], dtype=float),
                    weights=np.asarray(data["weights"], dtype=float).reshape(
                        len(data["vocab"]), -1),
                    intercept=np.asarray(data["intercept"], dtype=float),
                    order=int(data.get("order", 2)), meta=dict(data.get("meta", {})))
        if model.weights.shape != (len(model.vocab), BLOCKS * len(model.targets)) or \
                model.idf.shape != (len(model.vocab),) or \
                model.intercept.shape != (len(model.targets),):
            raise ValueError("text model weights do not match its vocabulary and targets")
        for target in model.targets:
            kind, _, stage = target.partition(":")
            if kind not in ("in", "start") or stage not in STAGES:
                raise ValueError(f"unknown text target {target!r}")
        return model


def tfidf_rows(grams: Sequence[list[int]], idf: np.ndarray):
    """Sparse TF-IDF rows of texts given as the vocabulary rows of their n-grams, one per
    occurrence: n-gram g counted c times gets c * idf(g) / sqrt(sum over the text's
    occurrences of idf**2) (an l2 norm over occurrences: what ``session_scores`` sums
    without grouping the repeats)."""
    from scipy.sparse import csr_matrix

    data, cols, ptr = [], [], [0]
    for idx in grams:
        if idx:
            v = idf[idx]
            data.extend((v / np.sqrt((v ** 2).sum())).tolist())
            cols.extend(idx)
        ptr.append(len(cols))
    out = csr_matrix((data, cols, ptr), shape=(len(grams), len(idf)))
    out.sum_duplicates()
    return out


def fit_text(tokens: Sequence[Sequence[tuple[str, ...]]], labels: Sequence[Sequence[str]],
             targets: Sequence[str] = TARGETS, C: float = TEXT_C,
             min_df: int = MIN_DF, balanced: bool = False, order: int = ORDER) -> TextModel:
    """Fit the text regressions on sessions (their turn tokens and gold labels);
    ``balanced``: class-balanced weights (a stage start is one turn in ~14)."""
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    texts = [t for session in tokens for t in session]
    df: dict[Gram, int] = {}
    for t in texts:
        for g in set(ngrams(t, order)):
            df[g] = df.get(g, 0) + 1
    vocab = sorted((g for g, c in df.items() if c >= min_df), key=_gram_key)
    index = {g: j for j, g in enumerate(vocab)}
    n_texts = len(texts)
    idf = np.array([math.log((1 + n_texts) / (1 + df[g])) + 1.0 for g in vocab])
    grams = [[index[g] for g in ngrams(t, order) if g in index] for t in texts]
    own = tfidf_rows(grams, idf)
    empty: list[int] = []
    prev_g, next_g = [], []
    k = 0
    for session in tokens:
        m = len(session)
        prev_g.extend([empty, *grams[k:k + m - 1]] if m else [])
        next_g.extend([*grams[k + 1:k + m], empty] if m else [])
        k += m
    X = hstack([own, tfidf_rows(prev_g, idf), tfidf_rows(next_g, idf)]).tocsr()
    V = len(vocab)
    weights = np.zeros((V, BLOCKS * len(targets)))
    intercept = np.zeros(len(targets))
    for j, target in enumerate(targets):
        y = np.array([v for seq in labels for v in target_values(seq, target)])
        if y.min() == y.max():  # nothing to learn: a constant
            intercept[j] = 20.0 if y[0] else -20.0
            continue
        clf = LogisticRegression(C=C, solver="liblinear", max_iter=1000,
                                 class_weight="balanced" if balanced else None)
        clf.fit(X, y)
        coef = clf.coef_[0]
        for b in range(BLOCKS):
            weights[:, b * len(targets) + j] = coef[b * V:(b + 1) * V]
        intercept[j] = clf.intercept_[0]
    return TextModel(targets=list(targets), vocab=vocab, idf=idf, weights=weights,
                     intercept=intercept, order=order,
                     meta={"sessions": len(labels), "turns": n_texts, "C": C, "min_df": min_df})


def oof_columns(tokens: Sequence[Sequence[tuple[str, ...]]], labels: Sequence[Sequence[str]],
                k: int = 5, seed: int = 0,
                extra: tuple[Sequence, Sequence] | None = None,
                **kwargs: Any) -> list[np.ndarray]:
    """Out-of-fold text columns of every session: each from a text model fitted on the
    other ``k - 1`` folds of these sessions (dialogue-level, seeded), never on its own.
    ``extra``: (tokens, labels) of sessions added to every fit (never scored)."""
    from .evaluate import folds

    more_t, more_l = extra or ([], [])
    n = len(labels)
    out: list[np.ndarray] = [np.zeros((0, 0))] * n
    for test in folds(n, min(k, n), seed):
        held = set(test.tolist())
        train = [i for i in range(n) if i not in held]
        model = fit_text([tokens[i] for i in train] + list(more_t),
                         [labels[i] for i in train] + list(more_l), **kwargs)
        for i in test:
            out[i] = model.predict(tokens[i])
    return out


#: numpy's pairwise summation (``pairwise_sum`` in its loops): up to this many terms, eight
#: running sums, one per lane, else the terms are split in two halves
_PAIRWISE_BLOCK = 128


def _row_sums(table: np.ndarray, flat: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """``np.add.reduceat(table[flat], starts, axis=0)`` (``starts``: where each group of
    ``lens`` rows begins; every ``lens`` >= 1), bit for bit, for all the groups at once.

    Why: ``reduceat`` runs its summation loop once per group and column (a batch has ~700
    turns of ~30 rows, 16 columns), and that per-call cost was ~3 us per turn, most of the
    text model's arithmetic. Its sums are not left to right: a group of rows x0..xn is
    ``x0 + pairwise(x1..xn)``, numpy's pairwise summation, which for n < 8 adds the terms in
    order, and for 8 <= n <= 128 keeps eight lanes (lane j: x(1+j) + x(9+j) + ..., over the
    n // 8 full blocks of eight), adds them as ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 +
    l7)), then the last n % 8 terms in order. Here each step of that recipe is one numpy
    call over all the groups still at that step (groups sorted by their number of steps,
    so those are a prefix); a group of more than 128 terms (a turn of 64 tokens or more,
    rare) is left to ``reduceat`` itself. Tested against ``reduceat`` on every length from 1
    to 300 rows (tests/stages/test_text.py): a numpy that sums another way fails it."""
    starts = np.cumsum(lens) - lens
    n = lens - 1  # the terms after each group's first row
    long = n > _PAIRWISE_BLOCK
    blocks = np.where(long, 0, n // 8)
    tails = np.where(long, 0, n - 8 * blocks)
    rest = np.full((len(lens), table.shape[1]), -0.0)  # pairwise(x1..xn); -0.0: no terms
    order = np.argsort(-blocks, kind="stable")  # the eight lanes: most blocks first
    b = blocks[order]
    laned = int(np.count_nonzero(b))
    if laned:
        order, b = order[:laned], b[:laned]
        at = (starts[order] + 1)[:, None] + np.arange(8)  # (group, lane): the first block
        lanes = table[flat[at]]
        for k in range(1, int(b[0])):
            upto = int(np.count_nonzero(b > k))
            lanes[:upto] += table[flat[at[:upto] + 8 * k]]
        rest[order] = ((lanes[:, 0] + lanes[:, 1]) + (lanes[:, 2] + lanes[:, 3])) + \
            ((lanes[:, 4] + lanes[:, 5]) + (lanes[:, 6] + lanes[:, 7]))
    order = np.argsort(-tails, kind="stable")  # the terms after the blocks, in order
    t = tails[order]
    if t[0]:
        at = (starts + 1 + 8 * blocks)[order]
        part = rest[order]
        for k in range(int(t[0])):
            upto = int(np.count_nonzero(t > k))
            part[:upto] += table[flat[at[:upto] + k]]
        rest[order] = part
    sums = table[flat[starts]]
    sums += rest
    for g in np.flatnonzero(long).tolist():
        sums[g] = np.add.reduceat(table[flat[starts[g]:starts[g] + lens[g]]], [0], axis=0)[0]
    return sums

