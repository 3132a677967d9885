"""How well do the project's strategy codes agree with CaSiNo's own annotators, and with each
other? (corpora/casino_codes, docs/history/moves-log.md, "Ninth round")

Why: the project's codes train the shipped move model, so their quality bounds what they can
teach it. Each annotator also coded six dialogues that CaSiNo's annotators had coded, mixed
blind into their batch (``calibration.tsv``); those are scored here against CaSiNo's labels,
as the move model is (per-label F1, macro-F1, orientation kappa by the any-proself rule).
The two rounds coded the same 576 dialogues independently (``strategies.tsv``, annotators
``r1-*``, and ``strategies_round2.tsv``, ``r2-*``); their agreement is the last table::

    python benchmarks/codes_agreement.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support  # noqa: E402

from analyzer.moves.codes import read_codes  # noqa: E402
from analyzer.moves.data import read_casino  # noqa: E402
from analyzer.moves.taxonomy import CASINO_ORIENTATION, orientation_of_labels  # noqa: E402

CODES = REPO / "corpora" / "casino_codes"
CASINO = REPO.parent / "shared" / "corpora" / "casino"
LABELS = ("elicit-pref", "no-need", "non-strategic", "other-need", "promote-coordination",
          "self-need", "showing-empathy", "small-talk", "uv-part", "vouch-fair")


def compare(name: str, a: list[tuple[str, ...]], b: list[tuple[str, ...]]) -> None:
    A = np.array([[lab in s for lab in LABELS] for s in a])
    B = np.array([[lab in s for lab in LABELS] for s in b])
    p, r, f, n = precision_recall_fscore_support(A, B, zero_division=0)
    oa = [orientation_of_labels(s, CASINO_ORIENTATION) for s in a]
    ob = [orientation_of_labels(s, CASINO_ORIENTATION) for s in b]
    same = np.mean([x == y for x, y in zip(a, b, strict=True)])
    print(f"\n{name}: {len(a)} utterances; labels macro-F1 {f.mean():.3f}, orientation kappa "
          f"{cohen_kappa_score(oa, ob):.3f}, same label set {same:.3f}")
    print(f"  {'label':<22}{'P':>6}{'R':>6}{'F1':>6}{'n':>6}   (P, R: the second against the "
          "first)")
    for lab, pp, rr, ff, nn in zip(LABELS, p, r, f, n, strict=True):
        print(f"  {lab:<22}{pp:>6.2f}{rr:>6.2f}{ff:>6.2f}{nn:>6d}")


def main() -> None:
    gold = {}
    for name in ("casino_train.json", "casino_valid.json"):
        for t in read_casino(CASINO / name):
            for turn in t.turns:
                if turn.gold:
                    gold[(str(t.session_id), turn.index)] = turn.gold
    check = read_codes(CODES / "calibration.tsv")
    by_round: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    per_annotator: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for row in check:
        key = (row.dialogue, row.utterance)
        if key in gold:
            for bucket in (by_round[row.annotator.split("-")[0]], by_round["both rounds"],
                           per_annotator[row.annotator]):
                bucket[0].append(gold[key])
                bucket[1].append(row.labels)
    for name in sorted(by_round):
        compare(f"CaSiNo's annotators vs the project's, blind check, {name}", *by_round[name])
    print("\nper annotator (labels macro-F1 on their six check dialogues):")
    for who in sorted(per_annotator):
        a, b = per_annotator[who]
        A = np.array([[lab in s for lab in LABELS] for s in a])
        B = np.array([[lab in s for lab in LABELS] for s in b])
        f = precision_recall_fscore_support(A, B, zero_division=0)[2]
        print(f"  {who}: {len(a)} utterances, macro-F1 {f.mean():.3f}")
    rounds: dict[str, dict] = defaultdict(dict)
    for name in ("strategies.tsv", "strategies_round2.tsv"):
        for row in read_codes(CODES / name):
            rounds[row.annotator.split("-")[0]][(row.dialogue, row.utterance)] = row.labels
    if {"r1", "r2"} <= set(rounds):
        common = sorted(set(rounds["r1"]) & set(rounds["r2"]))
        compare("round 1 vs round 2 on the 576 dialogues CaSiNo left uncoded",
                [rounds["r1"][k] for k in common], [rounds["r2"][k] for k in common])


if __name__ == "__main__":
    main()
