"""Pk, WindowDiff and boundary hits on cases worked out by hand (see the comments)."""

from __future__ import annotations

import math

import pytest

from analyzer.stages.metrics import (
    default_k,
    labels_from_starts,
    pk,
    segment_ids,
    starts,
    summarise,
    windowdiff,
)

A, B, C = "opening", "exploring", "bargaining"


def test_identical_segmentations_score_zero():
    ref = [A, A, B, B, C, C]
    assert pk(ref, ref) == 0.0
    assert windowdiff(ref, ref) == 0.0


def test_k_is_half_the_mean_gold_segment_length():
    assert default_k([A] * 3 + [B] * 3) == 2  # 2 segments of 3 -> 1.5 -> 2
    assert default_k([A] * 4 + [B] * 4 + [C] * 4) == 2
    assert default_k([A] * 10 + [B] * 10) == 5
    assert default_k([A, B]) == 1  # never below 1, never the whole sequence


def test_boundary_one_turn_late():
    # ref AAABBB, hyp AABBBB (boundary one turn early), k = 2, 4 windows:
    # (0,2) ref same / hyp different -> error; (1,3) both different; (2,4) ref different /
    # hyp same -> error; (3,5) both same. Pk = 2/4; boundary counts differ in the same two.
    ref = [A, A, A, B, B, B]
    hyp = [A, A, B, B, B, B]
    assert pk(ref, hyp) == pytest.approx(0.5)
    assert windowdiff(ref, hyp) == pytest.approx(0.5)


def test_windowdiff_punishes_an_extra_boundary_that_pk_misses():
    # ref AAAABBBB (k = 2), hyp AAAACBBB: an extra segment of one turn. Windows (i, i+2):
    # i=3: both cross a boundary (Pk fine) but hyp crosses two (WindowDiff error);
    # i=4: ref inside B, hyp crosses C|B (both error). Pk = 1/6, WindowDiff = 2/6.
    ref = [A] * 4 + [B] * 4
    hyp = [A] * 4 + [C] + [B] * 3
    assert pk(ref, hyp) == pytest.approx(1 / 6)
    assert windowdiff(ref, hyp) == pytest.approx(2 / 6)


def test_missing_every_boundary():
    # ref one segment (k = 3); hyp splits it in the middle: every window (0,3) (1,4) (2,5)
    # crosses the hyp boundary only.
    ref = [A] * 6
    hyp = [A] * 3 + [B] * 3
    assert pk(ref, hyp) == 1.0
    assert windowdiff(ref, hyp) == 1.0


def test_lengths_must_match():
    with pytest.raises(ValueError):
        pk([A, B], [A])


def test_segment_ids_and_starts_round_trip():
    labels = labels_from_starts({"opening": None, "exploring": 0, "bargaining": 2,
                                 "closing": 5}, 7)
    assert labels == ["exploring"] * 2 + ["bargaining"] * 3 + ["closing"] * 2
    assert segment_ids(labels) == [0, 0, 1, 1, 1, 2, 2]
    assert starts(labels) == {"opening": None, "exploring": 0, "bargaining": 2, "closing": 5}


def test_boundary_hits_exact_and_within_one():
    gold = labels_from_starts({"opening": 0, "exploring": 2, "bargaining": 4, "closing": 8}, 10)
    hyp = labels_from_starts({"opening": 0, "exploring": 2, "bargaining": 5, "closing": None},
                             10)
    scores = summarise([(gold, hyp)])
    b = scores.boundaries
    assert (b["exploring"].gold, b["exploring"].exact, b["exploring"].within1) == (1, 1, 1)
    assert (b["bargaining"].exact, b["bargaining"].within1) == (0, 1)
    assert (b["closing"].exact, b["closing"].within1) == (0, 0)  # missed stage
    assert b["opening"].gold == 0 and math.isnan(b["opening"].exact_share)  # turn 0: no boundary
    assert scores.overall.gold == 3
    assert scores.overall.exact_share == pytest.approx(1 / 3)
    assert scores.overall.within1_share == pytest.approx(2 / 3)


def test_scores_are_averaged_over_sessions():
    perfect = ([A, A, B, B], [A, A, B, B])
    wrong = ([A] * 6, [A] * 3 + [B] * 3)  # Pk 1.0 (see above)
    assert summarise([perfect, wrong]).pk == pytest.approx(0.5)
