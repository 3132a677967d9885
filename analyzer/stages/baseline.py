"""The naive keyword baseline every stage score is reported next to.

Each turn gets the stage of the last keyword group it contains (greeting -> opening, need
words -> exploring, a number or "offer" -> bargaining, "deal"/"accept"/"thanks" ->
closing), carried forward and kept monotone. This is the "ad-hoc keyword rules" approach
the HMM replaces; reporting it in the same run shows what the decoding adds.
"""

from __future__ import annotations

import re

from ..results import STAGES
from ..transcript import Transcript

_RULES = (
    ("opening", re.compile(r"\b(hi|hello|hey|how are you|good morning)\b")),
    ("exploring", re.compile(r"\b(need|prefer|priority|important|want)\b")),
    ("bargaining", re.compile(r"\b(\d+|offer|how about|give you|take)\b")),
    ("closing", re.compile(r"\b(deal|accept|agree|thanks|thank you|bye)\b")),
)


def keyword_stages(transcript: Transcript) -> list[str]:
    """Stage per turn by keyword rules, monotone (never going back)."""
    labels: list[str] = []
    current = 0
    for turn in transcript.turns:
        text = turn.text.lower()
        if turn.action is not None:
            found = 3 if turn.action.kind in ("accept", "walk_away") else 2
        else:
            hits = [STAGES.index(s) for s, rx in _RULES if rx.search(text)]
            found = max(hits) if hits else current
        current = max(current, found)
        labels.append(STAGES[current])
    return labels
