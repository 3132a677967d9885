"""Fit the segmenter on some gold files with a setting, score it on another file.

Not a test: run it by hand (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/stage_heldout_sweep.py \\
        --train corpora/stages/gold_casino.tsv corpora/stages/gold_casino_c.tsv \\
                corpora/stages/gold_casino_d.tsv corpora/stages/gold_examples.tsv \\
        --test corpora/stages/gold_casino_hi.tsv \\
        --oof-moves /tmp/stage-oof-moves/k5-s0.json \\
        --setting base --setting C=30 --setting text_c=30 --setting dense=0.5

Why: cross-validation on the gold is optimistic, because the evidence was designed by reading
the gold's errors (``docs/history/stages-log.md``). Settings are better judged on sessions
that nobody designed anything on. This script fits once on ``--train`` per setting and scores
``--test``. It uses the standard fit (``fit.fit_stacked``: text columns out of fold, the
shipped text model fitted on all training sessions) and the evaluation's move labels. It
prints Pk, WindowDiff and the share of stage starts found exactly. With ``base`` and the
301-session gold as ``--train``, it reproduces ``analyzer evaluate-stages FILE --cv 0`` with
that fit's ``params.json``.

Settings are comma-separated ``key=value`` pairs:

- ``C``: the emission classifier's regularisation;
- ``text_c``: the text model's regularisation;
- ``w_boundary``: the weight of the boundary scores in the mix;
- ``temperature``: the MBR decoding's temperature;
- ``drop=NAME+NAME``: evidence columns set to 0 in training and test (with their ``_sofar``
  forms); ``drop=each`` runs one fit per evidence column group and prints each against
  ``base`` (an ablation);
- ``dense=W``: the text model with three more blocks, the move model's word vectors (mean
  vector of the turn, of the previous turn and of the next), weighted W, beside the n-gram
  blocks. This is an experiment only: the shipped text model has no such blocks.

Never point ``--test`` at the test set (``heldout_casino_jk.tsv``) to choose a setting. It
scores finished fits only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from analyzer.results import STAGES  # noqa: E402
from analyzer.stages import oof_moves  # noqa: E402
from analyzer.stages.evaluate import folds, gold_evidence  # noqa: E402
from analyzer.stages.evidence import EVIDENCE_FEATURES, FEATURES  # noqa: E402
from analyzer.stages.fit import fit_params, fit_stacked  # noqa: E402
from analyzer.stages.gold import read_gold, resolve  # noqa: E402
from analyzer.stages.metrics import summarise  # noqa: E402
from analyzer.stages.segmenter import Segmenter  # noqa: E402
from analyzer.stages.text import (  # noqa: E402
    MIN_DF,
    ORDER,
    TARGETS,
    _gram_key,
    column_name,
    ngrams,
    target_values,
    tfidf_rows,
)


def load(files, oof):
    """Evidence matrices, labels, turn tokens and transcripts of the gold files' sessions."""
    from analyzer.stages.text import turn_tokens

    pairs = [p for f in files for p in resolve(read_gold(f))]
    matrices, labels = gold_evidence(pairs, oof_moves=oof)
    transcripts = [t for _, t in pairs]
    return matrices, labels, [turn_tokens(t) for t in transcripts], transcripts


class DenseText:
    """The stage text regressions with word-vector blocks beside the n-gram blocks (the
    experiment ``dense=W``): the same vocabulary, idf, targets and C as ``text.fit_text``."""

    def __init__(self, weight: float, C: float = 10.0) -> None:
        from analyzer.moves.vectors import WordVectors, shipped_vectors_path

        self.weight, self.C = weight, C
        self.vectors = WordVectors.load(shipped_vectors_path())

    def _dense(self, transcript) -> np.ndarray:
        return self.vectors.text_vectors([t.text if not t.action else "" for t in transcript.turns])

    def _X(self, tokens, transcripts):
        from scipy.sparse import csr_matrix, hstack

        texts = [t for s in tokens for t in s]
        grams = [[self.index[g] for g in ngrams(t, ORDER) if g in self.index] for t in texts]
        prev_g, next_g, k = [], [], 0
        for s in tokens:
            m = len(s)
            prev_g.extend([[], *grams[k:k + m - 1]] if m else [])
            next_g.extend([*grams[k + 1:k + m], []] if m else [])
            k += m
        blocks = [tfidf_rows(grams, self.idf), tfidf_rows(prev_g, self.idf),
                  tfidf_rows(next_g, self.idf)]
        dense = [self._dense(t) for t in transcripts]
        zero = np.zeros((1, self.vectors.dim))
        blocks += [csr_matrix(np.vstack(dense) * self.weight),
                   csr_matrix(np.vstack([np.vstack([zero, d[:-1]]) for d in dense]) * self.weight),
                   csr_matrix(np.vstack([np.vstack([d[1:], zero]) for d in dense]) * self.weight)]
        return hstack(blocks).tocsr()

    def fit(self, tokens, transcripts, labels) -> DenseText:
        from sklearn.linear_model import LogisticRegression

        df: dict = {}
        for t in (t for s in tokens for t in s):
            for g in set(ngrams(t, ORDER)):
                df[g] = df.get(g, 0) + 1
        vocab = sorted((g for g, c in df.items() if c >= MIN_DF), key=_gram_key)
        self.index = {g: j for j, g in enumerate(vocab)}
        n = sum(len(s) for s in tokens)
        self.idf = np.array([np.log((1 + n) / (1 + df[g])) + 1.0 for g in vocab])
        X = self._X(tokens, transcripts)
        self.models = [LogisticRegression(C=self.C, solver="liblinear", max_iter=1000).fit(
            X, np.array([v for seq in labels for v in target_values(seq, target)]))
            for target in TARGETS]
        return self

    def predict(self, tokens, transcript) -> np.ndarray:
        X = self._X([tokens], [transcript])
        return np.column_stack([m.predict_proba(X)[:, 1] for m in self.models])


def fit_dense(train, weight: float, C: float, seed: int = 0):
    """``fit_stacked`` with ``DenseText`` as the text model: the stage parameters fitted on
    out-of-fold text columns, the text model refitted on all training sessions."""
    matrices, labels, tokens, transcripts = train
    cols = [FEATURES.index(column_name(t)) for t in TARGETS]
    filled: list = [None] * len(labels)
    for test in folds(len(labels), 5, seed):
        held = set(test.tolist())
        keep = [i for i in range(len(labels)) if i not in held]
        model = DenseText(weight).fit([tokens[i] for i in keep], [transcripts[i] for i in keep],
                                      [labels[i] for i in keep])
        for i in test:
            m = np.array(matrices[i], dtype=float)
            m[:, cols] = model.predict(tokens[i], transcripts[i])
            filled[i] = m
    params = fit_params(filled, labels, C=C)
    text = DenseText(weight).fit(tokens, transcripts, labels)

    def columns(matrix, tok, transcript):
        m = np.array(matrix, dtype=float)
        m[:, cols] = text.predict(tok, transcript)
        return m
    return params, columns


def dropped(data, names: list[str]):
    """``data`` with the evidence columns ``names`` (and their ``_sofar`` forms) set to 0."""
    cols = [k for k, f in enumerate(FEATURES) if f in names or f.removesuffix("_sofar") in names]
    matrices = []
    for m in data[0]:
        m = np.array(m, dtype=float)
        m[:, cols] = 0.0
        matrices.append(m)
    return (matrices, *data[1:])


def run(setting: str, train, test) -> tuple[float, float, float]:
    opts = dict(kv.split("=") for kv in setting.split(",")) if setting != "base" else {}
    if "drop" in opts:
        names = opts["drop"].split("+")
        train, test = dropped(train, names), dropped(test, names)
    C = float(opts.get("C", 10.0))
    if "dense" in opts:
        params, columns = fit_dense(train, float(opts["dense"]), C)
    else:
        kwargs = {"text_c": float(opts["text_c"])} if "text_c" in opts else {}
        params = fit_stacked(train[0], train[1], train[2], seed=0, C=C, **kwargs)
        columns = None
    if "w_boundary" in opts:
        params.mix["boundary"] = float(opts["w_boundary"])
    if "temperature" in opts and params.decoding:
        params.decoding["temperature"] = float(opts["temperature"])
    seg = Segmenter(params)
    pairs = []
    for matrix, gold, tok, transcript in zip(*test, strict=True):
        filled = columns(matrix, tok, transcript) if columns else \
            seg.ready_to_decode(matrix, transcript)
        path, _ = seg.decode(filled)
        pairs.append((gold, [STAGES[s] for s in path]))
    scores = summarise(pairs)
    return scores.pk, scores.windowdiff, scores.overall.exact / max(scores.overall.gold, 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", nargs="+", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--oof-moves", default=None)
    parser.add_argument("--setting", action="append", default=None)
    args = parser.parse_args(argv)
    oof = oof_moves.ensure(args.oof_moves) if args.oof_moves else None
    train, test = load(args.train, oof), load([args.test], oof)
    settings = []
    for setting in args.setting or ["base"]:
        if setting == "drop=each":
            groups = dict.fromkeys(f.removesuffix("_sofar") for f in EVIDENCE_FEATURES
                                   if f != "bias")
            settings += ["base", *(f"drop={g}" for g in groups)]
        else:
            settings.append(setting)
    for setting in settings:
        start = time.process_time()
        pk, wd, exact = run(setting, train, test)
        print(f"{setting}: Pk {pk:.4f} WD {wd:.4f} starts exact {exact:.3f} "
              f"({time.process_time() - start:.0f} s CPU)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
