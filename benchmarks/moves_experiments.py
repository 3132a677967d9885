"""Third- to eighth-round experiments on the move classifier
(docs/history/moves-log.md, rows 14-30).

Dialogue-level 5-fold CV over the 354 annotated CaSiNo dialogues, the folds of
``analyzer evaluate --cv 5 --seed S``. ``cache`` fits, per outer fold and on its training
dialogues only, the featurizer and the stage-1 model (out-of-fold stacking inside the training
folds, as ``MoveClassifier.fit`` does) and stores the head inputs; the other experiments refit
only the heads on those matrices, so each takes a minute instead of a full CV. The held-out
fold never fits anything: vocabularies, stage-1 models, pseudo-labels, sentence models and
temperatures all come from the training folds. ``base`` reproduces the shipped row 10
exactly (0.778 / 0.668 / 0.629 at seed 0)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/moves_experiments.py cache
    OPENBLAS_NUM_THREADS=1 python benchmarks/moves_experiments.py base
    OPENBLAS_NUM_THREADS=1 python benchmarks/moves_experiments.py label-c   # etc., see --help
    OPENBLAS_NUM_THREADS=1 python benchmarks/moves_experiments.py cv --params '{"stage1_C": 3}'
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import cohen_kappa_score, f1_score  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from analyzer.moves.classifier import (  # noqa: E402
    MoveClassifier,
    _sigmoid,
    _softmax,
    as_label_sets,
    group_folds,
)
from analyzer.moves.data import load_coded, read_casino  # noqa: E402
from analyzer.moves.evaluation import dialogue_folds  # noqa: E402
from analyzer.moves.features import TurnFeaturizer, cue_matrix, turn_frame  # noqa: E402
from analyzer.moves.taxonomy import CASINO_ORIENTATION, orientation_of_labels  # noqa: E402
from analyzer.results import ORIENTATIONS  # noqa: E402

CASINO = REPO.parent / "shared" / "corpora" / "casino"
CACHE = Path(os.environ.get("MOVES_EXP_CACHE", "/tmp/moves_exp"))
TEMPS = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5])
SPLIT = re.compile(r"(?<=[.!?])\s+")


# ------------------------------------------------------------------ fold matrices
def cache(seed: int) -> None:
    """Per outer fold: OOF-stacked training matrix, test matrix, targets; plus, for the
    self-training and sentence experiments, the fold model's view of the unannotated
    dialogues and the sentence-max stage-1 block."""
    data = load_coded([str(CASINO)])
    X = turn_frame(data.transcripts, labelled_only=True)
    groups = X["session_id"].to_numpy()
    folds = dialogue_folds(groups, 5, seed)
    sets = as_label_sets(X["gold"])
    Xu = unannotated_frame()
    out = []
    for k in range(5):
        tr, te = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        est = MoveClassifier(random_state=seed)
        est.fit(X.iloc[tr], [sets[i] for i in tr], groups=groups[tr])
        Mtr, Y, o = oof_matrix(est, X.iloc[tr], [sets[i] for i in tr], groups[tr])
        Mte = est.features(X.iloc[te])
        Yte = est._indicator([sets[i] for i in te])
        ote = np.array([ORIENTATIONS.index(orientation_of_labels(sets[i], est.orientation_map_))
                        for i in te])
        Mu = est.features(Xu)
        Plu, Pou = est.scores(Mu)
        s2tr, s2te = sentence_max(est, X, tr, te, Y, groups[tr])
        out.append(dict(tr=tr, te=te, Mtr=Mtr, Mte=Mte, Y=Y, o=o, Yte=Yte, ote=ote,
                        groups_tr=groups[tr], ncore=Mtr.shape[1] - 30, classes=est.classes_,
                        Mu=Mu, Plu=Plu, Pou=Pou, S2tr=s2tr, S2te=s2te))
        print("fold", k, "cached", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"folds_s{seed}.pkl", "wb") as fh:
        pickle.dump(dict(folds=out, X=X, sets=sets), fh)


def unannotated_frame():
    """The spoken turns of the 576 CaSiNo dialogues without strategy labels (no labels used)."""
    unann = []
    for f in sorted(CASINO.glob("*.json")):
        unann += [t for t in read_casino(f, annotated_only=False)
                  if not any(turn.gold for turn in t.turns)]
    Xu = turn_frame(unann)
    return Xu[~Xu["is_action"]].reset_index(drop=True)


def oof_matrix(est, X, sets, groups):
    """The matrix ``MoveClassifier.fit`` trains its heads on (stage-1 block out-of-fold)."""
    Y = est._indicator(sets)
    o = np.array([ORIENTATIONS.index(orientation_of_labels(s, est.orientation_map_))
                  for s in sets])
    M, T, idx = est.featurizer_.transform_with_texts(X)
    S = np.zeros((len(X), 3 * len(est.classes_)), dtype=np.float32)
    for itr, ite in group_folds(groups, est.inner_folds, est.random_state):
        Wf, bf = est._fit_labels(T[idx["text"][itr]], Y[itr], est.stage1_C)
        S[ite] = est._stack_block(T, {k: v[ite] for k, v in idx.items()}, Wf, bf)
    return sp.hstack([M, sp.csr_matrix(S)], format="csr"), Y, o


def text_only(fz: TurnFeaturizer, texts):
    return sp.hstack([fz.word_.transform(texts), fz.char_.transform(texts),
                      sp.csr_matrix(np.log1p(cue_matrix(texts)))], format="csr")


def sentence_max(est, X, tr, te, Y, groups):
    """Stage-1 probabilities of each sentence of a turn, max per label (out-of-fold in
    training: each inner fold's sentences scored by a stage-1 model that never saw them)."""
    sents = [[s for s in SPLIT.split(t) if s.strip()] or [t] for t in X["text"]]
    fz = est.featurizer_

    def smax(rows, W, b):
        flat = [s for r in rows for s in sents[r]]
        owner = np.repeat(np.arange(len(rows)), [len(sents[r]) for r in rows])
        P = _sigmoid(np.asarray(text_only(fz, flat) @ W) + b)
        out = np.zeros((len(rows), W.shape[1]), dtype=np.float32)
        np.maximum.at(out, owner, P)
        return out

    T = text_only(fz, X["text"].iloc[tr].tolist())
    s2 = np.zeros((len(tr), Y.shape[1]), dtype=np.float32)
    for itr, ite in group_folds(groups, 5, 0):
        Wf, bf = est._fit_labels(T[itr], Y[itr], est.stage1_C)
        s2[ite] = smax(tr[ite], Wf, bf)
    return s2, smax(te, est.stage1_coef_, est.stage1_intercept_)


# ------------------------------------------------------------------ heads and scoring
def fit_labels(M, Y, C=3.0, sample_weight=None, scale=None):
    """One-vs-rest liblinear heads as in ``MoveClassifier`` (``scale``: per-label column
    scaling, for NB-weighted features)."""
    W, b = np.zeros((M.shape[1], Y.shape[1])), np.zeros(Y.shape[1])
    for k in range(Y.shape[1]):
        r = scale(M, Y[:, k]) if scale else None
        Mk = M @ sp.diags(r) if r is not None else M
        lr = LogisticRegression(C=C, max_iter=2000, class_weight="balanced", solver="liblinear",
                                dual=True, tol=1e-3, random_state=0)
        lr.fit(Mk, Y[:, k], sample_weight=sample_weight)
        W[:, k] = lr.coef_[0] * (r if r is not None else 1.0)
        b[k] = lr.intercept_[0]
    return W, b


def fit_orientation(M, o, C=1.0, sample_weight=None, class_weight="balanced"):
    lr = LogisticRegression(C=C, max_iter=3000, class_weight=class_weight)
    lr.fit(M, o, sample_weight=sample_weight)
    return lr.coef_.T, lr.intercept_


def temperature(M, o, groups, C=1.0):
    Z = np.zeros((len(o), 3))
    for tr, te in group_folds(groups, 5, 0):
        W, b = fit_orientation(M[tr], o[tr], C)
        Z[te] = M[te] @ W + b
    losses = [-np.mean(np.log(np.clip(_softmax(Z / t)[np.arange(len(o)), o], 1e-9, 1)))
              for t in TEMPS]
    return float(TEMPS[int(np.argmin(losses))])


def direct_orientation(f, M=None, Mte=None, C=1.0, calibrate=True):
    M = f["Mtr"] if M is None else M
    Mte = f["Mte"] if Mte is None else Mte
    W, b = fit_orientation(M, f["o"], C)
    t = temperature(M, f["o"], f["groups_tr"], C) if calibrate else 1.0
    return _softmax((Mte @ W + b) / t)


def report(name, Pl, Po, Y, o, classes, thr=0.6, blend=0.5):
    pred = (Pl >= thr).astype(int)
    pred[np.arange(len(pred)), Pl.argmax(1)] = 1
    f_lab = f1_score(Y, pred, average=None, zero_division=0)
    est = MoveClassifier(threshold=thr)
    est.classes_, est.multilabel_ = classes, True
    est.orientation_map_ = dict(CASINO_ORIENTATION)
    op = (blend * Po + (1 - blend) * est.orientation_from_labels(Pl)).argmax(1)
    print(f"{name:44s} orientation F1 {f1_score(o, op, average='macro'):.3f} "
          f"kappa {cohen_kappa_score(o, op):.3f}  labels {f_lab.mean():.3f}  "
          + " ".join(f"{c}={v:.3f}" for c, v in zip(classes, f_lab, strict=True)), flush=True)


class Folds:
    def __init__(self, seed: int) -> None:
        with open(CACHE / f"folds_s{seed}.pkl", "rb") as fh:
            d = pickle.load(fh)
        self.F, self.X, self.seed = d["folds"], d["X"], seed
        n = len(self.X)
        self.classes = self.F[0]["classes"]
        self.Y, self.o = np.zeros((n, len(self.classes)), int), np.zeros(n, int)
        for f in self.F:
            self.Y[f["te"]], self.o[f["te"]] = f["Yte"], f["ote"]

    def run(self, name, labels, orientation=direct_orientation, **kw):
        """labels(f) -> test-fold label probabilities; orientation(f) -> direct head's."""
        Pl, Po = np.zeros(self.Y.shape), np.zeros((len(self.o), 3))
        for f in self.F:
            Pl[f["te"]], Po[f["te"]] = labels(f), orientation(f)
        report(name, Pl, Po, self.Y, self.o, self.classes, **kw)
        return Pl, Po

    def run_extended(self, name, extend):
        """Both heads (labels and direct orientation) fitted on ``extend(f)``, the fold's
        (train, test) matrices with an experiment's feature block added: every feature-block
        experiment is scored this way, so its row differs from row 10 only in the block."""
        def labels(f):
            M, Mte = extend(f)
            W, b = fit_labels(M, f["Y"])
            return _sigmoid(Mte @ W + b)
        return self.run(name, labels,
                        orientation=lambda f: direct_orientation(f, *extend(f)))


def head(C=3.0):
    def labels(f):
        W, b = fit_labels(f["Mtr"], f["Y"], C)
        return _sigmoid(f["Mte"] @ W + b)
    return labels


def nb_ratio(M, y, alpha=1.0):
    p = np.asarray(M[y == 1].sum(0)).ravel() + alpha
    q = np.asarray(M[y == 0].sum(0)).ravel() + alpha
    return np.log((p / p.sum()) / (q / q.sum()))


# ------------------------------------------------------------------ experiments
def exp_base(D):
    D.run("row 10 (shipped)", head())


def exp_label_c(D):
    P = {}
    for C in (1.5, 3.0, 6.0):
        P[C], Po = D.run(f"label head C={C}", head(C))
    report("mean of label heads C=1.5/3/6", sum(P.values()) / 3, Po, D.Y, D.o, D.classes)


def exp_nb(D):
    Pb, Po = D.run("row 10", head())
    for C in (0.3, 1.0):
        def labels(f, C=C):
            W, b = fit_labels(f["Mtr"], f["Y"], C, scale=nb_ratio)
            return _sigmoid(f["Mte"] @ W + b)
        Pn, _ = D.run(f"NB-weighted label heads C={C}", labels)
        report(f"mean of NB C={C} and row 10", (Pn + Pb) / 2, Po, D.Y, D.o, D.classes)


def exp_self_training(D, weight=0.3, margin=1.0):
    def labels(f):
        Plu = f["Plu"]
        Yu = (Plu >= 0.6).astype(int)
        Yu[np.arange(len(Yu)), Plu.argmax(1)] = 1
        keep = np.abs(np.log(Plu / (1 - Plu)) - np.log(1.5)).min(1) >= margin
        M = sp.vstack([f["Mtr"], f["Mu"][keep]], format="csr")
        sw = np.r_[np.ones(f["Mtr"].shape[0]), np.full(keep.sum(), weight)]
        W, b = fit_labels(M, np.vstack([f["Y"], Yu[keep]]), 3.0, sample_weight=sw)
        return _sigmoid(f["Mte"] @ W + b)
    D.run(f"self-training w={weight} margin={margin}", labels)


def exp_meta(D):
    X = D.X
    key = {(s, t): i for i, (s, t) in enumerate(zip(X.session_id, X.turn, strict=True))}

    def neighbours(rows, delta):
        pos = {r: j for j, r in enumerate(rows)}
        out = np.full(len(rows), -1)
        for j, r in enumerate(rows):
            i = key.get((X.session_id[r], X.turn[r] + delta))
            if i is not None and i in pos:
                out[j] = pos[i]
        return out

    def feats(L, rows):
        parts = [L]
        for delta in (-1, 1):
            nb = neighbours(rows, delta)
            Z = np.zeros_like(L)
            Z[nb >= 0] = L[nb[nb >= 0]]
            parts += [Z, (nb < 0)[:, None].astype(float)]
        return np.hstack(parts)

    def labels(f):
        L = np.zeros(f["Y"].shape)
        for itr, ite in group_folds(f["groups_tr"], 5, 0):
            W, b = fit_labels(f["Mtr"][itr], f["Y"][itr])
            L[ite] = f["Mtr"][ite] @ W + b
        W, b = fit_labels(f["Mtr"], f["Y"])
        Zm, Zt = feats(L, f["tr"]), feats(np.asarray(f["Mte"] @ W + b), f["te"])
        out = np.zeros((len(f["te"]), f["Y"].shape[1]))
        for k in range(f["Y"].shape[1]):
            lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
            out[:, k] = lr.fit(Zm, f["Y"][:, k]).predict_proba(Zt)[:, 1]
        return out
    Pl, Po = D.run("meta stage on neighbours' head logits", labels)
    report("  same, cut 0.7", Pl, Po, D.Y, D.o, D.classes, thr=0.7)


def history(D, P, rows):
    """Max of stage-1 probabilities over the partner's and one's own earlier turns."""
    X = D.X
    sess, spk = X.session_id.to_numpy()[rows], X.speaker.to_numpy()[rows]
    turn = X.turn.to_numpy()[rows]
    H = np.zeros((len(rows), 2 * P.shape[1]), dtype=np.float32)
    last, seen = None, {}
    for j in np.lexsort((turn, sess)):
        if sess[j] != last:
            last, seen = sess[j], {}
        for who, v in seen.items():  # columns: partner's earlier turns, then one's own
            start = P.shape[1] if who == spk[j] else 0
            H[j, start:start + P.shape[1]] = v
        seen[spk[j]] = np.maximum(seen.get(spk[j], 0), P[j])
    return H


def exp_history(D):
    def extend(f):
        c = f["ncore"]
        Htr = history(D, f["Mtr"][:, c:c + 10].toarray(), f["tr"])
        Hte = history(D, f["Mte"][:, c:c + 10].toarray(), f["te"])
        return (sp.hstack([f["Mtr"], sp.csr_matrix(Htr)], format="csr"),
                sp.hstack([f["Mte"], sp.csr_matrix(Hte)], format="csr"))

    D.run_extended("dialogue history (max stage-1 probs)", extend)


def exp_sentences(D):
    def extend(f):
        return (sp.hstack([f["Mtr"], sp.csr_matrix(f["S2tr"])], format="csr"),
                sp.hstack([f["Mte"], sp.csr_matrix(f["S2te"])], format="csr"))

    D.run_extended("sentence max of stage-1 probs", extend)


def exp_orientation_c(D):
    Pl = np.zeros(D.Y.shape)
    for f in D.F:
        Pl[f["te"]] = head()(f)
    for C, cw in ((0.5, "balanced"), (1.0, None)):
        Po = np.zeros((len(D.o), 3))
        for f in D.F:
            W, b = fit_orientation(f["Mtr"], f["o"], C, class_weight=cw)
            Po[f["te"]] = _softmax(f["Mte"] @ W + b)
        report(f"orientation C={C} class_weight={cw}, no temp.", Pl, Po, D.Y, D.o, D.classes)


def exp_oracle(D):
    Pl = np.zeros(D.Y.shape)
    for f in D.F:
        Pl[f["te"]] = head()(f)
    best = [max(f1_score(D.Y[:, k], Pl[:, k] >= t) for t in np.arange(0.2, 0.9, 0.025))
            for k in range(D.Y.shape[1])]
    print("best cut per label on the evaluation folds themselves (an upper bound, not a "
          f"model): labels {np.mean(best):.3f}", np.round(best, 3))


# ------------------------------------------------------------------ LSA (row 25)
LSA_K = 300


def lsa_projection(texts_fit, char: bool):
    """Latent semantic analysis learned on ``texts_fit`` (unlabelled use only): TF-IDF of word
    1-2-grams (and char_wb 2-5-grams, 30,000 most frequent, each block's rows L2-normalised
    and the pair scaled by 1/sqrt(2)) with the project's own vocabularies, then a truncated
    SVD with ``LSA_K`` components. Returns ``project(texts) -> (n, LSA_K)`` float32."""
    from sklearn.decomposition import TruncatedSVD

    from analyzer.moves.features import fit_vocab

    texts = list(dict.fromkeys(texts_fit))
    vocabs = [fit_vocab("word", (1, 2), texts, 2, None)]
    if char:
        vocabs.append(fit_vocab("char_wb", (2, 5), texts, 2, 30000))
    scale = np.float32(1 / np.sqrt(len(vocabs)))

    def tfidf(ts):
        return sp.hstack([v.transform(ts) for v in vocabs], format="csr") * scale

    svd = TruncatedSVD(LSA_K, algorithm="randomized", n_iter=5, random_state=0)
    svd.fit(tfidf(texts))
    comp = svd.components_.T.astype(np.float32)

    def project(ts):
        ts = list(ts)
        uniq = list(dict.fromkeys(ts))
        pos = {t: i for i, t in enumerate(uniq)}
        Z = np.asarray(tfidf(uniq) @ comp)
        Z[[i for i, t in enumerate(uniq) if not t.strip()]] = 0.0  # no turn: no vector
        return Z[[pos[t] for t in ts]]
    return project


def lsa_cache(X, splits, seed: int, char: bool):
    """Per outer fold: the LSA of the turn, the previous and the next turn (first ``LSA_K``
    components), the projection fitted on the training folds' texts plus the unannotated
    dialogues' texts only (the held-out fold's texts are projected, never fitted)."""
    path = CACHE / f"lsa_s{seed}_{'wc' if char else 'w'}.pkl"
    if path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    unann = unannotated_frame()["text"].tolist()
    out = []
    for k, f in enumerate(splits):
        project = lsa_projection(X["text"].iloc[f["tr"]].tolist() + unann, char)
        blocks = {}
        for part in ("tr", "te"):
            rows = X.iloc[f[part]]
            blocks[part] = [project(rows[c].tolist())
                            for c in ("text", "prev_text", "next_text")]
        out.append(blocks)
        print("LSA fold", k, "fitted", flush=True)
    with open(path, "wb") as fh:
        pickle.dump(out, fh)
    return out


def lsa_features(blocks, k, normalise, weight, context_weight=0.5):
    """The dense block appended to the head inputs: the turn's first ``k`` LSA components,
    and the previous / next turn's at ``context_weight`` (as the other context blocks)."""
    parts = []
    for Z, w in zip(blocks, (1.0, context_weight, context_weight), strict=True):
        Z = Z[:, :k].copy()
        if normalise:
            n = np.linalg.norm(Z, axis=1, keepdims=True)
            Z /= np.where(n > 0, n, 1.0)
        parts.append(Z * (w * weight))
    return sp.csr_matrix(np.hstack(parts).astype(np.float32))


def lsa_stage1(f, b, k, seed, C=1.0):
    """A stage-1 model on the LSA alone: per-label logistic regressions on the turn's first
    ``k`` components, their probabilities for the turn, the previous and the next turn
    stacked (out-of-fold inside the training folds, as ``MoveClassifier.fit`` does)."""
    Ztr, Zte = [Z[:, :k] for Z in b["tr"]], [Z[:, :k] for Z in b["te"]]
    K = f["Y"].shape[1]
    Str = np.zeros((len(f["tr"]), 3 * K), dtype=np.float32)
    for itr, ite in group_folds(f["groups_tr"], 5, seed):
        W, c = fit_labels(sp.csr_matrix(Ztr[0][itr]), f["Y"][itr], C)
        for j in range(3):
            Str[ite, j * K:(j + 1) * K] = _sigmoid(Ztr[j][ite] @ W + c)
    W, c = fit_labels(sp.csr_matrix(Ztr[0]), f["Y"], C)
    Ste = np.hstack([_sigmoid(Z @ W + c) for Z in Zte]).astype(np.float32)
    return sp.csr_matrix(Str), sp.csr_matrix(Ste)


LSA_VARIANTS = {  # name: (char n-grams in the SVD, k, L2-normalised rows, block weight, where)
    "w-k100": (False, 100, False, 1.0, "heads"), "w-k200": (False, 200, False, 1.0, "heads"),
    "w-k300": (False, 300, False, 1.0, "heads"), "wc-k100": (True, 100, False, 1.0, "heads"),
    "wc-k200": (True, 200, False, 1.0, "heads"), "wc-k300": (True, 300, False, 1.0, "heads"),
    "w-k300-l2": (False, 300, True, 1.0, "heads"),
    "w-k300-l2-x0.5": (False, 300, True, 0.5, "heads"),
    "w-k300-l2-x2": (False, 300, True, 2.0, "heads"),
    "w-k300-s1": (False, 300, False, 1.0, "stage1"),
    "w-k300-both": (False, 300, False, 1.0, "both"),
}


def exp_lsa(D, variants=None):
    """LSA blocks under both heads (label and orientation): the dense components of the turn
    and its neighbours ("heads"), the probabilities of a stage-1 model on the LSA ("stage1"),
    or both; the shipped stage 1 stays as it is."""
    seed = D.seed
    for name in variants or LSA_VARIANTS:
        char, k, normalise, weight, where = LSA_VARIANTS[name]
        L = lsa_cache(D.X, D.F, seed, char)
        memo = {}  # fold -> extended (train, test) matrices, built once per variant

        def extend(f, k=k, normalise=normalise, weight=weight, where=where, L=L, memo=memo):
            key = id(f)
            if key not in memo:
                b = L[next(i for i, g in enumerate(D.F) if g is f)]
                add_tr, add_te = [], []
                if where in ("heads", "both"):
                    add_tr.append(lsa_features(b["tr"], k, normalise, weight))
                    add_te.append(lsa_features(b["te"], k, normalise, weight))
                if where in ("stage1", "both"):
                    s_tr, s_te = lsa_stage1(f, b, k, seed)
                    add_tr.append(s_tr)
                    add_te.append(s_te)
                memo[key] = (sp.hstack([f["Mtr"], *add_tr], format="csr"),
                             sp.hstack([f["Mte"], *add_te], format="csr"))
            return memo[key]

        D.run_extended(f"lsa {name} (seed {seed})", extend)


def lsa_time(variant: str, repeat: int = 3) -> None:
    """Classification time of the shipped model on all CaSiNo chat turns, without and with the
    LSA block of ``variant`` (projection of the distinct texts, gathered for the turn, previous
    and next turn, and its product with random head weights for the 10 labels + 3
    orientations), alternating, best of ``repeat`` in CPU time. The projection is fitted on
    all CaSiNo texts here: this times it, it scores nothing."""
    import time

    from analyzer.moves import load_model
    from analyzer.moves.data import casino_files

    char, k, normalise, weight, _ = LSA_VARIANTS[variant]
    transcripts = [t for f in casino_files(CASINO) for t in read_casino(f, annotated_only=False)]
    frame = turn_frame(transcripts)
    frame = frame[~frame["is_action"]].reset_index(drop=True)
    project = lsa_projection(frame["text"].tolist(), char)
    est = load_model().estimator
    W = np.random.default_rng(0).standard_normal((3 * k, 13)).astype(np.float32)

    def classify(with_lsa):
        for vocab in (est.featurizer_.word_, est.featurizer_.char_):
            if vocab is not None:
                vocab.__dict__.pop("_cache", None)
        est.scores(est.features(frame))
        if with_lsa:
            cols = [frame[c].tolist() for c in ("text", "prev_text", "next_text")]
            Z = project(cols[0] + cols[1] + cols[2])[:, :k]
            if normalise:
                n = np.linalg.norm(Z, axis=1, keepdims=True)
                Z /= np.where(n > 0, n, 1.0)
            n = len(frame)
            np.hstack([Z[:n], 0.5 * Z[n:2 * n], 0.5 * Z[2 * n:]]) @ W

    best = {False: [], True: []}
    for _ in range(repeat):
        for with_lsa in (False, True):
            c0 = time.process_time()
            classify(with_lsa)
            best[with_lsa].append(time.process_time() - c0)
    a, b = min(best[False]), min(best[True])
    print(f"{len(frame)} turns, CPU s (best of {repeat}): without {a:.3f}  with LSA {variant} "
          f"{b:.3f}  (+{100 * (b / a - 1):.0f}%)  all: {best}")


# ------------------------------------------------------------------ word vectors (row 26)
VECTORS = Path(os.environ.get("DISTIL_DIR", "/tmp/distil_vectors"))
_VTOKEN = re.compile(r"\w+")


def load_vectors(name: str):
    """(word -> row, float32 table) of a table written by ``distil_vectors.py reduce``."""
    z = np.load(VECTORS / f"{name}.npz", allow_pickle=False)
    words = z["words"].tobytes().decode("utf-8").split("\n")
    table = z["vectors"].astype(np.float32) * z["scale"][:, None]
    return {w: i for i, w in enumerate(words)}, table


def text_vectors(texts, index, table):
    """Mean of the table's rows over each text's known words (lower-cased ``\\w+`` tokens),
    L2-normalised; zeros for a text with no known word."""
    uniq = list(dict.fromkeys(texts))
    ids, owner = [], []
    for i, t in enumerate(uniq):
        for w in _VTOKEN.findall(t.lower()):
            j = index.get(w)
            if j is not None:
                ids.append(j)
                owner.append(i)
    S = np.zeros((len(uniq), table.shape[1]), dtype=np.float32)
    np.add.at(S, np.array(owner, dtype=np.int64), table[np.array(ids, dtype=np.int64)])
    n = np.linalg.norm(S, axis=1, keepdims=True)
    S /= np.where(n > 0, n, 1.0)
    pos = {t: i for i, t in enumerate(uniq)}
    return S[[pos[t] for t in texts]]


EMB_VARIANTS = {  # name: (table, block weight, context weight (0: none), next turn too)
    "d256": ("wv_d256_a0", 1.0, 0.5, True), "d128": ("wv_d128_a0", 1.0, 0.5, True),
    "d256-sif": ("wv_d256_a1e-3", 1.0, 0.5, True), "d128-sif": ("wv_d128_a1e-3", 1.0, 0.5, True),
    "d256-x0.5": ("wv_d256_a0", 0.5, 0.5, True), "d256-x2": ("wv_d256_a0", 2.0, 0.5, True),
    "d256-own": ("wv_d256_a0", 1.0, 0.0, False), "d256-prev": ("wv_d256_a0", 1.0, 0.5, False),
    "d128-sif-x0.5": ("wv_d128_a1e-3", 0.5, 0.5, True),
    "d256-sif-x0.5": ("wv_d256_a1e-3", 0.5, 0.5, True),
    "d128-sif-x2": ("wv_d128_a1e-3", 2.0, 0.5, True),
    "d128-sif-own": ("wv_d128_a1e-3", 1.0, 0.0, False),
    "d128-sif-prev": ("wv_d128_a1e-3", 1.0, 0.5, False),
    "d128-sif-x0.25": ("wv_d128_a1e-3", 0.25, 0.5, True),
    "d128-sif-x0.5-own": ("wv_d128_a1e-3", 0.5, 0.0, False),
}


EMB_VARIANTS.update({  # rows 27-28: the teacher's sentence embeddings, fitted tables
    "sent128-x0.5": ("sent:128", 0.5, 0.5, True), "sent384-x0.5": ("sent:384", 0.5, 0.5, True),
    "sent128-x1": ("sent:128", 1.0, 0.5, True), "sent128-x0.25": ("sent:128", 0.25, 0.5, True),
    "sentw128-x0.5": ("sentw:128", 0.5, 0.5, True),
    **{f"fit{lam}-x0.5": (f"wv_fit_l{lam}", 0.5, 0.5, True)
       for lam in ("1e-4", "3e-4", "1e-3", "3e-3", "1e-2", "3e-2", "0.1", "1")},
    **{f"fitc{lam}-x0.5": (f"wv_fitc_l{lam}", 0.5, 0.5, True)
       for lam in ("1e-3", "1e-2", "0.1", "1", "3")},
    "fitc1e-2-x1": ("wv_fitc_l1e-2", 1.0, 0.5, True),
    "fitc1e-2-x0.75": ("wv_fitc_l1e-2", 0.75, 0.5, True),
    "fitc3e-2-x0.5": ("wv_fitc_l3e-2", 0.5, 0.5, True),
    "fitc3e-3-x0.5": ("wv_fitc_l3e-3", 0.5, 0.5, True),
})


def sentence_vectors(spec: str):
    """texts -> vectors from the teacher's sentence embeddings of every distinct CaSiNo text
    (``distil_vectors.py sentences``; the upper bound of row 27): ``sent:K`` PCA to K dims
    fitted on those texts' embeddings (unsupervised, all 930 dialogues; 384: no PCA),
    ``sentw:K`` projected on the first K components of the word table's PCA instead;
    L2-normalised; zeros for an empty text or one the cache lacks."""
    z = np.load(VECTORS / "sentences.npz", allow_pickle=False)
    texts = json.loads(z["texts"].tobytes().decode("utf-8"))
    E = z["vectors"].astype(np.float64)
    kind, k = spec.split(":")
    k = int(k)
    if kind == "sentw":
        raw = np.load(VECTORS / "raw.npy").astype(np.float64)
        mu = raw.mean(axis=0)
        vt = np.linalg.svd(raw - mu, full_matrices=False)[2]
        E = (E - mu) @ vt[:k].T
    elif k < E.shape[1]:
        mu = E.mean(axis=0)
        vt = np.linalg.svd(E - mu, full_matrices=False)[2]
        E = (E - mu) @ vt[:k].T
    E /= np.linalg.norm(E, axis=1, keepdims=True)
    pos = {t: i for i, t in enumerate(texts)}
    E = np.vstack([E, np.zeros((1, E.shape[1]))]).astype(np.float32)

    def vectors(ts):
        rows = [pos.get(t, len(texts)) for t in ts]
        missing = sum(r == len(texts) and t != "" for r, t in zip(rows, ts, strict=True))
        if missing:
            print(f"  {missing} of {len(ts)} texts not in the sentence cache (zeros)")
        return E[rows]
    return vectors


def exp_emb(D, variants=None):
    """Distilled word vectors under both heads: the turn's mean vector (x weight) and the
    previous / next turn's (x weight x context weight); the shipped stage 1 stays. A table
    name ``sent:K`` / ``sentw:K`` takes the teacher's sentence embeddings instead
    (``sentence_vectors``)."""
    X = D.X
    for name in variants or EMB_VARIANTS:
        table_name, weight, cw, with_next = EMB_VARIANTS[name]
        if table_name.startswith("sent"):
            vectors = sentence_vectors(table_name)
        else:
            index, table = load_vectors(table_name)

            def vectors(ts, index=index, table=table):
                return text_vectors(ts, index, table)
        cols = [("text", 1.0)] + ([("prev_text", cw)] if cw else []) + \
            ([("next_text", cw)] if cw and with_next else [])
        V = {c: vectors(X[c].tolist()) for c, _ in cols}

        def block(rows, V=V, cols=cols, weight=weight):
            return sp.csr_matrix(np.hstack([V[c][rows] * (w * weight) for c, w in cols]))

        memo = {}

        def extend(f, block=block, memo=memo):
            if id(f) not in memo:
                memo[id(f)] = (sp.hstack([f["Mtr"], block(f["tr"])], format="csr"),
                               sp.hstack([f["Mte"], block(f["te"])], format="csr"))
            return memo[id(f)]

        D.run_extended(f"emb {name} (seed {D.seed})", extend)


def exp_emb_inductive(D, lam=3e-2, weight=0.5, cw=0.5):
    """Row 28f: the refitted table of row 28b, but refitted per outer fold without the texts
    of the held-out fold's turns (and of their neighbours), so the held-out texts' teacher
    embeddings never reach the table (the distilled rows and SIF counts it starts from are
    casino-moves-2's, made from all texts as before)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from distil_vectors import fit_table

    from analyzer.moves.vectors import write_table

    X = D.X
    memo = {}

    def extend(f):
        if id(f) in memo:
            return memo[id(f)]
        te = X.iloc[f["te"]]
        held = frozenset(te["text"]) | frozenset(te["prev_text"]) | frozenset(te["next_text"])
        words, table, info = fit_table(128, 1e-3, lam, True, held - {""})
        path = write_table(VECTORS / f"wv_ind_s{D.seed}_{len(memo)}.npz", words, table)
        index, T = load_vectors(path.stem)
        print(" ", info, flush=True)
        V = {c: text_vectors(X[c].tolist(), index, T) for c in ("text", "prev_text", "next_text")}

        def block(rows):
            return sp.csr_matrix(np.hstack([V["text"][rows] * weight,
                                            V["prev_text"][rows] * (weight * cw),
                                            V["next_text"][rows] * (weight * cw)]))
        memo[id(f)] = (sp.hstack([f["Mtr"], block(f["tr"])], format="csr"),
                       sp.hstack([f["Mte"], block(f["te"])], format="csr"))
        return memo[id(f)]

    D.run_extended(f"emb inductive refit lam={lam} (seed {D.seed})", extend)


def exp_emb_stage1(D, table_name="wv_d128_a1e-3", weight=1.0, heads=True, cw=0.5):
    """The turn's mean vector (x weight) also in stage 1's text-only features, so the stage-1
    probabilities of the turn and its neighbours see it; stage 1 refitted per outer fold
    (out-of-fold inside the training folds, as ``MoveClassifier.fit``), then the heads on the
    shipped features + (with ``heads``) the vector blocks of ``exp_emb`` + the new stage-1
    block."""
    index, table = load_vectors(table_name)
    X, seed = D.X, D.seed
    est = MoveClassifier(random_state=seed)
    est.classes_, est.multilabel_ = D.classes, True

    def parts(fz, rows):
        p = fz.transform_parts(X.iloc[rows])
        V = text_vectors(p.texts, index, table) * weight
        return p.matrix, sp.hstack([p.text_matrix, sp.csr_matrix(V)], format="csr"), p.idx, V

    def head_block(V, idx):
        return sp.csr_matrix(np.hstack([V[idx["text"]], V[idx["prev"]] * cw,
                                        V[idx["next"]] * cw]))

    memo = {}

    def extend(f):
        if id(f) in memo:
            return memo[id(f)]
        tr, te = f["tr"], f["te"]
        fz = TurnFeaturizer(context_texts=("prev_text", "next_text")).fit(X.iloc[tr])
        M, T, idx, V = parts(fz, tr)
        S = np.zeros((len(tr), 3 * len(D.classes)), dtype=np.float32)
        for itr, ite in group_folds(f["groups_tr"], 5, seed):
            Wf, bf = est._fit_labels(T[idx["text"][itr]], f["Y"][itr], est.stage1_C)
            S[ite] = est._stack_block(T, {k: v[ite] for k, v in idx.items()}, Wf, bf)
        W1, b1 = est._fit_labels(T[idx["text"]], f["Y"], est.stage1_C)
        Mte, Tte, idx_te, Vte = parts(fz, te)
        Ste = est._stack_block(Tte, idx_te, W1, b1)
        add_tr = [head_block(V, idx)] if heads else []
        add_te = [head_block(Vte, idx_te)] if heads else []
        memo[id(f)] = (sp.hstack([M, *add_tr, sp.csr_matrix(S)], format="csr"),
                       sp.hstack([Mte, *add_te, sp.csr_matrix(Ste)], format="csr"))
        return memo[id(f)]

    D.run_extended(f"emb in stage 1 {table_name} x{weight} heads={heads} (seed {seed})", extend)


# ------------------------------------------------------------------ row 29: negation scope
NEG_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[.,;:!?]")
NEGATORS = {"not", "no", "never", "nothing", "none", "nobody", "neither", "nor", "without",
            "hardly", "dont", "cant", "wont", "didnt", "doesnt", "isnt", "arent", "wouldnt",
            "shouldnt", "couldnt", "havent", "hasnt", "aint"}
SCOPE_ENDS = {".", ",", ";", ":", "!", "?", "but", "though", "although", "however"}


def negated_words(text: str) -> str:
    """The words inside a negation's scope, marked ``NOT_word`` (Das & Chen 2001; Pang et al.
    2002): from a negator to the next punctuation or contrast word. "I don't really need the
    firewood, you can have it" -> "NOT_really NOT_need NOT_the NOT_firewood"."""
    out, negated = [], False
    for token in NEG_TOKEN.findall(text.lower().replace("\u2019", "'")):
        if token in SCOPE_ENDS:
            negated = False
        elif token in NEGATORS or token.endswith("n't"):
            negated = True
        elif negated:
            out.append("NOT_" + token)
    return " ".join(out)


def exp_negation(D, weights=(1.0, 0.5)):
    """Row 29: the shipped word-vector block (row 26c) plus a TF-IDF block of negation-scoped
    words of the turn (vocabulary fitted on the training folds, min_df 2), x weight; the
    no-need / uv-part labels say what one does *not* need, which bigrams see only when the
    negator is next to the verb."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = D.X
    index, table = load_vectors("wv_d128_a1e-3")
    cols = [("text", 1.0), ("prev_text", 0.5), ("next_text", 0.5)]
    V = {c: text_vectors(X[c].tolist(), index, table) for c, _ in cols}
    docs = [negated_words(t) for t in X["text"].tolist()]

    def vectors(rows):
        return sp.csr_matrix(np.hstack([V[c][rows] * (w * 0.5) for c, w in cols]))

    for weight in (0.0, *weights):
        def extend(f, weight=weight):
            blocks_tr, blocks_te = [f["Mtr"], vectors(f["tr"])], [f["Mte"], vectors(f["te"])]
            if weight:
                vec = TfidfVectorizer(token_pattern=r"\S+", min_df=2, sublinear_tf=True,
                                      lowercase=False).fit([docs[i] for i in f["tr"]])
                blocks_tr.append(vec.transform([docs[i] for i in f["tr"]]) * weight)
                blocks_te.append(vec.transform([docs[i] for i in f["te"]]) * weight)
            return sp.hstack(blocks_tr, format="csr"), sp.hstack(blocks_te, format="csr")
        D.run_extended(f"emb d128-sif-x0.5 + negation x{weight} (seed {D.seed})", extend)


def exp_bias_bound(D):
    """Row 30: an upper bound for class offsets on the shipped model's orientation. The
    blended orientation probabilities of row 26c (direct head and label-implied, 0.5 each)
    get an additive log-odds offset per class (integrative fixed at 0, the others on a grid
    -0.6..0.6, step 0.05). The offsets are picked on the evaluation folds themselves, so
    this is no model, only what any threshold scheme could gain at most."""
    index, table = load_vectors("wv_d128_a1e-3")
    cols = [("text", 1.0), ("prev_text", 0.5), ("next_text", 0.5)]
    V = {c: text_vectors(D.X[c].tolist(), index, table) for c, _ in cols}

    def extend(f):
        def block(rows):
            return sp.csr_matrix(np.hstack([V[c][rows] * (w * 0.5) for c, w in cols]))
        return (sp.hstack([f["Mtr"], block(f["tr"])], format="csr"),
                sp.hstack([f["Mte"], block(f["te"])], format="csr"))

    Pl, Po = D.run_extended(f"emb d128-sif-x0.5, no offsets (seed {D.seed})", extend)
    est = MoveClassifier(threshold=0.6)
    est.classes_, est.multilabel_ = D.classes, True
    est.orientation_map_ = dict(CASINO_ORIENTATION)
    logp = np.log(np.clip(0.5 * Po + 0.5 * est.orientation_from_labels(Pl), 1e-9, 1))
    grid = np.round(np.arange(-0.6, 0.61, 0.05), 2)
    scores = {(b1, b2): cohen_kappa_score(D.o, (logp + [0.0, b1, b2]).argmax(1))
              for b1 in grid for b2 in grid}
    b1, b2 = max(scores, key=scores.get)
    op = (logp + [0.0, b1, b2]).argmax(1)
    print(f"best offsets on the evaluation folds ({ORIENTATIONS[1]} {b1:+.2f}, "
          f"{ORIENTATIONS[2]} {b2:+.2f}): orientation F1 {f1_score(D.o, op, average='macro'):.3f}"
          f" kappa {scores[(b1, b2)]:.3f}", flush=True)


def full_cv(seed: int, params: dict, codes: bool = True) -> None:
    """A full ``cross_validate`` (what ``analyzer evaluate --cv 5`` runs) with other
    ``MoveClassifier`` parameters (over ``training.DEFAULT_PARAMS``); with the project's
    codes in every training fold, as the command runs it, unless ``codes`` is False."""
    from analyzer.moves.codes import project_codes
    from analyzer.moves.evaluation import cross_validate

    found = project_codes() if codes else None
    data = load_coded([str(CASINO)], codes=[found] if found else [])
    s = cross_validate(data, 5, seed, params)
    print(params, f"codes={bool(found)} seed {seed}: orientation F1 "
          f"{s.orientation['macro_f1']:.4f} kappa {s.orientation['kappa']:.4f}  labels "
          f"{s.labels['macro_f1']:.4f}  "
          + " ".join(f"{c}={v['f1']:.3f}" for c, v in s.labels["per_class"].items()))


EXPERIMENTS = {"base": exp_base, "label-c": exp_label_c, "nb": exp_nb,
               "self-training": exp_self_training, "meta": exp_meta, "history": exp_history,
               "sentences": exp_sentences, "orientation-c": exp_orientation_c,
               "oracle": exp_oracle, "lsa": exp_lsa, "emb": exp_emb,
               "emb-inductive": exp_emb_inductive,
               "emb-inductive-l0.3": lambda D: exp_emb_inductive(D, lam=0.3),
               "emb-inductive-l1": lambda D: exp_emb_inductive(D, lam=1.0),
               "emb-s1": lambda D: exp_emb_stage1(D, weight=0.5),
               "emb-s1-only": lambda D: exp_emb_stage1(D, heads=False),
               "negation": exp_negation, "bias-bound": exp_bias_bound}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment",
                        choices=["cache", "cv", "lsa-cache", "lsa-time", *EXPERIMENTS])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variants", default="", help="for lsa: comma-separated names of "
                        f"LSA_VARIANTS ({', '.join(LSA_VARIANTS)}); default all")
    parser.add_argument("--params", default="{}", help='for cv: JSON, e.g. \'{"word_ngrams": '
                        '[1, 3], "orientation_C": 0.5}\'')
    parser.add_argument("--no-codes", action="store_true",
                        help="for cv: without the project's codes (the runs before row 32)")
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        if args.experiment == "cv":
            params = {k: tuple(v) if isinstance(v, list) else v
                      for k, v in json.loads(args.params).items()}
            full_cv(args.seed, params, codes=not args.no_codes)
        elif args.experiment == "cache":
            cache(args.seed)
        elif args.experiment == "lsa-cache":  # the LSA blocks alone (no fold matrices needed)
            X = turn_frame(load_coded([str(CASINO)]).transcripts, labelled_only=True)
            folds = dialogue_folds(X["session_id"].to_numpy(), 5, args.seed)
            splits = [dict(tr=np.flatnonzero(folds != k), te=np.flatnonzero(folds == k))
                      for k in range(5)]
            for char in (False, True):
                lsa_cache(X, splits, args.seed, char)
        elif args.experiment == "lsa-time":
            lsa_time(args.variants or "w-k300")
        elif args.experiment == "lsa":
            exp_lsa(Folds(args.seed), [v for v in args.variants.split(",") if v] or None)
        elif args.experiment == "emb":
            exp_emb(Folds(args.seed), [v for v in args.variants.split(",") if v] or None)
        else:
            EXPERIMENTS[args.experiment](Folds(args.seed))


if __name__ == "__main__":
    main()
