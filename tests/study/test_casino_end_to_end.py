"""The study commands on a real run: CaSiNo's valid split (30 dialogues, 7 with human
labels) analysed with the shipped model, then outcomes, sequences, reliability and exports."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyzer.cli import app

pytestmark = [pytest.mark.casino, pytest.mark.slow]


@pytest.fixture(scope="module")
def valid_run(casino_dir, tmp_path_factory):
    pytest.importorskip("analyzer.moves.training", reason="the move model package is not "
                                                          "in this checkout")
    from analyzer.moves import default_model_dir

    if not (default_model_dir() / "meta.json").exists():
        pytest.skip("no shipped move model in this checkout")
    out = tmp_path_factory.mktemp("casino") / "valid"
    res = CliRunner().invoke(app, ["analyze", str(casino_dir / "casino_valid.json"),
                                   "--out", str(out), "--format", "json", "-q"])
    assert res.exit_code == 0, res.output
    return out


def test_outcomes_sequences_reliability_on_a_real_run(valid_run, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["outcomes", str(valid_run), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "o" / "study_table.csv")
    assert len(table) == 60 and table["joint_points"].notna().all()
    res = runner.invoke(app, ["outcomes", str(valid_run), "--labels", "both",
                              "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    both = pd.read_csv(tmp_path / "b" / "correlations_model_vs_human.csv")
    assert (both["n_gold"] <= 14).all() and (both["n_gold"] > 0).all()
    res = runner.invoke(app, ["sequences", str(valid_run), "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    recip = pd.read_csv(tmp_path / "s" / "reciprocity.csv", dtype={"session_id": str})
    assert set(recip["session_id"]) <= set(table["session_id"].astype(str))
    res = runner.invoke(app, ["reliability", str(valid_run), "--against", str(valid_run),
                              "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    pairs = pd.read_csv(tmp_path / "r" / "reliability_pairs.csv")
    assert pairs.loc[0, "n"] == 76  # the valid split's annotated utterances (README)
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["model"]["name"] == "casino-moves"


def test_convokit_export_reads_back_as_the_same_turns(valid_run, tmp_path):
    from analyzer.io import read_transcripts

    res = CliRunner().invoke(app, ["export", str(valid_run), "--to", "convokit,dta",
                                   "--out", str(tmp_path / "e")])
    assert res.exit_code == 0, res.output
    turns = pd.read_csv(valid_run / "turns.csv", dtype={"session_id": str, "gold": str})
    back = {t.session_id: t for t in read_transcripts(tmp_path / "e" / "convokit")}
    assert set(back) == set(turns["session_id"])
    for sid, group in turns.groupby("session_id"):
        got = back[sid]
        assert [t.text for t in got.turns] == list(group["text"])
        assert [t.speaker for t in got.turns] == list(group["speaker"])
        assert [t.is_action for t in got.turns] == list(group["is_action"])
        assert [",".join(t.gold) or None for t in got.turns] == [
            g if isinstance(g, str) else None for g in group["gold"]]
