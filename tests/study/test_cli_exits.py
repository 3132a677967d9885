"""Study commands in pipelines and their exit codes (docs/study.md: 1 an input could not be
read, 2 a usage mistake)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", ["outcomes", "sequences", "reliability"])
def test_closed_stdout_still_writes_out_and_exits_0(command, results_dir, tmp_path):
    """``analyzer outcomes RUN --out DIR | head -1``: the files are written before anything
    is printed, and the closed pipe ends the command quietly with exit 0."""
    out = tmp_path / "out"
    args = [sys.executable, "-m", "analyzer", command, str(results_dir), "--out", str(out)]
    if command == "reliability":
        args[4:4] = ["--against", str(results_dir)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=tmp_path)
    proc.stdout.close()  # the reader is gone before the first line is printed
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, stderr
    assert stderr == ""
    assert "manifest.json" in os.listdir(out)
    assert json.loads((out / "manifest.json").read_text())["command"] == command


@pytest.mark.parametrize("command", ["outcomes", "sequences", "export", "reliability"])
def test_wrong_folder_is_a_usage_error_and_unfinished_batch_says_rerun(command, results_dir,
                                                                        tmp_path):
    def run(folder):
        args = [command, str(folder), "--out", str(tmp_path / "x")]
        if command == "reliability":
            args = [command, str(results_dir), "--against", str(folder)]
        return CliRunner().invoke(app, args)

    res = run(tmp_path / "missing")
    assert res.exit_code == 2 and "no such results folder" in res.output, res.output
    plain = tmp_path / "plain"
    plain.mkdir()
    res = run(plain)
    assert res.exit_code == 2 and "not a results folder" in res.output, res.output
    batch = tmp_path / "batch"
    (batch / ".parts").mkdir(parents=True)
    (batch / "manifest.json").write_text('{"status": "running"}')
    res = run(batch)
    text = " ".join(res.output.split())
    assert res.exit_code == 1 and "no turns.parquet or turns.csv" in text, res.output
    assert "if a batch was interrupted, rerun the same batch command to finish it" in text
