"""Units of analysis inside a turn: the whole turn, or its sentences when the turn is long.

A chat message ("I need water, can I have 2?") is one move in the coding schemes we follow
(Weingart et al. 1990 code "thought units"); a two-minute spoken turn holds several, and
labelling it as one would blur an integrative question and a distributive demand into one
label. So a turn longer than ``max_words`` is cut at sentence ends; shorter turns stay whole.
Character offsets are kept so every unit points back into the turn's text.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, ORTH
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc

from ..transcript import Transcript

#: Turns with more words than this are split into sentence units.
MAX_WORDS = 40
_SENT_END = {".", "!", "?", "...", "!!", "??", "?!", "!?", "…"}
_SENT_GO_ON = _SENT_END | {")", '"', "'"}  # tokens after a sentence end that belong to it
# the same as token ids (string hashes: the same in every ``StringStore``)
_END_IDS = frozenset(map(hash_string, _SENT_END))
_GO_ON_IDS = frozenset(map(hash_string, _SENT_GO_ON))

if not Doc.has_extension("units"):
    Doc.set_extension("units", default=None)


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``doc``, cut after runs of . ! ? (and newlines).

    Read from the doc's attribute array (each token's text id, offset, length, space and
    punctuation flags) rather than token by token, the sentence-end texts compared as ids
    (``_END_IDS``): building a ``Token`` and its text per word cost more than the rules.
    The same spans as the token walk (kept in tests/moves/test_speed_equivalence.py as the
    reference, compared on every CaSiNo turn)."""
    n = len(doc)
    if not n:
        return []
    strings = doc.vocab.strings
    orth, idx, size, space, punct = doc.to_array([ORTH, IDX, LENGTH, IS_SPACE, IS_PUNCT]) \
        .T.tolist()
    spans: list[tuple[int, int]] = []
    start = None
    for i, o in enumerate(orth):
        if space[i] and "\n" in strings[o]:
            if start is not None:
                spans.append((idx[start], idx[i - 1] + size[i - 1]))
                start = None
            continue
        if start is None:
            start = i
        if o in _END_IDS or (punct[i] and strings[o][-1:] in "!?"):
            if i + 1 < n and orth[i + 1] in _GO_ON_IDS:
                continue  # "?!" or a closing quote still belong to this sentence
            spans.append((idx[start], idx[i] + size[i]))
            start = None
    if start is not None:
        last = n - 1
        while last > start and space[last]:
            last -= 1
        spans.append((idx[start], idx[last] + size[last]))
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
