"""Outcome study: metrics, CaSiNo-style outcomes, correlations and OLS with known answers."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.errors import ReadError
from analyzer.study.outcomes import (
    add_derived,
    correlate,
    ols,
    outcomes_from_sessions,
    party_metrics,
    read_outcomes_csv,
    study_table,
    to_number,
)


def test_likert_text_scales():
    assert [to_number(v) for v in ("Extremely dissatisfied", "Slightly dissatisfied",
                                   "Undecided", "Slightly satisfied", "Extremely satisfied")] \
        == [1, 2, 3, 4, 5]
    assert to_number("Extremely dislike") == 1 and to_number("slightly like ") == 4
    assert math.isnan(to_number("Water")) and to_number("18") == 18


def test_party_metrics_overall_and_by_stage(turns):
    m = party_metrics(turns).set_index(["session_id", "speaker"])
    a = m.loc[("s1", "A")]  # I, D, D, N
    assert (a["turns"], a["integrative_n"], a["distributive_n"]) == (4, 1, 2)
    assert a["integrative_share"] == pytest.approx(0.25)
    assert a["bargaining_distributive_share"] == 1.0 and a["bargaining_turns"] == 1
    b = m.loc[("s1", "B")]  # the accept action is not a turn of talk
    assert b["turns"] == 3 and b["integrative_share"] == pytest.approx(2 / 3)
    assert math.isnan(b["closing_integrative_share"])  # B said nothing in closing
    gold = party_metrics(turns, labels="gold").set_index(["session_id", "speaker"])
    assert gold.loc[("s2", "D"), "integrative_share"] == pytest.approx(0.5)  # no-need, uv-part


def test_outcomes_from_casino_metadata(turns, sessions):
    parties = party_metrics(turns)[["session_id", "speaker"]]
    out = add_derived(outcomes_from_sessions(sessions, parties)).set_index(
        ["session_id", "speaker"])
    assert "value2issue.High" not in out.columns  # text that is not a scale is dropped
    a = out.loc[("s1", "A")]
    assert (a["points_scored"], a["satisfaction"], a["opponent_likeness"]) == (20, 5, 4)
    assert a["joint_points"] == 36
    assert a["partner_satisfaction"] == 2  # B: Slightly dissatisfied
    assert a["partner_opponent_likeness"] == 5  # how much B liked A
    assert out.loc[("s2", "D"), "partner_points_scored"] == 18


def test_correlate_matches_scipy_and_fisher_ci():
    rng = np.random.default_rng(1)
    x = rng.normal(size=40)
    y = 0.5 * x + rng.normal(size=40)
    y[3] = np.nan
    res = correlate(x, y)
    keep = ~np.isnan(y)
    r, p = stats.pearsonr(x[keep], y[keep])
    assert res["n"] == 39 and res["pearson_r"] == pytest.approx(r)
    assert res["pearson_p"] == pytest.approx(p)
    z, se = np.arctanh(r), 1 / np.sqrt(36)
    assert res["ci_low"] == pytest.approx(np.tanh(z - 1.959964 * se), abs=1e-6)
    assert res["ci_high"] == pytest.approx(np.tanh(z + 1.959964 * se), abs=1e-6)
    assert res["spearman_rho"] == pytest.approx(stats.spearmanr(x[keep], y[keep])[0])


def test_ols_known_answers():
    # y = 1 + 2x exactly: coef (1, 2), R^2 = 1
    frame = pd.DataFrame({"x": [0, 1, 2, 3, 4], "y": [1, 3, 5, 7, 9]})
    exact = ols(frame, "y", ["x"]).set_index("term")
    assert exact.loc["intercept", "coef"] == pytest.approx(1)
    assert exact.loc["x", "coef"] == pytest.approx(2) and exact.loc["x", "r2"] == pytest.approx(1)
    # against scipy.stats.linregress (slope, its standard error, intercept)
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"x": rng.normal(size=30)})
    frame["y"] = 3 - frame["x"] + rng.normal(size=30)
    fit = ols(frame, "y", ["x"]).set_index("term")
    ref = stats.linregress(frame["x"], frame["y"])
    assert fit.loc["x", "coef"] == pytest.approx(ref.slope)
    assert fit.loc["x", "se"] == pytest.approx(ref.stderr)
    assert fit.loc["intercept", "se"] == pytest.approx(ref.intercept_stderr)
    assert fit.loc["x", "p"] == pytest.approx(ref.pvalue)
    assert fit.loc["x", "r2"] == pytest.approx(ref.rvalue ** 2)
    crit = stats.t.ppf(0.975, 28)
    assert fit.loc["x", "ci_low"] == pytest.approx(ref.slope - crit * ref.stderr)


def test_outcomes_csv_keyed_by_session(tmp_path, turns):
    path = tmp_path / "outcomes.csv"
    path.write_text("session_id,deal_value,mood\ns1,10,Slightly satisfied\ns2,14,Undecided\n")
    data = study_table(turns, outcomes=read_outcomes_csv(path)[0])
    assert set(data.loc[data["session_id"] == "s1", "deal_value"]) == {10}
    assert set(data.loc[data["session_id"] == "s2", "mood"]) == {3}
    dup = tmp_path / "dup.csv"
    dup.write_text("session_id,x\ns1,1\ns1,2\n")
    with pytest.raises(ReadError) as err:
        read_outcomes_csv(dup)
    assert err.value.line == 3


def test_session_level(turns, sessions):
    data = study_table(turns, sessions, level="session").set_index("session_id")
    assert data.loc["s1", "joint_points"] == 36
    assert data.loc["s2", "integrative_share"] == pytest.approx(4 / 6)


def test_session_level_names_party_means_and_drops_points_scored(turns, sessions):
    data = study_table(turns, sessions, level="session").set_index("session_id")
    # the parties' mean points would be joint_points / 2 under a party's name
    assert "points_scored" not in data.columns and "mean_points_scored" not in data.columns
    assert "satisfaction" not in data.columns
    assert data.loc["s1", "mean_satisfaction"] == pytest.approx(3.5)  # 5 and 2
    assert data.loc["s2", "mean_opponent_likeness"] == pytest.approx(2)  # 1 and 3
    assert not [c for c in data.columns if c.startswith("partner_")]


def test_cli_session_level_leaves_out_constant_columns(turns, tmp_path):
    copy = turns.copy()  # four sessions: s3 and s4 are s1 and s2 with one label changed
    copy["session_id"] = copy["session_id"].map({"s1": "s3", "s2": "s4"})
    copy.loc[(copy["session_id"] == "s4") & (copy["turn"] == 0), "orientation"] = "neutral"
    results_dir = tmp_path / "results"
    results_dir.mkdir()
    pd.concat([turns, copy]).to_csv(results_dir / "turns.csv", index=False)
    party = tmp_path / "party.csv"  # items of a session add up to 3: session mean 1.5
    party.write_text("session_id,speaker,points_scored,items\n"
                     "s1,A,20,1\ns1,B,16,2\ns2,C,18,0\ns2,D,21,3\n"
                     "s3,A,10,3\ns3,B,16,0\ns4,C,18,2\ns4,D,25,1\n")
    out = tmp_path / "o"
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(party),
                                   "--level", "session", "--out", str(out)])
    assert res.exit_code == 0, res.output
    study = pd.read_csv(out / "study_table.csv")
    assert (study["mean_items"] == 1.5).all() and "points_scored" not in study.columns
    # the copies say the same words: the run says so, as each counts in n (researcher QA)
    assert "2 session(s) repeat another session word for word (s1 = s3; s2 = s4)" in \
        res.stderr
    corr = pd.read_csv(out / "correlations.csv")
    assert set(corr["y"]) == {"joint_points"}  # the default targets that exist
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(party),
                                   "--level", "session", "--targets",
                                   "joint_points,mean_items", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert set(pd.read_csv(out / "correlations.csv")["y"]) == {"joint_points"}
    assert set(pd.read_csv(out / "regression.csv")["outcome"]) == {"joint_points"}
    assert "left out of the correlations" in res.output and "mean_items" in res.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["options"]["left_out_constant"] == ["mean_items"]


def test_cli_outcomes_model_and_gold(results_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "o"
    res = runner.invoke(app, ["outcomes", str(results_dir), "--targets",
                              "joint_points,partner_satisfaction", "--out", str(out)])
    assert res.exit_code == 0, res.output
    corr = pd.read_csv(out / "correlations.csv")
    row = corr[(corr["x"] == "integrative_share") & (corr["y"] == "joint_points")].iloc[0]
    shares, joint = [0.25, 2 / 3, 0.5, 1.0], [36, 36, 39, 39]
    assert row["n"] == 4 and row["pearson_r"] == pytest.approx(stats.pearsonr(shares,
                                                                              joint)[0])
    reg = pd.read_csv(out / "regression.csv")
    assert set(reg["term"]) == {"intercept", "integrative_share", "distributive_share"}
    assert json.loads((out / "manifest.json").read_text())["options"]["labels"] == "model"
    gold = runner.invoke(app, ["outcomes", str(results_dir), "--labels", "gold",
                               "--out", str(tmp_path / "g")])
    assert gold.exit_code == 0, gold.output
    bad = runner.invoke(app, ["outcomes", str(results_dir), "--targets", "nope"])
    assert bad.exit_code == 2 and "joint_points" in bad.output


def test_subsets_with_and_without_human_labels(turns, sessions):
    partial = turns.copy()
    partial.loc[partial["session_id"] == "s2", "gold"] = None
    data = study_table(partial, sessions, subset="annotated")
    assert set(data["session_id"]) == {"s1"}
    assert set(study_table(partial, sessions, subset="unannotated")["session_id"]) == {"s2"}
    assert set(study_table(partial, sessions)["session_id"]) == {"s1", "s2"}


def test_compare_labels_side_by_side(turns, sessions, results_dir, tmp_path):
    from analyzer.study.outcomes import compare_labels

    same = turns.copy()
    same["gold"] = same["move"].where(~same["is_action"])
    table = compare_labels(same, sessions, ys=["joint_points"])
    assert (table["r_difference"].abs() < 1e-12).all()
    assert (table["n_model"] == table["n_gold"]).all()
    differs = compare_labels(turns, sessions, ys=["joint_points"]).set_index("x")
    # D's human labels (no-need, uv-part) give 0.5 where the model gives 1.0
    gold_shares, model_shares = [0.25, 2 / 3, 0.5, 0.5], [0.25, 2 / 3, 0.5, 1.0]
    joint = [36, 36, 39, 39]
    assert differs.loc["integrative_share", "pearson_r_gold"] == pytest.approx(
        stats.pearsonr(gold_shares, joint)[0])
    assert differs.loc["integrative_share", "pearson_r_model"] == pytest.approx(
        stats.pearsonr(model_shares, joint)[0])
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--labels", "both",
                                   "--out", str(tmp_path / "both")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "both" / "correlations_model_vs_human.csv").exists()


def test_no_human_labels_is_a_usage_error(results_dir, turns, tmp_path):
    bare = results_dir.parent / "bare"
    bare.mkdir()
    unlabelled = turns.copy()
    unlabelled["gold"] = None
    unlabelled.to_csv(bare / "turns.csv", index=False)
    res = CliRunner().invoke(app, ["outcomes", str(bare), "--labels", "both"])
    assert res.exit_code == 2 and "human labels" in res.output
    assert "Traceback" not in res.output


def test_ols_rank_deficient_drops_the_aliased_share():
    # integrative + distributive + neutral = 1: with the intercept the design has rank 3 of 4
    rng = np.random.default_rng(3)
    parts = rng.dirichlet([2, 2, 2], size=25)
    frame = pd.DataFrame(parts, columns=["integrative_share", "distributive_share",
                                         "neutral_share"])
    frame["y"] = 3 + 2 * frame["integrative_share"] + rng.normal(size=25)
    full = ols(frame, "y", ["integrative_share", "distributive_share", "neutral_share"])
    full = full.set_index("term")
    dropped = full.loc["neutral_share"]
    assert all(math.isnan(dropped[c]) for c in ("coef", "se", "t", "p", "ci_low", "ci_high"))
    assert "collinear with the others: the shares sum to 1" in dropped["note"]
    # the rest is the identified model (neutral as the reference), df from the rank
    two = ols(frame, "y", ["integrative_share", "distributive_share"]).set_index("term")
    for term in ("intercept", "integrative_share", "distributive_share"):
        for column in ("coef", "se", "p", "ci_low"):
            assert full.loc[term, column] == pytest.approx(two.loc[term, column])
        assert full.loc[term, "note"] == ""
    assert (full["df"] == 25 - 3).all()
    assert full.loc["intercept", "adj_r2"] == pytest.approx(two.loc["intercept", "adj_r2"])


def test_ols_drops_a_later_regressor_collinear_with_an_earlier_one():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"a": rng.normal(size=20), "b": rng.normal(size=20)})
    frame["c"] = 2 * frame["a"] - frame["b"] + 7  # exact combination, other scale
    frame["y"] = frame["a"] + rng.normal(size=20)
    fit = ols(frame, "y", ["a", "c", "b"]).set_index("term")
    assert math.isnan(fit.loc["b", "coef"]) and "collinear" in fit.loc["b", "note"]
    assert not math.isnan(fit.loc["c", "coef"]) and (fit["df"] == 17).all()
    # a constant regressor is aliased with the intercept
    frame["k"] = 5.0
    const = ols(frame, "y", ["a", "k"]).set_index("term")
    assert math.isnan(const.loc["k", "coef"]) and const.loc["a", "df"] == 18


def test_cli_outcomes_reports_dropped_regressor(results_dir, tmp_path):
    out = tmp_path / "o"
    res = CliRunner().invoke(app, [
        "outcomes", str(results_dir), "--targets", "satisfaction", "--regressors",
        "integrative_share,distributive_share,neutral_share", "--out", str(out)])
    assert res.exit_code == 0, res.output
    reg = pd.read_csv(out / "regression.csv", keep_default_na=False).set_index("term")
    assert reg.loc["neutral_share", "coef"] == ""  # no estimate written
    assert "shares sum to 1" in reg.loc["neutral_share", "note"]
    assert int(reg.loc["integrative_share", "df"]) == 4 - 3
    text = " ".join(res.output.split())
    assert "neutral_share dropped: collinear with the others: the shares sum to 1" in text


def test_session_outcomes_csv_is_not_summed_over_parties(tmp_path, turns):
    path = tmp_path / "sess.csv"
    path.write_text("session_id,deal_value,points_scored\ns1,36,22\ns2,39,18\n")
    data = study_table(turns, outcomes=read_outcomes_csv(path)[0])
    assert "joint_points" not in data.columns  # 22 is the session's value, not a party's
    assert not [c for c in data.columns if c.startswith("partner_")]
    assert set(data.loc[data["session_id"] == "s1", "points_scored"]) == {22}
    per_session = study_table(turns, outcomes=read_outcomes_csv(path)[0],
                              level="session").set_index("session_id")
    assert per_session.loc["s1", "deal_value"] == 36
    assert "joint_points" not in per_session.columns
    # a party-level file still gives joint points and the partner's values
    party = tmp_path / "party.csv"
    party.write_text("session_id,speaker,points_scored\ns1,A,20\ns1,B,16\ns2,C,18\ns2,D,21\n")
    data = study_table(turns, outcomes=read_outcomes_csv(party)[0]).set_index(
        ["session_id", "speaker"])
    assert data.loc[("s1", "A"), "joint_points"] == 36
    assert data.loc[("s1", "A"), "partner_points_scored"] == 16


def test_cli_outcomes_file_matching_no_session_names_the_file(results_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("session_id,speaker,deal_value\nx1,A,3\nx2,B,4\n")
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(bad)])
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "bad.csv" in text and "none of its 2 session_id(s) matches" in text
    assert "'x1', 'x2'" in text and "'s1', 's2'" in text  # examples from both sides
    assert "pass --outcomes" not in text


def test_cli_outcomes_file_matching_some_sessions_warns(results_dir, tmp_path):
    partial = tmp_path / "partial.csv"  # s2 missing, B's row under a wrong session id
    partial.write_text("session_id,speaker,points_scored\ns1,A,20\ns1x,B,16\n")
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(partial),
                                   "--targets", "points_scored", "--regressors",
                                   "integrative_share"])
    text = " ".join(res.output.split())
    assert "1 of 2 sessions of the results have no row in" in text and "'s2'" in text
    assert "1 of 4 parties of the results have no row" in text and "'s1/B'" in text
    assert "session_id(s) of" in text and "'s1x'" in text
    session = tmp_path / "session.csv"
    session.write_text("session_id,deal_value\ns1,36\n")
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(session),
                                   "--targets", "deal_value"])
    assert "1 of 2 sessions of the results have no row in" in " ".join(res.output.split())
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(session)])
    assert res.exit_code == 2  # no default outcome in the file: say so, not "pass --outcomes"
    text = " ".join(res.output.split())
    assert "session.csv: none of the default outcome columns" in text
    assert "--targets (its numeric columns: deal_value)" in text


def test_duplicate_sessions_are_the_same_words_in_the_same_order():
    from analyzer.study.outcomes import duplicate_sessions

    rows = [("a", "Hi  there.", False), ("a", "Deal?", False), ("b", "hi there.", False),
            ("b", "Deal?", False), ("b", "Submit-Deal", True), ("c", "Deal?", False),
            ("c", "Hi there.", False)]
    turns = pd.DataFrame(rows, columns=["session_id", "text", "is_action"])
    assert duplicate_sessions(turns) == [["a", "b"]]  # case, spacing and actions aside


def test_partner_value_kept_when_own_value_is_missing():
    frame = pd.DataFrame({"session_id": ["s1", "s1", "s2", "s2"],
                          "speaker": ["A", "B", "C", "D"],
                          "rating": [4.0, np.nan, np.nan, np.nan]})
    out = add_derived(frame).set_index("speaker")
    assert out.loc["B", "partner_rating"] == 4.0  # A's rating, though B gave none
    assert math.isnan(out.loc["A", "partner_rating"])  # B gave none
    assert out.loc[["C", "D"], "partner_rating"].isna().all()


def test_a_stray_text_cell_is_missing_not_the_whole_column(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("session_id,speaker,points,sat,condition\n"
                    "s1,A,20,Very satisfied,x\ns1,B,-,Satisfied,y\n"
                    "s2,C,18,refused,x\ns2,D,21,Very dissatisfied,y\n")
    frame, notes = read_outcomes_csv(path)
    assert frame["points"].tolist()[0] == 20 and math.isnan(frame["points"].tolist()[1])
    assert frame["sat"].tolist()[:2] == [5, 4] and math.isnan(frame["sat"].tolist()[2])
    assert "'-' on line 3" in notes["points"] and notes["points"].endswith("read as missing")
    assert "'refused' on line 4" in notes["sat"]
    assert "condition" not in frame.columns and notes["condition"].endswith("left out")


def test_cli_outcomes_warns_about_unread_cells_and_names_text_targets(results_dir, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("session_id,speaker,points,note\ns1,A,20,ok\ns1,B,-,late\n"
                    "s2,C,18,ok\ns2,D,21,ok\n")
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(path),
                                   "--targets", "points", "--regressors",
                                   "integrative_share"])
    text = " ".join(res.output.split())
    assert res.exit_code == 0
    assert "column points: 1 of 4 values not a number ('-' on line 3); read as missing" in text
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(path),
                                   "--targets", "note"])
    text = " ".join(res.output.split())
    assert res.exit_code == 2 and "column(s) note not numeric" in text
    assert "unknown column" not in text


def test_cli_outcomes_too_few_rows_for_one_target_keeps_the_others(results_dir, tmp_path):
    path = tmp_path / "o.csv"  # rating: 2 values, too few for intercept + 2 regressors
    path.write_text("session_id,speaker,points,rating\ns1,A,20,4\ns1,B,16,\n"
                    "s2,C,18,2\ns2,D,21,\n")
    out = tmp_path / "o"
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(path),
                                   "--targets", "points,rating", "--out", str(out)])
    text = " ".join(res.output.split())
    assert res.exit_code == 0, text
    assert "no regression of rating (too few complete rows (2)" in text
    reg = pd.read_csv(out / "regression.csv")
    assert set(reg["outcome"]) == {"points"}
    assert set(pd.read_csv(out / "correlations.csv")["y"]) == {"points", "rating"}
    res = CliRunner().invoke(app, ["outcomes", str(results_dir), "--outcomes", str(path),
                                   "--targets", "rating"])
    assert res.exit_code == 2
    assert "no outcome has enough complete rows" in " ".join(res.output.split())
