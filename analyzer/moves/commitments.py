"""Threats, ultimatums and firm positional commitments, found by rules.

Why rules: CaSiNo, the only coded corpus the move model learns from, has no label for these
moves (its annotators file "take it or leave it" under a need or under non-strategic), so
the model called "Our price is $47, full stop" and "$44, or we walk" neutral, and a coach
saw no trace of the hardball at the end of a session. The coding schemes agree that
threats, ultimatums and positional commitments are distributive (Walton & McKersie 1965 on
commitment tactics; Weingart et al. 1990; Kern et al. 2020). The phrases that make them are
few and fixed enough for rules that can be read in full below.

Precision, by reading every match (2026-11-27): on all 12,903 turns of CaSiNo (train and
valid) the rules match 42 turns; 41 are threats to walk away, "final offer" ultimatums or
limits ("I can't go any higher"), one is not ("My last offer did have two waters"). What
they miss is whatever is said another way ("I'm not budging", "this is as far as I go").
A union's threat of a strike or of industrial action is one too (coach QA, 28 Nov 2026: "We'll
be notifying you of a ballot for industrial action" was neutral); CaSiNo has none. So are a
named alternative ("or I go to Brightline", "I have other buyers", "I have another
interview") and a stated limit ("5400 is really my max", "6200 is the lowest"): the
trainer QA of 28 Nov 2026 found them all neutral in student role-plays.

A matched turn is distributive whatever the model said (the mixed-turn rule: one claiming
move makes a turn distributive), shown at confidence 1.0 as formal actions are, and its
move is ``ultimatum`` when the model found no strategy in it. Its labels are left as the
model gave them, so the label scores and the stage evidence do not change.
"""

from __future__ import annotations

import re

#: The move name the rules give (see ``taxonomy.MOVES``).
ULTIMATUM = "ultimatum"

_PHRASES = re.compile(r"""(?ix)
  \btake\ it\ or\ leave\ it\b
| \b(?:my|our)\ (?:best\ and\ )?(?:final|last)\ (?:offer|price|number|word)\b
| \bfinal\ offer\b
| \bbottom\ line\b
| \bnon[- ]?negotiable\b
| \bnot\ (?:negotiable|up\ for\ (?:negotiation|discussion|debate))\b
| \bnot\ (?:a|one)\ (?:penny|cent|dime|dollar|euro|pound)\ (?:more|less|lower|higher)\b
| \b(?:won[’']?t|will\ not|can[’']?t|cannot|can\ not|not\ going\ to|never|refuse\ to)
  \ (?:go\ )?(?:any\ )?(?:lower|higher|below|above|under)\b
| \b(?:we|i)(?:[’']?ll|\ will|\ would|[’']d|\ are\ going\ to|[’']re\ going\ to
  |[’']m\ going\ to|\ am\ going\ to)\ (?:just\ )?(?:walk(?:\ away)?
  |take\ (?:our|my)\ business\ elsewhere|go\ elsewhere|see\ you\ in\ court
  |take\ (?:this|it|you)\ to\ court)\b
| \bor\ (?:else\ )?(?:we|i)(?:[’']?ll|\ will)?\ (?:walk|leave|go\ elsewhere|look\ elsewhere
  |go\ (?:somewhere|someone)\ else|take\ (?:our|my)\ business\ elsewhere
  |go\ (?:to|with)\ (?-i:[A-Z])\w+)\b
| \b(?:we|i)(?:[’']?ll|\ will)\ (?:have\ to\ )?go\ with\ (?:the\ |a\ )?(?:other|second|different
  |next|competing|another|cheaper)\ (?:vendor|supplier|bidder|provider|offer|quote|company
  |candidate|firm|agency)\b
| \b(?:we|i)\ (?:have|[’']ve\ got|got|also\ have|still\ have)\ (?:other|another|a\ better)
  \ (?:buyers?|offers?|bidders?|suppliers?|vendors?|candidates?|interviews?|quotes?)\b
| \bis\ (?:really\ |absolutely\ |honestly\ )?(?:my|our|the)\ (?:absolute\ )?
  (?:max(?:imum)?|limit|floor|ceiling)\b(?!\ (?:of|for|on)\b)
| \bis\ (?:really\ |absolutely\ |honestly\ )?(?:my|our|the)\ (?:absolute\ )?(?:lowest|highest)
  \ (?:i|we)(?:\ can|\ could|\ will|\ would|[’']?ll|[’']d)\b
| \bis\ (?:really\ |absolutely\ |honestly\ )?the\ (?:absolute\ )?(?:lowest|highest)
  (?=\s*(?:[.!;]|$))
| \bsee\ you\ in\ court\b
| \b(?:industrial|strike)\ action\b | \b(?:go|going|come\ out)\ on\ strike\b
| \bstrike\ ballot\b | \bballot\ (?:for|on)\ (?:a\ )?strike\b
| \bfull\ stop\b
| \bend\ of\ (?:story|discussion)\b
""")


#: A word every phrase above contains: a turn with none of them (~94% of CaSiNo's) is not
#: searched. Why: the pattern costs ~10 us a turn, these substring tests ~2.
_KEYS = ("leave it", "final", "last", "bottom line", "negotia", "discussion", "debate",
         "penny", "cent", "dime", "dollar", "euro", "pound", "lower", "higher", "below",
         "above", "under", "walk", "elsewhere", "court", "full stop", "end of", "where else",
         "one else", "strike", "industrial action", "go to", "go with", "other", "another",
         "better", "max", "limit", "lowest", "highest", "floor", "ceiling")


def find_commitment(text: str) -> str | None:
    """The phrase that makes ``text`` a threat, ultimatum or firm commitment, or None."""
    lowered = text.lower()
    for key in _KEYS:  # a plain loop: ``any`` over a generator costs twice as much here
        if key in lowered:
            break
    else:
        return None
    for match in _PHRASES.finditer(text):
        phrase = match.group(0)
        before = lowered[max(0, match.start() - 6):match.start()]
        if phrase.lower().startswith("take") and before.endswith(("can ", "could ")):
            continue  # "I can take it or leave it": indifference, not an ultimatum
        if phrase.lower().startswith("final") and before.endswith(("the ", "your ", "a ")):
            continue  # "I will submit the final offer", "is that your final offer?"
        return phrase
    return None
