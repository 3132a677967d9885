"""Fresh-session check of an evidence change: fit on all gold but a TEST set of dialogues,
score the TEST set; optionally the usual cross-validation over all gold in the same run.

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/stage_dev_test.py --test ID [ID ...]
        [--oof-moves /tmp/stage-oof-moves/k5-s0.json] [--cv-seeds 0 1 2]
        [--fit-seeds 0] [--moves-cache /tmp/stage-moves.pkl]

Why: the hand-built evidence (``evidence.py``, ``cues.py``) was designed by reading the
cross-validated errors of the first 201 gold sessions, so their CV rewards cues tuned on them
(``docs/history/stages-log.md``, "Why d's sessions make the 201's CV worse"). To change the
evidence without repeating that, annotator d's 100 dialogues are split once into DEV (errors
may be read) and TEST (never read: only this aggregate score). The split is given as dialogue
ids, not as a file, so it holds whatever file the sessions live in. Printed:

(1) the standard fit (``fit.fit_stacked``, the shipped C, text model, out-of-fold move labels
    when ``--oof-moves`` is given) on every gold session whose id is not in ``--test``,
    scored on the ``--test`` sessions: Pk / WindowDiff (one line per ``--fit-seeds`` seed,
    the seed of the text model's inner folds; seed 0 is the fit ``--fit-out`` makes);
(2) with ``--cv-seeds``: dialogue-level 5-fold CV over all the gold sessions, the same folds,
    fit and figures as ``analyzer evaluate-stages --cv 5 --seed S --oof-moves FILE``, with
    the Pk of each gold file's sessions.

An evidence change passes when (1) is better than with the current evidence and the mean
of (2) over seeds 0-2 is not worse. ``--moves-cache`` keeps the move model's labels (they do
not depend on the evidence code) in a pickle, so repeated runs skip the move model.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    import numpy as np

    from analyzer.results import STAGES
    from analyzer.stages.evaluate import default_gold_files, folds, run_moves
    from analyzer.stages.evidence import session_evidence
    from analyzer.stages.fit import DEFAULT_C, fit_stacked
    from analyzer.stages.gold import read_gold, resolve
    from analyzer.stages.metrics import summarise
    from analyzer.stages.segmenter import Segmenter
    from analyzer.stages.text import turn_tokens

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test", nargs="+", required=True, help="TEST dialogue ids")
    parser.add_argument("--gold", nargs="*", default=None,
                        help="gold files (default: corpora/stages/gold_*.tsv)")
    parser.add_argument("--oof-moves", default=None, help="out-of-fold move labels (JSON)")
    parser.add_argument("--fit-seeds", type=int, nargs="*", default=[0])
    parser.add_argument("--cv-seeds", type=int, nargs="*", default=[])
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--moves-cache", default=None,
                        help="pickle of the move model's labels (written when missing)")
    args = parser.parse_args()

    files = [Path(f) for f in args.gold] if args.gold else default_gold_files()
    part_of, entries = [], []
    for f in files:
        for entry in read_gold(f):
            entries.append(entry)
            part_of.append(f.name)
    pairs = resolve(entries)
    transcripts = [t for _, t in pairs]
    ids = [e.session for e, _ in pairs]
    test_ids = set(args.test)
    missing = test_ids - set(ids)
    if missing:
        parser.error(f"TEST ids not in the gold: {sorted(missing)}")

    start = time.process_time()
    cache = Path(args.moves_cache) if args.moves_cache else None
    if cache is not None and cache.exists():
        stored = pickle.loads(cache.read_bytes())
        moves = [stored[s] for s in ids]
    else:
        moves = run_moves(transcripts)
        if cache is not None:
            cache.write_bytes(pickle.dumps(dict(zip(ids, moves, strict=True))))
    if args.oof_moves:
        from analyzer.stages.oof_moves import apply, load

        moves, _ = apply(transcripts, moves, load(args.oof_moves))
    matrices = [session_evidence(t, m).matrix for t, m in zip(transcripts, moves, strict=True)]
    labels = [e.labels(len(t.turns)) for e, t in pairs]
    tokens = [turn_tokens(t) for t in transcripts]
    print(f"{len(pairs)} gold sessions from {', '.join(f.name for f in files)}; "
          f"TEST {len(test_ids)}; evidence in {time.process_time() - start:.0f} s CPU")

    def fit_on(train: list[int], seed: int) -> Segmenter:
        return Segmenter(fit_stacked([matrices[i] for i in train], [labels[i] for i in train],
                                     [tokens[i] for i in train], seed=seed, C=DEFAULT_C))

    def decode(seg: Segmenter, i: int) -> list[str]:
        path, _ = seg.decode(seg.ready_to_decode(matrices[i], transcripts[i]))
        return [STAGES[s] for s in path]

    test = [i for i, s in enumerate(ids) if s in test_ids]
    train = [i for i, s in enumerate(ids) if s not in test_ids]
    for seed in args.fit_seeds:
        seg = fit_on(train, seed)
        scores = summarise([(labels[i], decode(seg, i)) for i in test])
        print(f"(1) fit on {len(train)} (text seed {seed}) -> TEST {len(test)}: "
              f"Pk {scores.pk:.4f} WD {scores.windowdiff:.4f}")

    n = len(pairs)
    parts = sorted(set(part_of), key=part_of.index)
    means = []
    for seed in args.cv_seeds:
        predicted: list[list[str]] = [[] for _ in range(n)]
        for fold in folds(n, min(args.cv, n), seed):
            held = set(fold.tolist())
            seg = fit_on([i for i in range(n) if i not in held], seed)
            for i in fold:
                predicted[i] = decode(seg, i)
        scores = summarise(zip(labels, predicted, strict=True))
        part_pk = {p: summarise([(labels[i], predicted[i]) for i in range(n)
                                 if part_of[i] == p]).pk for p in parts}
        by_part = " ".join(f"{p}={pk:.3f}" for p, pk in part_pk.items())
        print(f"(2) CV seed {seed}: Pk {scores.pk:.4f} WD {scores.windowdiff:.4f}  [{by_part}]")
        means.append((scores.pk, scores.windowdiff))
    if means:
        pk, wd = np.mean(means, axis=0)
        print(f"(2) CV mean over seeds {args.cv_seeds}: Pk {pk:.4f} WD {wd:.4f}")
    print(f"total {time.process_time() - start:.0f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
