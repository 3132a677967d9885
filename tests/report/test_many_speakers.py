"""Sessions of many speakers: every per-speaker figure is grouped once, not picked out of
every turn per speaker (fuzzing QA, 28 Nov 2026: 20,000 one-turn speakers did not finish in
300 s; measured by hand after the fix: 39 s, nearly all of it writing the 77 MB JSON report).
These tests check the figures stay right; the scaling was measured, not asserted."""

from __future__ import annotations

import pytest

import analyzer.transcript as transcript_module
from analyzer.report.session_report import build_report

INT, DIS = "integrative", "distributive"
N = 300


@pytest.fixture
def crowd(session_factory):
    """``N`` speakers, each with two turns (one of 2 words, one of 3), the first round
    integrative and the second distributive."""
    rows = [(f"P{i}", "hello there", None, None, "small-talk", INT, 0.9) for i in range(N)]
    rows += [(f"P{i}", "I need water", None, None, "self-need", DIS, 0.8) for i in range(N)]
    stages = ["opening"] * N + ["bargaining"] * N
    return session_factory("crowd", rows, stages, "unfinished")


def test_every_speaker_of_many_gets_their_own_figures(crowd):
    report = build_report(crowd)
    parties = report["overview"]["parties"]
    assert [p["speaker"] for p in parties] == [f"P{i}" for i in range(N)]
    for row in parties:
        assert (row["turns"], row["words"], row["questions"]) == (2, 5, 0)
        assert row["talk_share"] == pytest.approx(1 / N)
        assert row["longest_monologue_words"] == 3
        assert row["orientation_counts"][INT] == row["orientation_counts"][DIS] == 1
    opening = next(s for s in report["stages"] if s["stage"] == "opening")
    assert all(p["turns"] == 1 and p["words"] == 2 for p in opening["parties"])
    recip = {r["party"]: r for r in report["reciprocity"]["parties"]}
    assert len(recip) == N and recip["P0"]["replies"] == 1  # P0's second turn answers P299
    assert recip["P1"]["replies"] == 2 and recip["P1"]["after_distributive"] == 1


def test_side_of_and_role_of_look_speakers_up_once(crowd, monkeypatch):
    """``side_of`` built the set of clients from every speaker on each call; now the
    transcript builds it once (one ``_client_of`` per speaker, plus one per call)."""
    calls = []
    real = transcript_module._client_of
    monkeypatch.setattr(transcript_module, "_client_of", lambda r: calls.append(r) or real(r))
    t = crowd.transcript
    assert [t.side_of(turn.speaker) for turn in t.turns] == [None] * (2 * N)
    assert len(calls) <= N + 2 * N
    assert t.role_of("P7") == "party" and t.role_of("nobody") == "party"
    with pytest.raises(KeyError):
        t.speaker("nobody")
