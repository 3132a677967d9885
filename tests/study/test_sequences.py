"""Transition tables and reciprocity: hand-counted pairs and a hand-worked residual."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.study.heatmap import transition_heatmap_svg
from analyzer.study.sequences import (
    caution_text,
    reciprocity,
    transition_pairs,
    transition_table,
    transitions,
)


def _cell(table, a, b, column="observed"):
    return table[(table["from"] == a) & (table["to"] == b)][column].iloc[0]


def test_adjusted_residual_hand_worked():
    # 2x2 table [[10, 5], [5, 10]]: N 30, every margin 15, E 7.5,
    # z = (10 - 7.5) / sqrt(7.5 * .5 * .5) = 1.8257
    pairs = pd.DataFrame({"from": ["a"] * 15 + ["b"] * 15,
                          "to": ["a"] * 10 + ["b"] * 5 + ["a"] * 5 + ["b"] * 10})
    table = transition_table(pairs)
    assert _cell(table, "a", "a", "expected") == pytest.approx(7.5)
    assert _cell(table, "a", "a", "adjusted_residual") == pytest.approx(2.5 / math.sqrt(1.875))
    assert _cell(table, "a", "b", "adjusted_residual") == pytest.approx(-2.5 / math.sqrt(1.875))
    assert _cell(table, "a", "a", "probability") == pytest.approx(10 / 15)
    assert _cell(table, "a", "a", "p_value") == pytest.approx(0.0679, abs=1e-4)


def test_unequal_margins_residual():
    # [[8, 2], [4, 6]]: N 20; row a 10, col a 12; E = 6;
    # z = 2 / sqrt(6 * (1 - .5) * (1 - .6)) = 2 / sqrt(1.2)
    pairs = pd.DataFrame({"from": ["a"] * 10 + ["b"] * 10,
                          "to": ["a"] * 8 + ["b"] * 2 + ["a"] * 4 + ["b"] * 6})
    table = transition_table(pairs)
    assert _cell(table, "a", "a", "adjusted_residual") == pytest.approx(2 / math.sqrt(1.2))


def test_across_speaker_lag1_counts(turns):
    table = transitions(turns, lag=1, scope="across")
    # hand count (actions out; s2's C->C pair is within, not across): 10 pairs
    assert table["observed"].sum() == 10
    assert _cell(table, "integrative", "integrative") == 2
    assert _cell(table, "integrative", "distributive") == 3
    assert _cell(table, "integrative", "neutral") == 1
    assert _cell(table, "distributive", "integrative") == 2
    assert _cell(table, "distributive", "distributive") == 1
    assert _cell(table, "distributive", "neutral") == 1
    assert math.isnan(_cell(table, "neutral", "neutral", "probability"))
    assert list(table.columns[:2]) == ["lag", "scope"]


def test_within_speaker_and_lag2(turns):
    within = transition_pairs(turns, scope="within")
    # A: 0,2,4,6  B: 1,3,5 (7 is an action)  C: 0,1,3,5  D: 2,4
    assert len(within) == 3 + 2 + 3 + 1
    assert set(zip(within["turn"], within["next_turn"], strict=True)) >= {(0, 2), (1, 3), (0, 1)}
    lag2 = transition_pairs(turns, scope="across", lag=2)
    # lag 2 across: only pairs whose speakers differ, e.g. s2 turn 0 (C) -> 2 (D)
    assert (lag2["speaker"] != lag2["next_speaker"]).all()
    assert ("s2", 0, 2) in set(zip(lag2["session_id"], lag2["turn"], lag2["next_turn"],
                                   strict=True))


def test_actions_excluded_unless_asked(turns):
    without = transition_pairs(turns)
    with_actions = transition_pairs(turns, include_actions=True)
    assert 7 not in set(without["next_turn"])
    assert len(with_actions) == len(without) + 1  # s1 turn 6 (A) -> 7 (B, accept)


def test_by_stage_uses_stage_of_first_turn(turns):
    table = transitions(turns, by_stage=True)
    per_stage = table.groupby("stage")["observed"].sum().to_dict()
    assert per_stage == {"opening": 2, "exploring": 4, "bargaining": 4}
    assert "closing" not in per_stage  # no pair starts in closing


def test_gold_labels(turns):
    table = transitions(turns, labels="gold")
    # s1 4 (self-need,small-talk -> distributive) -> 5 (non-strategic -> neutral)
    assert _cell(table, "distributive", "neutral") >= 1
    assert table["observed"].sum() == 10


def test_reciprocity(turns):
    recip = reciprocity(turns).set_index(["session_id", "speaker"])
    b = recip.loc[("s1", "B")]  # B answers A's 0 (I) with I, A's 2 (D) with I, A's 4 (D) with D
    assert (b["integrative_prompts"], b["integrative_answered_integrative"]) == (1, 1)
    assert (b["distributive_prompts"], b["distributive_answered_distributive"]) == (2, 1)
    assert b["distributive_reciprocity"] == pytest.approx(0.5)
    c = recip.loc[("s2", "C")]  # C answers D's 2 (I) with D, D's 4 (I) with N
    assert c["integrative_reciprocity"] == 0 and math.isnan(c["distributive_reciprocity"])


def test_reciprocity_leaves_third_parties_out(turns):
    """A mediator gets no row (here the parties' turns around it are by one speaker, so
    dropping the mediator's turn gives the same table)."""
    s1 = turns[turns["session_id"] == "s1"].copy()
    mediated = s1.copy()
    mediated.loc[mediated["turn"] == 1, ["speaker", "role"]] = ["M", "mediator"]
    recip = reciprocity(mediated)
    assert "M" not in set(recip["speaker"])
    plain = reciprocity(s1[s1["turn"] != 1])
    assert recip.reset_index(drop=True).equals(plain.reset_index(drop=True))


def test_a_party_speaking_after_the_mediator_answers_the_mediator(turns):
    """A distributive turn, the mediator, then the other party: the other party answered
    the mediator, so no reply pair is formed across the mediator (as in the report)."""
    three = turns[(turns["session_id"] == "s1") & (turns["turn"] < 3)].copy()
    three["orientation"] = ["distributive", "neutral", "distributive"]
    three["speaker"] = ["A", "M", "B"]
    three["role"] = ["party", "mediator", "party"]
    assert reciprocity(three).empty
    direct = three[three["turn"] != 1]  # without the mediator, B answers A in kind
    row = reciprocity(direct).set_index("speaker").loc["B"]
    assert row["distributive_answered_distributive"] == 1


def test_heatmap_svg_is_valid_and_escaped():
    pairs = pd.DataFrame({"from": ["<script>", "a&b"], "to": ["a&b", "<script>"]})
    svg = transition_heatmap_svg(transition_table(pairs), title="T <x>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg")
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 4


def test_cli_writes_tables_and_heatmaps(results_dir, tmp_path):
    out = tmp_path / "seq"
    res = CliRunner().invoke(app, ["sequences", str(results_dir), "--lag", "1,2",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "transitions.csv")
    assert set(table["lag"]) == {1, 2} and set(table["scope"]) == {"across", "within"}
    assert table[(table["lag"] == 1) & (table["scope"] == "across")]["observed"].sum() == 10
    assert (out / "reciprocity.csv").exists() and (out / "manifest.json").exists()
    assert (out / "transitions_1_across.svg").read_text().startswith("<svg")
    page = (out / "sequences.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 4 and "<script" not in page and "Reciprocity" in page
    bad = CliRunner().invoke(app, ["sequences", str(results_dir), "--lag", "0"])
    assert bad.exit_code == 2


def test_html_page_escapes_everything():
    from analyzer.study.html import study_page

    frame = pd.DataFrame({"from": ["<b>x</b>"], "z": [1.5]})
    page = study_page("T <i>", {"cap <s>": "<svg></svg>"}, {"tab & co": frame})
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "T &lt;i&gt;" in page and "tab &amp; co" in page and "1.500" in page


def test_gold_moves_of_multi_label_turns_are_documented_and_counted(results_dir):
    """--labels gold --code move keeps a multi-label turn's first label only: the help says
    so, and the command notes how many turns that affects (s1 turn 4 has two labels)."""
    help_text = " ".join(CliRunner().invoke(app, ["sequences", "--help"]).output.split())
    assert "first listed label only" in help_text.replace("│ ", "")
    res = CliRunner().invoke(app, ["sequences", str(results_dir), "--labels", "gold",
                                   "--code", "move"])
    assert res.exit_code == 0, res.output
    assert "note: 1 turns carry several human labels" in res.stderr


def test_small_tables_are_flagged():
    # 30 pairs, every expected count 7.5: nothing to warn about
    pairs = pd.DataFrame({"from": ["a"] * 15 + ["b"] * 15,
                          "to": ["a"] * 10 + ["b"] * 5 + ["a"] * 5 + ["b"] * 10})
    table = transition_table(pairs)
    assert (table["pairs"] == 30).all() and not table["caution"].any()
    assert caution_text(table) == ""
    # 30 pairs, but "c" is rare: E(c -> c) = 1 * 1 / 30 < 1
    rare = pd.DataFrame({"from": ["a"] * 15 + ["b"] * 14 + ["c"],
                         "to": ["a"] * 10 + ["b"] * 5 + ["a"] * 5 + ["b"] * 9 + ["c"]})
    flagged = transition_table(rare)
    assert flagged["caution"].all()
    text = caution_text(flagged)
    assert "5 expected count(s) below 1 (smallest 0.03)" in text and "only" not in text
    # fewer than 20 pairs, whatever the expected counts
    few = transition_table(pairs.iloc[::2])
    assert (few["pairs"] == 15).all() and few["caution"].all()
    assert "only 15 pairs (< 20)" in caution_text(few)


def test_cli_warns_about_small_tables(results_dir, tmp_path):
    out = tmp_path / "seq"
    res = CliRunner().invoke(app, ["sequences", str(results_dir), "--lag", "1,2",
                                   "--scope", "across", "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "transitions.csv")
    lag1 = table[table["lag"] == 1]
    assert (lag1["pairs"] == 10).all() and lag1["caution"].all()  # 10 pairs only
    text = " ".join(res.output.split())
    assert "caution: only 10 pairs (< 20)" in text and "z and p are unreliable" in text
    svg = (out / "transitions_1_across.svg").read_text()
    assert "caution: only 10 pairs" in svg


def test_heatmap_axis_names_the_lag(turns):
    lag1 = transition_heatmap_svg(transitions(turns, lag=1))
    lag2 = transition_heatmap_svg(transitions(turns, lag=2))
    within3 = transition_heatmap_svg(transitions(turns, lag=3, scope="within"))
    assert ">next turn<" in lag1 and "columns: next turn" in lag1
    assert "next turn" not in lag2 and ">2 turns later<" in lag2
    assert "columns: 2 turns later" in lag2
    assert "the speaker&#x27;s 3rd next turn" in within3  # escaped apostrophe


def test_cli_says_which_tables_have_no_pairs(tmp_path):
    """Two speakers who alternate have no lag-2 pairs across speakers; the table used to be
    left out without a word (researcher QA, 28 Nov 2026)."""
    rows = [{"session_id": "s1", "turn": t, "speaker": "AB"[t % 2],
             "orientation": ("integrative", "distributive", "neutral")[t % 3],
             "move": "non-strategic", "is_action": False} for t in range(12)]
    results = tmp_path / "results"
    results.mkdir()
    pd.DataFrame(rows).to_csv(results / "turns.csv", index=False)
    res = CliRunner().invoke(app, ["sequences", str(results), "--lag", "1,2",
                                   "--out", str(tmp_path / "seq")])
    assert res.exit_code == 0, res.output
    assert "no turn pairs for lag 2, scope across" in res.stderr
    assert "an even lag pairs a speaker with themselves" in res.stderr
