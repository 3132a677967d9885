"""CPU time of the batch driver's final assembly, per table, on a checkout given by path.

Why: after the workers finish, the driver reads every work item's part file and writes the
Parquet and CSV tables (``batch/assemble.write_table``); that tail is on the run's wall time.
This times it alone, from the part files of a kept batch output, the same way for a
baseline copy and the working tree (alternate them; the machine's load moves every figure):

    python -m analyzer batch /work/bench/corpus-x10 --out /tmp/x10 --workers 2 --quiet
    git archive <commit> | tar -x -C /tmp/base
    python benchmarks/bench_assembly.py /tmp/base /tmp/x10
    python benchmarks/bench_assembly.py . /tmp/x10

Each table is written once untimed (imports, e.g. ``pyarrow.compute`` for a cast), then
``--repeat`` times into a temporary folder; the best CPU time is printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

TABLES = ("turns", "units", "stages", "sessions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", help="the checkout whose analyzer package to time")
    parser.add_argument("out", help="a batch output folder that still has its .parts")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.repo).resolve()))
    from analyzer.batch.assemble import write_table
    from analyzer.batch.runner import TABLE_COLUMNS
    from analyzer.io.output import OutputFolder

    parts = sorted((Path(args.out) / ".parts").glob("*.arrows"))
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = OutputFolder(Path(tmp))
        for name in TABLES:
            columns, extra = TABLE_COLUMNS[name]
            write_table(folder, name, parts, columns, extra)
            best = float("inf")
            for _ in range(args.repeat):
                started = time.process_time()
                write_table(folder, name, parts, columns, extra)
                best = min(best, time.process_time() - started)
            figures.append(f"{name} {best:.3f}")
    print(f"{args.repo}: {len(parts)} parts, best CPU s: " + ", ".join(figures))


if __name__ == "__main__":
    main()
