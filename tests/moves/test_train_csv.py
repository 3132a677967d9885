"""``analyzer train`` / ``evaluate`` on a researcher's own coded CSV: what a messy coding
file does (training QA, 28 Nov 2026: case variants of one code, a typo in the orientation
map, a broken quote, one category, a Windows-1252 file, an unnamed session column)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def scheme(repo) -> Path:
    return repo / "corpora" / "custom_scheme"


@pytest.fixture(scope="module")
def trained(scheme, tmp_path_factory):
    """The custom scheme's model, trained once for the tests that only read it."""
    out = tmp_path_factory.mktemp("trained") / "model"
    result = runner.invoke(app, ["train", str(scheme / "coded.csv"), "--out", str(out),
                                 "--orientation-map", str(scheme / "orientation_map.csv")])
    assert result.exit_code == 0, result.output
    return out, result


def test_card_and_meta_quote_the_hash_of_the_model_file_on_disk(trained):
    """train saved twice (the second save for the card) and skops archives differ from save
    to save: the card quoted a hash no file had."""
    out, _ = trained
    sha = hashlib.sha256((out / "model.skops").read_bytes()).hexdigest()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["model_file"]["sha256"] == sha
    assert f"model file sha256 {sha}" in (out / "README.md").read_text()
