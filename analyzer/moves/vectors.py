"""Static word vectors: what a word means, as a table looked up with numpy.

Why: the n-gram features only know the words seen in training; a turn saying "my sister is
bringing plenty of food" shares few n-grams with "I don't need extra food". A sentence
transformer knows such paraphrases are alike, but running one costs far more than the rest of
the classifier. Model2Vec (Tulkens & van Dongen 2024) keeps much of that knowledge in a table:
each word of a vocabulary is run through the transformer alone, the vectors are reduced by PCA
and weighted by word frequency (SIF), and a text becomes the mean of its words' rows. The
table shipped with the move model was distilled so from sentence-transformers/all-MiniLM-L6-v2
(Apache-2.0; Reimers & Gurevych 2019) at build time by ``benchmarks/distil_vectors.py``; at run
time there is no transformer, only this module (numpy).

File format (``.npz`` without object arrays, read with ``allow_pickle=False``): ``vectors``
int8 (words x dims), ``scale`` float32 (one per word: row = vectors x scale), ``words`` the
UTF-8 bytes of the words joined by newlines.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError

#: The table's file name inside a model folder.
VECTORS_FILE = "word_vectors.npz"


class WordVectors:
    """A word -> vector table (``words``, float32 ``table`` with one row per word) and the
    sha256 of the file it came from."""

    def __init__(self, words: list[str], table: np.ndarray, sha256: str = "",
                 source: Path | None = None) -> None:
        if len(words) != len(table):
            raise ValueError("one row per word")
        self.words = list(words)
        self.table = np.ascontiguousarray(table, dtype=np.float32)
        self.sha256 = sha256
        self.source = source  # the file it was read from (a saved model copies it)

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    @classmethod
    def load(cls, path: str | Path) -> WordVectors:
        """Read a table file (module docstring); ``ModelError`` if it is not one."""
        path = Path(path)
        try:
            data = path.read_bytes()
            import io

            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                q, scale, raw = z["vectors"], z["scale"], z["words"]
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"{path}: not a word-vector table ({exc})",
                             hint="make one with benchmarks/distil_vectors.py") from exc
        words = raw.tobytes().decode("utf-8").split("\n")
        if q.ndim != 2 or len(words) != len(q) or scale.shape != (len(q),):
            raise ModelError(f"{path}: not a word-vector table (shapes do not match)")
        table = q.astype(np.float32) * scale.astype(np.float32)[:, None]
        return cls(words, table, hashlib.sha256(data).hexdigest(), path)

    def mean_vectors(self, rows: np.ndarray, rows_of_table: np.ndarray, n: int) -> np.ndarray:
        """(n x dim) float32: for each text, the mean of the rows of its words found in the
        table, L2-normalised (so the mean or the sum give the same); zeros for a text with no
        word in the table. ``rows``: the text of each token (token order); ``rows_of_table``:
        each token's row of the table, -1 for a word not in it."""
        keep = rows_of_table >= 0
        counts = sp.csr_matrix((np.ones(int(keep.sum()), dtype=np.float32),
                                (rows[keep], rows_of_table[keep])),
                               shape=(n, len(self.words)))
        S = np.asarray(counts @ self.table, dtype=np.float32)
        norm = np.sqrt(np.einsum("ij,ij->i", S, S))
        S /= np.where(norm > 0, norm, 1.0)[:, None]
        return S

    def text_vectors(self, texts: list[str]) -> np.ndarray:
        """``mean_vectors`` of texts by their lower-cased ``\\w+`` words (the words the move
        features look up; the reference for tests and tools, the featurizer shares its
        token pass with the n-grams instead)."""
        import re

        index = {w: i for i, w in enumerate(self.words)}
        rows, ids = [], []
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                rows.append(i)
                ids.append(index.get(w, -1))
        return self.mean_vectors(np.array(rows, dtype=np.int64), np.array(ids, dtype=np.int64),
                                 len(texts))


def write_table(path: str | Path, words: list[str], table: np.ndarray) -> Path:
    """Write a table file (module docstring): each row as int8 with its own scale (largest
    magnitude -> 127), so a row read back is within half a step (scale / 2) of ``table``'s."""
    path = Path(path)
    words = list(words)
    if any("\n" in w for w in words) or len(words) != len(table):
        raise ValueError("one word (without a newline) per row")
    table = np.asarray(table, dtype=np.float64)
    scale = np.abs(table).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.round(table / scale[:, None]).astype(np.int8)
    np.savez_compressed(path, vectors=q, scale=scale.astype(np.float32),
                        words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8))
    return path


def shipped_vectors_path() -> Path:
    """The table of the shipped move model (``SHIPPED``), in its folder
    (``model.default_model_dir``: the installed package or ``models/`` of a checkout)."""
    from .model import DEFAULT_MODEL, default_model_dir

    candidate = default_model_dir() / VECTORS_FILE
    if not candidate.exists():
        raise ModelError(f"the shipped word-vector table of {DEFAULT_MODEL!r} is missing",
                         hint="reinstall the analyzer (pip install .)")
    return candidate


#: ``word_vectors`` setting meaning "the table shipped with the default model".
SHIPPED = "shipped"


def resolve(spec: str | None) -> Path | None:
    """The table file a ``word_vectors`` setting names: None (no vectors), ``SHIPPED``, or
    a path."""
    if spec is None or spec == "":
        return None
    return shipped_vectors_path() if spec == SHIPPED else Path(spec)
