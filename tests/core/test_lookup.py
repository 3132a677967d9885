"""``analyzer.lookup.KeyTable``: the answers of a binary search among sorted keys, for keys
present and absent, crowded slots, large and structured keys, and empty tables."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.lookup import KeyTable


def _searched(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray, default: int):
    """What the n-gram counters did before: ``searchsorted`` among the sorted keys."""
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    if not len(keys):
        return np.full(len(wanted), default)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, values[at], default)


@pytest.mark.parametrize("n", [0, 1, 2, 7, 100, 5000, 40_000])
def test_the_answers_of_a_binary_search(n):
    rng = np.random.default_rng(n)
    size = 30_000  # keys packed as in the counters: a * size + b, and triples
    pairs = rng.integers(0, size, size=(n, 2))
    keys = np.unique(pairs[:, 0] * size + pairs[:, 1])
    rng.shuffle(keys)
    values = rng.integers(0, 1_000_000, size=len(keys))
    table = KeyTable(keys, values)
    assert len(table) == len(keys)
    wanted = np.concatenate([keys, rng.integers(0, size * size, size=3000), keys[:50],
                             np.array([0, size * size - 1, 2**62], dtype=np.int64)])
    rng.shuffle(wanted)
    assert table.get(wanted, -1).tolist() == _searched(keys, values, wanted, -1).tolist()
    assert table.get(np.zeros(0, dtype=np.int64), 7).tolist() == []


def test_keys_that_all_want_the_same_slots():
    # multiples of a power of two: the low bits alike (the hash uses the high bits of a
    # product, but a table this crowded by design still has to probe)
    keys = np.arange(0, 4096 * 1000, 4096, dtype=np.int64)
    table = KeyTable(keys, keys // 4096)
    wanted = np.arange(0, 4096 * 1001, 512, dtype=np.int64)
    assert table.get(wanted, -5).tolist() == _searched(keys, keys // 4096, wanted, -5).tolist()


def test_negative_keys_are_refused():
    with pytest.raises(ValueError):
        KeyTable(np.array([3, -1]), np.array([0, 1]))
