"""The spaCy side of the analyser: units inside turns and linguistic cues of moves.

``make_nlp()`` builds on ``spacy.blank("en")`` (no download): a rule sentence marker, the
``unit_splitter`` (sentence units for long turns) and the ``negotiation_cues`` matcher. A
trained spaCy pipeline is loaded only when a name is given (``make_nlp("en_core_web_sm")``),
and our components are added to it.
"""

from __future__ import annotations

import re
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


#: A run of punctuation long enough to make spaCy's affix splitting slow: it strips one
#: character per pass, so a run costs the square of its length (50,000 "!" took minutes;
#: security QA, 28 Nov 2026)
_LONG_RUN = re.compile(r"([^\w\s]{40,})|\S{1000,}")
#: A chunk of a whitespace-free run of 1,000 characters or more ("1:1:1:...", 50 KB of it:
#: infix splitting is quadratic too) is tokenised this many characters at a time
_CHUNK = 100
#: Texts shorter than this are tokenised directly (a run needs room, and most turns are short)
_RUN_CHECK_FROM = 200


class RunSafeTokenizer:
    """spaCy's tokenizer, with long runs of punctuation cut into one-character tokens, and
    whitespace-free runs of 1,000 characters or more tokenised in chunks.

    The text is kept exactly (``doc.text`` is the input, so every offset stays true); only
    the tokens of such a run differ, and a run of forty or more marks is no word anyway.
    Everything else is the wrapped tokenizer's (``__getattr__``)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.vocab = inner.vocab

    def __call__(self, text: str) -> Doc:
        if len(text) < _RUN_CHECK_FROM or not _LONG_RUN.search(text):
            return self.inner(text)
        words: list[str] = []
        spaces: list[bool] = []
        start = 0
        for match in _LONG_RUN.finditer(text):
            self._piece(text[start:match.start()], words, spaces)
            run = match.group(0)
            if match.group(1):  # marks only: one token each
                words.extend(run)
                spaces.extend([False] * len(run))
            else:  # no word is this long: tokenised a chunk at a time
                for k in range(0, len(run), _CHUNK):
                    self._piece(run[k:k + _CHUNK], words, spaces)
            start = match.end()
        self._piece(text[start:], words, spaces)
        return Doc(self.vocab, words=words, spaces=spaces)

    def _piece(self, piece: str, words: list[str], spaces: list[bool]) -> None:
        """``piece`` tokenised as usual, onto ``words``/``spaces`` (leading whitespace
        becomes a whitespace token, as spaCy makes it)."""
        if not piece:
            return
        for token in self.inner(piece):
            words.append(token.text)
            spaces.append(bool(token.whitespace_))

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


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
    if not isinstance(nlp.tokenizer, RunSafeTokenizer):
        nlp.tokenizer = RunSafeTokenizer(nlp.tokenizer)
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
