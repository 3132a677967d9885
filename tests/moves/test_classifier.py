"""The estimator contract and the behaviour of the move classifier (trained on a small slice)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from analyzer.moves.classifier import MoveClassifier
from analyzer.moves.features import turn_frame
from analyzer.moves.model import load_model

pytestmark = pytest.mark.casino


@pytest.fixture(scope="module")
def table(slice_data):
    X = turn_frame(slice_data.transcripts, labelled_only=True)
    return X, list(X["gold"])


def test_params_are_stored_untouched_and_clone_works():
    est = MoveClassifier(C=0.5, char_ngrams=(3, 4), context_texts=("prev_text",))
    params = est.get_params()
    assert params["C"] == 0.5 and params["char_ngrams"] == (3, 4)
    twin = clone(est)
    assert twin.get_params() == params
    assert not hasattr(twin, "classes_")


def test_fit_returns_self_with_classes_and_probabilities(table):
    X, y = table
    est = MoveClassifier(random_state=0)
    assert est.fit(X, y) is est
    assert list(est.classes_) == sorted({lab for s in y for lab in s})
    P = est.predict_proba(X)
    assert P.shape == (len(X), len(est.classes_))
    assert ((P >= 0) & (P <= 1)).all()
    Q = est.predict_orientation_proba(X)
    assert np.allclose(Q.sum(axis=1), 1.0, atol=1e-5)
    # it learned something: training-set orientation accuracy well above chance (1/3)
    from analyzer.moves.taxonomy import CASINO_ORIENTATION, orientation_of_labels

    gold = np.array([orientation_of_labels(s, CASINO_ORIENTATION) for s in y])
    assert (est.predict_orientation(X) == gold).mean() > 0.8


def test_fitting_twice_and_cloning_give_identical_models(table):
    X, y = table
    a = MoveClassifier(random_state=3).fit(X, y)
    b = clone(a).fit(X, y)
    a.fit(X, y)
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    assert np.array_equal(a.predict_orientation_proba(X), b.predict_orientation_proba(X))


def test_save_then_load_gives_identical_predictions(slice_model, slice_data, tmp_path):
    folder = slice_model.save(tmp_path / "m")
    loaded = load_model(folder)
    X = turn_frame(slice_data.transcripts, labelled_only=True)
    for a, b in ((slice_model.estimator, loaded.estimator),):
        assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
        assert np.array_equal(a.predict_orientation_proba(X), b.predict_orientation_proba(X))
    assert loaded.info["hash"] == slice_model.info["hash"]
    assert loaded.info["labels"] == slice_model.info["labels"]


def test_single_label_data_gives_a_multiclass_model():
    import pandas as pd

    texts = ["I need all of it", "what do you need?", "ok let's start", "give me the price",
             "which matters most to you?", "shall we take a break"] * 4
    labels = ["claim", "question", "procedural"] * 8
    X = pd.DataFrame({"session_id": [f"s{i // 6}" for i in range(24)], "turn": list(range(24)),
                      "text": texts, "prev_text": [""] + texts[:-1],
                      "next_text": texts[1:] + [""], "prev2_text": ["", ""] + texts[:-2],
                      "prev_same_speaker": False, "position": 0.5, "prev_is_action": False})
    est = MoveClassifier(orientation_map={"claim": "distributive", "question": "integrative"},
                         min_df=1).fit(X, labels)
    assert not est.multilabel_
    assert np.allclose(est.predict_proba(X).sum(axis=1), 1.0, atol=1e-5)
    assert set(est.predict(X)) <= {"claim", "question", "procedural"}


def test_orientation_implied_by_labels_follows_the_mixed_turn_rule(slice_model):
    est = slice_model.estimator
    classes = list(est.classes_)
    rows = np.full((4, len(classes)), 0.05)
    rows[0, classes.index("self-need")] = 0.95
    rows[1, classes.index("small-talk")] = 0.95
    rows[2, classes.index("small-talk")] = 0.95
    rows[2, classes.index("vouch-fair")] = 0.95  # mixed turn: distributive wins
    Q = est.orientation_from_labels(rows)
    assert np.allclose(Q.sum(axis=1), 1.0)
    names = [est.orientation_classes_[i] for i in Q.argmax(axis=1)]
    assert names == ["distributive", "integrative", "distributive", "neutral"]


def test_spoken_weight_weighs_only_the_project_spoken_sessions(table):
    """``spoken_weight`` scales the turns of sessions named ``folder/file#id`` (the project's
    spoken codes) in every fit: 1.0 is the fit without it, bit for bit; without such
    sessions any weight is the same fit; with them, another weight moves the coefficients."""
    X, y = table
    base = MoveClassifier(random_state=0).fit(X, y)
    same = MoveClassifier(random_state=0, spoken_weight=1.0).fit(X, y)
    assert np.array_equal(base.label_coef_, same.label_coef_)
    unaffected = MoveClassifier(random_state=0, spoken_weight=0.5).fit(X, y)
    assert np.array_equal(base.label_coef_, unaffected.label_coef_)
    spoken = X.copy()
    ids = spoken["session_id"].astype(str)
    first = ids.unique()[: max(1, ids.nunique() // 3)]
    spoken["session_id"] = [f"spoken/x.txt#{i}" if i in set(first) else i for i in ids]
    one = MoveClassifier(random_state=0).fit(spoken, y)
    half = MoveClassifier(random_state=0, spoken_weight=0.5).fit(spoken, y)
    assert not np.allclose(one.label_coef_, half.label_coef_)
    assert not hasattr(half, "w_")  # the weights are not kept in the model
