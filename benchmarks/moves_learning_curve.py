"""Would more coded dialogues help the move model? A learning curve in the CV of
``analyzer evaluate --cv 5``.

Why: the model's targets (docs/moves.md) were missed by a few points after thirty feature and
head experiments; before paying for more annotation, see how the scores move with the amount
of training data. Same folds as ``analyzer evaluate --cv 5 --seed S`` (dialogue level); in
each outer fold a seeded random fraction of the training dialogues trains a fresh
``MoveClassifier`` (as ``cross_validate`` does) and the whole test fold is scored, so every
fraction is scored on the same 4,123 coded turns::

    OPENBLAS_NUM_THREADS=1 python benchmarks/moves_learning_curve.py --fractions 0.5 0.75 1
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from analyzer.moves.classifier import MoveClassifier, as_label_sets  # noqa: E402
from analyzer.moves.data import load_coded  # noqa: E402
from analyzer.moves.evaluation import dialogue_folds, score  # noqa: E402
from analyzer.moves.features import turn_frame  # noqa: E402
from analyzer.moves.training import DEFAULT_PARAMS  # noqa: E402
from analyzer.results import ORIENTATIONS  # noqa: E402

CASINO = REPO.parent / "shared" / "corpora" / "casino"


def curve_point(X, sets, groups, folds, fraction: float, seed: int, draw: int):
    """Out-of-fold scores with ``fraction`` of each training fold's dialogues."""
    P_or = np.zeros((len(X), len(ORIENTATIONS)))
    pred: list[tuple[str, ...]] = [()] * len(X)
    est = None
    for f in range(int(folds.max()) + 1):
        tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        dialogues = np.unique(groups[tr])
        rng = np.random.RandomState(1000 * draw + f)
        keep = set(rng.choice(dialogues, int(round(fraction * len(dialogues))), replace=False))
        tr = np.array([i for i in tr if groups[i] in keep])
        est = MoveClassifier(random_state=seed, **DEFAULT_PARAMS)
        est.fit(X.iloc[tr], [sets[i] for i in tr], groups=groups[tr])
        parts = est.feature_parts(X.iloc[te])
        Pl, Po = est.scores(parts.matrix, parts.dense)
        P_or[te] = Po
        for i, s in zip(te, est.labels_from_proba(Pl), strict=True):
            pred[i] = s
    classes = sorted({lab for s in sets for lab in s})
    return score(sets, pred, P_or, classes, est.orientation_map_, True,
                 len(np.unique(groups)), {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--casino", default=str(CASINO))
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.5, 0.75, 1.0])
    parser.add_argument("--seed", type=int, default=0, help="fold seed (as --seed of evaluate)")
    parser.add_argument("--draws", type=int, default=1, help="random subsets per fraction")
    args = parser.parse_args()
    data = load_coded([args.casino])
    X = turn_frame(data.transcripts, labelled_only=True)
    groups = X["session_id"].to_numpy()
    folds = dialogue_folds(groups, 5, args.seed)
    sets = as_label_sets(X["gold"])
    for fraction in args.fractions:
        for draw in range(args.draws if fraction < 1 else 1):
            s = curve_point(X, sets, groups, folds, fraction, args.seed, draw)
            print(f"fraction {fraction:.2f} draw {draw} (seed {args.seed}): orientation F1 "
                  f"{s.orientation['macro_f1']:.3f} kappa {s.orientation['kappa']:.3f}  labels "
                  f"{s.labels['macro_f1']:.3f}", flush=True)


if __name__ == "__main__":
    main()
