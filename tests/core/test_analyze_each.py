"""One session that fails inside a vectorised batch costs only itself."""

from __future__ import annotations

import pytest

from analyzer import Analyzer, read_transcripts
from analyzer.transcript import Transcript, Turn, speakers_in_order


@pytest.fixture(scope="module")
def engine():
    return Analyzer()


def test_a_failing_session_is_reported_and_the_rest_analysed(engine, examples_dir):
    good = list(read_transcripts(examples_dir / "procurement.csv"))
    turns = (Turn(0, "Ana", "Hello"), Turn(1, "Ben", None))  # text None: cannot be tokenized
    bad = Transcript("broken", "x", "text", speakers_in_order(turns), turns)
    sessions = [good[0], bad, good[1]]
    results = list(engine.analyze_each(sessions))
    assert [t.session_id for t, _, _ in results] == [s.session_id for s in sessions]
    (_, first, e1), (_, none, error), (_, last, e3) = results
    assert e1 is None and e3 is None and none is None and error is not None
    assert first == engine.analyze(good[0])
    assert last == engine.analyze(good[1])


def test_a_session_failing_in_the_stage_evidence_costs_only_itself(engine, examples_dir):
    """The stages of a batch are decoded together (``Segmenter.segment_many``); a session
    whose evidence raises (an Accept-Deal whose terms are a list, not a mapping: the moves
    never read them, the stage evidence does) sends the batch one by one, so the sessions
    before and after it keep their own results."""
    from analyzer.transcript import Action

    good = list(read_transcripts(examples_dir / "procurement.csv"))
    turns = (Turn(0, "Ana", "Hello, shall we agree?"),
             Turn(1, "Ben", "Accept-Deal", action=Action("accept", "Accept-Deal", ["odd"])))
    bad = Transcript("odd-terms", "x", "text", speakers_in_order(turns), turns)
    with pytest.raises(AttributeError):
        engine.analyze(bad)
    results = list(engine.analyze_each([good[0], bad, good[1]]))
    assert [t.session_id for t, _, _ in results] == [good[0].session_id, "odd-terms",
                                                      good[1].session_id]
    (_, first, e1), (_, none, error), (_, last, e3) = results
    assert e1 is None and e3 is None and none is None and isinstance(error, AttributeError)
    assert first == engine.analyze(good[0]) and last == engine.analyze(good[1])
