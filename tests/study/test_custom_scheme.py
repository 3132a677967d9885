"""A researcher's own coding scheme end to end: train on corpora/custom_scheme, analyse a
new session with --model, and find the researcher's labels in every table and report."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyzer.cli import app

LABELS = {"claim", "create", "question", "procedural"}
ORIENTATION = {"claim": "distributive", "create": "integrative", "question": "integrative",
               "procedural": "neutral"}


@pytest.fixture(scope="module")
def custom_model(repo, tmp_path_factory):
    """A model trained on the example coded CSV, the way ``analyzer train`` does it
    (``load_coded`` + ``train`` + ``save``), with cheaper classifier settings than the
    defaults to keep the test quick (the CLI itself is tested with the moves)."""
    from analyzer.moves.data import load_coded
    from analyzer.moves.training import train

    scheme = repo / "corpora" / "custom_scheme"
    data = load_coded([scheme / "coded.csv"], orientation_map=scheme / "orientation_map.csv")
    assert set(data.labels) == LABELS
    model = train(data, name="custom-scheme", params={"stack": False, "calibrate": False})
    out = model.save(tmp_path_factory.mktemp("model") / "custom-scheme")
    assert sorted(json.loads((out / "meta.json").read_text())["labels"]) == sorted(LABELS)
    return out


@pytest.mark.slow
def test_custom_labels_flow_into_tables_and_reports(repo, custom_model, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, [
        "analyze", str(repo / "corpora" / "custom_scheme" / "new_session.txt"),
        "--model", str(custom_model), "--out", str(out), "--format", "md,json,html", "-q"])
    assert res.exit_code == 0, res.output
    turns = pd.read_csv(out / "turns.csv")
    assert set(turns["move"]) <= LABELS and len(set(turns["move"])) >= 3
    assert all(ORIENTATION[m] == o for m, o in zip(turns["move"], turns["orientation"],
                                                   strict=True))
    by_text = dict(zip(turns["text"], turns["move"], strict=True))
    assert by_text["March is not possible for us, we need until April."] == "claim"
    assert by_text["Good, I'll write up what we have agreed so far and send it round."] \
        == "procedural"
    assert by_text["What if we give you the forty per unit and you accept a two-year "
                   "contract?"] == "create"
    units = pd.read_csv(out / "units.csv")
    assert set(units["move"]) <= LABELS
    sessions = pd.read_csv(out / "sessions.csv")
    assert sessions["model"].iloc[0] == "custom-scheme"
    reports = {p.suffix: p.read_text(encoding="utf-8") for p in out.rglob("new_session*")
               if p.suffix in (".md", ".json", ".html")}
    assert set(reports) == {".md", ".json", ".html"}
    for text in reports.values():
        assert "claim" in text and "procedural" in text
    assert "custom-scheme" in json.dumps(json.loads(reports[".json"]))

    # the study commands take the researcher's labels as they are
    seq = tmp_path / "seq"
    res = CliRunner().invoke(app, ["sequences", str(out), "--code", "move", "--out", str(seq)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(seq / "transitions.csv")
    assert set(table["from"]) == set(turns["move"])
