"""The fast paths give exactly what the session-by-session path gives.

``Analyzer.analyze_many`` batches units and moves across sessions (one feature matrix, one
pass of explanations); these tests pin that batching changes nothing: same units, moves,
orientations, confidences (to 1e-9), labels, reasons and offers, for every turn.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from analyzer.io import expand_inputs, read_transcripts
from analyzer.pipeline import Analyzer


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def _plain(value):
    if dataclasses.is_dataclass(value):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _diff(a, b, path="") -> list[str]:
    """Where two plain structures differ (floats compared to 1e-9)."""
    if isinstance(a, float) or isinstance(b, float):
        ok = isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            math.isclose(a, b, rel_tol=0, abs_tol=1e-9)
        return [] if ok else [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in _diff(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in _diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def _outputs(analysis) -> dict:
    return {"session": analysis.transcript.session_id, "units": _plain(analysis.units),
            "unit_moves": _plain(analysis.unit_moves), "moves": _plain(analysis.moves),
            "stages": _plain(analysis.stages), "model": analysis.model}


def _assert_same(one_by_one, batched):
    assert len(one_by_one) == len(batched)
    for a, b in zip(one_by_one, batched, strict=True):
        differences = _diff(_outputs(a), _outputs(b))
        assert not differences, f"{a.transcript.session_id}: {differences[:5]}"


def test_analyze_many_equals_analyze_on_casino_valid(analyzer, casino_dir):
    from analyzer.moves.data import read_casino

    transcripts = read_casino(casino_dir / "casino_valid.json", annotated_only=False)
    assert len(transcripts) == 30
    one_by_one = [analyzer.analyze(t) for t in transcripts]
    _assert_same(one_by_one, list(analyzer.analyze_many(transcripts)))
    # batch boundaries anywhere give the same results too
    _assert_same(one_by_one, list(analyzer.analyze_many(iter(transcripts), batch_size=7)))
    turns = [m for a in one_by_one for m in a.moves]
    assert len(turns) == sum(len(t.turns) for t in transcripts)
    assert all(m.reasons for m in turns)  # every turn still explained


def test_analyze_many_equals_analyze_on_examples(analyzer, examples_dir):
    transcripts = [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]
    assert len(transcripts) >= 5
    one_by_one = [analyzer.analyze(t) for t in transcripts]
    _assert_same(one_by_one, list(analyzer.analyze_many(transcripts)))
    # long spoken turns are split into several units: the batch keeps them apart
    assert any(len(a.units) > len(a.transcript.turns) for a in one_by_one)


def test_sessions_sharing_an_id_are_kept_apart(analyzer, examples_dir):
    """The feature table is keyed by session id; a batch holding the same session twice and
    another one in between must still give each its own results."""
    transcripts = [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)][:2]
    batch = [transcripts[0], transcripts[1], transcripts[0]]
    results = list(analyzer.analyze_many(batch))
    _assert_same([analyzer.analyze(t) for t in batch], results)


def test_units_match_the_spacy_pipe(analyzer, examples_dir):
    """``split_units_many`` (tokenizer + splitter called directly) gives the units the
    ``nlp.pipe`` route gave."""
    from analyzer.nlp import split_units_many
    from analyzer.results import Unit

    nlp = analyzer.nlp
    transcripts = [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]
    for transcript, units in zip(transcripts, split_units_many(nlp, transcripts), strict=True):
        spoken = [t for t in transcript.turns if not t.is_action]
        docs = iter(nlp.pipe([t.text for t in spoken],
                             disable=[p for p in nlp.pipe_names if p != "unit_splitter"]))
        expected = []
        for turn in transcript.turns:
            if turn.is_action:
                expected.append(Unit(turn.index, 0, 0, len(turn.text), turn.text))
                continue
            for k, (s, e) in enumerate(next(docs)._.units or [(0, len(turn.text))]):
                expected.append(Unit(turn.index, k, s, e, turn.text[s:e]))
        assert units == expected


def test_shared_cue_matches_give_the_same_offers_and_quotes():
    from analyzer.moves.offers import detect_offer
    from analyzer.nlp.cues import find_cues, quotes_of, text_quotes

    texts = ["If you give me the water, I'll give you the food",
             "I take 2 food and 1 water, you get the rest", "can I have 2 waters?",
             "ok, you can have the firewood then", "No, I can't do that", "Sounds good!"]
    for text in texts:
        cues = find_cues(text)
        assert detect_offer(text, cues) == detect_offer(text)
        assert quotes_of(text, cues) == text_quotes(text)
    assert detect_offer(texts[0]) == "tradeoff_offer"
    assert detect_offer(texts[2]) == "single_issue_offer"


def test_spoken_rows_equal_the_training_table(analyzer, casino_dir, examples_dir):
    """The prediction table is built column-wise for speed; it must stay row for row the
    table ``features.turn_frame`` builds for training (spoken rows), or the model would see
    other inputs than it was trained on."""
    import pandas as pd

    from analyzer.moves.data import read_casino
    from analyzer.moves.features import turn_frame
    from analyzer.moves.model import _spoken_rows
    from analyzer.nlp import split_units_many

    transcripts = read_casino(casino_dir / "casino_valid.json", annotated_only=False)
    transcripts += [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]
    units = split_units_many(analyzer.nlp, transcripts)
    frame = turn_frame(transcripts, units={t.session_id: u for t, u in
                                           zip(transcripts, units, strict=True)})
    expected = frame[~frame["is_action"]].reset_index(drop=True)
    got = _spoken_rows(list(zip(transcripts, units, strict=True)))
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected, check_exact=True)


def _rule_texts(casino_dir, examples_dir) -> list[str]:
    from analyzer.moves.data import casino_files, read_casino

    transcripts = [t for f in casino_files(casino_dir)
                   for t in read_casino(f, annotated_only=False)]
    transcripts += [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]
    return list(dict.fromkeys(turn.text for t in transcripts for turn in t.turns))


def _spans(rx, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def test_anchored_cue_rules_match_the_plain_rules_on_the_corpus(casino_dir, examples_dir):
    """Every cue rule is run rewritten to begin with literals (``cues.anchored``, several
    times faster); rule by rule it must find exactly the spans the rule as written finds, on
    all of CaSiNo (train + valid, every dialogue) and the examples, joined as ``count_cues``
    joins them and text by text as ``find_cues`` runs them, lower-cased and not."""
    import re

    from analyzer.nlp import cues

    texts = _rule_texts(casino_dir, examples_dir)
    assert len(texts) > 10_000
    joined = "\n\0\n".join(t.replace("\n", " ").lower() for t in texts)
    raw = "\n\0\n".join(texts)
    rest = [r for _, r in cues._PLANS.values()]
    for j, fast in cues._REST.items():
        plain = re.compile(rest[j], re.MULTILINE)
        if j != cues.CUE_NAMES.index("negation"):  # already begins with a literal
            assert fast.pattern != plain.pattern, f"{cues.CUE_NAMES[j]} is not anchored"
        found = _spans(plain, joined)
        assert _spans(fast, joined) == found, cues.CUE_NAMES[j]
        assert _spans(fast, raw) == _spans(plain, raw), cues.CUE_NAMES[j]
        assert len(found) > 0
    for text in texts[:3000]:
        assert cues.find_cues(text) == _plain_find_cues(text)


def _plain_find_cues(text: str) -> list[tuple[str, int, int]]:
    """``find_cues`` with the rules as written (the reference for the anchored ones)."""
    import re

    from analyzer.nlp import cues

    low = text.lower()
    flags = re.MULTILINE if len(low) == len(text) else re.MULTILINE | re.IGNORECASE
    subject = low if len(low) == len(text) else text
    found = [(j, m.start(), m.end()) for m in cues._WORD.finditer(text.lower())
             for j in cues._WORD_CUES.get(m.group(), ())]
    for j, (_, rest) in enumerate(cues._PLANS.values()):
        if rest:
            found += [(j, m.start(), m.end()) for m in re.compile(rest, flags).finditer(subject)
                      if m.end() > m.start()]
    return [(cues.CUE_NAMES[j], a, b) for j, a, b in sorted(found)]


def _cue_vocabulary() -> list[str]:
    """Words and separators the rules are made of, to build strings that nearly match."""
    import re

    from analyzer.nlp import cues

    words = sorted({w for _, rx in cues.CUES.values() for w in re.findall(r"[a-z0-9]+", rx)})
    return words + [" ", " ", " ", "  ", "\n", "\0", ".", "!", "?", "'", "’", ":)", "/", "-",
                    ",", "x", "İ", "_", "é", "I", "YOU"]


def test_anchored_cue_rules_match_the_plain_rules_on_generated_text():
    """The same rule-by-rule equality on strings built from the rules' own words, spaces,
    punctuation, newlines, NUL and non-ASCII letters (where boundaries and look-behinds
    could go wrong)."""
    import re

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from analyzer.nlp import cues

    vocab = _cue_vocabulary()
    rest = [r for _, r in cues._PLANS.values()]
    plain = {j: re.compile(rest[j], re.MULTILINE) for j in cues._REST}

    @settings(max_examples=400, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.sampled_from(vocab), max_size=40).map("".join) | st.text(max_size=30))
    def check(text):
        for j, fast in cues._REST.items():
            assert _spans(fast, text) == _spans(plain[j], text), (cues.CUE_NAMES[j], text)

    check()


def test_anchor_words_skip_no_match(casino_dir, examples_dir):
    """A rule scans only the texts holding one of its anchor words (``cues.ANCHORS``): same
    counts as scanning every text, on all of CaSiNo + the examples, on strings built from
    the rules' words (one call over many, so texts with and without anchors mix), and
    through the features' shared token look-up; every match of an anchored rule holds, for
    one of its alternatives, a word of each group as a whole token."""
    import re

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from analyzer.nlp import cues

    texts = _rule_texts(casino_dir, examples_dir)
    assert np.array_equal(cues.count_cues(texts), cues.count_cues(texts, anchors=False))
    rest = [r for _, r in cues._PLANS.values()]
    joined = "\n\0\n".join(t.replace("\n", " ").lower() for t in texts)
    for name, alts in cues.ANCHORS.items():
        rx = re.compile(rest[cues.CUE_NAMES.index(name)], re.MULTILINE)
        for m in rx.finditer(joined):
            tokens = set(re.findall(r"\w+|\?", m.group()))
            assert any(all(group & tokens for group in alt) for alt in alts), (name, m.group())

    vocab = _cue_vocabulary()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.lists(st.sampled_from(vocab), max_size=25).map("".join) |
                    st.text(max_size=20), max_size=12))
    def check(batch):
        assert np.array_equal(cues.count_cues(batch), cues.count_cues(batch, anchors=False)), \
            batch

    check()


def test_anchors_read_as_written():
    """The anchor notation: "|" between alternatives, "&" between word groups."""
    from analyzer.nlp import cues

    assert cues.ANCHORS["agreement"] == ((frozenset({"works", "that"}),),)
    no_need = cues.ANCHORS["no_need"]
    assert (frozenset({"all"}), frozenset({"yours"})) in no_need
    assert (frozenset({"you", "u", "ya", "yall", "all"}), frozenset({"can"}),
            frozenset({"have", "take", "keep"})) in no_need
    assert all(w in cues.CUE_WORDS for alts in cues.ANCHORS.values() for alt in alts
               for group in alt for w in group)


def test_lower_never_shortens_a_character():
    """``count_cues`` tests one total length after lower-casing all texts joined: that is
    enough only because no character lower-cases to nothing."""
    import sys

    assert all(chr(c).lower() for c in range(sys.maxunicode + 1))


def test_anchoring_rewrites_known_cases():
    """What the rewrite does with each leading construct (and what it leaves alone)."""
    from analyzer.nlp.cues import anchored

    assert anchored(r"\b(?:i|we)\s+need\b") == r"i(?<!\wi)\s+need\b|we(?<!\wwe)\s+need\b"
    assert anchored(r"\bpets?\b") == r"pet(?<!\wpet)s?\b"
    assert anchored(r"\b\d+\b") == r"\d(?<!\w\d)\d*\b"
    assert anchored(r"\?+|:\)") == r"\?\?*|:\)"
    assert anchored(r"\bkids\b|\bkid\b|\bchild\b") == r"k(?:ids(?<!\wkids)\b|id(?<!\wkid)\b)" \
        r"|child(?<!\wchild)\b"
    assert anchored(r"(?:^|(?<=[.!]\s))do\s+you") == r"do(?:(?<![^\n]do)|(?<=[.!]\sdo))\s+you"
    for untouched in (r"\s+x", r"(?:a|b)?c", r"[ab]c", r"\b(?:a|\s)"):
        assert anchored(untouched) == untouched


ODD_TEXTS = ["", " ", "\0", "a\0b c", "x \0 y", "İstanbul İ", "hello  hello, WATER!!",
             "What?! no!!", "ß straße STRASSE", "ǅ ǆ", "I need\nwater", "50/50 ok :)",
             "tab\tseparated\u00a0nbsp", "émigré café", "do you need food? i need water.",
             "ok 🙂 thanks 😀😀", "ǈ ǋ Σ ΌΣ", "\u2028line\u2029sep", "a", "iiiiiiiiiiii",
             "snake_case x_1 ?!?! it's 3.5 a-b (c) [d] {e} ~f^ \x1fg\x7fh", "?", "!!"]


def reference_tfidf(vocab, C):
    """TF-IDF of counts as it was computed before the speed work (two sparse products):
    what ``_Vocab.tfidf`` must equal bit for bit."""
    import scipy.sparse as sp

    C = C.copy()
    C.data = 1.0 + np.log(C.data)
    C = C @ sp.diags(vocab.idf)
    norms = np.sqrt(np.asarray(C.multiply(C).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ C, dtype=np.float32)


def _same_csr(a, b) -> bool:
    a, b = a.tocsr(), b.tocsr()
    return a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and \
        np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data) and \
        a.dtype == b.dtype


def test_ngram_counts_equal_scikit_learn_on_odd_texts(analyzer):
    """The n-gram counting done in ``features`` (numpy word look-ups, char n-grams per
    word, element-wise TF-IDF) equals scikit-learn's counting and the sparse-product TF-IDF
    entry for entry, in the same order, on texts made to trip it (NUL, empty, non-ASCII
    case changes, other whitespace), with the shipped vocabularies and one fitted on them."""
    from analyzer.moves.features import fit_vocab

    fitted = analyzer.model.estimator.featurizer_
    no_nul = [t for t in ODD_TEXTS if "\0" not in t]  # numpy's str arrays drop a final NUL
    vocabs = [fitted.word_, fitted.char_,
              fit_vocab("word", (1, 2), no_nul, min_df=1, max_features=None),
              fit_vocab("word", (1, 3), no_nul, min_df=1, max_features=None),
              fit_vocab("word", (2, 3), no_nul, min_df=1, max_features=None),
              fit_vocab("char_wb", (2, 5), no_nul, min_df=1, max_features=None)]
    for vocab in vocabs:
        vocab.__dict__.pop("_cache", None)
        for texts in (ODD_TEXTS, no_nul, [], [""]):
            reference = vocab.reference_counts(texts)
            counts = vocab.counts(texts)
            assert _same_csr(counts, reference), (vocab.analyzer, texts)
            sklearn = vocab.counter().transform(texts).toarray()  # the texts as documents
            assert np.array_equal(counts.toarray(), sklearn)
            assert _same_csr(vocab.transform(texts), reference_tfidf(vocab, reference))


def _reference_features(est, X):
    """The feature matrix as it was computed before the speed work: scikit-learn counts,
    TF-IDF by sparse products, cue rules as written, two ``sp.hstack`` passes."""
    import scipy.sparse as sp

    fe = est.featurizer_
    text, prev, nxt = (X[c].tolist() for c in ("text", "prev_text", "next_text"))
    others = {c: X[c].tolist() for c in fe.context_texts}
    uniq = list(dict.fromkeys(text + prev + nxt + [s for v in others.values() for s in v]))
    where = {s: i for i, s in enumerate(uniq)}

    def index(values):
        return np.array([where[s] for s in values], dtype=np.int64)

    from analyzer.nlp.cues import count_cues

    W = reference_tfidf(fe.word_, fe.word_.reference_counts(uniq))
    C = reference_tfidf(fe.char_, fe.char_.reference_counts(uniq))
    cues = np.log1p(count_cues(uniq, anchors=False))  # every text scanned by every rule
    T = sp.hstack([W, C, sp.csr_matrix(cues)], format="csr", dtype=np.float32)
    blocks = [T[index(text)]]
    for column, values in others.items():
        w = fe._weight(column)
        blocks += [W[index(values)] * w, sp.csr_matrix(cues[index(values)] * w)]
    blocks.append(sp.csr_matrix(fe._context(X, text, prev)))
    M = sp.hstack(blocks, format="csr", dtype=np.float32)
    idx = {"text": index(text), "prev": index(prev), "next": index(nxt)}
    S = est._stack_block(T, idx, est.stage1_coef_, est.stage1_intercept_)
    last = []
    if fe.uses_vectors():  # word vectors by a plain regex and dict (``text_vectors``), last
        V = fe.vectors_.text_vectors(uniq) * np.float32(fe.vector_weight)
        last.append(sp.csr_matrix(np.hstack(
            [V[index(text)]] + [V[index(values)] * np.float32(fe.vector_context)
                                for values in others.values()])))
    return sp.hstack([M, sp.csr_matrix(S), *last], format="csr")


def test_features_and_probabilities_equal_the_reference_path_on_all_casino(
        analyzer, casino_dir, monkeypatch):
    """On every CaSiNo chat turn (train + valid, all dialogues: 10,750) the fast features
    are the reference features bit for bit, so label and orientation probabilities agree to
    1e-12 (they are in fact equal)."""
    import re

    from analyzer.moves.data import casino_files, read_casino
    from analyzer.moves.features import turn_frame
    from analyzer.nlp import cues

    est = analyzer.model.estimator
    transcripts = [t for f in casino_files(casino_dir)
                   for t in read_casino(f, annotated_only=False)]
    frame = turn_frame(transcripts)
    frame = frame[~frame["is_action"]].reset_index(drop=True)
    assert len(frame) == 10_750
    for vocab in (est.featurizer_.word_, est.featurizer_.char_):
        vocab.__dict__.pop("_cache", None)
    M = est.features(frame)
    Pl, Po = est.scores(M)
    # labelling's way: the word-vector block kept dense, its products done densely
    parts = est.feature_parts(frame)
    Dl, Do = est.scores(parts.matrix, parts.dense)
    assert np.abs(Pl - Dl).max() <= 1e-5 and np.abs(Po - Do).max() <= 1e-5
    plain = {j: re.compile(r, re.MULTILINE) for j, (_, r) in enumerate(cues._PLANS.values())
             if r}
    monkeypatch.setattr(cues, "_REST", plain)  # the rules as written, not anchored
    reference = _reference_features(est, frame)
    assert _same_csr(M, reference)
    Rl, Ro = est.scores(reference)
    assert np.abs(Pl - Rl).max() <= 1e-12 and np.abs(Po - Ro).max() <= 1e-12
    assert est.labels_from_proba(Pl) == _reference_labels(est, Pl)


def _reference_labels(est, P) -> list[tuple[str, ...]]:
    """``labels_from_proba`` row by row, as it was written before it was vectorised."""
    out = []
    for row in P:
        idx = [j for j in np.argsort(-row) if row[j] >= est.threshold] or [int(row.argmax())]
        out.append(tuple(est.classes_[j] for j in idx))
    return out


def test_labels_from_proba_equals_the_row_by_row_reference(analyzer):
    """Vectorised label sets equal the row-by-row ones on random scores with ties, scores
    exactly at the threshold, rows with nothing above it and NaN (the fallback path)."""
    est = analyzer.model.estimator
    assert est.multilabel_
    rng = np.random.default_rng(0)
    k = len(est.classes_)
    P = rng.random((500, k))
    P[:100] = np.round(P[:100], 1)  # many ties
    P[100:150, :3] = est.threshold  # at the threshold exactly
    P[150:200] *= est.threshold * 0.9  # nothing above: the best alone
    for Q in (P, P[:1], np.vstack([P[:20], np.full((1, k), np.nan)])):
        assert est.labels_from_proba(Q) == _reference_labels(est, Q)
    assert est.labels_from_proba(P[:0]) == []
    labels = est.labels_from_proba(P)
    assert any(len(s) > 1 for s in labels) and all(len(s) >= 1 for s in labels)


def test_token_ids_equal_the_word_pattern_tokens():
    """One tokenisation serves word n-grams and cue words: ASCII texts cut by bytes, the
    others by regex, NUL-holding ones one by one; all give scikit-learn's ``WORD_PATTERN``
    tokens of each text, in order."""
    import re

    from analyzer.moves.features import WORD_PATTERN, _Ids, token_ids

    for texts in (ODD_TEXTS, [t for t in ODD_TEXTS if "\0" not in t],
                  [t for t in ODD_TEXTS if t.isascii() and "\0" not in t], []):
        lowered = [t.lower() for t in texts]
        expected = [(i, w) for i, t in enumerate(lowered) for w in re.findall(WORD_PATTERN, t)]
        ids = _Ids({w: k for k, w in enumerate(sorted({w for _, w in expected}))})
        ids["\0"] = len(ids)
        ids.unknown = len(ids)
        rows, flat = token_ids(lowered, ids)
        assert list(zip(rows.tolist(), flat.tolist(), strict=True)) == \
            [(i, ids[w]) for i, w in expected]



def test_features_from_column_lists_equal_the_table_path(analyzer, casino_dir, examples_dir):
    """``predict_sessions`` gives the featurizer its columns as plain lists
    (``_spoken_columns``), not the ``DataFrame`` of ``_spoken_rows`` (the training table):
    every part of the features is the same bit for bit, on CaSiNo valid (all dialogues) and
    the example transcripts."""
    from analyzer.moves.data import read_casino
    from analyzer.moves.model import _FRAME_COLUMNS, _spoken_columns, _spoken_rows
    from analyzer.nlp import split_units_many

    transcripts = read_casino(casino_dir / "casino_valid.json", annotated_only=False)
    transcripts += [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]
    items = list(zip(transcripts, split_units_many(analyzer.nlp, transcripts), strict=True))
    frame = _spoken_rows(items)
    full = _spoken_columns(items, full=True)
    assert {c: frame[c].tolist() for c in _FRAME_COLUMNS} == full
    lists = _spoken_columns(items)
    assert set(lists) < set(full) and all(lists[c] == full[c] for c in lists)
    est = analyzer.model.estimator
    got, expected = est.feature_parts(lists), est.feature_parts(frame)
    assert _same_csr(got.matrix, expected.matrix)
    assert _same_csr(got.text_matrix, expected.text_matrix)
    assert got.texts == expected.texts
    assert np.array_equal(got.cue_counts, expected.cue_counts)
    assert got.idx.keys() == expected.idx.keys()
    assert all(np.array_equal(got.idx[k], expected.idx[k]) for k in got.idx)
    ctx = est.featurizer_._context
    assert np.array_equal(ctx(lists, lists["text"], lists["prev_text"]),
                          ctx(frame, lists["text"], lists["prev_text"]))


def test_cached_word_grams_equal_fresh_rows(analyzer, casino_dir):
    """``word_grams`` gathers the rows of known words from its store: the same matrix (row
    bounds, columns, counts, dtypes) as counting the words afresh, for batches of new,
    known and mixed words, across the store's growth."""
    import scipy.sparse as sp

    from analyzer.moves.data import read_casino

    vocab = analyzer.model.estimator.featurizer_.char_
    vocab.__dict__.pop("_cache", None)
    words = list(dict.fromkeys(w for t in read_casino(casino_dir / "casino_train.json",
                                                      annotated_only=False)
                               for turn in t.turns for w in turn.text.lower().split()))
    assert len(words) > 5000  # more than the store's first capacity
    batches = [words[:50], words[:3000], words[2000:], words[::7], ["x", "x"], [],
               words[10:20] + ["naïve", "ǅ", "a\u00a0b"]]
    for batch in batches:
        got = vocab.word_grams(batch)
        indices, data, bounds = vocab._char_wb_rows(batch)
        fresh = sp.csr_matrix((data, indices, bounds), shape=(len(batch), len(vocab.terms)))
        assert _same_csr(got, fresh) and got.indptr.dtype == fresh.indptr.dtype


def test_lower_case_keeps_the_whitespace_words():
    """The features count a text's words (``len(text.split())``) on its lower-cased form,
    from the char n-grams' split: no character changes whether it is whitespace when
    lower-cased, so the count is the same for every text."""
    import sys

    for code in range(sys.maxunicode + 1):
        c = chr(code)
        low = c.lower()
        assert all(ch.isspace() for ch in low) if c.isspace() else \
            not any(ch.isspace() for ch in low), hex(code)
    for text in ODD_TEXTS:
        assert len(text.split()) == len(text.lower().split())


def test_word_counts_of_the_char_split_equal_str_split(analyzer):
    """``char_counts_and_words`` gives each text's ``len(text.split())`` (joined and
    one-by-one paths) with the same counts as ``char_counts``."""
    vocab = analyzer.model.estimator.featurizer_.char_
    for texts in (ODD_TEXTS, [t for t in ODD_TEXTS if "\0" not in t], [], [""], ["a b", ""]):
        lowered = [t.lower() for t in texts]
        counts, words = vocab.char_counts_and_words(lowered)
        assert words.tolist() == [len(t.split()) for t in texts]
        assert _same_csr(counts, vocab.char_counts(lowered))


def _token_walk_spans(doc) -> list[tuple[int, int]]:
    """``sentence_spans`` as it was written before the speed work (a walk over the tokens):
    the reference of the attribute-array version."""
    ends = {".", "!", "?", "...", "!!", "??", "?!", "!?", "…"}
    spans: list[tuple[int, int]] = []
    start = None
    n = len(doc)
    for i, tok in enumerate(doc):
        if tok.is_space and "\n" in tok.text:
            if start is not None:
                spans.append((doc[start].idx, doc[i - 1].idx + len(doc[i - 1].text)))
                start = None
            continue
        if start is None:
            start = i
        if tok.text in ends or (tok.is_punct and tok.text[-1:] in "!?"):
            nxt = doc[i + 1] if i + 1 < n else None
            if nxt is not None and nxt.text in ends | {")", '"', "'"}:
                continue
            spans.append((doc[start].idx, tok.idx + len(tok.text)))
            start = None
    if start is not None:
        last = n - 1
        while last > start and doc[last].is_space:
            last -= 1
        spans.append((doc[start].idx, doc[last].idx + len(doc[last].text)))
    return spans


def test_sentence_spans_equal_the_token_walk(analyzer, casino_dir, examples_dir):
    """``sentence_spans`` (attribute arrays, ids) gives the token walk's spans on every
    CaSiNo and example turn, odd texts and made-up sentence ends, with the analyser's
    tokenizer and a separate blank pipeline's."""
    import spacy

    from analyzer.moves.data import casino_files, read_casino
    from analyzer.nlp import sentence_spans

    texts = [turn.text for f in casino_files(casino_dir)
             for t in read_casino(f, annotated_only=False) for turn in t.turns]
    texts += [turn.text for p in expand_inputs([examples_dir]) for t in read_transcripts(p)
              for turn in t.turns]
    texts += ODD_TEXTS + ["Hi!! Really?! \"Yes.\" (ok.) 'no!' …and then\n\nnew line. 😀 end?!",
                          "no end", " \n ", "a.\n", "?", "Wait... what?) fine!' x", ""]
    for nlp in (analyzer.nlp, spacy.blank("en")):
        for text in texts:
            doc = nlp.make_doc(text)
            assert sentence_spans(doc) == _token_walk_spans(doc), text
