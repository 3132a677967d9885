"""The whole analysis of one session, in the order the data flows.

read -> units -> moves -> stages. ``Analyzer`` loads the spaCy pipeline, the move model and
the stage segmenter once (they are the expensive part) and then analyses any number of
transcripts; a batch worker keeps one ``Analyzer`` for its whole life.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .results import SessionAnalysis
from .transcript import Transcript


class Analyzer:
    """Analyses transcripts with one loaded pipeline, model and stage segmenter.

    ``model_dir`` is a model folder (``models/...`` or one made by ``analyzer train``);
    ``None`` takes the shipped default. ``roles`` overrides speakers' roles by name
    (``{"Dana": "mediator"}``).

    ``explain=False`` skips the per-turn detail only reports and ``analyzer analyze``'s JSON
    show: each ``TurnMove``'s ``reasons`` (why the model chose it) and ``probabilities`` (per
    orientation), and the per-turn stage ``probabilities``, are left empty. Every other
    result is the same (tested), the tables included; a batch that writes no reports needs
    no more (``batch.worker.get_analyzer``).
    """

    def __init__(self, model_dir: str | Path | None = None,
                 roles: Mapping[str, str] | None = None, spacy_model: str | None = None,
                 explain: bool = True) -> None:
        from .moves import load_model
        from .nlp import make_nlp
        from .stages import load_segmenter

        self.nlp = make_nlp(spacy_model)
        self.model = load_model(model_dir)
        self.segmenter = load_segmenter()
        self.roles = dict(roles or {})
        self.explain = explain
        # the stage evidence tokenises with blank English; with the default pipeline that is
        # ``self.nlp`` itself, so one tokenisation serves units and evidence (and no second
        # pipeline is built). A named spaCy model may tokenise differently: the evidence
        # then keeps its own blank pipeline, as before.
        self._evidence_nlp = self.nlp if spacy_model is None else None
        self._lock = threading.RLock()  # one analysis at a time (``_analyze_batch``)

    @property
    def info(self) -> dict:
        """What produced the results (model name, version, hash), for manifests and reports."""
        return dict(self.model.info)

    def analyze(self, transcript: Transcript) -> SessionAnalysis:
        """Units, moves, stages and outcome of one session (a ``Transcript``, as
        ``read_transcripts`` yields them)."""
        return next(iter(self.analyze_many([transcript])))

    def analyze_many(self, transcripts: Iterable[Transcript], batch_size: int = 64
                     ) -> Iterator[SessionAnalysis]:
        """``analyze`` for a stream of sessions, yielded in order, one by one; the same
        results as ``analyze`` on each (tested).

        Why: units and moves are computed for ``batch_size`` sessions together (one feature
        matrix, one set of model products, one pass of explanations), which removes the
        per-session overhead that dominated ``analyze``; stages stay per session. A session
        is yielded once its batch is done, so memory stays bounded by ``batch_size``."""
        batch: list[Transcript] = []
        for transcript in transcripts:
            if not isinstance(transcript, Transcript):  # a path, None: say what is wanted
                raise TypeError(
                    f"analyze takes a Transcript, not {type(transcript).__name__}: read the "
                    "file first, e.g. analyzer.read_transcripts(path) yields its sessions")
            batch.append(transcript)
            if len(batch) >= batch_size:
                yield from self._analyze_batch(batch)
                batch = []
        if batch:
            yield from self._analyze_batch(batch)

    def _analyze_batch(self, transcripts: list[Transcript]) -> Iterator[SessionAnalysis]:
        """The analyses of one batch, computed under the analyser's lock, then yielded (and
        the error of a bad session raised after the good ones before it).

        Why the lock: the pipeline's caches and the model's buffers are shared by every
        call, so two threads analysing at once with one ``Analyzer`` got different moves
        and stages (a Dask worker with ``--nthreads 2``: 3,251 of 4,165 turns differed;
        cluster QA, 28 Nov 2026). Calls from several threads now take turns; for
        parallel work use processes (``analyzer batch --workers``)."""
        with self._lock:
            done: list[SessionAnalysis] = []
            try:
                for analysis in self._batch_steps(transcripts):
                    done.append(analysis)
            except Exception as exc:  # on purpose: raised below, after the good ones
                error: Exception | None = exc
            else:
                error = None
        yield from done
        if error is not None:
            raise error

    def _batch_steps(self, transcripts: list[Transcript]) -> Iterator[SessionAnalysis]:
        from .moves.third_party import code_third_parties
        from .nlp import split_units_many, turn_docs
        from .stages.evidence import remember_docs

        transcripts = [t.with_roles(self.roles) for t in transcripts]
        try:
            docs = [turn_docs(self.nlp, t) for t in transcripts]
            all_units = split_units_many(self.nlp, transcripts, docs=docs)
            if self._evidence_nlp is not None:  # all the batch's texts in one call
                pairs = [(t.text, d) for transcript, turn_doc in zip(transcripts, docs,
                                                                     strict=True)
                         for t, d in zip(transcript.turns, turn_doc, strict=True)
                         if d is not None]
                remember_docs(self._evidence_nlp, [p[0] for p in pairs],
                              [p[1] for p in pairs])
            del docs
            predicted = self.model.predict_sessions(
                list(zip(transcripts, all_units, strict=True)), explain=self.explain)
            # the stage text model's columns of the whole batch at once (same numbers)
            texts = self.segmenter.text_columns(transcripts, nlp=self._evidence_nlp)
        except Exception:
            if len(transcripts) == 1:
                raise
            # one bad session must not take the others down: redo this batch session by
            # session, so every good session before the bad one is still yielded
            for transcript in transcripts:
                yield from self._batch_steps([transcript])
            return
        info = self.info
        try:  # the stages of the whole batch, decoded together (the same results)
            segmented = self.segmenter.segment_many(
                transcripts, [moves for _, moves in predicted], nlp=self._evidence_nlp,
                probabilities=self.explain, texts=texts)
        except Exception:  # a bad session: segment them one by one below, so that the
            segmented = None  # sessions before it are yielded and its error is its own
        for k, (transcript, units, (unit_moves, moves)) in enumerate(
                zip(transcripts, all_units, predicted, strict=True)):
            stages = segmented[k] if segmented is not None else self.segmenter.segment(
                transcript, moves, nlp=self._evidence_nlp, probabilities=self.explain,
                text=None if texts is None else texts[k])
            # a third party's turns get process codes, after the stages (whose evidence
            # was fitted on the model's labels of every turn)
            moves, unit_moves = code_third_parties(transcript, moves, unit_moves, units,
                                                   self.explain)
            yield SessionAnalysis(transcript=transcript, units=tuple(units),
                                  unit_moves=tuple(unit_moves), moves=tuple(moves),
                                  stages=stages, model=dict(info))

    def analyze_each(self, transcripts: Iterable[Transcript]
                     ) -> Iterator[tuple[Transcript, SessionAnalysis | None, Exception | None]]:
        """Each transcript with its analysis, or with the exception it raised.

        For runs over many sessions: sessions go through ``analyze_many`` (vectorised, same
        results), and when one fails the sessions before it are kept, the failed one is
        yielded with its error and the rest resume in a new batch, so one bad session never
        costs the others.
        """
        rest = list(transcripts)
        while rest:
            done = 0
            try:
                for analysis in self.analyze_many(rest):
                    yield rest[done], analysis, None
                    done += 1
                return
            except Exception as exc:  # reported as this session's failure
                yield rest[done], None, exc
                rest = rest[done + 1:]
