"""CPU time of ``MoveModel.predict_sessions`` alone, explain off (what a batch worker runs).

Why: the whole worker's time is noisy on a shared machine and mixes moves with stages and
tables; this times only the move prediction, on a checkout given by path, so that a
baseline copy and the working tree can be run back to back with the same script:

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_predict_sessions.py /tmp/base 15
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_predict_sessions.py . 15

400 CaSiNo train sessions, units split once beforehand, ``predict_sessions`` in chunks of
50 sessions, best of REPEAT passes (the char n-gram cache is warm after the first).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

CASINO = Path(__file__).resolve().parent.parent.parent / "shared/corpora/casino"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", help="the checkout whose analyzer package to time")
    parser.add_argument("repeat", type=int, nargs="?", default=5)
    parser.add_argument("--casino", default=str(CASINO), help="the CaSiNo folder")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.path.insert(0, str(Path(args.repo).resolve()))
    from analyzer.io import read_transcripts
    from analyzer.nlp import split_units_many
    from analyzer.pipeline import Analyzer

    sessions = list(read_transcripts(Path(args.casino) / "casino_train.json"))[:400]
    analyzer = Analyzer(explain=False)
    model = analyzer.model
    items = list(zip(sessions, split_units_many(analyzer.nlp, sessions), strict=True))
    gc.collect()
    gc.freeze()
    model.predict_sessions(items[:20], explain=False)
    n_turns = sum(len(t.turns) for t in sessions)
    best = float("inf")
    for _ in range(args.repeat):
        start = time.process_time()
        for i in range(0, len(items), 50):
            model.predict_sessions(items[i:i + 50], explain=False)
        best = min(best, time.process_time() - start)
    print(f"predict_sessions: {n_turns} turns, best {best:.3f} CPU s, "
          f"{1e6 * best / n_turns:.1f} us/turn")


if __name__ == "__main__":
    main()
