"""Which fitted part of the stage segmenter gets worse when extra gold joins training?

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/stage_extra_parts.py [--seeds 0 1 2]
        [--extra corpora/stages/casino_annotator_d.tsv] [--scaled]

Why: adding annotator d's 100 sessions to every training fold made the cross-validated scores
of the 201 gold sessions worse (docs/history/stages-log.md, "More gold?"). This fits, on the
same folds as ``analyzer evaluate-stages --cv 5 --seed S``, the standard stacked fit without
(A) and with (B) the extra sessions, then scores hybrids: A with one part taken from B (the
emission classifier, the MEMM, the boundary logits, the start / transition counts, the text
model) and B with one part taken from A, so the part whose B version hurts shows up. It also
counts, per stage start, how far the predicted start is from the gold one. ``--scaled`` adds B
refitted with every C scaled to A's regularisation per training session and B decoded with the
MBR temperature scaled by the square root of the training-set growth (is a fixed setting what
fails to scale with more sessions?).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OLD_GOLD = ("gold_casino.tsv", "gold_casino_c.tsv", "gold_examples.tsv")
#: the fitted parts of ``StageParams`` and the fields that make each one
PARTS = {"emission": ("coef", "intercept", "priors"), "memm": ("memm",),
         "boundary": ("boundary",), "counts": ("start", "transitions"), "text": ("text",)}


def swap(params, donor, part: str):
    """``params`` with ``part``'s fields taken from ``donor``."""
    return dataclasses.replace(params, **{f: getattr(donor, f) for f in PARTS[part]})


def start_errors(gold, pred) -> dict[str, list[int]]:
    """Per stage after opening, predicted start minus gold start (None: present in one
    only)."""
    out: dict[str, list] = {}
    for stage in ("exploring", "bargaining", "closing"):
        g = gold.index(stage) if stage in gold else None
        p = pred.index(stage) if stage in pred else None
        if g is None and p is None:
            continue
        out.setdefault(stage, []).append(None if g is None or p is None else p - g)
    return out


def main() -> int:
    import argparse

    from analyzer.results import STAGES
    from analyzer.stages import fit
    from analyzer.stages.evaluate import folds, gold_evidence
    from analyzer.stages.fit import fit_stacked
    from analyzer.stages.gold import read_gold, resolve
    from analyzer.stages.metrics import summarise
    from analyzer.stages.segmenter import Segmenter
    from analyzer.stages.text import turn_tokens

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", nargs="*",
                        default=[str(REPO / "corpora" / "stages" / g) for g in OLD_GOLD])
    parser.add_argument("--extra", nargs="*",
                        default=[str(REPO / "corpora" / "stages" / "casino_annotator_d.tsv")])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--scaled", action="store_true",
                        help="also B with every C times n_A / n_B (the same regularisation "
                             "per training session as A) and B with the MBR temperature "
                             "times sqrt(n_B / n_A)")
    args = parser.parse_args()

    def load(files):
        pairs = resolve([e for f in files for e in read_gold(f)])
        matrices, labels = gold_evidence(pairs)
        return matrices, labels, [turn_tokens(t) for _, t in pairs], [t for _, t in pairs]

    matrices, labels, tokens, transcripts = load(args.gold)
    xm, xl, xk, _ = load(args.extra)
    n = len(labels)
    names = ["A", "B"] + [f"A+{p}(B)" for p in PARTS] + [f"B+{p}(A)" for p in PARTS]
    if args.scaled:
        names += ["B, C scaled", "B, T scaled"]
    scores: dict[str, list[tuple[float, float]]] = {k: [] for k in names}
    errors: dict[str, dict[str, list]] = {"A": {}, "B": {}}
    for seed in args.seeds:
        predicted = {k: [[] for _ in range(n)] for k in names}
        for test in folds(n, args.cv, seed):
            held = set(test.tolist())
            train = [i for i in range(n) if i not in held]
            mats = [matrices[i] for i in train]
            labs = [labels[i] for i in train]
            toks = [tokens[i] for i in train]
            a = fit_stacked(mats, labs, toks, seed=seed)
            b = fit_stacked(mats + xm, labs + xl, toks + xk, seed=seed)
            variants = {"A": a, "B": b}
            for p in PARTS:
                variants[f"A+{p}(B)"] = swap(a, b, p)
                variants[f"B+{p}(A)"] = swap(b, a, p)
            if args.scaled:
                ratio = len(train) / (len(train) + len(xl))
                saved = fit.BOUNDARY_C
                fit.BOUNDARY_C = saved * ratio
                try:
                    variants["B, C scaled"] = fit_stacked(mats + xm, labs + xl, toks + xk,
                                                          seed=seed, C=fit.DEFAULT_C * ratio)
                finally:
                    fit.BOUNDARY_C = saved
                decoding = dict(fit.DEFAULT_DECODING)
                decoding["temperature"] *= ratio ** -0.5
                variants["B, T scaled"] = dataclasses.replace(b, decoding=decoding)
            for name, params in variants.items():
                seg = Segmenter(params)
                for i in test:
                    m = seg.ready_to_decode(matrices[i], transcripts[i])
                    predicted[name][i] = [STAGES[s] for s in seg.decode(m)[0]]
        for name in names:
            sm = summarise(zip(labels, predicted[name], strict=True))
            scores[name].append((sm.pk, sm.windowdiff))
        for name in ("A", "B"):
            for i in range(n):
                for stage, e in start_errors(labels[i], predicted[name][i]).items():
                    errors[name].setdefault(stage, []).extend(e)
        print(f"seed {seed}: " + ", ".join(f"{k} {scores[k][-1][0]:.4f}" for k in names),
              flush=True)
    print(f"\n{n} scored sessions, + {len(xl)} extra in B's training folds")
    print("| fit | " + " | ".join(f"seed {s}" for s in args.seeds) + " | mean Pk / WD |")
    print("| --- |" + " --- |" * (len(args.seeds) + 1))
    for name in names:
        cells = " | ".join(f"{p:.4f} / {w:.4f}" for p, w in scores[name])
        mp = sum(p for p, _ in scores[name]) / len(scores[name])
        mw = sum(w for _, w in scores[name]) / len(scores[name])
        print(f"| {name} | {cells} | {mp:.4f} / {mw:.4f} |")
    print("\nstage start errors over seeds (predicted - gold): exact, early 1, late 1, "
          "early 2+, late 2+, present in one only")
    for name in ("A", "B"):
        for stage, e in errors[name].items():
            d = [x for x in e if x is not None]
            print(f"  {name} {stage:<10} {sum(x == 0 for x in d):4d} {sum(x == -1 for x in d):4d}"
                  f" {sum(x == 1 for x in d):4d} {sum(x < -1 for x in d):4d}"
                  f" {sum(x > 1 for x in d):4d} {sum(x is None for x in e):4d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
