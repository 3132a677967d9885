"""Helpers for the batch tests: equal-table checks and a corpus big enough to interrupt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

TABLES = ("turns", "units", "stages", "speakers", "sessions", "failures")


def assert_same_tables(a: Path, b: Path) -> None:
    """Every table of two batch folders is equal, in Parquet (values, types) and CSV (bytes)."""
    for name in TABLES:
        left, right = pd.read_parquet(a / f"{name}.parquet"), pd.read_parquet(b / f"{name}.parquet")
        pd.testing.assert_frame_equal(left, right, obj=name)
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes(), name


@pytest.fixture(scope="session")
def same_tables():
    return assert_same_tables


@pytest.fixture()
def subprocess_env(repo) -> dict:
    """The environment for ``python -m analyzer`` and Dask workers: the repository importable
    whether or not the package is installed."""
    path = os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


@pytest.fixture(scope="session")
def casino_copies(casino_dir, tmp_path_factory) -> Path:
    """casino_valid.json twice, dialogue ids renumbered per copy: 60 sessions in two files,
    enough work to interrupt and to spread over workers."""
    data = json.loads((casino_dir / "casino_valid.json").read_text(encoding="utf-8"))
    root = tmp_path_factory.mktemp("casino_copies")
    for copy in range(2):
        renamed = [{**d, "dialogue_id": d["dialogue_id"] + copy * 100_000} for d in data]
        (root / f"valid_{copy}.json").write_text(json.dumps(renamed), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def batch_inputs(casino_copies, data_dir) -> list[Path]:
    """CaSiNo sessions, every good test file and every broken one, in one batch."""
    return [casino_copies, data_dir / "good", data_dir / "broken"]


@pytest.fixture(scope="session")
def plain_batch(batch_inputs, tmp_path_factory) -> Path:
    """The reference: ``batch_inputs`` in one uninterrupted in-process run. The tables do
    not depend on the chunk size, so runs cut differently must equal it too."""
    from analyzer.batch import BatchOptions, run_batch

    out = tmp_path_factory.mktemp("plain_batch")
    run_batch(batch_inputs, out, BatchOptions(workers=1))
    return out
