"""Stage segmenter: fitted and scored on in-sample vs out-of-fold move labels.

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/stage_oof_moves.py --seeds 0 1 2 [--fresh]
        [--oof /tmp/stage-oof-moves/k5-s0.json]

Why: 74 of the 190 gold CaSiNo dialogues are among the 354 annotated dialogues the shipped
move model was trained on, so their ``mv_*`` evidence is in-sample (near the human codes);
a new dialogue's never is. ``analyzer/stages/oof_moves.py`` gives those dialogues labels from
move models that never saw them (built first if the file is missing). This runs the same
dialogue-level CV as ``analyzer evaluate-stages --cv 5 --seed S`` (same folds, the standard
fit ``fit.fit_stacked``) three ways:

- ``shipped/shipped``: fitted and scored on the shipped model's labels (the CV figure so far,
  ``analyzer evaluate-stages --cv 5 --seed S``);
- ``shipped/oof``: the same fits, the held-out sessions scored with out-of-fold labels (what
  the shipped recipe meets on new dialogues, whose labels are never in-sample);
- ``oof/oof``: fitted and scored on out-of-fold labels (``analyzer evaluate-stages --cv 5
  --seed S --oof-moves FILE``).

Each per part: the 74 CaSiNo dialogues in the move model's training data, the 116 others
(their labels are the same in every row), the 11 spoken examples. ``--fresh`` also fits on
all default gold with each kind of labels (the shipped fit, ``python -m
analyzer.stages.fit``) and scores annotator d's 100 dialogues
(``corpora/stages/casino_annotator_d.tsv``, never used for fitting; the 37 of them in the
move model's training data with out-of-fold labels, as any new dialogue would have).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FRESH = REPO / "corpora" / "stages" / "casino_annotator_d.tsv"


def main() -> int:
    import numpy as np

    from analyzer.results import STAGES
    from analyzer.stages import oof_moves
    from analyzer.stages.evaluate import default_gold_files, folds, run_moves
    from analyzer.stages.evidence import session_evidence
    from analyzer.stages.fit import fit_stacked
    from analyzer.stages.gold import read_gold, resolve
    from analyzer.stages.metrics import summarise
    from analyzer.stages.segmenter import Segmenter
    from analyzer.stages.text import turn_tokens

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--oof", default=str(oof_moves.DEFAULT_PATH))
    parser.add_argument("--casino", default=None)
    parser.add_argument("--oof-k", type=int, default=oof_moves.DEFAULT_K,
                        help="folds of the move models when --oof has to be built")
    parser.add_argument("--oof-seed", type=int, default=oof_moves.DEFAULT_SEED)
    parser.add_argument("--fresh", action="store_true",
                        help="also score annotator d's 100 dialogues with every CV fold's fit "
                             "and with the fit on all gold")
    args = parser.parse_args()
    oof = oof_moves.ensure(args.oof, casino=args.casino, k=args.oof_k, seed=args.oof_seed)

    def load(files):
        pairs = resolve([e for f in files for e in read_gold(f)], casino=args.casino)
        transcripts = [t for _, t in pairs]
        shipped = run_moves(transcripts)
        moved, replaced = oof_moves.apply(transcripts, shipped, oof)
        ev = {"shipped": [session_evidence(t, m).matrix for t, m in zip(transcripts, shipped,
                                                                         strict=True)],
              "oof": [session_evidence(t, m).matrix for t, m in zip(transcripts, moved,
                                                                     strict=True)]}
        part = ["examples" if t.format != "casino" else
                "in-moves" if str(t.session_id) in oof else "other" for t in transcripts]
        labels = [e.labels(len(t.turns)) for e, t in pairs]
        return transcripts, ev, labels, part, replaced

    transcripts, ev, labels, part, replaced = load(default_gold_files())
    if args.fresh:
        d_tr, d_ev, d_lab, d_part, d_rep = load([FRESH])
        print(f"annotator d: {len(d_lab)} dialogues, out-of-fold labels for {d_rep}")
        # d's Pk / WD by each CV fold's fit (scored on out-of-fold labels), per kind of fit
        by_fold: dict[str, list[tuple[float, float]]] = {"shipped": [], "oof": []}

    def score_d(seg) -> tuple[float, float]:
        pred = []
        for i in range(len(d_lab)):
            path, _ = seg.decode(seg.ready_to_decode(d_ev["oof"][i], d_tr[i]))
            pred.append([STAGES[s] for s in path])
        s = summarise(zip(d_lab, pred, strict=True))
        return s.pk, s.windowdiff

    n = len(labels)
    tokens = [turn_tokens(t) for t in transcripts]
    counts = {p: part.count(p) for p in ("in-moves", "other", "examples")}
    print(f"{n} gold sessions: {counts}; out-of-fold labels for {replaced}", flush=True)
    rows = ("shipped/shipped", "shipped/oof", "oof/oof")

    def score(idx, predicted):
        s = summarise([(labels[i], predicted[i]) for i in idx])
        return s.pk, s.windowdiff

    table: dict[str, dict[str, list]] = {r: {} for r in rows}
    for seed in args.seeds:
        start = time.process_time()
        predicted = {r: [[] for _ in range(n)] for r in rows}
        for test in folds(n, args.cv, seed):
            held = set(test.tolist())
            train = [i for i in range(n) if i not in held]
            for fitted_on in ("shipped", "oof"):
                params = fit_stacked([ev[fitted_on][i] for i in train],
                                     [labels[i] for i in train],
                                     [tokens[i] for i in train], seed=seed)
                seg = Segmenter(params)
                if args.fresh:
                    by_fold[fitted_on].append(score_d(seg))
                for scored_on in ("shipped", "oof"):
                    row = f"{fitted_on}/{scored_on}"
                    if row not in predicted:
                        continue
                    for i in test:
                        path, _ = seg.decode(seg.ready_to_decode(ev[scored_on][i], transcripts[i]))
                        predicted[row][i] = [STAGES[s] for s in path]
        for r in rows:
            for name, idx in (("all", range(n)),
                              *((p, [i for i in range(n) if part[i] == p]) for p in counts)):
                table[r].setdefault(name, []).append(score(idx, predicted[r]))
            pk, wd = table[r]["all"][-1]
            print(f"  {r} seed {seed}: Pk {pk:.4f} WD {wd:.4f}", flush=True)
        print(f"  ({time.process_time() - start:.0f} s CPU)", flush=True)

    print(f"\n{n} sessions, {args.cv}-fold CV, seeds {' '.join(map(str, args.seeds))}")
    print("| fitted / scored on | " + " | ".join(f"seed {s}" for s in args.seeds) +
          " | mean all | mean 74 in moves' training | mean 116 other CaSiNo | mean 11 examples |")
    print("| --- |" + " --- |" * (len(args.seeds) + 4))
    for r in rows:
        cells = [f"{pk:.4f} / {wd:.4f}" for pk, wd in table[r]["all"]]
        means = [np.mean(table[r][k], axis=0) for k in ("all", "in-moves", "other",
                                                         "examples")]
        print(f"| {r} | " + " | ".join(cells) + " | " +
              " | ".join(f"{m[0]:.4f} / {m[1]:.4f}" for m in means) + " |")

    if args.fresh:
        sh, oo = np.array(by_fold["shipped"]), np.array(by_fold["oof"])
        diff = oo - sh
        better = int((diff[:, 0] < 0).sum())
        print(f"\nannotator d (out-of-fold labels) scored by each of the {len(sh)} CV fold "
              f"fits: mean Pk / WD fitted on shipped labels {sh[:, 0].mean():.4f} / "
              f"{sh[:, 1].mean():.4f}, on out-of-fold labels {oo[:, 0].mean():.4f} / "
              f"{oo[:, 1].mean():.4f}; paired difference Pk {diff[:, 0].mean():+.4f} "
              f"(sd {diff[:, 0].std(ddof=1):.4f}), WD {diff[:, 1].mean():+.4f}; "
              f"out-of-fold better on Pk in {better} of {len(sh)}")
        print("fitted on all default gold (the shipped fit):")
        for fitted_on in ("shipped", "oof"):
            seg = Segmenter(fit_stacked(ev[fitted_on], labels, tokens))
            for scored_on in ("oof", "shipped"):
                pred = []
                for i in range(len(d_lab)):
                    path, _ = seg.decode(seg.ready_to_decode(d_ev[scored_on][i], d_tr[i]))
                    pred.append([STAGES[s] for s in path])
                line = []
                for name, idx in (("all", range(len(d_lab))),
                                  ("in-moves", [i for i, p in enumerate(d_part)
                                                if p == "in-moves"]),
                                  ("other", [i for i, p in enumerate(d_part) if p == "other"])):
                    s = summarise([(d_lab[i], pred[i]) for i in idx])
                    line.append(f"{name} ({s.sessions}) Pk {s.pk:.4f} WD {s.windowdiff:.4f}")
                print(f"  fitted on {fitted_on} labels, d scored on {scored_on} labels: " +
                      "; ".join(line), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
