"""Agreement statistics against scikit-learn, the krippendorff package and worked examples."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.errors import ReadError
from analyzer.study.reliability import (
    KEY,
    codes_from_turns,
    cohen_kappa,
    krippendorff_alpha,
    read_codes_csv,
    reliability,
)

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units,
# nominal alpha = 0.743.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _series(codes, session="s"):
    idx = pd.MultiIndex.from_arrays([[session] * len(codes), range(len(codes))], names=KEY)
    return pd.Series(codes, index=idx, dtype=object)


def test_kappa_hand_worked():
    # 10 items, 6 agreements; A says x 5 times, B 7 times -> pe = .5*.7 + .5*.3 = .5
    a = list("xxxxxyyyyy")
    b = list("xxxxyxyyxx")
    assert cohen_kappa(a, b) == pytest.approx((0.6 - 0.5) / 0.5)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_kappa_matches_sklearn_on_random_codes():
    rng = np.random.default_rng(7)
    for _ in range(5):
        a = rng.choice(["integrative", "distributive", "neutral"], 80)
        b = np.where(rng.random(80) < 0.6, a, rng.choice(["integrative", "neutral"], 80))
        assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_alpha_worked_example_and_package():
    frame = pd.DataFrame(np.array(K2011, dtype=object).T)
    assert krippendorff_alpha(frame) == pytest.approx(0.743, abs=5e-4)
    data = np.array([[np.nan if v is None else v for v in row] for row in K2011], float)
    assert krippendorff_alpha(frame) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def test_alpha_with_text_codes_and_missing_matches_package():
    rng = np.random.default_rng(3)
    cats = ["claim", "create", "question", "procedural"]
    base = rng.choice(cats, 60)
    coders = [np.where(rng.random(60) < 0.7, base, rng.choice(cats, 60)) for _ in range(3)]
    frame = pd.DataFrame({f"c{i}": c for i, c in enumerate(coders)}).astype(object)
    frame.iloc[rng.choice(60, 15, replace=False), 1] = None
    numeric = np.array([[np.nan if v is None else cats.index(v) for v in frame[c]]
                        for c in frame.columns], float)
    assert krippendorff_alpha(frame) == pytest.approx(
        krippendorff.alpha(reliability_data=numeric, level_of_measurement="nominal"))


def test_reliability_report_pairs_categories_confusion():
    a = _series(list("xxxxxyyyyy"))
    b = _series(list("xxxxyxyyxx") + ["y"])  # one extra turn coded by b only
    result = reliability({"A": a, "B": b})
    pair = result.pairs.iloc[0]
    assert (pair["n"], pair["agreement"]) == (10, pytest.approx(0.6))
    assert pair["kappa"] == pytest.approx(0.2)
    assert result.alpha["units"].iloc[0] == 11 and result.alpha["pairable_units"].iloc[0] == 10
    cats = result.per_category.set_index("category")
    # x: A 5, B 7 on shared turns, 4 both -> 2*4/12
    assert cats.loc["x", "specific_agreement"] == pytest.approx(8 / 12)
    assert cats.loc["x", "n_B"] == 7 and cats.loc["y", "n_B"] == 4
    # B's extra turn (y, coded by B alone) is in n_B but not in the shared counts, which
    # reconcile with the pair's confusion table (QA)
    assert cats.loc["y", "n_shared_B"] == 3 and cats.loc["x", "n_shared_B"] == 7
    assert cats.loc["x", "n_shared_A"] == 5
    table = result.confusion[("A", "B")]
    assert table.loc["x", "x"] == 4 and table.loc["x", "y"] == 1 and table.loc["y", "x"] == 3
    assert table.to_numpy().sum() == 10


def test_read_codes_csv_errors_name_the_line(tmp_path):
    good = tmp_path / "a.csv"
    good.write_text("session_id,turn,label\n007,0,x\n007,1,y\n")
    codes = read_codes_csv(good, code_column="label")
    assert codes.loc[("007", 1)] == "y"  # ids stay text
    with pytest.raises(ReadError) as err:
        read_codes_csv(good)
    assert err.value.line == 1 and "--code-column" in err.value.hint
    dup = tmp_path / "dup.csv"
    dup.write_text("session_id,turn,code\ns,0,x\ns,1,y\ns,0,y\n")
    with pytest.raises(ReadError) as err:
        read_codes_csv(dup)
    assert err.value.line == 4
    bad = tmp_path / "bad.csv"
    bad.write_text("session_id,turn,code\ns,zero,x\n")
    with pytest.raises(ReadError) as err:
        read_codes_csv(bad)
    assert err.value.line == 2


def test_gold_codes_from_turns(turns):
    gold = codes_from_turns(turns, labels="gold", code="orientation")
    assert gold.loc[("s1", 4)] == "distributive"  # self-need,small-talk: proself wins
    assert gold.loc[("s2", 4)] == "distributive"  # uv-part
    assert ("s1", 7) not in gold.index  # the action has no human label
    sets = codes_from_turns(turns, labels="gold", code="labels")
    assert sets.loc[("s1", 4)] == "self-need,small-talk"


def test_the_models_label_set_is_a_code_like_the_human_set(turns):
    """``--against-column labels``: the model's labels column, sorted like a human set, not
    the ``move`` column (which holds a rule-based offer kind where no strategy was found)."""
    turns = turns.copy()
    turns.loc[(turns.session_id == "s1") & (turns.turn == 4), "labels"] = \
        "small-talk,self-need"
    turns.loc[(turns.session_id == "s1") & (turns.turn == 6), ["move", "labels"]] = \
        ["package_offer", "non-strategic"]
    model = codes_from_turns(turns, labels="model", code="labels")
    assert model.loc[("s1", 4)] == "self-need,small-talk"
    assert model.loc[("s1", 6)] == "non-strategic"
    assert ("s1", 7) not in model.index  # formal actions stay out


def test_cli_leaves_a_wide_confusion_table_to_the_csv(tmp_path):
    """Nine categories: the terminal says where the table is instead of printing one-letter
    columns (QA); the CSV has it whole."""
    codes = [f"c{i}" for i in range(9)]
    for name, shift in (("a", 0), ("b", 1)):
        rows = [f"s1,{t},{codes[(t + shift * (t % 2)) % 9]}" for t in range(18)]
        (tmp_path / f"{name}.csv").write_text("session_id,turn,code\n" + "\n".join(rows) + "\n")
    out = tmp_path / "agreement"
    res = CliRunner().invoke(app, ["reliability", str(tmp_path / "a.csv"),
                                   str(tmp_path / "b.csv"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "9 categories, too many to show here" in res.output
    assert "reliability_confusion.csv" in res.output
    confusion = pd.read_csv(out / "reliability_confusion.csv")
    assert confusion["count"].sum() == 18


def test_cli_two_coders_against_model(results_dir, tmp_path):
    coder = tmp_path / "coder_a.csv"
    coder.write_text("session_id,turn,code\ns1,0,integrative\ns1,1,integrative\n"
                     "s1,2,distributive\ns1,3,neutral\ns2,0,integrative\ns2,3,distributive\n")
    out = tmp_path / "agreement"
    res = CliRunner().invoke(app, ["reliability", str(coder), "--against", str(results_dir),
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    pairs = pd.read_csv(out / "reliability_pairs.csv")
    # the model agrees on 5 of the 6 turns (s1 turn 3: neutral vs integrative)
    assert pairs.loc[0, "n"] == 6 and pairs.loc[0, "agreement"] == pytest.approx(5 / 6)
    expected = cohen_kappa_score(
        ["integrative", "integrative", "distributive", "neutral", "integrative",
         "distributive"],
        ["integrative", "integrative", "distributive", "integrative", "integrative",
         "distributive"])
    assert pairs.loc[0, "kappa"] == pytest.approx(expected)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "reliability" and manifest["model"]["name"] == "test-model"
    assert "reliability_confusion.csv" in manifest["outputs"]


def test_cli_usage_errors(results_dir, tmp_path):
    coder = tmp_path / "c.csv"
    coder.write_text("session_id,turn,code\ns1,0,x\n")
    runner = CliRunner()
    res = runner.invoke(app, ["reliability", str(coder)])
    assert res.exit_code == 2 and "at least two coders" in res.output
    broken = tmp_path / "broken.csv"
    broken.write_text("session,turn,code\ns1,0,x\n")
    res = runner.invoke(app, ["reliability", str(broken), str(coder)])
    assert res.exit_code == 1 and "broken.csv:1" in res.output and "Traceback" not in res.output


def test_cli_codings_without_a_common_category_are_a_usage_error(results_dir):
    """Exact human label sets against the model's orientations share no category: kappa 0
    and a negative alpha would be an artefact, so the command stops and says what to use."""
    res = CliRunner().invoke(app, ["reliability", str(results_dir), "--against",
                                   str(results_dir), "--gold-as", "labels"])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "no category in common" in text and "--gold-as orientation" in text
    assert "Krippendorff" not in text  # no tables printed
    same_scale = CliRunner().invoke(app, ["reliability", str(results_dir), "--against",
                                          str(results_dir), "--gold-as", "labels",
                                          "--against-column", "labels"])
    assert same_scale.exit_code == 0, same_scale.output
    assert "--against-column labels" in text  # the hint names the matching scale


def test_the_analysers_codes_leave_formal_actions_out():
    """Submit-Deal and Accept-Deal are not talk a coder codes: the model's "neutral" on them
    used to count as codes (QA: 164 neutral against the coders' 100, 402 units for 338)."""
    from analyzer.study.reliability import codes_from_turns

    turns = pd.DataFrame({"session_id": ["s"] * 3, "turn": [0, 1, 2],
                          "is_action": [False, True, False],
                          "orientation": ["integrative", "neutral", "distributive"]})
    codes = codes_from_turns(turns, labels="model", code="orientation")
    assert list(codes.index.get_level_values("turn")) == [0, 2]
    assert list(codes) == ["integrative", "distributive"]


def test_cli_names_coded_turns_no_other_coder_has(tmp_path):
    """Codes for a session or turn the other coder lacks take no part in the agreement; the
    CLI says so (researcher QA, 28 Nov 2026: "nope,0" and "157,999" were left out silently)."""
    rows = [f"s1,{t},{'integrative' if t % 2 else 'neutral'}" for t in range(6)]
    (tmp_path / "a.csv").write_text("session_id,turn,code\n" + "\n".join(rows) + "\n")
    (tmp_path / "b.csv").write_text("session_id,turn,code\n" + "\n".join(
        rows + ["nope,0,neutral", "s1,999,integrative"]) + "\n")
    res = CliRunner().invoke(app, ["reliability", str(tmp_path / "a.csv"),
                                   str(tmp_path / "b.csv"), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "1 of 8 turns coded by b match no other coder's turns in sessions both coded" \
        in res.stderr and "session s1 turn 999" in res.stderr
    # a session the other coder has not coded at all is a note, named (a misspelt id shows)
    # (study-at-scale QA: every unannotated session of a corpus was "no match")
    assert "1 turns coded by b are in 1 sessions no other coder coded (nope)" in res.stderr
    assert "coded by a" not in res.stderr


def test_cli_warns_about_categories_that_differ_only_in_case(tmp_path):
    """"Neutral" and "neutral" are two categories to the statistics; the CLI says so rather
    than merge them (researcher QA, 28 Nov 2026)."""
    (tmp_path / "a.csv").write_text("session_id,turn,code\n" + "\n".join(
        f"s1,{t},{'integrative' if t % 2 else 'neutral'}" for t in range(6)) + "\n")
    (tmp_path / "b.csv").write_text("session_id,turn,code\n" + "\n".join(
        f"s1,{t},{'integrative' if t % 2 else 'Neutral'}" for t in range(6)) + "\n")
    res = CliRunner().invoke(app, ["reliability", str(tmp_path / "a.csv"),
                                   str(tmp_path / "b.csv")])
    assert res.exit_code == 0, res.output
    assert "differ only in case" in res.stderr and "'Neutral' / 'neutral'" in res.stderr
    res = CliRunner().invoke(app, ["reliability", str(tmp_path / "a.csv"),
                                   str(tmp_path / "a.csv")])
    assert "differ only in case" not in res.stderr
