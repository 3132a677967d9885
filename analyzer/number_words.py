"""English number words, defined once for every part that reads amounts in words.

Spoken transcripts say their figures ("forty-four fifty", "a hundred and five", "two point
five million"); the stage evidence, the offer rules and the report's issues and missed
opportunities all read them. Each takes the words it needs from here (and adds its own,
such as "half" or "dozen"), so a word added for one is not silently missing from another.
"""

from __future__ import annotations

#: zero to nineteen
ONES: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
#: twenty to ninety
TENS: tuple[str, ...] = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                         "ninety")
#: the multipliers
SCALES: tuple[str, ...] = ("hundred", "thousand", "million", "billion")
#: every cardinal number word
CARDINALS: tuple[str, ...] = ONES + TENS + SCALES


def alternation(words) -> str:
    """A regex group matching any of ``words`` (longest first, so no word stops at a
    shorter one's end where nothing bounds the group)."""
    return "(?:" + "|".join(sorted(set(words), key=lambda w: (-len(w), w))) + ")"
