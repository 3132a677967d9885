"""Stage segmentation across annotators, and the time of the decoding step.

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_stages.py [--casino DIR] [--repeat 3]

Prints, for Viterbi and minimum-Bayes-risk decoding (``analyzer/stages/mbr.py``) in the
same run:

- across annotators, no cross-validation needed: the stage parameters fitted on the gold of
  annotators a and b (``gold_casino.tsv``, 70 dialogues) and scored on annotator c's
  (``gold_casino_c.tsv``, 120), and the other way round: Pk, WindowDiff, share of stage
  starts found exactly / within one turn;
- the time of ``Segmenter.segment`` (evidence, text model, decoding, outcome) over all gold
  sessions with cold evidence and text-model caches, best of ``--repeat``, with the shipped
  parameters decoded both ways, and decoded by MBR without their text model (the
  ``text_*`` columns left 0: what the text model costs).

The across-annotator fits are the standard one (``fit.fit_stacked``: text columns
out-of-fold within the training annotator's sessions, text model fitted on all of them).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    from analyzer.results import STAGES
    from analyzer.stages import evidence
    from analyzer.stages.evaluate import run_moves
    from analyzer.stages.fit import DEFAULT_DECODING, fit_stacked
    from analyzer.stages.gold import read_gold, resolve
    from analyzer.stages.metrics import summarise
    from analyzer.stages.segmenter import PARAMS_PATH, Segmenter, StageParams
    from analyzer.stages.text import turn_tokens

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--casino", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gold = REPO / "corpora" / "stages"
    parts = {name: resolve(read_gold(gold / name), casino=args.casino)
             for name in ("gold_casino.tsv", "gold_casino_c.tsv", "gold_examples.tsv")}
    moves = {name: run_moves([t for _, t in pairs]) for name, pairs in parts.items()}
    data = {name: ([evidence.session_evidence(t, m).matrix
                    for (_, t), m in zip(pairs, moves[name], strict=True)],
                   [e.labels(len(t.turns)) for e, t in pairs],
                   [turn_tokens(t) for _, t in pairs], [t for _, t in pairs])
            for name, pairs in parts.items()}
    decodings = {"viterbi": {}, "mbr": DEFAULT_DECODING}
    print("across annotators        decoding   Pk     WD     exact  +-1")
    for train, test in (("gold_casino.tsv", "gold_casino_c.tsv"),
                        ("gold_casino_c.tsv", "gold_casino.tsv")):
        for name, decoding in decodings.items():
            seg = Segmenter(fit_stacked(*data[train][:3], decoding=decoding))
            pred = [[STAGES[s] for s in seg.decode(seg.ready_to_decode(m, t))[0]]
                    for m, t in zip(data[test][0], data[test][3], strict=True)]
            sm = summarise(zip(data[test][1], pred, strict=True))
            print(f"{train[5:-4]:>9} -> {test[5:-4]:<11} {name:<9} {sm.pk:.3f}  "
                  f"{sm.windowdiff:.3f}  {sm.overall.exact_share:.1%}  "
                  f"{sm.overall.within1_share:.1%}")
    shipped = StageParams.load(PARAMS_PATH)
    sessions = [(t, m) for name, pairs in parts.items()
                for (_, t), m in zip(pairs, moves[name], strict=True)]
    nlp = evidence.get_nlp()
    best: dict[str, float] = {}
    timed = {**decodings, "mbr, no text model": DEFAULT_DECODING}
    for _ in range(args.repeat):
        for name, decoding in timed.items():
            params = copy.deepcopy(shipped)
            params.decoding = dict(decoding) or None
            if name.endswith("no text model"):
                params.text = None  # the text columns stay 0: the cost without them
            elif params.text is not None:
                params.text._by_text.clear()  # cold: every text scored again
            seg = Segmenter(params)
            evidence._fact_cache(nlp).clear()  # cold: every text tokenised again
            start = time.perf_counter()
            for transcript, turn_moves in sessions:
                seg.segment(transcript, turn_moves)
            elapsed = time.perf_counter() - start
            best[name] = min(best.get(name, elapsed), elapsed)
    for name, seconds in best.items():
        print(f"segment, {len(sessions)} sessions, {name:<8} {seconds:.3f} s "
              f"({seconds / best['viterbi'] - 1:+.0%} vs viterbi)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
