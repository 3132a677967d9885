"""What the analysis adds to a transcript, kept apart from the transcript itself.

Flow: read -> units -> moves -> stages -> tables -> render. Each step's output is a small
immutable record keyed to turn positions, so tables and reports are built at the edge from
``SessionAnalysis`` and never change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .transcript import Transcript

ORIENTATIONS = ("integrative", "distributive", "neutral")
STAGES = ("opening", "exploring", "bargaining", "closing")
OUTCOMES = ("agreement", "impasse", "unfinished")


@dataclass(frozen=True)
class Unit:
    """A unit of analysis inside a turn (a sentence of a long spoken turn, or the whole turn)."""

    turn: int
    index: int  # position of the unit inside its turn
    start_char: int
    end_char: int
    text: str


@dataclass(frozen=True)
class UnitMove:
    """The label of one unit: move type, orientation and how sure the model is."""

    turn: int
    index: int
    move: str
    orientation: str
    confidence: float


@dataclass(frozen=True)
class TurnMove:
    """The move of a whole turn, rolled up from its units.

    ``labels`` holds every label the model (or rules) found in the turn (CaSiNo-style
    multi-label); ``move`` is the one shown in tables; ``reasons`` are the few features or
    cues that drove the prediction, for the coach who asks "why is this distributive?".
    """

    turn: int
    move: str
    orientation: str
    confidence: float
    labels: tuple[str, ...] = ()
    probabilities: Mapping[str, float] = field(default_factory=dict, compare=False, hash=False)
    reasons: tuple[str, ...] = ()
    offer: str | None = None  # offer kind detected by rules, e.g. "package_offer"


@dataclass(frozen=True)
class StageSegmentation:
    """Stages of one session: a label per turn, probabilities, and the outcome reached."""

    stages: tuple[str, ...]
    probabilities: tuple[Mapping[str, float], ...] = ()
    outcome: str = "unfinished"
    outcome_turn: int | None = None

    def boundaries(self) -> dict[str, int | None]:
        """The first turn of each stage, ``None`` for a skipped stage."""
        first: dict[str, int | None] = {s: None for s in STAGES}
        for i, stage in enumerate(self.stages):
            if first[stage] is None:
                first[stage] = i
        return first


@dataclass(frozen=True)
class SessionAnalysis:
    """Everything the analyser knows about one session."""

    transcript: Transcript
    units: tuple[Unit, ...]
    unit_moves: tuple[UnitMove, ...]
    moves: tuple[TurnMove, ...]
    stages: StageSegmentation
    model: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
