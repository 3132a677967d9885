"""How far is the stage segmenter's CV on its design gold from its score on fresh sessions?

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/stage_fresh_gap.py [--C 3] [--text] [--no-moves]

Why: the hand-built evidence (``evidence.py``, ``cues.py``) and the decoding settings were
chosen by reading the cross-validated errors of the 190 CaSiNo gold sessions (a's, b's and
c's), so their CV score can be optimistic. Annotator d's 100 sessions
(``casino_annotator_d.tsv``) were labelled after that and never read for design: fitting on
all 190 and scoring d's 100 is the nearest thing to the held-out gold. This prints the CV Pk
of the 190 (seeds 0-2, the folds of ``evaluate.folds``), the Pk of the fit on all 190 scored
on d's 100, and the gap. (Since round 4 of the evidence, d's DEV half has been read for
design and d's 100 are in the gold; the fresh set now is the held-out test set,
``--fresh heldout_casino_hi.tsv``, which should only score finished fits.)

It uses only APIs that older checkouts have too (``fit_params``, ``gold_evidence``,
``folds``), so the same file measures an older evidence: export that commit
(``git archive <commit> | tar -x -C /tmp/old``) and run this file with
``PYTHONPATH=/tmp/old`` and ``ANALYZER_CASINO`` set (``--gold-dir`` defaults to this
checkout's ``corpora/stages``, which holds d's file).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parents[1]
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(HERE))


def main() -> int:
    import numpy as np

    from analyzer.results import STAGES
    from analyzer.stages import fit
    from analyzer.stages.evaluate import folds, gold_evidence
    from analyzer.stages.gold import read_gold, resolve
    from analyzer.stages.metrics import summarise
    from analyzer.stages.segmenter import Segmenter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold-dir", default=str(HERE / "corpora" / "stages"))
    parser.add_argument("--design", nargs="*", default=["gold_casino.tsv", "gold_casino_c.tsv"])
    parser.add_argument("--fresh", default="casino_annotator_d.tsv")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--C", type=float, default=None, help="emission / MEMM C "
                        "(default: the checkout's DEFAULT_C)")
    parser.add_argument("--text", action="store_true",
                        help="the stacked text model too (fit_stacked; newer checkouts)")
    parser.add_argument("--no-moves", action="store_true")
    args = parser.parse_args()
    gold_dir = Path(args.gold_dir)

    def load(files):
        pairs = resolve([e for f in files for e in read_gold(gold_dir / f)])
        matrices, labels = gold_evidence(pairs, use_moves=not args.no_moves)
        return matrices, labels, [t for _, t in pairs]

    def fit_on(matrices, labels, transcripts, seed):
        kwargs = {} if args.C is None else {"C": args.C}
        if args.text:
            from analyzer.stages.text import turn_tokens
            return fit.fit_stacked(matrices, labels, [turn_tokens(t) for t in transcripts],
                                   seed=seed, **kwargs)
        return fit.fit_params(matrices, labels, **kwargs)

    def decode(seg, matrix, transcript):
        if hasattr(seg, "ready_to_decode"):
            matrix = seg.ready_to_decode(matrix, transcript)
        return [STAGES[s] for s in seg.decode(matrix)[0]]

    matrices, labels, transcripts = load(args.design)
    f_m, f_l, f_t = load([args.fresh])
    n = len(labels)
    cv = []
    for seed in args.seeds:
        predicted: list[list[str]] = [[] for _ in range(n)]
        for test in folds(n, 5, seed):
            held = set(test.tolist())
            train = [i for i in range(n) if i not in held]
            seg = Segmenter(fit_on([matrices[i] for i in train], [labels[i] for i in train],
                                   [transcripts[i] for i in train], seed))
            for i in test:
                predicted[i] = decode(seg, matrices[i], transcripts[i])
        cv.append(summarise(zip(labels, predicted, strict=True)).pk)
    seg = Segmenter(fit_on(matrices, labels, transcripts, 0))
    fresh = summarise(zip(f_l, [decode(seg, m, t) for m, t in zip(f_m, f_t, strict=True)],
                          strict=True)).pk
    print(f"CV on {n} design sessions, seeds {args.seeds}: Pk {np.mean(cv):.4f} "
          f"({' '.join(f'{x:.4f}' for x in cv)}); fit on all {n} -> {len(f_l)} fresh: "
          f"Pk {fresh:.4f}; gap {fresh - np.mean(cv):+.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
