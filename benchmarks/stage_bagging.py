"""Stage segmenter: bagging by parameter averaging and regularisation, under the CV.

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/stage_bagging.py --seeds 0 1 2
        --setting base --setting bags=10 --setting bags=20,fraction=0.8 --setting memm_c=1

Why: the learning curve (``stage_learning_curve.py``) is still steep, so the fitted parts
are high-variance. Each ``--setting`` is scored with the same dialogue-level 5-fold
cross-validation as ``analyzer evaluate-stages --cv 5 --seed S`` (same folds and move
labels; ``base`` reproduces it exactly with the defaults of ``fit.py``: the standard fit,
``fit.fit_stacked``, text model included). A setting is
comma-separated ``key=value``: ``bags`` / ``fraction`` / ``bag_seed`` (``fit_params``'
bagging: resamples averaged, share of sessions per resample, none = bootstrap), ``c`` (the
emission C), ``memm_c``, ``boundary_c`` (the other parts' C), ``w_boundary`` (the boundary
weight of the mix), ``temperature`` / ``path_weight`` (MBR decoding), ``text=0`` (no
text model: the fit before it), ``scale_c=1`` (with ``fraction``: every part's C divided by the
fraction, so each resample is regularised as a fit on all sessions is). Every fit, bagged or
not, sees only the training folds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def parse(setting: str) -> dict[str, str]:
    """``"bags=10,fraction=0.8"`` -> {"bags": "10", "fraction": "0.8"} (``base``: {})."""
    if setting == "base":
        return {}
    return dict(part.split("=", 1) for part in setting.split(","))


def main() -> int:
    from seed_table import print_seed_table  # beside this script
    from stage_harness import cross_validate, mix_and_decoding, setting_parser

    from analyzer.stages import fit
    from analyzer.stages.evaluate import default_gold_files, gold_evidence
    from analyzer.stages.gold import read_gold, resolve
    from analyzer.stages.segmenter import Segmenter
    from analyzer.stages.text import turn_tokens

    args = setting_parser(__doc__).parse_args()
    settings = args.setting or ["base"]

    files = default_gold_files()
    pairs = resolve([e for f in files for e in read_gold(f)])
    matrices, labels = gold_evidence(pairs)
    transcripts = [t for _, t in pairs]
    tokens = [turn_tokens(t) for t in transcripts]
    n = len(labels)
    defaults = (fit.DEFAULT_C, fit.MEMM_C, fit.BOUNDARY_C, dict(fit.DEFAULT_MIX))
    rows = []
    for setting in settings:
        opts = parse(setting)
        scale = 1.0
        if opts.get("scale_c") == "1" and opts.get("fraction", "none") != "none":
            scale = 1.0 / float(opts["fraction"])
        memm_c = float(opts["memm_c"]) if "memm_c" in opts else defaults[1]
        fit.MEMM_C = memm_c * scale if memm_c is not None else None
        fit.BOUNDARY_C = scale * (float(opts["boundary_c"]) if "boundary_c" in opts
                                  else defaults[2])
        mix, decoding = mix_and_decoding(opts, defaults[3], fit.DEFAULT_DECODING)
        kwargs = {"C": scale * float(opts.get("c", defaults[0])), "mix": mix,
                  "decoding": decoding}
        with_text = opts.get("text", "1") != "0"
        if "bags" in opts:
            kwargs["bags"] = int(opts["bags"])
            fraction = opts.get("fraction", "none")
            kwargs["bag_fraction"] = None if fraction == "none" else float(fraction)
            kwargs["bag_seed"] = int(opts.get("bag_seed", 0))
        per_seed = []
        for seed in args.seeds:
            def fit_fold(train: list[int], seed: int = seed, kwargs: dict = kwargs,
                         with_text: bool = with_text):
                seg = Segmenter(fit.fit_stacked(
                    [matrices[i] for i in train], [labels[i] for i in train],
                    [tokens[i] for i in train] if with_text else None, seed=seed, **kwargs))
                return lambda i: seg.decode(seg.ready_to_decode(matrices[i], transcripts[i]))[0]

            per_seed.append(cross_validate(setting, labels, args.cv, seed, fit_fold)[1])
        rows.append((setting, per_seed))
    fit.DEFAULT_C, fit.MEMM_C, fit.BOUNDARY_C = defaults[:3]
    print(f"\n{n} sessions, {args.cv}-fold CV")
    print_seed_table("setting", args.seeds, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
