"""The spaCy side of the analyser: units inside turns and linguistic cues of moves.

``make_nlp()`` builds on ``spacy.blank("en")`` (no download): a rule sentence marker, the
``unit_splitter`` (sentence units for long turns) and the ``negotiation_cues`` matcher. A
trained spaCy pipeline is loaded only when a name is given (``make_nlp("en_core_web_sm")``),
and our components are added to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import ModelError
from ..results import Unit
from ..transcript import Transcript
from .cues import CUE_NAMES, CUES, CueComponent, cue_quotes
from .units import MAX_WORDS, UnitSplitter, sentence_spans, turn_docs

__all__ = ["CUES", "CUE_NAMES", "CueComponent", "MAX_WORDS", "UnitSplitter", "cue_quotes",
           "make_nlp", "sentence_spans", "split_units", "split_units_many", "turn_docs"]

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
    return split_units_many(nlp, [transcript])[0]


def split_units_many(nlp: Language, transcripts: Iterable[Transcript],
                     docs: Sequence[Sequence[Doc | None]] | None = None) -> list[list[Unit]]:
    """``split_units`` for many transcripts: each spoken turn is tokenized once and passed
    straight to the ``unit_splitter`` (the only component units need; calling it directly
    skips ``nlp.pipe``'s set-up per session, which cost more than the tokenizing).

    ``docs`` (from ``turn_docs``, one list per transcript) are turns already tokenised with
    ``nlp``: ``Analyzer`` tokenises once and gives the same Docs to the stage evidence."""
    splitter = nlp.get_pipe("unit_splitter") if "unit_splitter" in nlp.pipe_names else None
    out: list[list[Unit]] = []
    for n, transcript in enumerate(transcripts):
        units: list[Unit] = []
        known = docs[n] if docs is not None else None
        for k_turn, turn in enumerate(transcript.turns):
            if turn.is_action:
                units.append(Unit(turn.index, 0, 0, len(turn.text), turn.text))
                continue
            spans = None
            if splitter is not None:
                doc = known[k_turn] if known is not None else nlp.make_doc(turn.text)
                if isinstance(splitter, UnitSplitter):
                    spans = splitter.spans(doc, turn.text)
                else:
                    spans = splitter(doc)._.units
            spans = spans or [(0, len(turn.text))]
            for k, (start, end) in enumerate(spans):
                units.append(Unit(turn.index, k, start, end, turn.text[start:end]))
        out.append(units)
    return out
