"""Stage segmenter: a stacked text model (``analyzer/stages/text.py``) under nested CV.

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/stage_text.py --seeds 0 1 2
        --setting none --setting base --setting targets=start,text_c=0.3

Each ``--setting`` is scored with the same dialogue-level 5-fold cross-validation as
``analyzer evaluate-stages --cv 5 --seed S`` (same folds, same move labels). Inside every
outer fold the text columns of the training sessions are out-of-fold (the text model fitted
on the other inner folds of the training sessions only, ``text.oof_columns``) and those of
the held-out sessions come from a text model fitted on all training sessions, so no
session's gold labels reach its own text columns. A setting is comma-separated
``key=value``:

- ``none``: no text columns (the evidence as shipped before; ``FEATURES`` without them);
- ``base``: the defaults of ``text.py`` and ``fit.py``;
- ``targets``: ``all`` (``text.TARGETS``, the default: start of closing and in each stage),
  ``closing`` (start and in closing), ``start`` (three stage starts), ``four`` (three
  starts and in closing), ``in`` (the four stages), or ``+``-joined targets and names
  (``four+in:bargaining``);
- ``text_c``, ``min_df``, ``balanced=1``, ``order`` (1: unigrams only), ``inner`` (inner
  folds), ``form`` (``p`` or ``logit``);
- ``text_extra=<gold tsv>``: sessions added to every text-model fit (never scored; the
  stage parameters do not see them);
- ``temperature``, ``path_weight`` (MBR decoding), ``w_boundary``, ``c``, ``boundary_c``.

Prints Pk / WindowDiff per seed and setting, and per part (a+b, c, examples) the mean.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NAMED = {"start": ["start:exploring", "start:bargaining", "start:closing"],
         "four": ["start:exploring", "start:bargaining", "start:closing", "in:closing"],
         "in": ["in:opening", "in:exploring", "in:bargaining", "in:closing"],
         "closing": ["start:closing", "in:closing"]}


def parse(setting: str) -> dict[str, str]:
    if setting in ("base", "none"):
        return {setting: "1"}
    return dict(part.split("=", 1) for part in setting.split(","))


def main() -> int:
    from seed_table import print_seed_table  # beside this script
    from stage_harness import cross_validate, mix_and_decoding, setting_parser

    from analyzer.stages import evidence, fit, segmenter, text
    from analyzer.stages.evaluate import default_gold_files, run_moves
    from analyzer.stages.gold import read_gold, resolve
    from analyzer.stages.metrics import summarise
    from analyzer.stages.segmenter import Segmenter

    args = setting_parser(__doc__).parse_args()
    settings = args.setting or ["base"]

    files = default_gold_files()
    parts: list[str] = []
    pairs = []
    for f in files:
        got = resolve(read_gold(f))
        pairs.extend(got)
        parts.extend([f.name] * len(got))
    transcripts = [t for _, t in pairs]
    moves = run_moves(transcripts)
    base_features = evidence.EVIDENCE_FEATURES
    matrices = [evidence.session_evidence(t, m).matrix for t, m in zip(transcripts, moves,
                                                                       strict=True)]
    keep = [evidence.FEATURES.index(f) for f in base_features]
    matrices = [m[:, keep] for m in matrices]
    labels = [e.labels(len(t.turns)) for e, t in pairs]
    tokens = [text.turn_tokens(t) for t in transcripts]
    extra_data: dict[str, tuple[list, list]] = {}
    n = len(labels)
    defaults = (fit.DEFAULT_C, fit.BOUNDARY_C, dict(fit.DEFAULT_MIX), dict(fit.DEFAULT_DECODING))

    def set_features(names: tuple[str, ...]) -> None:
        evidence.FEATURES = fit.FEATURES = segmenter.FEATURES = names

    rows, part_rows = [], []
    for setting in settings:
        opts = parse(setting)
        targets = opts.get("targets", "all")
        targets = [t for part in targets.split("+") for t in
                   (list(text.TARGETS) if part == "all" else NAMED.get(part, [part]))]
        kw = {"targets": targets, "C": float(opts.get("text_c", text.TEXT_C)),
              "min_df": int(opts.get("min_df", text.MIN_DF)),
              "balanced": opts.get("balanced") == "1",
              "order": int(opts.get("order", text.ORDER))}
        inner = int(opts.get("inner", 5))
        extra = None
        if "text_extra" in opts:  # gold sessions that train the text model only
            path = opts["text_extra"]
            if path not in extra_data:
                got = resolve(read_gold(REPO / path))
                extra_data[path] = ([text.turn_tokens(t) for _, t in got],
                                    [e.labels(len(t.turns)) for e, t in got])
            extra = extra_data[path]
        logit = opts.get("form", "p") == "logit"
        use_text = "none" not in opts
        cols = tuple(text.column_name(t) for t in targets) if use_text else ()
        set_features(base_features + cols)
        fit.BOUNDARY_C = float(opts.get("boundary_c", defaults[1]))
        mix, decoding = mix_and_decoding(opts, defaults[2], defaults[3])
        C = float(opts.get("c", defaults[0]))

        def extend(m: np.ndarray, p: np.ndarray, use_text: bool = use_text,
                   logit: bool = logit) -> np.ndarray:
            if not use_text:
                return m
            if logit:
                p = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))
            return np.hstack([m, p])

        per_seed, per_part = [], {}
        for seed in args.seeds:
            def fit_fold(train: list[int], seed: int = seed, use_text: bool = use_text,
                         kw: dict = kw, inner: int = inner, extra=extra, extend=extend,
                         C: float = C, mix: dict = mix, decoding: dict = decoding):
                tr_tok = [tokens[i] for i in train]
                tr_lab = [labels[i] for i in train]
                model = None
                if use_text:
                    oof = text.oof_columns(tr_tok, tr_lab, k=inner, seed=seed, extra=extra,
                                           **kw)
                    more_t, more_l = extra or ([], [])
                    model = text.fit_text(tr_tok + list(more_t), tr_lab + list(more_l), **kw)
                    tr_m = [extend(matrices[i], p) for i, p in zip(train, oof, strict=True)]
                else:
                    tr_m = [matrices[i] for i in train]
                seg = Segmenter(fit.fit_params(tr_m, tr_lab, C=C, mix=mix, decoding=decoding))
                return lambda i: seg.decode(
                    extend(matrices[i], model.predict(tokens[i])) if model is not None
                    else matrices[i])[0]

            predicted, scores = cross_validate(setting, labels, args.cv, seed, fit_fold)
            per_seed.append(scores)
            for name in sorted(set(parts)):
                idx = [i for i in range(n) if parts[i] == name]
                sp = summarise([(labels[i], predicted[i]) for i in idx])
                per_part.setdefault(name, []).append((sp.pk, sp.windowdiff))
        rows.append((setting, per_seed))
        part_rows.append((setting, {k: tuple(np.mean(v, axis=0)) for k, v in per_part.items()}))
    set_features(base_features + tuple(text.column_name(t) for t in text.TARGETS))
    print(f"\n{n} sessions, {args.cv}-fold CV")
    print_seed_table("setting", args.seeds, rows)
    print("\nmean over the seeds, per part (Pk / WD)")
    for setting, by_part in part_rows:
        print(f"  {setting}: " + "; ".join(f"{k[5:-4]} {v[0]:.4f} / {v[1]:.4f}"
                                           for k, v in sorted(by_part.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
