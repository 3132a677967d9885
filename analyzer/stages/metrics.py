"""How close a stage segmentation is to a gold one: Pk, WindowDiff and boundary hits.

Segmentations are compared as label sequences (one stage per turn). A segment is a maximal
run of equal labels, so a boundary sits between turns ``i-1`` and ``i`` whenever the label
changes.

- **Pk** (Beeferman, Berger & Lafferty 1999): slide a window of width ``k`` over the turns
  and count the windows where gold and hypothesis disagree on whether turns ``i`` and
  ``i+k`` are in the same segment; divide by the number of windows.
- **WindowDiff** (Pevzner & Hearst 2002): count the windows where the *number* of
  boundaries between ``i`` and ``i+k`` differs; stricter than Pk about near misses and
  extra boundaries.

``k`` is the standard choice: half the mean gold segment length of that session, rounded,
at least 1 (at most ``n - 1``). Scores are per session; ``summarise`` averages them over
sessions (macro), so a long session does not outweigh many short ones.

Boundary hits ask a plainer question a user cares about: for each stage that starts after
turn 0 in the gold, did the hypothesis start the same stage at exactly that turn, or
within one turn of it?
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..results import STAGES


def segment_ids(labels: Sequence[str]) -> list[int]:
    """Segment number of each position (a new segment starts where the label changes)."""
    ids, current = [], 0
    for i, label in enumerate(labels):
        if i and label != labels[i - 1]:
            current += 1
        ids.append(current)
    return ids


def default_k(reference: Sequence[str]) -> int:
    """Half the mean segment length of ``reference``, rounded, between 1 and ``n - 1``."""
    n = len(reference)
    segments = (segment_ids(reference)[-1] + 1) if n else 1
    k = int(round(n / segments / 2.0))
    return max(1, min(k, max(n - 1, 1)))


def _check(reference: Sequence[str], hypothesis: Sequence[str]) -> None:
    if len(reference) != len(hypothesis):
        raise ValueError(f"sequences differ in length: {len(reference)} vs {len(hypothesis)}")


def _window_error_rate(reference: Sequence[str], hypothesis: Sequence[str], k: int | None,
                       differs) -> float:
    """Share of the n - k windows (i, i + k) where ``differs(ref_ids, hyp_ids, i, k)``: the
    sliding-window frame Pk and WindowDiff share; they differ only in what counts as an error."""
    _check(reference, hypothesis)
    n = len(reference)
    if n < 2:
        return 0.0
    k = default_k(reference) if k is None else k
    ref, hyp = segment_ids(reference), segment_ids(hypothesis)
    windows = n - k
    return sum(differs(ref, hyp, i, k) for i in range(windows)) / windows


def pk(reference: Sequence[str], hypothesis: Sequence[str], k: int | None = None) -> float:
    """Pk of ``hypothesis`` against ``reference`` (0 = perfect, lower is better): windows where
    the two disagree on whether both ends fall in one segment."""
    return _window_error_rate(
        reference, hypothesis, k,
        lambda ref, hyp, i, k: (ref[i] == ref[i + k]) != (hyp[i] == hyp[i + k]))


def windowdiff(reference: Sequence[str], hypothesis: Sequence[str],
               k: int | None = None) -> float:
    """WindowDiff of ``hypothesis`` against ``reference`` (0 = perfect, lower is better):
    windows where the two differ in the number of boundaries inside."""
    return _window_error_rate(
        reference, hypothesis, k,
        lambda ref, hyp, i, k: (ref[i + k] - ref[i]) != (hyp[i + k] - hyp[i]))


def starts(labels: Sequence[str]) -> dict[str, int | None]:
    """First position of every stage in ``labels`` (``None`` when absent)."""
    first: dict[str, int | None] = {s: None for s in STAGES}
    for i, label in enumerate(labels):
        if label in first and first[label] is None:
            first[label] = i
    return first


def labels_from_starts(bounds: dict[str, int | None], n: int) -> list[str]:
    """The label sequence of ``n`` turns whose stages start at ``bounds`` (guideline form)."""
    present = sorted((i, s) for s, i in bounds.items() if i is not None)
    labels: list[str] = []
    for pos, (begin, stage) in enumerate(present):
        end = present[pos + 1][0] if pos + 1 < len(present) else n
        labels.extend([stage] * max(0, min(end, n) - begin))
    return labels


@dataclass
class BoundaryCounts:
    """Gold stage starts after turn 0, and how many the hypothesis hit exactly / within 1."""

    gold: int = 0
    exact: int = 0
    within1: int = 0

    def add(self, gold_start: int, hyp_start: int | None) -> None:
        self.gold += 1
        if hyp_start is not None:
            self.exact += hyp_start == gold_start
            self.within1 += abs(hyp_start - gold_start) <= 1

    @property
    def exact_share(self) -> float:
        return self.exact / self.gold if self.gold else float("nan")

    @property
    def within1_share(self) -> float:
        return self.within1 / self.gold if self.gold else float("nan")


@dataclass
class SegmentationScores:
    """Macro Pk / WindowDiff over sessions and boundary hits per stage and overall."""

    sessions: int = 0
    pk: float = 0.0
    windowdiff: float = 0.0
    boundaries: dict[str, BoundaryCounts] = field(default_factory=dict)

    @property
    def overall(self) -> BoundaryCounts:
        total = BoundaryCounts()
        for counts in self.boundaries.values():
            total.gold += counts.gold
            total.exact += counts.exact
            total.within1 += counts.within1
        return total

    def as_dict(self) -> dict:
        def one(c: BoundaryCounts) -> dict:
            return {"gold": c.gold, "exact": c.exact, "within1": c.within1,
                    "exact_share": c.exact_share, "within1_share": c.within1_share}
        return {"sessions": self.sessions, "pk": self.pk, "windowdiff": self.windowdiff,
                "boundaries": {s: one(c) for s, c in self.boundaries.items()},
                "boundaries_overall": one(self.overall)}


def summarise(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> SegmentationScores:
    """Scores of many (reference, hypothesis) label sequences, averaged over sessions."""
    scores = SegmentationScores(boundaries={s: BoundaryCounts() for s in STAGES})
    pk_sum = wd_sum = 0.0
    for reference, hypothesis in pairs:
        scores.sessions += 1
        pk_sum += pk(reference, hypothesis)
        wd_sum += windowdiff(reference, hypothesis)
        gold, hyp = starts(reference), starts(hypothesis)
        for stage in STAGES:
            if gold[stage] is not None and gold[stage] > 0:
                scores.boundaries[stage].add(gold[stage], hyp[stage])
    if scores.sessions:
        scores.pk = pk_sum / scores.sessions
        scores.windowdiff = wd_sum / scores.sessions
    return scores
