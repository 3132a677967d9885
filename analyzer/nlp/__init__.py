"""The spaCy side of the analyser: units inside turns and linguistic cues of moves.

``make_nlp()`` builds on ``spacy.blank("en")`` (no download): a rule sentence marker, the
``unit_splitter`` (sentence units for long turns) and the ``negotiation_cues`` matcher. A
trained spaCy pipeline is loaded only when a name is given (``make_nlp("en_core_web_sm")``),
and our components are added to it.
"""

from __future__ import annotations

import spacy
from spacy.language import Language

from ..errors import ModelError
from ..results import Unit
from ..transcript import Transcript
from .cues import CUE_NAMES, CUES, CueComponent, cue_quotes
from .units import MAX_WORDS, UnitSplitter, sentence_spans

__all__ = ["CUES", "CUE_NAMES", "CueComponent", "MAX_WORDS", "UnitSplitter", "cue_quotes",
           "make_nlp", "sentence_spans", "split_units"]

UNIT_PIPES = ("unit_splitter",)
CUE_PIPES = ("negotiation_cues",)


def make_nlp(name: str | None = None) -> Language:
    """A spaCy pipeline with the analyser's components.

    ``name=None`` gives blank English. Otherwise ``name`` is an installed spaCy pipeline
    (package name or path), loaded only because the user asked for it.
    """
    if name is None:
        nlp = spacy.blank("en")
    else:
        try:
            nlp = spacy.load(name)
        except OSError as exc:
            raise ModelError(f"spaCy pipeline {name!r} is not installed",
                             hint="leave --spacy-model out to use blank English, or install "
                                  f"the pipeline first ({exc.__class__.__name__})") from exc
    if "unit_splitter" not in nlp.pipe_names:
        nlp.add_pipe("unit_splitter")
    if "negotiation_cues" not in nlp.pipe_names:
        nlp.add_pipe("negotiation_cues")
    return nlp


def split_units(nlp: Language, transcript: Transcript) -> list[Unit]:
    """The units of every turn, in order; every turn has at least one unit.

    An action turn (e.g. Submit-Deal) is one unit holding its text. Offsets are characters
    into the turn's text.
    """
    units: list[Unit] = []
    spoken = [t for t in transcript.turns if not t.is_action]
    disable = [p for p in nlp.pipe_names if p != "unit_splitter"]
    docs = iter(nlp.pipe((t.text for t in spoken), disable=disable))
    for turn in transcript.turns:
        if turn.is_action:
            units.append(Unit(turn.index, 0, 0, len(turn.text), turn.text))
            continue
        doc = next(docs)
        spans = doc._.units or [(0, len(turn.text))]
        for k, (start, end) in enumerate(spans):
            units.append(Unit(turn.index, k, start, end, turn.text[start:end]))
    return units
