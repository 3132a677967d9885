"""CPU time per turn of what one batch worker does, in one process, on a checkout given by path.

Why: ``bench_batch.py`` gives the honest end-to-end figure, but its wall time moves with the
machine's load and mixes the driver, the pool and the disk. This times only a worker's own
loop, the same way for a baseline copy and the working tree, so two checkouts can be run back
to back (alternate them; take the best of several runs):

    git archive <commit> | tar -x -C /tmp/base
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_worker.py /tmp/base
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_worker.py .
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_worker.py . --profile   # + cProfile

The loop: 400 CaSiNo train sessions, ``Analyzer(explain=False).analyze_each`` in chunks of
50 (a work item), then each chunk's table rows and Arrow tables; the analyser is loaded and
frozen out of the garbage collector's walks first and the collector runs as rarely as in a
pool worker (``worker.GC_THRESHOLDS``; until 26 Nov 2026 at Python's defaults: 229
collections took ~20 us/turn, against one of ~10 us/turn with the worker's thresholds,
timed with ``gc.callbacks``), as a batch worker does. Text caches start
cold (every turn is new, as in a batch), apart from the 20 sessions of the warm-up.

The warm-up also builds its tables: the first ``pa.array`` of a process imports pandas
(pyarrow does it lazily, ~0.25 CPU s), once per worker and batch. Until 26 Nov 2026 the
timed loop paid that import, ~45 of the ~240 us/turn it reported; figures from before then
are not comparable with later ones.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import sys
import time
from pathlib import Path

CASINO = Path(__file__).resolve().parent.parent.parent / "shared/corpora/casino"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", help="the checkout whose analyzer package to time")
    parser.add_argument("--casino", default=str(CASINO), help="the CaSiNo folder")
    parser.add_argument("--sessions", type=int, default=400)
    parser.add_argument("--profile", action="store_true",
                        help="also run the loop again under cProfile (warm caches) and print it")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.path.insert(0, str(Path(args.repo).resolve()))
    from analyzer.batch.tabular import rows_to_table
    from analyzer.io import read_transcripts
    from analyzer.pipeline import Analyzer
    from analyzer.report import tables as t

    sessions = list(read_transcripts(Path(args.casino) / "casino_train.json"))[:args.sessions]
    try:
        analyzer = Analyzer(explain=False)
    except TypeError:  # a checkout from before the explain switch
        analyzer = Analyzer()
    gc.collect()
    gc.freeze()
    try:  # a pool worker's collector thresholds (``init_pool_worker``), where the checkout
        from analyzer.batch.worker import GC_THRESHOLDS  # has them
        gc.set_threshold(*GC_THRESHOLDS)
    except ImportError:
        pass

    def run(sessions: list) -> None:
        for start in range(0, len(sessions), 50):
            turns, units, stages, rows = [], [], [], []
            for _, analysis, _ in analyzer.analyze_each(sessions[start:start + 50]):
                turns += t.turn_rows(analysis)
                units += t.unit_rows(analysis)
                stages += t.stage_rows(analysis)
                rows.append(t.session_row(analysis))
            rows_to_table(turns, t.TURN_COLUMNS)
            rows_to_table(units, t.UNIT_COLUMNS)
            rows_to_table(stages, t.STAGE_COLUMNS)
            rows_to_table(rows, t.SESSION_COLUMNS, extra=True)

    run(sessions[:20])  # warm-up, tables included (see the docstring)
    n_turns = sum(len(s.turns) for s in sessions)
    started = time.process_time()
    run(sessions)
    seconds = time.process_time() - started
    print(f"{args.repo}: {n_turns} turns, {seconds:.2f} CPU s, "
          f"{1e6 * seconds / n_turns:.0f} us/turn")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(run, sessions)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
