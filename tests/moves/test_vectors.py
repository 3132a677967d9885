"""The word-vector block of the move features: known answers on named sentences."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from analyzer.errors import ModelError
from analyzer.moves import load_model
from analyzer.moves.features import turn_frame
from analyzer.moves.vectors import VECTORS_FILE, WordVectors, shipped_vectors_path, write_table

# rows exact in int8 (each row's largest value is 127 steps of its scale)
WORDS = ["water", "food", "firewood"]
ROWS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])


@pytest.fixture
def tiny(tmp_path):
    return write_table(tmp_path / "tiny.npz", WORDS, ROWS)


def test_a_text_is_the_normalised_mean_of_its_known_words(tiny):
    v = WordVectors.load(tiny)
    got = v.text_vectors(["water", "Water, qzxv!", "", "qzxv", "water food",
                          "water water firewood"])
    np.testing.assert_allclose(got[0], [1, 0, 0])  # a word in the table: its row
    np.testing.assert_allclose(got[1], [1, 0, 0])  # case folded, an unknown word skipped
    np.testing.assert_array_equal(got[2], [0, 0, 0])  # an empty turn: zeros
    np.testing.assert_array_equal(got[3], [0, 0, 0])  # no known word: zeros
    np.testing.assert_allclose(got[4], np.array([1, 1, 0]) / np.sqrt(2), rtol=1e-6)
    np.testing.assert_allclose(got[5], np.array([2, 0, 2]) / np.sqrt(8), rtol=1e-6)


def test_the_feature_block_holds_turn_previous_and_next_vectors(tiny):
    from analyzer.moves.estimators import TurnFeaturizer

    X = _frame(["I need water", "Food for me", "qzxv", ""])
    fz = TurnFeaturizer(context_texts=("prev_text", "next_text"), min_df=1,
                        word_vectors=str(tiny), vector_weight=0.5, vector_context=0.5).fit(X)
    names = list(fz.get_feature_names_out())
    M = fz.transform(X).toarray()
    own = [names.index(f"vec:{i}") for i in range(3)]
    prev = [names.index(f"prev_vec:{i}") for i in range(3)]
    nxt = [names.index(f"next_vec:{i}") for i in range(3)]
    np.testing.assert_allclose(M[0, own], [0.5, 0, 0])  # "water" x vector_weight
    np.testing.assert_array_equal(M[0, prev], [0, 0, 0])  # no previous turn
    np.testing.assert_allclose(M[0, nxt], [0, 0.25, 0])  # "food" x weight x context
    np.testing.assert_allclose(M[1, prev], [0.25, 0, 0])
    np.testing.assert_array_equal(M[2, own], [0, 0, 0])  # only unknown words
    np.testing.assert_array_equal(M[3, own], [0, 0, 0])  # empty turn


def test_dense_blocks_become_the_same_sparse_matrix_as_scipy_makes():
    import scipy.sparse as sp

    from analyzer.moves.features import _dense_csr

    rng = np.random.default_rng(0)
    for shape in [(0, 5), (3, 0), (50, 384), (7, 3)]:
        D = rng.standard_normal(shape).astype(np.float32)
        if min(shape) > 2:
            D[1], D[2, 1] = 0, 0  # a row of zeros (an empty turn), a zero inside a row
        got, want = _dense_csr(D), sp.csr_matrix(D)
        assert got.shape == want.shape and got.has_sorted_indices
        for a, b in ((got.indptr, want.indptr), (got.indices, want.indices),
                     (got.data, want.data)):
            np.testing.assert_array_equal(a, b)


def test_the_shared_token_pass_gives_the_reference_vectors(slice_data):
    """The featurizer looks words up in the same pass as the n-grams; the numbers equal
    ``WordVectors.text_vectors`` (a plain regex and dict) on real turns."""
    model = load_model()
    fz = model.estimator.featurizer_
    X = turn_frame(slice_data.transcripts, labelled_only=True)
    names = list(fz.get_feature_names_out())
    cols = [i for i, n in enumerate(names) if n.startswith("vec:")]
    got = fz.transform(X)[:, cols].toarray()
    ref = fz.vectors_.text_vectors(X["text"].tolist()) * fz.vector_weight
    np.testing.assert_allclose(got, ref, atol=1e-6)


def test_the_shipped_table_knows_words_and_is_small():
    path = shipped_vectors_path()
    assert path.stat().st_size <= 8_000_000
    v = WordVectors.load(path)
    index = {w: i for i, w in enumerate(v.words)}
    row = v.table[index["water"]]
    np.testing.assert_allclose(v.text_vectors(["water"])[0], row / np.linalg.norm(row),
                               rtol=1e-5)

    def sim(a, b):
        x, y = v.text_vectors([a, b])
        return float(x @ y)
    # what the table is for: paraphrases close, unrelated words far
    assert sim("kids", "children") > sim("kids", "firewood")
    assert sim("sorry", "apologies") > sim("sorry", "water")


def test_model_with_vectors_saves_the_table_and_refuses_a_changed_one(slice_model, slice_data,
                                                                    tmp_path):
    folder = slice_model.save(tmp_path / "m")
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["word_vectors"]["name"] == VECTORS_FILE
    assert (folder / VECTORS_FILE).read_bytes() == shipped_vectors_path().read_bytes()
    X = turn_frame(slice_data.transcripts[:5], labelled_only=True)
    again = load_model(folder)
    np.testing.assert_array_equal(again.estimator.predict_proba(X),
                                  slice_model.estimator.predict_proba(X))
    other = tmp_path / "other.npz"
    write_table(other, WORDS, ROWS)
    shutil.copy(other, folder / VECTORS_FILE)
    with pytest.raises(ModelError, match="hash"):
        load_model(folder)
    (folder / VECTORS_FILE).unlink()
    with pytest.raises(ModelError, match="missing"):
        load_model(folder)
    with pytest.raises(ModelError, match="not the one"):
        again.estimator.featurizer_.attach_vectors(WordVectors.load(other))


def test_the_shipped_model_loads_without_torch_or_sentence_transformers(repo):
    code = ("import sys; from analyzer.moves import load_model; m = load_model(); "
            "assert m.estimator.featurizer_.vectors_ is not None; "
            "print(*(k in sys.modules for k in ('torch', 'sentence_transformers')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=repo, check=True, env={"PYTHONPATH": str(repo),
                              "OPENBLAS_NUM_THREADS": "1"})
    assert out.stdout.split() == ["False", "False"]


def _frame(texts):
    from analyzer.transcript import Transcript, Turn, speakers_in_order

    turns = tuple(Turn(i, "AB"[i % 2], t) for i, t in enumerate(texts))
    return turn_frame([Transcript("s", "test", "test", speakers_in_order(turns), turns)])

