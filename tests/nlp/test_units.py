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


def test_long_runs_of_marks_tokenise_in_linear_time_and_keep_the_text():
    """Security QA, 28 Nov 2026: spaCy's affix splitting is quadratic in a run of marks
    (50,000 "!" in one turn took minutes; "1:1:1:..." too), which could hold a batch
    worker for hours. Runs are cut into short tokens; the text stays exactly the same."""
    import time

    from analyzer.nlp import make_nlp
    from analyzer.stages.terms import _about_no_term

    nlp = make_nlp()
    for text in ("Anna: " + "!" * 50_000, "Bob: " + "1:" * 25_000 + " ok", "x " + "?!" * 100
                 + "\ny", "Fine!!! Deal."):
        began = time.monotonic()
        doc = nlp.make_doc(text)
        assert doc.text == text and time.monotonic() - began < 5
    assert [t.text for t in nlp.make_doc("Fine!!! Deal.")] == ["Fine", "!", "!", "!", "Deal",
                                                                  "."]
    tokens = ["1", "-"] * 20_000
    began = time.monotonic()
    assert not any(_about_no_term(tokens, i) for i in range(0, 2000, 2))
    assert time.monotonic() - began < 5
