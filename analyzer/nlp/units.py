"""Units of analysis inside a turn: the whole turn, or its sentences when the turn is long.

A chat message ("I need water, can I have 2?") is one move in the coding schemes we follow
(Weingart et al. 1990 code "thought units"); a two-minute spoken turn holds several, and
labelling it as one would blur an integrative question and a distributive demand into one
label. So a turn longer than ``max_words`` is cut at sentence ends; shorter turns stay whole.
Character offsets are kept so every unit points back into the turn's text.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc

from ..transcript import Transcript

#: Turns with more words than this are split into sentence units.
MAX_WORDS = 40
_SENT_END = {".", "!", "?", "...", "!!", "??", "?!", "!?", "…"}

if not Doc.has_extension("units"):
    Doc.set_extension("units", default=None)


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``doc``, cut after runs of . ! ? (and newlines)."""
    spans: list[tuple[int, int]] = []
    start = None
    n = len(doc)
    for i, tok in enumerate(doc):
        if tok.is_space and "\n" in tok.text:
            if start is not None:
                spans.append((doc[start].idx, doc[i - 1].idx + len(doc[i - 1].text)))
                start = None
            continue
        if start is None:
            start = i
        end_here = tok.text in _SENT_END or (tok.is_punct and tok.text[-1:] in "!?")
        if end_here:
            nxt = doc[i + 1] if i + 1 < n else None
            if nxt is not None and nxt.text in _SENT_END | {")", '"', "'"}:
                continue  # "?!" or a closing quote still belong to this sentence
            spans.append((doc[start].idx, tok.idx + len(tok.text)))
            start = None
    if start is not None:
        last = n - 1
        while last > start and doc[last].is_space:
            last -= 1
        spans.append((doc[start].idx, doc[last].idx + len(doc[last].text)))
    return spans


@Language.factory("unit_splitter", default_config={"max_words": MAX_WORDS})
def make_unit_splitter(nlp: Language, name: str, max_words: int):
    return UnitSplitter(max_words)


class UnitSplitter:
    """Sets ``doc._.units`` to the (start_char, end_char) of each unit of the turn."""

    def __init__(self, max_words: int = MAX_WORDS) -> None:
        self.max_words = max_words

    def __call__(self, doc: Doc) -> Doc:
        doc._.units = self.spans(doc, doc.text)
        return doc

    def spans(self, doc: Doc, text: str) -> list[tuple[int, int]]:
        """The unit spans of ``doc``, whose text the caller already has (spaCy's tokenizer
        keeps the text exactly, and rebuilding ``doc.text`` from the tokens cost more than
        the tokenizing)."""
        # tokens >= words, so a short doc needs no word count (the common case, and fast)
        if len(doc) <= self.max_words or _word_count(doc) <= self.max_words:
            return [_trimmed(text, 0, len(text))]
        return sentence_spans(doc) or [_trimmed(text, 0, len(text))]


def _word_count(doc: Doc) -> int:
    """Tokens that are neither punctuation nor space, counted on the doc's attribute array
    (the same count as iterating over the tokens, without building a Token per word)."""
    flags = doc.to_array([IS_PUNCT, IS_SPACE])
    return int(np.count_nonzero(~flags.any(axis=1)))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding whitespace (an all-blank text keeps its full span)."""
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else (start, end)


def turn_docs(nlp: Language, transcript: Transcript) -> list[Doc | None]:
    """Each turn's text tokenised with ``nlp``'s tokenizer (``None`` for a formal action).

    Why: the unit splitter and the stage evidence both need a turn's tokens; tokenising
    once for both saves one of the two passes (``Analyzer`` does this)."""
    return [None if turn.is_action else nlp.make_doc(turn.text) for turn in transcript.turns]
