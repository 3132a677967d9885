"""The model card names how its word-vector table was made when meta.json says so
(a table refitted as in docs/moves.md row 28 would)."""

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
