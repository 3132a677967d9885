"""Feature extraction: context columns, and the fast char n-gram count equals scikit-learn's."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from analyzer.moves.features import TurnFeaturizer, fit_vocab, turn_frame
from analyzer.transcript import Action, Transcript, Turn, speakers_in_order

TEXTS = ["Hello there! I need water.", "What do you need most?", "hello  hello, WATER!!",
         "Ok: 2 food and 1 firewood for me?", "no need", ""]


def _transcript() -> Transcript:
    turns = (Turn(0, "A", TEXTS[0], gold=("self-need",)), Turn(1, "B", TEXTS[1], gold=("x",)),
             Turn(2, "A", "Submit-Deal", action=Action("submit", "Submit-Deal")),
             Turn(3, "B", TEXTS[3], gold=("non-strategic",)))
    return Transcript("s", "t", "t", speakers_in_order(turns), turns)


def test_char_counts_equal_scikit_learn_char_wb():
    vocab = fit_vocab("char_wb", (2, 5), TEXTS, min_df=1, max_features=None)
    reference = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                vocabulary={t: i for i, t in enumerate(vocab.terms)})
    ours = vocab.counts(TEXTS).toarray()
    assert np.array_equal(ours, reference.transform(TEXTS).toarray())


def test_turn_frame_carries_context_and_keeps_actions_as_context_only():
    t = _transcript()
    frame = turn_frame([t])
    assert frame["prev_text"].tolist() == ["", TEXTS[0], TEXTS[1], "Submit-Deal"]
    assert frame["next_text"].tolist() == [TEXTS[1], "Submit-Deal", TEXTS[3], ""]
    assert frame["prev_same_speaker"].tolist() == [False, False, False, False]
    labelled = turn_frame([t], labelled_only=True)
    assert labelled["turn"].tolist() == [0, 1, 3]
    assert labelled.iloc[2]["prev_is_action"]


def test_featurizer_names_match_columns_and_rows_are_independent_of_batch():
    frame = turn_frame([_transcript()])
    fe = TurnFeaturizer(min_df=1, context_texts=("prev_text", "next_text")).fit(frame)
    M = fe.transform(frame)
    assert M.shape[1] == len(fe.get_feature_names_out())
    one = fe.transform(frame.iloc[[1]])
    assert np.allclose(M[1].toarray(), one.toarray())
