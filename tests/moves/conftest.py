"""Small slices of CaSiNo for fast training tests (never the full corpus)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="session")
def casino_slice(casino_dir, tmp_path_factory):
    """The first 20 annotated dialogues of casino_train.json, as a CaSiNo JSON file."""
    dialogues = json.loads((casino_dir / "casino_train.json").read_text(encoding="utf-8"))
    annotated = [d for d in dialogues if d["annotations"]][:20]
    path = tmp_path_factory.mktemp("casino") / "casino_slice.json"
    path.write_text(json.dumps(annotated), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def slice_data(casino_slice):
    from analyzer.moves.data import load_coded

    return load_coded([casino_slice])


@pytest.fixture(scope="session")
def slice_model(slice_data):
    from analyzer.moves.training import train

    return train(slice_data, seed=0, name="test-slice")
