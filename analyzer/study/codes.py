"""Which label a study uses for each turn: the model's, or the human (gold) labels.

The same sequence or outcome analysis can run on the model's labels or on the human strategy
labels a corpus carries (CaSiNo), so a researcher can see where the two tell different
stories. Human labels are multi-label (``"self-need,small-talk"``); for orientation they are
mapped with the project's rule: any proself label -> distributive, else any prosocial label ->
integrative, else neutral.
"""

from __future__ import annotations

import pandas as pd

from ..errors import UsageError

LABEL_SOURCES = ("model", "gold")
CODES = ("orientation", "move")

# CaSiNo's groups (Chawla et al. 2021). Kept here as the fallback when the move taxonomy
# does not publish its own mapping.
PROSELF = frozenset({"self-need", "other-need", "vouch-fair", "uv-part"})
PROSOCIAL = frozenset({"small-talk", "showing-empathy", "promote-coordination", "no-need",
                       "elicit-pref"})


def split_labels(value) -> list[str]:
    """``"a,b"`` -> ``["a", "b"]``; missing -> ``[]``."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [p.strip() for p in str(value).split(",") if p.strip()]


def _taxonomy_orientation():
    """The move taxonomy's label -> orientation rule, when ``analyzer.moves`` is there."""
    try:
        from ..moves.taxonomy import CASINO_ORIENTATION, orientation_of_labels
    except ImportError:  # studies on saved tables do not need the model package
        return None
    return lambda labels: orientation_of_labels(labels, CASINO_ORIENTATION)


def gold_orientation(value) -> str | None:
    """Orientation of a turn's human labels; ``None`` when the turn has none."""
    labels = split_labels(value)
    if not labels:
        return None
    func = _taxonomy_orientation()
    if func is not None:
        return func(labels)
    if any(label in PROSELF for label in labels):
        return "distributive"
    if any(label in PROSOCIAL for label in labels):
        return "integrative"
    return "neutral"


def turn_codes(turns: pd.DataFrame, labels: str = "model", code: str = "orientation"
               ) -> pd.Series:
    """One code per turn (``None`` where there is none), from the model or the gold column.

    For gold labels, ``code="move"`` takes the first human label (CaSiNo lists them
    unordered, so treat it as "a" label, not "the" label); ``orientation`` maps them all.
    """
    if labels not in LABEL_SOURCES:
        raise UsageError(f"unknown label source {labels!r}",
                         hint=f"choose one of {', '.join(LABEL_SOURCES)}")
    if labels == "model":
        if code not in turns.columns:
            raise UsageError(f"the turns table has no column {code!r}",
                             hint=f"choose a code among the table's columns, e.g. "
                                  f"{', '.join(CODES)}")
        return turns[code].where(turns[code].notna(), None)
    if "gold" not in turns.columns:
        raise UsageError("the turns table has no gold column",
                         hint="human labels come from a corpus that carries them (CaSiNo)")
    if code == "orientation":
        return turns["gold"].map(gold_orientation)
    if code == "move":
        return turns["gold"].map(lambda v: (split_labels(v) or [None])[0])
    raise UsageError(f"code {code!r} is not available for gold labels",
                     hint=f"choose one of {', '.join(CODES)}")
