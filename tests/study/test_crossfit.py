"""Cross-fitted (out-of-fold) model labels: every annotated session labelled once, by a
model that never saw it."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analyzer.study.crossfit import fold_of_sessions


def test_folds_are_balanced_and_reproducible():
    ids = [f"s{i}" for i in range(23)]
    folds = fold_of_sessions(ids, 5, seed=3)
    sizes = pd.Series(folds).value_counts()
    assert set(folds) == set(ids) and sizes.max() - sizes.min() <= 1
    assert folds == fold_of_sessions(reversed(ids), 5, seed=3)
    assert folds != fold_of_sessions(ids, 5, seed=4)


@pytest.mark.casino
@pytest.mark.slow
def test_crossfit_on_casino_valid(casino_dir, tmp_path):
    pytest.importorskip("analyzer.moves.training", reason="the move model package is not "
                                                          "in this checkout")
    from analyzer.study.crossfit import crossfit_results

    out = crossfit_results([casino_dir / "casino_valid.json"], tmp_path / "oof", folds=2,
                           params={"stack": False, "calibrate": False})
    turns = pd.read_csv(out / "turns.csv", dtype={"session_id": str})
    raw = json.loads((casino_dir / "casino_valid.json").read_text(encoding="utf-8"))
    annotated = {str(d["dialogue_id"]) for d in raw if d["annotations"]}
    assert set(turns["session_id"]) == annotated  # each once, only the annotated ones
    assert turns.groupby("session_id")["turn"].apply(lambda s: s.is_unique).all()
    manifest = json.loads((out / "manifest.json").read_text())
    folds = manifest["model"]["folds"]
    assert sum(f["test_sessions"] for f in folds) == len(annotated)
    assert folds[0]["model_hash"] != folds[1]["model_hash"]
