"""The learned text signal of the stage decoder (``analyzer/stages/text.py``): n-grams and
TF-IDF rows with known values, the fast prediction path equal to the fitting rows, a text
model that learns a closing cue, its JSON (no pickle) in the shipped parameters, and the
stacking: no session's labels ever reach its own text columns."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import ModelError
from analyzer.stages import fit, text
from analyzer.stages.evidence import EVIDENCE_FEATURES, FEATURES, session_evidence
from analyzer.stages.segmenter import PARAMS_PATH, Segmenter, StageParams, load_segmenter
from analyzer.transcript import Action, Speaker, Transcript, Turn


def chat(*lines: str, name: str = "t") -> Transcript:
    turns = tuple(Turn(index=i, speaker="AB"[i % 2], text=line) for i, line in enumerate(lines))
    return Transcript(name, "test", "text", (Speaker("A"), Speaker("B")), turns)


def test_tokens_and_ngrams_of_a_named_sentence():
    assert text.turn_tokens(chat("Deal, thanks!")) == [("deal", ",", "thanks", "!")]
    assert text.ngrams(("i", "need", "water")) == [
        "i", "need", "water", ("<s>", "i"), ("i", "need"), ("need", "water")]
    assert text.ngrams(("i", "need"), order=1) == ["i", "need"]
    assert text.target_values(["opening", "bargaining", "bargaining", "closing", "closing"],
                              "start:closing") == [0, 0, 0, 1, 0]
    assert text.target_values(["bargaining", "closing"], "in:closing") == [0, 1]
    assert text.column_name("start:closing") == "text_start_closing"
    # the text columns close the feature list, after the evidence's own
    assert FEATURES == EVIDENCE_FEATURES + text.TEXT_COLUMNS


def test_tfidf_rows_known_values():
    idf = np.array([1.0, 2.0, 3.0])
    rows = text.tfidf_rows([[0, 1], [2, 2], []], idf).toarray()
    # binary idf weights over the l2 norm; a repeat counts twice (norm over occurrences)
    assert np.allclose(rows[0], [1 / math.sqrt(5), 2 / math.sqrt(5), 0])
    assert np.allclose(rows[1], [0, 0, 6 / math.sqrt(18)])
    assert np.allclose(rows[2], 0)


# four sessions whose closing starts at the turn that says "deal": the model must learn it
TRAIN = [
    ["hello there", "i need water for my kids", "you take 2 food i take 3 water",
     "deal , thanks", "thanks bye"],
    ["hi", "how about i get the firewood", "no i need it", "ok deal", "great"],
    ["hello", "i want food", "can i have 3 food", "deal", "bye now"],
    ["hey", "what do you need most", "water", "you get 2 water", "sounds good deal",
     "thanks"],
]
CLOSES = [3, 3, 3, 4]


def toy() -> tuple[list[list[tuple[str, ...]]], list[list[str]]]:
    tokens = [[tuple(line.split()) for line in s] for s in TRAIN]
    labels = [["opening"] + ["bargaining"] * (c - 1) + ["closing"] * (len(s) - c)
              for s, c in zip(TRAIN, CLOSES, strict=True)]
    return tokens, labels


def test_a_fitted_model_finds_the_closing_cue_and_both_paths_agree():
    tokens, labels = toy()
    model = text.fit_text(tokens, labels, C=10.0, min_df=2)
    assert "deal" in model.vocab and ("i", "need") in model.vocab
    assert ("want", "food") not in model.vocab  # seen once: under min_df
    p = model.predict([("i", "need", "water"), ("ok", "deal"), ("bye",)])
    start, inside = p[:, 0], p[:, 1]
    assert start[1] > 0.5 > start[0] and start[1] > start[2]
    assert inside[1] > inside[0] and inside[2] > inside[0]
    # the fast path (token rows, one gather per session) equals the fitting rows @ weights
    index = {g: j for j, g in enumerate(model.vocab)}
    for session in tokens:
        grams = [[index[g] for g in text.ngrams(t) if g in index] for t in session]
        want = text.tfidf_rows(grams, model.idf).toarray() @ model.weights
        got = model.session_scores([model.token_rows(t) for t in session])
        assert np.allclose(got, want, atol=1e-12)
    # predicting from a transcript (tokens from the evidence's cache, rows cached by text)
    # equals predicting from its tokens, cold and warm
    t = chat("hello", "i want food", "ok deal", "thanks")
    for _ in range(2):
        assert np.array_equal(model.predict_transcript(t), model.predict(text.turn_tokens(t)))


def test_batched_predictions_equal_the_per_session_ones():
    tokens, labels = toy()
    model = text.fit_text(tokens, labels, C=10.0, min_df=2)
    sessions = [chat("hello", "i want food", "ok deal", "thanks"), chat(name="empty"),
                chat("deal"), chat("i need water", "you take 2 food i take 3 water", "deal")]
    for _ in range(2):  # cold, then warm cache
        many = model.predict_many(sessions)
        k = len(text.TARGETS)
        assert [m.shape for m in many] == [(4, k), (0, k), (1, k), (3, k)]
        for got, session in zip(many, sessions, strict=True):
            assert np.array_equal(got, model.predict(text.turn_tokens(session)))
    assert model.predict_many([]) == []


def test_row_sums_are_numpys_reduceat_bit_for_bit():
    """``_row_sums`` repeats numpy's pairwise summation step by step: every group length from
    1 to 300 rows (no lanes, lanes with and without a tail, past the 128 terms where
    ``reduceat`` itself takes over), groups of mixed lengths in any order, repeated rows
    and rows of zeros, values of very different sizes (so another order of additions
    shows in the last bits)."""
    rng = np.random.default_rng(7)
    table = rng.standard_normal((500, 16)) * 10.0 ** rng.integers(-6, 6, size=(500, 1))
    table[:20] = 0.0
    lens = np.concatenate([np.arange(1, 301), rng.integers(1, 80, size=200)])
    rng.shuffle(lens)
    flat = rng.integers(0, 500, size=int(lens.sum()))
    want = np.add.reduceat(table[flat], np.cumsum(lens) - lens, axis=0)
    assert text._row_sums(table, flat, lens).tobytes() == want.tobytes()
    one = np.array([3])  # a single group
    assert text._row_sums(table, flat[:3], one).tobytes() == \
        np.add.reduceat(table[flat[:3]], [0], axis=0).tobytes()


def test_batch_token_rows_equal_the_per_text_ones(examples_dir):
    """``predict_many`` builds every turn's n-gram rows with numpy (``_flat_rows``): the same
    rows, in the same order, as ``token_rows`` text by text, for the shipped model on the
    examples (formal actions, repeated and empty texts, a token spelled like the start
    marker) and for a unigram model."""
    from analyzer.io import expand_inputs, read_transcripts
    from analyzer.stages.segmenter import load_segmenter

    sessions = [t for path in expand_inputs([examples_dir]) for t in read_transcripts(path)]
    odd = chat("ok", "", "<s> deal <s>", "ok", "  ", "i want 2 food and you take the water")
    sessions.append(Transcript("odd", "test", "text", odd.speakers, odd.turns + (
        Turn(index=6, speaker="A", text="Submit-Deal", action=Action("submit", "Submit-Deal")),
    )))
    tokens, labels = toy()
    for model in (load_segmenter().params.text, text.fit_text(tokens, labels, order=1)):
        flat, lens = model._flat_rows(sessions, None)
        want = model._rows_of(sessions, None)
        assert lens.tolist() == [len(r) for r in want]
        assert flat.tolist() == [j for r in want for j in r]


def test_text_model_json_round_trip_and_bad_files():
    tokens, labels = toy()
    model = text.fit_text(tokens, labels, min_df=2)
    data = json.loads(json.dumps(model.to_json()))
    again = text.TextModel.from_json(data)
    assert again.vocab == model.vocab and np.allclose(again.weights, model.weights, atol=1e-6)
    bad = dict(data, weights=data["weights"][:-1])
    with pytest.raises(ValueError):
        text.TextModel.from_json(bad)
    with pytest.raises(ValueError):
        text.TextModel.from_json(dict(data, targets=["start:nowhere", "in:closing"]))


def test_shipped_parameters_hold_the_text_model_as_json(monkeypatch, tmp_path):
    data = json.loads(PARAMS_PATH.read_text(encoding="utf-8"))
    assert data["text"]["targets"] == list(text.TARGETS)
    assert isinstance(data["text"]["vocab"], list) and len(data["text"]["vocab"]) > 1000
    assert {c for c in text.TEXT_COLUMNS} <= set(data["features"])

    def no_pickle(*args, **kwargs):
        raise AssertionError("stage parameters must not be unpickled")

    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    seg = load_segmenter()
    assert seg.params.text is not None and seg.params.text.targets == list(text.TARGETS)
    # save / load keeps it (the long arrays on one line each)
    path = tmp_path / "p.json"
    seg.params.save(path)
    again = StageParams.load(path)
    assert again.text.vocab == seg.params.text.vocab
    assert np.array_equal(again.text.weights, seg.params.text.weights)
    broken = json.loads(path.read_text(encoding="utf-8"))
    broken["text"]["idf"] = broken["text"]["idf"][:3]
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ModelError):
        StageParams.load(path)


def test_shipped_segmenter_fills_the_text_columns():
    seg = load_segmenter()
    t = chat("Hello! How are you?", "I need water, my kids are thirsty.",
             "Can I take 2 water and you take all the food?", "Deal, that works for me.",
             "Great, thanks!")
    ev = session_evidence(t)
    cols = [FEATURES.index(c) for c in text.TEXT_COLUMNS]
    assert np.all(ev.matrix[:, cols] == 0)  # the evidence leaves them to the segmenter
    filled = seg.ready_to_decode(ev.matrix, t)
    assert np.array_equal(filled[:, cols], seg.params.text.predict_transcript(t))
    start = filled[:, FEATURES.index("text_start_closing")]
    assert int(np.argmax(start)) == 3  # the acceptance is the likeliest closing start
    assert seg.segment(t).stages[3] == "closing"
    # parameters without a text model leave the columns at 0
    plain = Segmenter(StageParams.from_json(dict(seg.params.to_json(), text=None)))
    assert plain.ready_to_decode(ev.matrix, t) is ev.matrix


class Spy:
    """Wraps ``text.fit_text``: every fitted model remembers which sessions (by their
    tokens) it was fitted on, and every prediction checks it is not one of them."""

    def __init__(self, monkeypatch, sessions: dict[tuple, int]):
        self.sessions = sessions
        self.fits: list[set[int]] = []
        self.predicted = 0
        real_fit, real_predict = text.fit_text, text.TextModel.predict
        spy = self

        def fit_text(tokens, labels, **kwargs):
            model = real_fit(tokens, labels, **kwargs)
            model.seen = {sessions[tuple(s)] for s in tokens}
            spy.fits.append(model.seen)
            return model

        def predict(model, tokens):
            i = sessions[tuple(tokens)]
            assert i not in model.seen, f"session {i} scored by a text model fitted on it"
            spy.predicted += 1
            return real_predict(model, tokens)

        def predict_transcript(model, transcript, nlp=None):
            return predict(model, text.turn_tokens(transcript, nlp))

        monkeypatch.setattr(text, "fit_text", fit_text)
        monkeypatch.setattr(fit, "fit_text", fit_text)
        monkeypatch.setattr(text.TextModel, "predict", predict)
        monkeypatch.setattr(text.TextModel, "predict_transcript", predict_transcript)


def test_out_of_fold_columns_never_see_their_own_session(monkeypatch):
    tokens, labels = toy()
    tokens, labels = tokens * 3, labels * 3  # 12 sessions, made distinct by a marker token
    tokens = [[(f"s{i}",), *s[1:]] for i, s in enumerate(tokens)]
    labels = [list(seq) for seq in labels]
    spy = Spy(monkeypatch, {tuple(s): i for i, s in enumerate(tokens)})
    cols = text.oof_columns(tokens, labels, k=4, seed=1, min_df=2)
    assert spy.predicted == 12 and len(spy.fits) == 4
    assert all(len(seen) == 9 for seen in spy.fits)
    assert [c.shape for c in cols] == [(len(s), len(text.TARGETS)) for s in tokens]
    # the standard fit: out-of-fold columns for the stage parameters, then one text model
    # on every session for the shipped parameters
    spy.fits.clear()
    matrices = [np.zeros((len(s), len(FEATURES))) for s in tokens]
    for m in matrices:
        m[:, FEATURES.index("bias")] = 1.0
    params = fit.fit_stacked(matrices, labels, tokens, inner=3)
    assert [len(seen) for seen in spy.fits] == [8, 8, 8, 12]
    assert params.text.seen == set(range(12)) and params.meta["text"]["inner_folds"] == 3


def test_cross_validation_never_shows_a_held_out_label_to_the_text_model(monkeypatch,
                                                                         examples_dir):
    from analyzer.stages.evaluate import evaluate_gold, folds
    from analyzer.stages.gold import read_gold, resolve

    # the repository's gold file (not the package's location: CI installs the package)
    gold = Path(__file__).resolve().parents[2] / "corpora" / "stages" / "gold_examples.tsv"
    pairs = resolve(read_gold(gold), examples=examples_dir)
    sessions = {tuple(text.turn_tokens(t)): i for i, (_, t) in enumerate(pairs)}
    assert len(sessions) == len(pairs)  # every session told apart by its tokens
    spy = Spy(monkeypatch, sessions)
    evaluate_gold(pairs, cv=3, use_moves=False, seed=0)
    n = len(pairs)
    assert spy.predicted == n * 3  # each session: once out-of-fold inside the outer
    # training folds twice, and once held out
    for fold, test in enumerate(folds(n, 3, 0)):
        held = set(test.tolist())
        # per outer fold: 5 inner fits and one on the whole training folds, none of them
        # on a held-out session
        for seen in spy.fits[fold * 6:(fold + 1) * 6]:
            assert not seen & held
        assert spy.fits[fold * 6 + 5] == set(range(n)) - held
