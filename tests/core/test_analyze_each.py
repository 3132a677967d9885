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
