"""The skeleton the stage experiment scripts share (``stage_bagging.py``, ``stage_text.py``):
their command line, the decoding and mix options a setting may override, and the
dialogue-level cross-validation that scores one setting for one fold seed.

Why one place: every script must score with the same folds, the same Pk / WindowDiff and the
same printed line as ``analyzer evaluate-stages --cv K --seed S``, or their tables stop being
comparable; only the fit of a fold differs between the scripts.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence


def setting_parser(doc: str) -> argparse.ArgumentParser:
    """``--seeds`` (fold seeds), ``--setting`` (repeatable, default ``base``) and ``--cv``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--setting", action="append", default=None)
    parser.add_argument("--cv", type=int, default=5)
    return parser


def mix_and_decoding(opts: dict[str, str], mix: dict, decoding: dict) -> tuple[dict, dict]:
    """Copies of ``mix`` and ``decoding`` with a setting's ``w_boundary`` (the boundary weight
    of the mix), ``temperature`` and ``path_weight`` (MBR decoding) applied."""
    mix, decoding = dict(mix), dict(decoding)
    if "w_boundary" in opts:
        mix["boundary"] = float(opts["w_boundary"])
    for key in ("temperature", "path_weight"):
        if key in opts:
            decoding[key] = float(opts[key])
    return mix, decoding


def cross_validate(setting: str, labels: Sequence, cv: int, seed: int,
                   fit_fold: Callable[[list[int]], Callable[[int], Sequence[int]]],
                   ) -> tuple[list[list[str]], tuple[float, float]]:
    """Stage names predicted for every session, each by a fit that never saw it, and their
    (Pk, WindowDiff); prints the setting's line for this seed.

    ``fit_fold(train)`` fits on the training sessions' indices and returns the function that
    decodes one held-out session (by index) into stage indices.
    """
    from analyzer.results import STAGES
    from analyzer.stages.evaluate import folds
    from analyzer.stages.metrics import summarise

    n = len(labels)
    start = time.process_time()
    predicted: list[list[str]] = [[] for _ in range(n)]
    for test in folds(n, cv, seed):
        held = set(test.tolist())
        decode = fit_fold([i for i in range(n) if i not in held])
        for i in test:
            predicted[i] = [STAGES[s] for s in decode(i)]
    scores = summarise(zip(labels, predicted, strict=True))
    print(f"  {setting} seed {seed}: Pk {scores.pk:.4f} WD {scores.windowdiff:.4f} "
          f"({time.process_time() - start:.0f} s CPU)", flush=True)
    return predicted, (scores.pk, scores.windowdiff)
