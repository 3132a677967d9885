"""``analyzer evaluate`` says when its figures are in-sample, what it labels, and averages
macro-F1 over the labels that occur."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.moves.data import CodedData
from analyzer.moves.evaluation import multilabel_report, training_overlap


def test_macro_f1_leaves_out_labels_absent_from_gold_and_predictions():
    classes = ["a", "b", "uv-part"]
    true = [("a",), ("b",), ("a", "b"), ("b",)]
    pred = [("a",), ("a",), ("a", "b"), ("b",)]
    rep = multilabel_report(true, pred, classes)
    T = np.array([[c in s for c in classes] for s in true], dtype=int)
    P = np.array([[c in s for c in classes] for s in pred], dtype=int)
    assert rep["macro_f1"] == pytest.approx(f1_score(T, P, average="macro", labels=[0, 1]))
    assert rep["macro_f1_labels"] == ["a", "b"]
    assert rep["per_class"]["uv-part"]["support"] == 0  # still listed, just not averaged
    wrong = multilabel_report(true, [("uv-part",)] * 4, classes)  # predicted: it counts
    assert wrong["macro_f1_labels"] == classes


def test_training_overlap_by_file_name_or_hash(tmp_path):
    valid = tmp_path / "casino_valid.json"
    valid.write_text("[]")
    data = CodedData([], [valid], {}, "casino")
    card = {"training_data": {"files": ["casino_train.json", "casino_valid.json"],
                              "sha256": "0" * 64}}
    assert training_overlap(card, data) == ["casino_valid.json"]
    renamed = tmp_path / "other.json"
    renamed.write_text("[]")
    other = CodedData([], [renamed], {}, "casino")
    assert training_overlap(card, other) == []
    assert training_overlap({"training_data": {"sha256": other.sha256()}}, other) == \
        ["other.json"]


@pytest.mark.casino
def test_cli_warns_that_casino_valid_is_in_sample_for_the_shipped_model(casino_dir: Path):
    """The shipped model's card lists casino_valid.json: its scores are not held out."""
    res = CliRunner().invoke(app, ["evaluate", str(casino_dir / "casino_valid.json")])
    assert res.exit_code == 0, res.output
    assert "casino_valid.json" in res.stderr and "in-sample" in res.stderr
    assert "held-out" not in res.stdout and "in-sample evaluation" in res.stdout
    assert "labelled unit: whole turns" in res.stdout
    assert "labels in the gold or the predictions" in res.stdout  # uv-part is absent
    res = CliRunner().invoke(app, ["evaluate", str(casino_dir / "casino_valid.json"),
                                   "--json"])
    setup = json.loads(res.stdout)["setup"]
    assert setup["in_sample"] is True and setup["unit"].startswith("whole turns")
