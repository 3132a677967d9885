"""Stage segmenter learning curve: is the model still hungry for gold sessions?

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/stage_learning_curve.py [--seeds 0 1 2]
        [--fractions 0.5 0.75 1] [--draws 2] [--extra corpora/stages/gold_casino_d.tsv]

Why: more stage gold is worth annotating only if Pk still falls with more training
sessions. This runs the same dialogue-level 5-fold cross-validation as
``analyzer evaluate-stages --cv 5 --seed S`` (same folds, ``evaluate.folds``), but refits the
stage parameters on a seeded subsample of each training fold (the first 50%, 75%, 100% of one
shuffle of the fold, so the smaller sets are nested in the larger) and scores the same
held-out fold every time. Fraction 1 reproduces ``evaluate-stages`` exactly (the standard
fit, ``fit.fit_stacked``: the text model too sees only the subsample, its columns
out-of-fold within it). ``--draws``
averages several shuffles per fraction below 1 (the subsample itself is a source of noise).

``--extra FILE`` answers the fair question once new gold exists: the sessions of the extra
gold files are added to every training fold (never scored), so the same held-out folds of
the ``--gold`` sessions are scored with parameters fitted with vs without them (the row
"+ extra" against the row "1").

``--cross`` instead fits on all sessions of each ``--gold`` file and scores every other file
(no cross-validation needed): how well one annotator's labels predict another's; join files
with "+" to use them as one (``--gold a.tsv+b.tsv c.tsv``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OLD_GOLD = ("gold_casino.tsv", "gold_casino_c.tsv", "gold_examples.tsv")


def main() -> int:
    import numpy as np
    from seed_table import print_seed_table  # beside this script

    from analyzer.results import STAGES
    from analyzer.stages.evaluate import folds, gold_evidence
    from analyzer.stages.fit import fit_stacked
    from analyzer.stages.gold import read_gold, resolve
    from analyzer.stages.metrics import summarise
    from analyzer.stages.segmenter import Segmenter
    from analyzer.stages.text import turn_tokens

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", nargs="*",
                        default=[str(REPO / "corpora" / "stages" / g) for g in OLD_GOLD],
                        help="gold files split into folds and scored (default: the 201 "
                             "sessions of gold_casino, gold_casino_c, gold_examples)")
    parser.add_argument("--extra", nargs="*", default=[],
                        help="gold files added to every training fold, never scored")
    parser.add_argument("--casino", default=None)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--fractions", type=float, nargs="*", default=[0.5, 0.75, 1.0])
    parser.add_argument("--draws", type=int, default=1)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--cross", action="store_true",
                        help="fit on each --gold file, score each other one")
    args = parser.parse_args()

    def load(files):
        pairs = resolve([e for f in files for e in read_gold(f)], casino=args.casino)
        matrices, labels = gold_evidence(pairs)
        return (matrices, labels, [turn_tokens(t) for _, t in pairs],
                [t for _, t in pairs])

    if args.cross:
        data = {"+".join(Path(p).name for p in f.split("+")): load(f.split("+"))
                for f in args.gold}
        for train, (m_tr, l_tr, k_tr, _) in data.items():
            seg = Segmenter(fit_stacked(m_tr, l_tr, k_tr))
            for test, (m_te, l_te, _, t_te) in data.items():
                if test != train:
                    pred = [[STAGES[s] for s in seg.decode(seg.ready_to_decode(m, t))[0]]
                            for m, t in zip(m_te, t_te, strict=True)]
                    sm = summarise(zip(l_te, pred, strict=True))
                    print(f"{train} -> {test}: Pk {sm.pk:.3f} WD {sm.windowdiff:.3f} "
                          f"starts exact {sm.overall.exact_share:.1%} "
                          f"+-1 {sm.overall.within1_share:.1%}")
        return 0
    matrices, labels, tokens, transcripts = load(args.gold)
    origin = [Path(f).name for f in args.gold for _ in read_gold(f)]
    extra_m, extra_l, extra_k, _ = load(args.extra) if args.extra else ([], [], [], [])
    n = len(labels)
    rows: list[tuple[str, list[tuple[float, float]]]] = []
    settings = [(f"{f:.3g}", f, False) for f in args.fractions]
    if args.extra:
        settings.append((f"1 + extra ({len(extra_l)})", 1.0, True))
    parts: dict[tuple[str, str], list[float]] = {}
    for name, fraction, with_extra in settings:
        per_seed = []
        for seed in args.seeds:
            draws = 1 if fraction >= 1 else args.draws
            pk = wd = 0.0
            for draw in range(draws):
                predicted: list[list[str]] = [[] for _ in range(n)]
                for f, test in enumerate(folds(n, args.cv, seed)):
                    held = set(test.tolist())
                    train = [i for i in range(n) if i not in held]
                    order = np.random.default_rng([seed, f, draw]).permutation(len(train))
                    take = sorted(train[j] for j in order[:round(fraction * len(train))])
                    mats = [matrices[i] for i in take] + (extra_m if with_extra else [])
                    labs = [labels[i] for i in take] + (extra_l if with_extra else [])
                    toks = [tokens[i] for i in take] + (extra_k if with_extra else [])
                    seg = Segmenter(fit_stacked(mats, labs, toks, seed=seed))
                    for i in test:
                        m = seg.ready_to_decode(matrices[i], transcripts[i])
                        predicted[i] = [STAGES[s] for s in seg.decode(m)[0]]
                scores = summarise(zip(labels, predicted, strict=True))
                pk += scores.pk / draws
                wd += scores.windowdiff / draws
                for part in sorted(set(origin)) if len(set(origin)) > 1 else []:
                    sub = summarise((labels[i], predicted[i]) for i in range(n)
                                    if origin[i] == part)
                    parts.setdefault((name, part), []).append(sub.pk)
            per_seed.append((pk, wd))
            print(f"  {name} seed {seed}: Pk {pk:.4f} WD {wd:.4f}", flush=True)
        rows.append((name, per_seed))
    print(f"\n{n} scored sessions, {args.cv}-fold CV, draws per fraction < 1: {args.draws}")
    print_seed_table("training share of each fold", args.seeds, rows)
    if parts:
        print("\nmean Pk by gold file (over seeds and draws):")
        for (name, part), values in parts.items():
            print(f"  {name:<20} {part:<22} {sum(values) / len(values):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
