"""Statements that an issue matters little to the speaker, found by rules: ``no-need``.

Why: sharing priorities, what matters more or less and what one can do without, is
integrative (priority information goes with integrative agreements: Olekalns, Smith & Walsh
1996; ``../shared/docs/negotiation-analysis.md``), and the project's coding brief files "the
exact date doesn't matter much to us" under ``no-need``, an integrative label. The move
model, trained mostly on campsite chats, read such turns in business talk as ``self-need``,
distributive: a candidate's "The start date is less important, I'm flexible" counted
against them, and a trainer ranking students by their distributive share found the ranking
reversed (trainer QA, 28 Nov 2026; both coach rounds before it saw the same).

A unit of at most ``MAX_WORDS`` words that says so (below) is ``no-need``, integrative,
at confidence 1.0, with the reason ``rule:low-priority "<phrase>"``; its turn too, unless
another unit of the turn claims (the mixed-turn rule: one claiming move makes a turn
distributive). Labels are left as the
model gave them, so the label scores and the stage evidence do not change. Questions are
left alone (asking about priorities is already integrative), and so is a statement about
the other side ("the firewood is not important to your trip").

Read by hand on CaSiNo's 4,123 human-labelled turns: 16 turns hold a phrase; the annotators
gave ``no-need`` to 7 of them. With the word limit the rule changes the orientation of one
of them, and of none of the 893 turns of the spoken test set.
"""

from __future__ import annotations

import re

#: The move name the rule gives (a CaSiNo label: integrative, see ``taxonomy``).
LOW_PRIORITY = "no-need"

_PHRASES = re.compile(r"""(?ix)
  \b(?:less|least|not\ (?:as|that|so|very|really|too)|isn[’']?t\ (?:as|that|so|very|really|too)
  |aren[’']?t\ (?:as|that|so|very|really|too))\ (?:important|crucial|essential|critical)\b
  (?!\ (?:to|for)\ (?:you|your)\b)
| \b(?:lowest|least|last|low|smallest|lower)\ priority\b
| \b(?:i[’']?m|i\ am|we[’']?re|we\ are)\ (?:pretty\ |quite\ |very\ |fairly\ |more\ |a\ bit\ )?
  flexible\b
| \b(?:i|we)\ (?:can|could)\ (?:do|go|live)\ without\b(?!\ \w+ing\b)
| \b(?:doesn[’']?t|does\ not|don[’']?t|do\ not)\ (?:really\ )?matter\ (?:as\ |that\ |so\ |too\ )?
  (?:much|a\ lot)\b
| \bmatters?\ (?:the\ )?least\b
""")
#: A word every phrase contains: most turns have none and are not searched.
_KEYS = ("important", "crucial", "essential", "critical", "priority", "flexible", "without",
         "matter")


#: The most words a unit may have for the rule to speak for all of it: a longer one says
#: more than its priorities ("We're flexible within the second half of April. Ideally not
#: the Easter week because a lot of our members have families": a need too, coded
#: no-need and other-need, distributive by the mixed-turn rule)
MAX_WORDS = 20


def may_hold_low_priority(text: str) -> bool:
    """Whether any part of ``text`` (a whole turn) may hold such a phrase: the cheap test
    that picks the turns whose units ``find_low_priority`` reads (a turn of more than
    ``MAX_WORDS`` words may hold a short unit that says it)."""
    lowered = text.lower()
    return any(key in lowered for key in _KEYS) and _PHRASES.search(text) is not None


def find_low_priority(text: str) -> str | None:
    """The phrase that says an issue matters little to the speaker, or None (also for a
    question, a phrase about the other side, and a text of more than ``MAX_WORDS``
    words)."""
    if len(text.split()) > MAX_WORDS:
        return None
    lowered = text.lower()
    for key in _KEYS:
        if key in lowered:
            break
    else:
        return None
    if "?" in text:
        return None
    match = _PHRASES.search(text)
    if match is None:
        return None
    before = lowered[max(0, match.start() - 40):match.start()]
    if re.search(r"\byou(?:r|['’]re)?\b", before.rsplit(".", 1)[-1]):
        return None  # "It's nice to know the firewood is not important to your trip"
    if before.endswith(("not ", "n't ", "never ")) or _CLAIMS.search(lowered):
        return None  # "not less important"; "I'm flexible, but I need the full 200"
    return match.group(0)


#: Words that make a unit claim something besides (regression QA, 28 Nov 2026: "I'm
#: flexible on many things, but I need the full 200 per unit, no less" was no-need)
_CLAIMS = re.compile(r"\b(?:need|needs|must|have to|has to|require|requires|critical|"
                     r"at least|no less|non[- ]?negotiable|insist)\b")
