"""Each cue rule on named example sentences; the spaCy component and the batch counter agree."""

from __future__ import annotations

import pytest

from analyzer.nlp import CUE_NAMES, make_nlp
from analyzer.nlp.cues import count_cues, cue_quotes, text_quotes

# cue -> (sentences that must fire it, sentences that must not)
EXAMPLES = {
    "question": (["What do you need most?", "Would you take two waters"], ["I need water."]),
    "elicit_preference": (["What do you need the most?", "What about you?",
                           "Which item is most important to you?"], ["I need food."]),
    "priority": (["Water is my top priority.", "Food is more important than firewood."],
                 ["Hello there!"]),
    "preference": (["I would love some extra food.", "I'd prefer the water."],
                   ["You can have it."]),
    "first_person_plural": (["Let's work together on this.", "We can both be happy."],
                            ["I need it."]),
    "conditional_offer": (["If you give me two waters, I'll give you all the food.",
                           "I can give you firewood in exchange for water."],
                          ["I need two waters."]),
    "quantity": (["Can I have 2 waters?", "I'll take all of the firewood."], ["Hi friend"]),
    "issue": (["The firewood is important.", "Can we talk about the price?"], ["Hi friend"]),
    "fairness": (["That's not fair to me.", "Let's split it 50/50."], ["I need water."]),
    "self_need": (["I really need water to survive.", "I'm diabetic so food matters."],
                  ["You need water."]),
    "other_need": (["My kids get cold at night.", "My family needs the food."],
                   ["I need water."]),
    "no_need": (["I don't need the firewood, you can have it.", "We have plenty of water."],
                ["I need the firewood."]),
    "undervalue_partner": (["You don't really need that much water.",
                            "You can just collect wood in the forest."], ["I need water."]),
    "empathy": (["I understand, that sounds hard.", "Sorry to hear that."], ["Give me food."]),
    "rapport": (["Hello! How are you?", "Have a great camping trip!"], ["I need water."]),
    "agreement": (["Ok, that works for me.", "Deal!"], ["I need water."]),
    "rejection": (["No, I can't do that.", "That's too much for me."], ["Sounds good."]),
    "negation": (["I don't think so.", "Never mind."], ["Sounds good."]),
    "hedge": (["Maybe we could share it?", "I think that could work."], ["Give me food."]),
    "second_person": (["What do you need?"], ["I need water."]),
    "first_person_singular": (["I need water.", "Give me food."], ["You need water."]),
}


def test_every_cue_has_examples():
    assert set(EXAMPLES) == set(CUE_NAMES)


@pytest.mark.parametrize("cue", sorted(EXAMPLES))
def test_cue_fires_on_its_examples_only(cue):
    fire, quiet = EXAMPLES[cue]
    for sentence in fire:
        assert cue in text_quotes(sentence), f"{cue} should match {sentence!r}"
    for sentence in quiet:
        assert cue not in text_quotes(sentence), f"{cue} should not match {sentence!r}"


def test_component_quotes_the_words_and_counts_match_the_batch_counter():
    nlp = make_nlp()
    texts = [s for fire, quiet in EXAMPLES.values() for s in fire + quiet]
    counts = count_cues(texts)
    for i, doc in enumerate(nlp.pipe(texts)):
        assert {n: int(counts[i, j]) for j, n in enumerate(CUE_NAMES) if counts[i, j]} == \
            doc._.cue_counts
    doc = nlp("Hello, I really need water for my kids.")
    quotes = cue_quotes(doc)
    assert quotes["self_need"] == ["I really need"]
    assert quotes["other_need"] == ["my kids"]


def test_batch_counter_never_crosses_texts():
    # "if you" at the end of one text and "I" at the start of the next must not join
    counts = count_cues(["ok if you", "I agree"])
    j = CUE_NAMES.index("conditional_offer")
    assert counts[:, j].tolist() == [0, 0]


def test_either_apostrophe_gives_the_same_counts():
    """Every sentence of the examples, typed with the typographic apostrophe ("I’ve got
    plenty"), counts the same cues (until 27 Nov 2026 one rule of ``no_need`` took only "'")."""
    texts = [s for fire, quiet in EXAMPLES.values() for s in (*fire, *quiet)]
    texts += ["I've got plenty of water already.", "We've brought enough food.",
              "I don't need the firewood.", "Let's split it, that's fair."]
    straight = count_cues(texts)
    curly = count_cues([t.replace("'", "\u2019") for t in texts])
    assert any("'" in t for t in texts)
    assert (straight == curly).all()
