"""CPU time per turn of the stage decoder (``Segmenter.decode``), before and after, same run.

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_stages_decode.py [--casino DIR]
        [--baseline REV] [--repeat 5]

The evidence of every gold session and of CaSiNo valid is computed once (that is the
evidence step, not timed here); then the shipped parameters are decoded by the current
``segmenter.py`` + ``mbr.py`` and by the same two files as of git revision ``--baseline``
(loaded from ``git show``, so no second checkout is needed), alternating, best of
``--repeat``; both ``decode`` (labels and posteriors) and ``segment_evidence`` (also the
rounded per-turn probabilities and the outcome). It also checks the two agree: identical
labels and results, largest probability difference. Last, the current ``segment_evidence``
with and without the per-turn probabilities (``probabilities=False``: what a batch without
reports runs), alternating.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import types
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
#: the last revision before the decoder was sped up
BASELINE = "3ee4f05"


def load_baseline(rev: str) -> types.ModuleType:
    """``analyzer/stages/segmenter.py`` as of ``rev``, with that revision's ``mbr.py`` and
    ``boundary.py``.

    They run inside the current package (``analyzer.stages``), so the other modules they
    import (evidence, metrics) are the current ones."""
    modules = {}
    for name in ("boundary", "mbr", "segmenter"):
        source = subprocess.run(["git", "show", f"{rev}:analyzer/stages/{name}.py"],
                                cwd=REPO, check=True, capture_output=True, text=True).stdout
        module = types.ModuleType(f"analyzer.stages._baseline_{name}")
        module.__package__ = "analyzer.stages"
        module.__file__ = str(REPO / "analyzer" / "stages" / f"{name}.py")  # params.json beside
        sys.modules[module.__name__] = module
        exec(compile(source, f"{rev}:{name}.py", "exec"), module.__dict__)
        modules[name] = module
    modules["segmenter"].mbr = modules["mbr"]  # the old decoder calls the old MBR
    modules["segmenter"].boundary = modules["boundary"]  # and the old boundary scores
    return modules["segmenter"]


def session_evidence(casino: str | None) -> list:
    """(transcript, evidence) of the gold sessions (both CaSiNo gold files and the examples)
    and of every CaSiNo valid dialogue."""
    from analyzer.io import read_transcripts
    from analyzer.stages import evidence
    from analyzer.stages.evaluate import run_moves
    from analyzer.stages.gold import find_casino, read_gold, resolve

    transcripts = [t for name in ("gold_casino.tsv", "gold_casino_c.tsv", "gold_examples.tsv")
                   for _, t in resolve(read_gold(REPO / "corpora" / "stages" / name),
                                       casino=casino)]
    found = find_casino(casino)
    if found is not None:
        transcripts += list(read_transcripts(found / "casino_valid.json"))
    moves = run_moves(transcripts)
    return [(t, evidence.session_evidence(t, m)) for t, m in zip(transcripts, moves, strict=True)]


def main() -> int:
    import numpy as np

    from analyzer.stages import segmenter as current

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--casino", default=None)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    old = load_baseline(args.baseline)
    sessions = session_evidence(args.casino)
    matrices = [e.matrix for _, e in sessions]
    turns = sum(m.shape[0] for m in matrices)
    decoders = {f"baseline {args.baseline}": old.load_segmenter(current.PARAMS_PATH),
                "current": current.load_segmenter()}
    outputs = {name: [seg.decode(m) for m in matrices] for name, seg in decoders.items()}
    (_, before), (_, after) = outputs.items()
    same = sum(a[0] == b[0] for a, b in zip(before, after, strict=True))
    diff = max(float(np.max(np.abs(a[1] - b[1]))) for a, b in zip(before, after, strict=True)
               if len(a[0]))
    segmentations = [[seg.segment_evidence(t, e) for t, e in sessions]
                     for seg in decoders.values()]
    print(f"{len(matrices)} sessions, {turns} turns; identical labels in {same}; "
          f"largest probability difference {diff:.1e}; identical segment_evidence results "
          f"(stages, rounded probabilities, outcome) in "
          f"{sum(a == b for a, b in zip(*segmentations, strict=True))}")
    steps = {"decode": lambda seg: [seg.decode(m) for m in matrices],
             "segment_evidence": lambda seg: [seg.segment_evidence(t, e) for t, e in sessions]}
    for step, run in steps.items():
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            for name, seg in decoders.items():
                start = time.process_time()
                run(seg)
                elapsed = time.process_time() - start
                best[name] = min(best.get(name, elapsed), elapsed)
        base = next(iter(best.values()))
        for name, seconds in best.items():
            print(f"{step:<16} {name:<18} {seconds * 1e6 / turns:6.1f} us/turn CPU "
                  f"({base / seconds:.1f}x)")
    # what a batch without reports runs (``Analyzer(explain=False)``): the labels and outcome
    # only, against the current code with probabilities, alternating
    seg = decoders["current"]
    lean = [seg.segment_evidence(t, e, probabilities=False) for t, e in sessions]
    agree = sum((a.stages, a.outcome, a.outcome_turn) == (b.stages, b.outcome, b.outcome_turn)
                for a, b in zip(lean, segmentations[1], strict=True))
    print(f"without probabilities: identical stages and outcome in {agree}")
    best = {}
    for _ in range(args.repeat):
        for probabilities in (True, False):
            start = time.process_time()
            for t, e in sessions:
                seg.segment_evidence(t, e, probabilities=probabilities)
            elapsed = time.process_time() - start
            best[probabilities] = min(best.get(probabilities, elapsed), elapsed)
    for probabilities, seconds in best.items():
        print(f"segment_evidence current, probabilities={probabilities!s:<5} "
              f"{seconds * 1e6 / turns:6.1f} us/turn CPU ({best[True] / seconds:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
