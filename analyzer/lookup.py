"""Integer keys looked up many at a time: a hash table in numpy arrays.

Why: the n-gram counters find each pair or triple of token ids, packed into one int64 key,
among a vocabulary's keys (the move features' word bigrams and trigrams, the stage text
model's bigrams). A binary search (``np.searchsorted``) over ~20,000 sorted keys costs ~110 ns
a key, most of it branches the CPU mispredicts, and a batch looks up ~100,000 keys. Here a
key goes to its slot by multiplicative (Fibonacci) hashing and the table is at most half
full, so ~4 numpy passes over the keys find nearly all of them, and the few that collided
take a few more passes over what is left (linear probing): ~4x less time, the same answers.
"""

from __future__ import annotations

import numpy as np

#: 2**64 / the golden ratio, odd: its products spread nearby keys over the top bits
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = -1


class KeyTable:
    """A fixed map from distinct int64 keys (>= 0) to int64 values, for looking up arrays of
    keys at once (``get``). Built once, never changed."""

    __slots__ = ("_keys", "_values", "_shift", "_mask", "_size")

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        values = np.asarray(values, dtype=np.int64)
        self._size = len(keys)
        if len(keys) and keys.min() < 0:
            raise ValueError("KeyTable keys must be >= 0")
        if len(np.unique(keys)) != len(keys):
            raise ValueError("KeyTable keys must be distinct")
        bits = max(4, (2 * len(keys)).bit_length())  # at most half full
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys = np.full(1 << bits, _EMPTY, dtype=np.int64)
        self._values = np.zeros(1 << bits, dtype=np.int64)
        # insert all keys in rounds: a key whose slot is free takes it (the first of those
        # aiming at one slot), the others move on to the next slot; every slot a key passes
        # stays filled, so ``get`` finds each key before an empty slot
        todo = np.arange(len(keys))
        slot = self._slots(keys)
        while len(todo):
            free = np.flatnonzero(self._keys[slot] == _EMPTY)
            _, first = np.unique(slot[free], return_index=True)
            won = free[first]
            self._keys[slot[won]] = keys[todo[won]]
            self._values[slot[won]] = values[todo[won]]
            left = np.ones(len(todo), dtype=bool)
            left[won] = False
            todo, slot = todo[left], (slot[left] + 1) & self._mask

    def __len__(self) -> int:
        return self._size

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.view(np.uint64) * _GOLDEN) >> self._shift).astype(np.int64)

    def get(self, keys: np.ndarray, default: int) -> np.ndarray:
        """The value of each of ``keys`` (int64 array), ``default`` for a key not in the
        table: what a binary search among the sorted keys would find."""
        keys = np.asarray(keys, dtype=np.int64)
        slot = self._slots(keys)
        held = self._keys[slot]
        found = held == keys  # (most keys: found, or known absent, at their own slot)
        out = np.where(found, self._values[slot], default)
        todo = np.flatnonzero(~found & (held != _EMPTY))  # another key there: probe on
        slot, want = (slot[todo] + 1) & self._mask, keys[todo]
        while len(todo):
            held = self._keys[slot]
            found = held == want
            out[todo[found]] = self._values[slot[found]]
            on = ~found & (held != _EMPTY)
            todo, slot, want = todo[on], (slot[on] + 1) & self._mask, want[on]
        return out
