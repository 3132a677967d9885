"""A long session's stage probabilities stay finite, with no numpy warning (fuzzing QA,
28 Nov 2026: in a 5,000-turn session the scaled backward values overflowed while the scales
did not, and 4,728 posterior rows were NaN, with "RuntimeWarning: invalid value")."""

from __future__ import annotations

import math
import warnings

import numpy as np

from analyzer.stages import mbr


def test_a_chain_whose_backward_values_overflow_is_not_ok(monkeypatch):
    real = mbr._scaled_passes

    def overflowing(first, flat):
        fw, bw, sc = real(first, flat)
        bw[0] = math.inf
        return fw, bw, sc

    init = np.log(np.full(mbr.N, 1 / mbr.N))
    steps = np.zeros((3, mbr.N, mbr.N))
    assert mbr.Chain(init, steps).ok
    monkeypatch.setattr(mbr, "_scaled_passes", overflowing)
    chain = mbr.Chain(init, steps)
    assert not chain.ok  # the segmenter then sums in log space
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        keep_init, _ = mbr.plausible(init, steps, [0, 0, 0, 0], 1e-6, chain)
    assert np.isfinite(keep_init[0])


def test_five_thousand_turns_give_finite_probabilities(tmp_path):
    from analyzer.io import read_transcripts
    from analyzer.pipeline import Analyzer

    path = tmp_path / "long.txt"
    path.write_text("".join(f"{'Anna' if i % 2 else 'Ben'}: hello number {i}\n"
                            for i in range(5000)), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        ((_, analysis, error),) = list(Analyzer().analyze_each(list(read_transcripts(path))))
    assert error is None
    rows = analysis.stages.probabilities
    assert len(rows) == 5000
    assert all(math.isfinite(v) for row in rows for v in row.values())
    assert all(abs(sum(row.values()) - 1) < 1e-6 for row in rows)
