"""Is a transcript in English? The analyser's models and cue lists are English-only.

Why: a Spanish or Dutch transcript reads without error, and the move model and stage cues
then label it with confident nonsense (a short Spanish negotiation came out 100%
integrative, and every non-English deal "unfinished"). So every session is checked, from
words sampled evenly over its whole speech (about ``SAMPLE_CHARS`` characters, at most
``TURN_CHARS`` of a turn; digits and punctuation left out), against spaCy's stop-word
lists (offline):

- ``english_share``: the share of the words that are English stop words ("the", "and",
  "to", "I", "we"...);
- for each of ``OTHER_LANGUAGES``, the words on that language's list and not on English's,
  less the words on English's list and not on that one's, over all words: the *margin* of
  the likeliest other language. Words both languages share ("in", "is", "we" for Dutch) count
  for neither, so Dutch or Danish, which share many short words with English, are still
  told apart.

A session is flagged as not English when ``english_share`` is below ``ENGLISH_MIN_SHARE`` or
another language's margin is above ``OTHER_MIN_MARGIN``. Fewer than ``MIN_WORDS`` words are
too short to tell (never flagged).

Measured (``tests/nlp/test_language.py`` and the docs): on the 930 CaSiNo dialogues and the
project's 259 English transcripts, ``english_share`` is 0.42 and above and the likeliest
other language's margin -0.31 and below; on negotiations written in Spanish, Portuguese,
French, Italian, German, Dutch, Danish, Norwegian and Swedish the margin is 0.42 and above,
and a session of ten English lines and 28 Spanish turns 0.27. English with a long French
quote (0.11), code-switching and chat-speak stay below.

Cost: about 25 us per English session (one regular expression over the sample, one set
look-up per word; the other languages are compared only below ``SURELY_ENGLISH``), so it
runs for every session, in the batch tables too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from runpy import run_path

from ..transcript import Transcript

#: Below this share of English stop words a session is not English.
ENGLISH_MIN_SHARE = 0.15
#: Above this margin of another language's own stop words a session is not English.
OTHER_MIN_MARGIN = 0.15
#: Fewer words than this: too short to tell.
MIN_WORDS = 30
#: About how much of the session's speech is read (characters), sampled over all of it.
SAMPLE_CHARS = 1000
#: At most this much of one turn is read (characters).
TURN_CHARS = 200
#: At or above this share of English stop words a session is English without comparing the
#: other languages (the costly part): their words on English's list are the few they share
#: with it (Dutch 0.16, Danish 0.14 at most in the tests), English talk 0.42 and above.
SURELY_ENGLISH = 0.3
#: The languages compared with English (spaCy's codes), with the names the reports use.
OTHER_LANGUAGES = {
    "de": "German", "nl": "Dutch", "da": "Danish", "sv": "Swedish", "nb": "Norwegian",
    "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian", "ca": "Catalan",
    "ro": "Romanian", "pl": "Polish", "cs": "Czech", "tr": "Turkish", "id": "Indonesian",
    "af": "Afrikaans",
}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
#: ASCII punctuation (but the apostrophe) and digits to spaces, byte by byte: the fast
#: split for the English share (a regular expression costs 4x as much, ~35 us a session)
_SPACES = bytes(32 if chr(b) in "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~0123456789" else b
                for b in range(256))

LANGUAGE_NOTE = (
    "This session does not look like English{likely}: only {share} of its words are common "
    "English words (English talk: 42% and more). The move model, the stage cues and the "
    "outcome rules are English-only, so its moves, orientations, stages and outcome are not "
    "meaningful.")


@dataclass(frozen=True)
class LanguageCheck:
    """What ``check_language`` found: ``english_share`` (None: too short to tell), the
    likeliest other language (spaCy code) and its margin."""

    english_share: float | None
    other: str | None = None
    other_margin: float | None = None

    @property
    def english(self) -> bool:
        """False only for a session measured and found not English."""
        if self.english_share is None:
            return True
        return (self.english_share >= ENGLISH_MIN_SHARE
                and (self.other_margin is None or self.other_margin <= OTHER_MIN_MARGIN))

    @property
    def likely(self) -> str | None:
        """The name of the other language, when that is why the session is flagged."""
        if self.other_margin is not None and self.other_margin > OTHER_MIN_MARGIN:
            return OTHER_LANGUAGES.get(self.other or "")
        return None


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    return frozenset(w for w, m in _masks().items() if m & 1)


def stop_words(code: str) -> frozenset[str]:
    """spaCy's stop words of language ``code``, read from ``spacy/lang/<code>/stop_words.py``
    alone. Why not ``import spacy.lang.<code>.stop_words``: that imports the language's
    package first (its tokenizer exceptions, lemmatizer, syntax): about 0.2 s of CPU each,
    3 s for the 17 lists in every batch worker. The files hold one literal set each."""
    spec = find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "lang" / code / "stop_words.py"
    return frozenset(run_path(str(path)).get("STOP_WORDS", ()))


@lru_cache(maxsize=1)
def _masks() -> dict[str, int]:
    """Each stop word of English (bit 0) and the other languages (bits 1..) with the bits of
    the lists it is on: one dictionary look-up per word tells every language at once."""
    masks: dict[str, int] = {}
    for bit, code in enumerate(("en", *OTHER_LANGUAGES)):
        for word in stop_words(code):
            word = word.lower().replace("\u2019", "'")
            masks[word] = masks.get(word, 0) | (1 << bit)
    return masks


def _sample(transcript: Transcript) -> str:
    """Spoken turns spread evenly over the session, about ``SAMPLE_CHARS`` characters, at
    most ``TURN_CHARS`` of each: a session that opens in English and goes on in Spanish is
    judged on both, and one long quote in another language does not outweigh the talk."""
    spoken = [t.text[:TURN_CHARS] for t in transcript.turns if t.action is None]
    total = sum(map(len, spoken))
    step = max(1, round(total / SAMPLE_CHARS))
    return " ".join(spoken[::step])


def _words(text: str) -> list[str]:
    """``text``'s words for the English share: split at spaces, ASCII punctuation (but the
    apostrophe) and digits."""
    return text.encode("utf-8", "surrogatepass").translate(_SPACES).decode(
        "utf-8", "surrogatepass").split()


def check_language(transcript: Transcript) -> LanguageCheck:
    text = _sample(transcript).lower().replace("\u2019", "'")
    words = _words(text)
    n = len(words)
    if n < MIN_WORDS:
        return LanguageCheck(None)
    share = round(sum(map(_english().__contains__, words)) / n, 3)
    if share >= SURELY_ENGLISH:
        return LanguageCheck(share)
    # a language's margin: its own words less English's own words; the words on both lists
    # cancel, so it is simply (words on its list) - (words on English's list); counted on
    # words of letters (any script's punctuation left out: "¿qué", "«oui»")
    words = _WORD.findall(text)
    n = max(len(words), 1)
    english = sum(map(_english().__contains__, words))
    counts = Counter(map(_masks().get, words))
    counts.pop(None, None)
    best, code = max((sum(c for m, c in counts.items() if m >> bit & 1), code)
                     for bit, code in enumerate(OTHER_LANGUAGES, start=1))
    return LanguageCheck(share, code, round((best - english) / n, 3))


def english_share(transcript: Transcript) -> float | None:
    """Share of English stop words among the sampled words (None: too short to tell)."""
    return check_language(transcript).english_share


def language_note(check: LanguageCheck) -> str | None:
    """The reports' warning for a session that does not look like English, else None."""
    if check.english:
        return None
    likely = f" (it looks like {check.likely})" if check.likely else ""
    return LANGUAGE_NOTE.format(likely=likely, share=f"{round(100 * check.english_share)}%")
