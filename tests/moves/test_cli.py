"""The train and evaluate commands on a small CaSiNo slice, and a user's own coding scheme
from CSV to analysed transcript."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyzer.cli import app

runner = CliRunner()


def _unseen(dialogue: dict) -> dict:
    """``dialogue`` with its words changed: a dialogue the model never saw."""
    changed = json.loads(json.dumps(dialogue))
    for entry in changed["chat_logs"]:
        if entry["text"] not in ("Submit-Deal", "Accept-Deal", "Reject-Deal", "Walk-Away"):
            entry["text"] = entry["text"] + " (new)"
    changed["annotations"] = [[text + " (new)", labels]
                              for text, labels in changed.get("annotations", [])]
    return changed


@pytest.mark.casino
@pytest.mark.slow
def test_train_then_evaluate_on_a_casino_slice(casino_slice, tmp_path):
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", str(casino_slice), "--out", str(out), "--seed", "1"])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())
    data = meta["training_data"]
    # the slice's 20, plus the project's coded spoken sessions, which join by default
    assert data["dialogues"] - data.get("project_codes", {}).get("dialogues", 0) == 20
    assert meta["seed"] == 1 and len(meta["training_data"]["sha256"]) == 64
    assert (out / "README.md").read_text().count("CaSiNo") >= 1

    result = runner.invoke(app, ["evaluate", str(casino_slice), "--model", str(out), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    # scored on its own training data: far above chance, figures well-formed
    assert scores["orientation"]["macro_f1"] > 0.8
    assert set(scores["orientation"]["per_class"]) == {"integrative", "distributive", "neutral"}
    assert "self-need" in scores["labels"]["per_class"]

    assert "in-sample" in result.stderr
    assert len(data["dialogue_fingerprints"]) == data["dialogues"]

    # the same dialogues under another name: the card's fingerprints still know them
    # (until 28 Nov 2026 a renamed subset was scored as "held-out": researcher QA)
    dialogues = json.loads(casino_slice.read_text(encoding="utf-8"))
    renamed = tmp_path / "my_sample.json"
    renamed.write_text(json.dumps(dialogues[:3] + [_unseen(dialogues[3])]), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(renamed), "--model", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 of 4 dialogues in my_sample.json" in result.stderr
    assert "in-sample evaluation" in result.stdout

    result = runner.invoke(app, ["evaluate", str(casino_slice), "--cv", "2",
                                 "--level", "orientation"])
    assert result.exit_code == 0, result.output
    assert "Cohen's kappa" in result.stdout and "confusion" in result.stdout
    assert "Move labels" not in result.stdout

    result = runner.invoke(app, ["evaluate", str(casino_slice), "--cv", "50"])
    assert result.exit_code == 2 and "--cv 50 needs at least 50 sessions" in result.output


@pytest.mark.casino
@pytest.mark.slow
def test_spoken_weight_reaches_the_fit(casino_slice, tmp_path):
    """``--spoken-weight`` is stored with the model's parameters and changes it (the
    project's spoken codes join the slice by default); ``evaluate`` takes it with --cv only."""
    metas = {}
    for name, extra in (("one", []), ("half", ["--spoken-weight", "0.5"])):
        result = runner.invoke(app, ["train", str(casino_slice), "--out", str(tmp_path / name),
                                     *extra])
        assert result.exit_code == 0, result.output
        metas[name] = json.loads((tmp_path / name / "meta.json").read_text())
    assert metas["half"]["params"]["spoken_weight"] == 0.5
    assert metas["one"]["model_file"]["content_sha256"] != \
        metas["half"]["model_file"]["content_sha256"]
    result = runner.invoke(app, ["evaluate", str(casino_slice), "--spoken-weight", "0.5"])
    assert result.exit_code == 2 and "applies with --cv" in result.output


@pytest.mark.casino
@pytest.mark.slow
def test_same_data_and_seed_give_the_same_model(casino_slice, tmp_path):
    for name in ("a", "b"):
        result = runner.invoke(app, ["train", str(casino_slice), "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    a = json.loads((tmp_path / "a" / "meta.json").read_text())
    b = json.loads((tmp_path / "b" / "meta.json").read_text())
    assert a["model_file"]["content_sha256"] == b["model_file"]["content_sha256"]


def test_own_label_set_from_csv_end_to_end(repo, tmp_path):
    scheme = repo / "corpora" / "custom_scheme"
    model = tmp_path / "scheme-model"
    result = runner.invoke(app, ["train", str(scheme / "coded.csv"), "--out", str(model),
                                 "--orientation-map", str(scheme / "orientation_map.csv")])
    assert result.exit_code == 0, result.output
    meta = json.loads((model / "meta.json").read_text())
    assert meta["labels"] == ["claim", "create", "procedural", "question"]
    assert meta["orientation_map"]["claim"] == "distributive"

    result = runner.invoke(app, ["evaluate", str(scheme / "coded.csv"), "--cv", "4",
                                 "--orientation-map", str(scheme / "orientation_map.csv"),
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["labels"]["macro_f1"] > 0.8

    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(scheme / "new_session.txt"), "--model",
                                 str(model), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    turns = pd.read_csv(out / "turns.csv")
    assert set(turns["move"]) <= {"claim", "create", "procedural", "question"}
    expected = {"claim": "distributive", "create": "integrative", "question": "integrative",
                "procedural": "neutral"}
    assert (turns["orientation"] == turns["move"].map(expected)).mean() > 0.9


def test_bad_csv_is_a_clear_usage_error(tmp_path):
    bad = tmp_path / "codes.csv"
    bad.write_text("utterance,code\nhello,x\n")
    result = runner.invoke(app, ["train", str(bad), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "missing column" in result.output and "--text-col" in result.output


def test_train_out_on_a_file_is_a_usage_error(repo, tmp_path):
    """Every other command said "[E400] ... is not a folder"; train died with a traceback
    (fresh user QA, 28 Nov 2026)."""
    (tmp_path / "x.txt").write_text("mine")
    for out in (tmp_path / "x.txt", tmp_path / "x.txt" / "m"):
        result = runner.invoke(app, ["train", str(repo / "corpora/custom_scheme/coded.csv"),
                                     "--out", str(out)])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert "is a file" in result.output or "is not a folder" in result.output
    assert (tmp_path / "x.txt").read_text() == "mine"
