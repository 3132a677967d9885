"""The whole analysis of one session, in the order the data flows.

read -> units -> moves -> stages. ``Analyzer`` loads the spaCy pipeline, the move model and
the stage segmenter once (they are the expensive part) and then analyses any number of
transcripts; a batch worker keeps one ``Analyzer`` for its whole life.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .results import SessionAnalysis
from .transcript import Transcript


class Analyzer:
    """Analyses transcripts with one loaded pipeline, model and stage segmenter.

    ``model_dir`` is a model folder (``models/...`` or one made by ``analyzer train``);
    ``None`` takes the shipped default. ``roles`` overrides speakers' roles by name
    (``{"Dana": "mediator"}``).
    """

    def __init__(self, model_dir: str | Path | None = None,
                 roles: Mapping[str, str] | None = None, spacy_model: str | None = None) -> None:
        from .moves import load_model
        from .nlp import make_nlp
        from .stages import load_segmenter

        self.nlp = make_nlp(spacy_model)
        self.model = load_model(model_dir)
        self.segmenter = load_segmenter()
        self.roles = dict(roles or {})

    @property
    def info(self) -> dict:
        """What produced the results (model name, version, hash), for manifests and reports."""
        return dict(self.model.info)

    def analyze(self, transcript: Transcript) -> SessionAnalysis:
        from .nlp import split_units

        transcript = transcript.with_roles(self.roles)
        units = split_units(self.nlp, transcript)
        unit_moves, moves = self.model.predict_session(transcript, units, nlp=self.nlp)
        stages = self.segmenter.segment(transcript, moves)
        return SessionAnalysis(transcript=transcript, units=tuple(units),
                               unit_moves=tuple(unit_moves), moves=tuple(moves),
                               stages=stages, model=self.info)

    def analyze_many(self, transcripts: Iterable[Transcript]) -> Iterator[SessionAnalysis]:
        for transcript in transcripts:
            yield self.analyze(transcript)
