"""A speaker counted as a party who says they run the meeting gets a ``--roles`` hint."""

from __future__ import annotations

from analyzer.transcript import Speaker, Transcript, Turn, third_party_hint


def _session(first: str) -> Transcript:
    turns = (Turn(0, "Ruth", first), Turn(1, "Gary", "Afternoon."),
             Turn(2, "Sofia", "Hi, thanks for having us."))
    return Transcript("deposit", "deposit.txt", "text",
                      (Speaker("Ruth"), Speaker("Gary"), Speaker("Sofia")), turns)


def test_a_mediator_counted_as_a_party_gets_a_hint():
    hint = third_party_hint(_session("Good afternoon. I'm Ruth, I'll be mediating today."))
    assert hint is not None and "Ruth" in hint and '--roles "Ruth=mediator"' in hint
    assert "I'll be mediating" in hint and "(turn 0)" in hint


def test_no_hint_once_the_role_is_given_or_for_plain_talk():
    text = "Good afternoon. I'm Ruth, I'll be mediating today."
    assert third_party_hint(_session(text), {"ruth": "mediator"}) is None
    assert third_party_hint(_session("Hi both, shall we start with the deposit?")) is None
    # the chair of something else, speaking for it, is a party
    assert third_party_hint(_session("I'm the chair of the tenants' association, and we "
                                     "want the deposit back.")) is None
