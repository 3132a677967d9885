"""Is a transcript in English? The analyser's models and cue lists are English-only.

Why: a Spanish or German transcript reads without error, and the move model and stage cues
then label it with confident nonsense. Rather than stay silent, every session gets an
``english_share``: the share of its first words (about 1,200 characters of speech) that are
common English words (spaCy's English stop-word list: "the", "and", "to", "I", "we"...).

Measured on the project's corpora (whitespace-split words, punctuation left attached, so
shares sit a little below the true stop-word rate): the 930 CaSiNo dialogues 0.43-0.76
(median 0.55), the 11 examples and 200 spoken-style sessions 0.36 and above, against
0.02-0.07 for short Spanish, German and French negotiations. A session below
``ENGLISH_MIN_SHARE`` is flagged (reports, terminal, the ``english_share`` column); one
with fewer than ``MIN_WORDS`` words is too short to tell (``None``, never flagged).

Cost: about 20 us per session (one join, one split, a set look-up per word), so it is
computed for every session, in the batch tables too.
"""

from __future__ import annotations

from functools import lru_cache

from ..transcript import Transcript

#: Below this share of common English words a session is flagged as not English.
ENGLISH_MIN_SHARE = 0.15
#: Fewer words than this: too short to tell.
MIN_WORDS = 30
#: How much of the session's speech is read (characters; whole turns, so a little more).
SAMPLE_CHARS = 1200

LANGUAGE_NOTE = (
    "This session does not look like English: only {share} of its first words are common "
    "English words (English talk: 36% and more). The move model and the stage cues are "
    "English-only, so its moves, orientations and stages are not meaningful.")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def english_share(transcript: Transcript) -> float | None:
    """Share of common English words among the first words spoken (formal actions left
    out), rounded to 3 places; ``None`` below ``MIN_WORDS`` words."""
    parts: list[str] = []
    size = 0
    for turn in transcript.turns:
        if turn.action is None:
            parts.append(turn.text)
            size += len(turn.text)
            if size >= SAMPLE_CHARS:
                break
    words = " ".join(parts).lower().replace("\u2019", "'").split()
    if len(words) < MIN_WORDS:
        return None
    return round(sum(map(_stop_words().__contains__, words)) / len(words), 3)


def looks_english(share: float | None) -> bool:
    """False only for a share measured and below ``ENGLISH_MIN_SHARE``."""
    return share is None or share >= ENGLISH_MIN_SHARE


def language_note(share: float | None) -> str | None:
    """The reports' warning for a session that does not look like English, else None."""
    if looks_english(share):
        return None
    return LANGUAGE_NOTE.format(share=f"{round(100 * share)}%")
