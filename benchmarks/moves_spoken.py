"""How well does a move model label spoken business talk? (corpora/spoken_codes, docs/moves.md
"Spoken talk")

Why: the shipped move model learns from CaSiNo's campsite chat, and its cross-validated
scores are CaSiNo's. A coach's recorded sessions are spoken business talk: long turns, back-
channels, agendas, mediators. ``corpora/spoken_codes/test_adjudicated.tsv`` codes 28 spoken
sessions (893 turns; two sets of 14) with CaSiNo's ten labels, each set by two annotators
blind to each other and to the model, their differences adjudicated; no model is trained on
them. This scores a model's
turn labels there, through the whole pipeline (units, roll-up) as ``analyzer analyze`` runs
it: orientation by the any-proself rule (accuracy, macro-F1, Cohen's kappa) and the ten labels
(macro-F1 over labels, multi-label). With two annotators' files it also gives their agreement::

    python benchmarks/moves_spoken.py                      # the shipped model
    git checkout 828d6ec -- models/casino-moves-5          # the model before, from history
    python benchmarks/moves_spoken.py --model models/casino-moves-5
    python benchmarks/moves_spoken.py --gold corpora/spoken_codes/test_annotator_s1.tsv \\
        --gold corpora/spoken_codes/test_annotator_s2.tsv   # per annotator, and between them
    (the second set: test_annotator_s8.tsv and test_annotator_s9.tsv)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    cohen_kappa_score,
    f1_score,
)

from analyzer.moves.codes import coded_copies, read_codes  # noqa: E402
from analyzer.moves.taxonomy import (  # noqa: E402
    CASINO_LABELS,
    CASINO_ORIENTATION,
    orientation_of_labels,
)
from analyzer.transcript import is_third_party  # noqa: E402

TEST = REPO / "corpora" / "spoken_codes" / "test_adjudicated.tsv"


def gold_of(path: Path) -> dict[tuple[str, int], tuple[str, ...]]:
    """(session key, turn) -> labels of one codes file (one annotator or the adjudicated)."""
    return {(r.dialogue, r.utterance): r.labels for r in read_codes(path)}


def orientation_scores(gold: list[str], pred: list[str]) -> str:
    return (f"orientation accuracy {accuracy_score(gold, pred):.3f}, macro-F1 "
            f"{f1_score(gold, pred, average='macro'):.3f}, kappa "
            f"{cohen_kappa_score(gold, pred):.3f}")


def label_f1(gold: list[tuple[str, ...]], pred: list[tuple[str, ...]]) -> float:
    """Macro-F1 over CaSiNo's ten labels (multi-label), labels absent from both left out."""
    G = np.array([[lab in s for lab in CASINO_LABELS] for s in gold])
    P = np.array([[lab in s for lab in CASINO_LABELS] for s in pred])
    present = G.any(axis=0) | P.any(axis=0)
    return float(f1_score(G[:, present], P[:, present], average="macro", zero_division=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model folder (default: the shipped one)")
    parser.add_argument("--gold", action="append", type=Path, default=None,
                        help=f"codes file(s) to score against (default: {TEST.name})")
    args = parser.parse_args(argv)
    golds = {p.stem: gold_of(p) for p in (args.gold or [TEST])}

    from analyzer.pipeline import Analyzer

    rows = [r for p in (args.gold or [TEST]) for r in read_codes(p)]
    sessions = {str(t.session_id): t for t in coded_copies([], rows)}
    analyzer = Analyzer(args.model, explain=False)
    pred: dict[tuple[str, int], tuple[str, tuple[str, ...]]] = {}
    third: set[tuple[str, int]] = set()  # turns of third parties (process codes since 0.6.0)
    for key, result in zip(sessions, analyzer.analyze_many(list(sessions.values())),
                           strict=True):
        names = {s.name for s in result.transcript.speakers if is_third_party(s.role)}
        for m in result.moves:
            pred[(key, m.turn)] = (m.orientation, tuple(m.labels))
            if result.transcript.turns[m.turn].speaker in names:
                third.add((key, m.turn))
    print(f"model: {analyzer.info.get('name')} {analyzer.info.get('version')}; "
          f"{len(sessions)} sessions")
    for name, gold in golds.items():
        keys = sorted(k for k in gold if k in pred)
        g_or = [orientation_of_labels(gold[k], CASINO_ORIENTATION) for k in keys]
        p_or = [pred[k][0] for k in keys]
        print(f"{name}: {len(keys)} turns; gold {dict(Counter(g_or))}, "
              f"predicted {dict(Counter(p_or))}")
        print(f"  {orientation_scores(g_or, p_or)}")
        f1 = label_f1([gold[k] for k in keys], [pred[k][1] for k in keys])
        print(f"  labels macro-F1 {f1:.3f}")
        parties = [k for k in keys if k not in third]
        if len(parties) < len(keys):  # the model's own figure: the parties' turns alone
            g_p = [orientation_of_labels(gold[k], CASINO_ORIENTATION) for k in parties]
            scores = orientation_scores(g_p, [pred[k][0] for k in parties])
            f1_p = label_f1([gold[k] for k in parties], [pred[k][1] for k in parties])
            print(f"  parties' turns only ({len(parties)}; {len(keys) - len(parties)} of third "
                  f"parties carry process codes): {scores}, labels macro-F1 {f1_p:.3f}")
    if len(golds) == 2:
        (na, a), (nb, b) = golds.items()
        keys = sorted(set(a) & set(b))
        ga = [orientation_of_labels(a[k], CASINO_ORIENTATION) for k in keys]
        gb = [orientation_of_labels(b[k], CASINO_ORIENTATION) for k in keys]
        print(f"{na} vs {nb}: {len(keys)} turns; {orientation_scores(ga, gb)}; labels "
              f"macro-F1 {label_f1([a[k] for k in keys], [b[k] for k in keys]):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
