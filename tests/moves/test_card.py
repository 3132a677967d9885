"""The model card names how its word-vector table was made when meta.json says so
(a table refitted as in docs/history/moves-log.md row 28 would)."""

from analyzer.moves.card import model_card

VECTORS = {"name": "word_vectors.npz", "words": 3, "dims": 2, "sha256": "abc"}


def test_card_quotes_the_table_recipe_when_meta_has_one():
    card = model_card({"name": "m", "version": "1",
                       "word_vectors": {**VECTORS, "recipe": "refitted toward sentences"}})
    assert "- Table: refitted toward sentences" in card.splitlines()


def test_card_without_recipe_has_no_table_line():
    card = model_card({"name": "m", "version": "1", "word_vectors": dict(VECTORS)})
    assert "3 words x 2 dims" in card
    assert not any(line.startswith("- Table:") for line in card.splitlines())


def test_card_gives_the_scores_on_spoken_talk_when_meta_has_them():
    meta = {"name": "m", "version": "1", "spoken_scores": {
        "command": "python benchmarks/moves_spoken.py", "sessions": 14, "turns": 442,
        "gold": "adjudicated", "orientation": {"accuracy": 0.7, "kappa": 0.52},
        "labels": {"macro_f1": 0.47}}}
    card = model_card(meta)
    assert "## Spoken talk" in card and "`python benchmarks/moves_spoken.py`" in card
    assert "On 14 spoken sessions (442 turns; adjudicated): orientation accuracy 0.700, " \
           "Cohen's kappa 0.520; move labels macro-F1 0.470." in card
    assert "## Spoken talk" not in model_card({"name": "m", "version": "1"})
