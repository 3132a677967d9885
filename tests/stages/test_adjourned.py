"""The check for meetings put off (``stages/adjourned.py``): when it applies, what it changes,
how it is fitted, and the shipped check on two plain sessions with known endings."""

from __future__ import annotations

from analyzer.stages import load_segmenter
from analyzer.stages.adjourned import (
    GATE_FEATURES,
    apply_gate,
    fit_gate,
    gate_features,
    put_off_probability,
)
from analyzer.stages.evidence import FEATURES, session_evidence
from analyzer.transcript import Action, Speaker, Transcript, Turn

COL = {name: FEATURES.index(name) for name in FEATURES}


def chat(*lines: str) -> Transcript:
    turns = tuple(Turn(index=i, speaker="AB"[i % 2], text=t) for i, t in enumerate(lines))
    return Transcript("t", "test", "text", (Speaker("A"), Speaker("B")), turns)


ADJOURNED = chat(
    "Thanks for coming in. So you've seen our quote for the extension.",
    "We have. Honestly, it's more than we hoped. We were thinking closer to forty thousand.",
    "What matters most to you in the build?",
    "The second bedroom, and opening up the kitchen.",
    "If we dropped the upstairs suite, the build comes down a lot. I'd need to re-run it.",
    "That would make a big difference.",
    "Let me re-run the numbers and we meet again next Tuesday with a new proposal.",
    "Tuesday works for us.",
    "Perfect. Okay, enjoy your evening.",
    "Thanks, you too.")
AGREED = chat(
    "Hi, thanks for making time. Shall we talk about the rent?",
    "Sure. We need the rent to stay under twelve hundred a month.",
    "I could do eleven fifty a month with a two-year lease.",
    "Eleven fifty for two years works for me. We have a deal.",
    "Great, I'll send the contract over tomorrow.",
    "Thank you!")


def test_the_check_leaves_sessions_with_formal_actions_alone():
    turns = (Turn(0, "A", "Hello, I need water."),
             Turn(1, "B", "Submit-Deal", action=Action("submit", "Submit-Deal")),
             Turn(2, "A", "Accept-Deal", action=Action("accept", "Accept-Deal")))
    formal = Transcript("f", "test", "text", (Speaker("A"), Speaker("B")), turns)
    matrix = session_evidence(formal).matrix
    assert gate_features(matrix) is None
    always = {"coef": [0.0] * len(GATE_FEATURES), "intercept": 50.0, "threshold": 0.7}
    assert apply_gate(always, matrix) is matrix


def test_a_session_judged_put_off_may_close_only_at_an_impasse():
    matrix = session_evidence(chat("Hi.", "I can offer 500 dollars for it.", "Okay, thanks!",
                                   "No deal, I'm walking away.")).matrix
    assert len(gate_features(matrix)) == len(GATE_FEATURES)
    never = {"coef": [0.0] * len(GATE_FEATURES), "intercept": -50.0, "threshold": 0.7}
    always = dict(never, intercept=50.0)
    assert apply_gate(never, matrix) is matrix and apply_gate(None, matrix) is matrix
    gated = apply_gate(always, matrix)
    allowed = gated[:, COL["closing_allowed"]]
    impasse = matrix[:, COL["impasse"]] > 0
    assert (allowed[~impasse] == 0).all() and (allowed[impasse] == 1).all()
    assert matrix[2, COL["closing_allowed"]] == 1.0  # the original is not changed
    assert put_off_probability(always, matrix) > 0.99


def test_fitted_on_sessions_with_and_without_closing():
    adjourned = session_evidence(ADJOURNED).matrix
    agreed = session_evidence(AGREED).matrix
    labels_adjourned = ["opening"] * 2 + ["exploring"] * 4 + ["bargaining"] * 4
    labels_agreed = ["opening", "exploring", "bargaining", "closing", "closing", "closing"]
    assert fit_gate([adjourned, agreed], [labels_adjourned, labels_agreed]) is None  # too few
    gate = fit_gate([adjourned] * 5 + [agreed] * 5, [labels_adjourned] * 5 + [labels_agreed] * 5)
    assert gate["features"] == list(GATE_FEATURES) and gate["sessions"] == 10
    assert gate["put_off"] == 5
    assert put_off_probability(gate, adjourned) > put_off_probability(gate, agreed)


def test_the_shipped_check_on_two_plain_endings():
    seg = load_segmenter()
    assert seg.params.gate is not None and seg.params.gate["threshold"] == 0.7
    adjourned = seg.segment(ADJOURNED)
    assert "closing" not in adjourned.stages and adjourned.outcome == "unfinished"
    agreed = seg.segment(AGREED)
    assert agreed.outcome == "agreement" and agreed.stages[-1] == "closing"
