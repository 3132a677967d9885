"""The Markdown table the stage experiment scripts print: one row per setting, Pk / WindowDiff
per fold seed and their means (shared by ``stage_bagging.py`` and ``stage_learning_curve.py``)."""

from __future__ import annotations

from collections.abc import Sequence


def print_seed_table(label: str, seeds: Sequence[int],
                     rows: Sequence[tuple[str, Sequence[tuple[float, float]]]]) -> None:
    """``rows``: (setting, [(Pk, WindowDiff) per seed, in ``seeds`` order])."""
    head = " | ".join(f"seed {s}" for s in seeds)
    print(f"| {label} | {head} | mean Pk / WD |")
    print("| --- |" + " --- |" * (len(seeds) + 1))
    for name, per_seed in rows:
        cells = " | ".join(f"{pk:.4f} / {wd:.4f}" for pk, wd in per_seed)
        mean_pk = sum(p for p, _ in per_seed) / len(per_seed)
        mean_wd = sum(w for _, w in per_seed) / len(per_seed)
        print(f"| {name} | {cells} | {mean_pk:.4f} / {mean_wd:.4f} |")
