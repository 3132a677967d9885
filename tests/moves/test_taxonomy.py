"""The taxonomy: one definition per move, the CaSiNo mapping and the mixed-turn rule."""

from __future__ import annotations

from analyzer.moves.taxonomy import (
    CASINO_LABELS,
    CASINO_ORIENTATION,
    MOVES,
    orientation_of_labels,
    orientation_of_move,
)
from analyzer.results import ORIENTATIONS


def test_every_move_is_defined_with_orientation_and_research():
    names = [m.name for m in MOVES]
    assert len(names) == len(set(names))
    for move in MOVES:
        assert move.orientation in ORIENTATIONS
        assert move.definition and move.research


def test_casino_mapping_covers_the_ten_strategies():
    assert len(CASINO_LABELS) == 10
    assert CASINO_ORIENTATION["self-need"] == "distributive"
    assert CASINO_ORIENTATION["uv-part"] == "distributive"
    assert CASINO_ORIENTATION["elicit-pref"] == "integrative"
    assert CASINO_ORIENTATION["small-talk"] == "integrative"  # relational counted integrative
    assert CASINO_ORIENTATION["non-strategic"] == "neutral"


def test_mixed_turn_rule_any_distributive_label_wins():
    m = CASINO_ORIENTATION
    assert orientation_of_labels(("elicit-pref", "self-need"), m) == "distributive"
    assert orientation_of_labels(("small-talk", "non-strategic"), m) == "integrative"
    assert orientation_of_labels(("non-strategic",), m) == "neutral"
    assert orientation_of_labels(("unknown-label",), m) == "neutral"


def test_offer_moves_and_actions_have_orientations():
    assert orientation_of_move("package_offer") == "integrative"
    assert orientation_of_move("single_issue_offer") == "distributive"
    assert orientation_of_move("walk_away") == "distributive"
    assert orientation_of_move("accept") == "neutral"
    assert orientation_of_move("claim", {"claim": "distributive"}) == "distributive"


def test_docs_page_holds_the_taxonomy_and_cue_tables(repo):
    from analyzer.moves.taxonomy import cue_table, markdown_table

    page = (repo / "docs" / "moves.md").read_text(encoding="utf-8")
    assert markdown_table() in page
    assert cue_table() in page
