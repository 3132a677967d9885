"""One joined, read-only view per turn: what was said, by whom, in which stage, with which move.

Every report metric needs the same few facts about a turn (speaker and role, words, time,
stage, move, orientation, questions asked). Joining them once here keeps the metric modules
short and guarantees they all count the same way: words are whitespace tokens (as in the
tables), actions (Submit-Deal, Accept-Deal...) are turns but carry no words, and a third
party's turns are flagged so no metric counts them as a party's claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..results import SessionAnalysis
from ..transcript import PAUSE_SECONDS, is_third_party
from .tables import words

_QUESTION = re.compile(r"\?+")


@dataclass(frozen=True)
class TurnFact:
    """A turn joined with its move and stage; the unit every report metric counts."""

    index: int
    speaker: str
    role: str
    is_action: bool
    action: str | None
    text: str
    words: int
    start: float | None
    end: float | None
    stage: str
    move: str
    orientation: str
    confidence: float
    labels: tuple[str, ...]
    offer: str | None
    questions: int
    end_estimated: bool = False
    #: (move, orientation) of each unit of the turn, in order
    units: tuple[tuple[str, str], ...] = ()
    #: the issues a formal action's terms name (a Submit-Deal's items), in order
    action_issues: tuple[str, ...] = ()
    #: the side the speaker speaks for, when the source says ("union"), else None
    side: str | None = None

    @property
    def is_party(self) -> bool:
        return not is_third_party(self.role)

    @property
    def spoken(self) -> bool:
        return not self.is_action

    #: seconds of silence inside the turn (between its merged caption cues), not talk
    pause: float = 0.0

    @property
    def duration(self) -> float | None:
        """Seconds the turn was spoken, when the transcript has both start and end times:
        its span less the silences between its merged cues (``io.base.PAUSE_SECONDS``)."""
        if self.start is None or self.end is None:
            return None
        return max(0.0, self.end - self.start - self.pause)

    def move_for(self, orientation: str) -> str:
        """The move that gives the turn ``orientation``: the first unit with it, else the
        turn's move (the model predicts a turn's move and orientation separately)."""
        for move, unit_orientation in self.units:
            if unit_orientation == orientation:
                return move
        return self.move

    @property
    def names(self) -> set[str]:
        """The move, every label and the offer kind, lower-cased: what vocab rules look at."""
        found = {self.move.lower(), *(label.lower() for label in self.labels)}
        if self.offer:
            found.add(self.offer.lower())
        return found


def _questions(analysis: SessionAnalysis) -> dict[int, int]:
    """Questions per turn: the question marks in its text (a run such as "?!?" is one).

    Not the units that end in "?": a short turn is one unit, so "Can you hear me okay? I'm
    on the train." asked a question that a count of units would miss (QA found 12 of 74
    missed in the examples)."""
    return {turn.index: len(_QUESTION.findall(turn.text))
            for turn in analysis.transcript.turns if not turn.is_action}


#: Written chats (WhatsApp, Slack): messages have send times, not spoken durations.
CHAT_FORMATS = frozenset({"whatsapp", "slack"})
#: Speech rate used to estimate how long the last turn of a transcript without end times
#: lasted (about 150 words a minute, a common conversational rate).
WORDS_PER_SECOND = 2.5
#: The longest a start-only spoken turn is taken to hold the floor: its words at half the
#: usual rate, plus a few seconds. A gap longer than that before the next turn is a break
#: (a caucus, a call to the boss), not the speaker's talk.
HOLD_WORDS_PER_SECOND = WORDS_PER_SECOND / 2
HOLD_PAUSE_SECONDS = 3.0


def turn_ends(analysis: SessionAnalysis) -> list[tuple[float | None, bool]]:
    """Each turn's end and whether it was estimated.

    Many transcripts give only start times ("[00:01:05] Ana: ..."). A speaker then holds
    the floor until the next timed turn starts, but no longer than the turn's words take at
    ``HOLD_WORDS_PER_SECOND`` plus ``HOLD_PAUSE_SECONDS``: "I'll take it to my director"
    followed by two minutes of silence is 9 s of talk, not 2:30 (before 0.4.0 the break
    gave that speaker 82% of a stage's time on 54% of its words; QA). The last turn is
    given its words at ``WORDS_PER_SECOND``. Without these estimates time shares would be
    empty for them.
    In a chat (``CHAT_FORMATS``) nobody holds the floor between messages: an overnight
    pause is no one's talk, so each message gets its words' time (at most until the next).
    """
    turns = analysis.transcript.turns
    chat = analysis.transcript.format in CHAT_FORMATS
    ends: list[tuple[float | None, bool]] = []
    next_start: float | None = None
    for turn in reversed(turns):
        if turn.end is not None or turn.start is None:
            ends.append((turn.end, False))
        elif next_start is not None and chat:  # typed: its words' time, not the gap after it
            ends.append((max(turn.start, min(next_start, turn.start + (
                0 if turn.is_action else words(turn.text)) / WORDS_PER_SECOND)), True))
        elif next_start is not None:
            held = HOLD_PAUSE_SECONDS + (0 if turn.is_action else words(turn.text)) \
                / HOLD_WORDS_PER_SECOND
            ends.append((max(turn.start, min(next_start, turn.start + held)), True))
        else:
            ends.append((turn.start + (0 if turn.is_action else words(turn.text))
                         / WORDS_PER_SECOND, True))
        if turn.start is not None:
            next_start = turn.start
    return ends[::-1]


def _action_issues(turn) -> tuple[str, ...]:
    """The issues a formal action's terms split ({"speaker_gets": {"Food": 2, ...}, ...} ->
    ("Food", ...)), each once: a Submit-Deal puts every item it divides on the table."""
    terms = turn.action.terms if turn.action is not None else None
    found: dict[str, None] = {}
    for side in (terms or {}).values():
        if isinstance(side, dict):
            found.update(dict.fromkeys(str(k) for k in side))
    return tuple(found)


def turn_facts(analysis: SessionAnalysis) -> list[TurnFact]:
    """The joined view of every turn, in transcript order."""
    t = analysis.transcript
    questions = _questions(analysis)
    ends = turn_ends(analysis)
    units: dict[int, list[tuple[str, str]]] = {}
    for unit, move in zip(analysis.units, analysis.unit_moves, strict=True):
        units.setdefault(unit.turn, []).append((move.move, move.orientation))
    facts = []
    for pos, (turn, move, stage) in enumerate(
            zip(t.turns, analysis.moves, analysis.stages.stages, strict=True)):
        facts.append(TurnFact(
            index=turn.index, speaker=turn.speaker, role=t.role_of(turn.speaker),
            is_action=turn.is_action, action=turn.action.kind if turn.action else None,
            text=turn.text, words=0 if turn.is_action else words(turn.text),
            start=turn.start, end=ends[pos][0], end_estimated=ends[pos][1],
            stage=stage, move=move.move,
            orientation=move.orientation, confidence=float(move.confidence),
            labels=tuple(move.labels), offer=move.offer,
            questions=0 if turn.is_action else questions.get(pos, 0),
            units=tuple(units.get(turn.index, ())),
            action_issues=_action_issues(turn), side=t.side_of(turn.speaker),
            pause=turn.meta.get(PAUSE_SECONDS, 0.0) if turn.meta else 0.0,
        ))
    return facts
