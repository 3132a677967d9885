"""Units: short turns stay whole, long spoken turns are cut into sentences with offsets."""

from __future__ import annotations

from analyzer.nlp import make_nlp, split_units
from analyzer.transcript import Action, Transcript, Turn, speakers_in_order

LONG = ("Thanks for coming in today, we really appreciate the time you have taken. "
        "Our main concern is the delivery schedule, because the plant needs parts by March. "
        "What matters most to you in this contract? "
        "If you can move on price, we can move on the length of the deal!")


def _transcript(*turns: Turn) -> Transcript:
    return Transcript("s1", "test", "test", speakers_in_order(turns), tuple(turns))


def test_make_nlp_is_blank_english_with_our_components():
    nlp = make_nlp()
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["unit_splitter", "negotiation_cues"]


def test_short_turn_is_one_unit_long_turn_is_sentences():
    nlp = make_nlp()
    t = _transcript(Turn(0, "A", "Hi! I need water. Can I have 2?"), Turn(1, "B", LONG))
    units = split_units(nlp, t)
    assert [(u.turn, u.index) for u in units] == [(0, 0), (1, 0), (1, 1), (1, 2), (1, 3)]
    assert units[0].text == "Hi! I need water. Can I have 2?"
    assert units[3].text == "What matters most to you in this contract?"
    for u in units:  # offsets point back into the turn's text
        assert t.turns[u.turn].text[u.start_char:u.end_char] == u.text


def test_action_turn_is_one_unit_with_its_text_and_empty_turns_survive():
    nlp = make_nlp()
    t = _transcript(Turn(0, "A", "Submit-Deal", action=Action("submit", "Submit-Deal")),
                    Turn(1, "B", ""), Turn(2, "A", "   "))
    units = split_units(nlp, t)
    assert [u.turn for u in units] == [0, 1, 2]
    assert units[0].text == "Submit-Deal"
