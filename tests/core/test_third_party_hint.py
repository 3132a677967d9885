"""A speaker counted as a party who says they run the meeting gets a ``--roles`` hint."""

from __future__ import annotations

from analyzer.transcript import Speaker, Transcript, Turn, third_party_hints


def third_party_hint(transcript, roles=None):
    hints = third_party_hints(transcript, roles)
    return hints[0] if hints else None


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


def test_hints_for_chairs_co_mediators_and_every_such_speaker_not_for_quotes():
    """Multi-party QA, 28 Nov 2026: "I'll chair" and "we're co-mediating" gave no hint, a
    party quoting the mediator got one, and only the first of two mediators was named."""
    assert '--roles "Ruth=chair"' in third_party_hint(_session("I'll chair today's meeting."))
    assert "Ruth=mediator" in third_party_hint(_session("Hi all, we're co-mediating today."))
    assert third_party_hint(_session("As the mediator said on the phone, we start at nine.")) \
        is None
    turns = (Turn(0, "Ana", "I'll be mediating with Tom."), Turn(1, "Tom", "Yes, I'm "
             "co-mediating."), Turn(2, "Gary", "Fine."))
    both = third_party_hints(Transcript("m", "m.txt", "text", (Speaker("Ana"), Speaker("Tom"),
                                                                 Speaker("Gary")), turns))
    assert [h.split(" says ")[0][-3:] for h in both] == ["Ana", "Tom"]
