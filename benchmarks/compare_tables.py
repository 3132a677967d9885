"""Do two versions of the analyser give identical batch tables? (A check for speed work.)

Runs ``python -m analyzer batch INPUTS --out TMP --workers N --quiet`` once with the code of
``--baseline`` (a checkout of another commit, e.g. made with ``git worktree add`` or
``git archive REF | tar -x -C DIR``) and once with this repository's code, then compares the
``turns``, ``units``, ``stages``, ``sessions`` and ``failures`` tables: the Parquet tables
must be equal (schema and values) and the CSVs byte-identical. Exit code 0 when all are.

    git archive main | tar -x -C /tmp/base
    python benchmarks/compare_tables.py --baseline /tmp/base \\
        corpora/examples ../shared/corpora/casino/casino_valid.json

Why a script and not a stored copy of the tables: the tables legitimately change whenever
the move model or the stage decoder improves; what a speed-up must not change is the output
of the same model, which only a run of both versions on the same inputs shows.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
TABLES = ("turns", "units", "stages", "sessions", "failures")


def run_batch(code: Path, inputs: list[str], out: Path, workers: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(code), "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "analyzer", "batch", *inputs, "--out", str(out),
               "--workers", str(workers), "--quiet"]
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: some inputs failed, still a comparable result
        raise SystemExit(f"{code}: batch failed ({done.returncode}): {done.stderr[-2000:]}")


def compare(a: Path, b: Path) -> list[str]:
    """Differences between the tables of two batch output folders (empty when identical)."""
    problems = []
    for name in TABLES:
        pa_, pb = a / f"{name}.parquet", b / f"{name}.parquet"
        ta, tb = pq.read_table(pa_), pq.read_table(pb)
        if not ta.equals(tb):
            problems.append(f"{name}.parquet differs ({ta.num_rows} vs {tb.num_rows} rows)")
        if (a / f"{name}.csv").read_bytes() != (b / f"{name}.csv").read_bytes():
            problems.append(f"{name}.csv differs")
        else:
            print(f"{name}: {ta.num_rows} rows, {ta.num_columns} columns, identical")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="+", help="files, folders or globs, as for batch")
    parser.add_argument("--baseline", type=Path, required=True,
                        help="a checkout of the code to compare against")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    inputs = [str(Path(p).resolve()) for p in args.inputs]
    with tempfile.TemporaryDirectory(prefix="compare-tables-") as tmp:
        base, new = Path(tmp, "baseline"), Path(tmp, "this")
        run_batch(args.baseline.resolve(), inputs, base, args.workers)
        run_batch(REPO, inputs, new, args.workers)
        problems = compare(base, new)
    for problem in problems:
        print("DIFFERENT:", problem)
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
