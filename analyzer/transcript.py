"""The data model every part of the analyser shares: a transcript, its speakers and its turns.

Defined once and immutable (frozen dataclasses, tuples), so a reader can hand a transcript
to any worker process and nobody downstream can quietly change what was read. Analysis
results (units, moves, stages) are separate records keyed to turn positions; see
``analyzer.results``.

Nothing read from a transcript is dropped: formal actions such as CaSiNo's ``Submit-Deal``
are turns with ``is_action=True`` and their terms in ``action``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

#: Roles a speaker can have. Parties negotiate for themselves; third parties (mediators,
#: chairs, facilitators, observers) take part without making claims of their own.
PARTY = "party"
THIRD_PARTY_ROLES = ("mediator", "chair", "facilitator", "observer", "third_party")
ROLES = (PARTY, *THIRD_PARTY_ROLES)


#: what meeting tools write where a role would stand, which is no side: pronouns ("Priya
#: Shah (she)") and the tool's own markers ("Tom (Guest)", "Ana (Organizer)")
_NOT_SIDES = frozenset({"she", "he", "they", "her", "him", "them", "xe", "ze", "guest",
                        "external", "organizer", "organiser", "presenter", "host",
                        "attendee", "participant", "unverified", "me"})


#: A role column naming whom the speaker speaks for: "Dana's attorney", "counsel for Mark".
_COUNSEL = re.compile(
    r"^(?:(?P<who>[^()]+?)[’']s?\s+(?:attorney|lawyer|counsel|solicitor|barrister|advocate|"
    r"representative|rep|agent|advisor|adviser)"
    r"|(?:attorney|lawyer|counsel|solicitor|representative|agent)\s+(?:for|of)\s+"
    r"(?P<who2>[^()]+))$", re.IGNORECASE)


def _client_of(role) -> str | None:
    """Whom a role column says the speaker speaks for ("Dana's attorney": "dana"), or None."""
    match = _COUNSEL.match(str(role).strip()) if role else None
    if match is None:
        return None
    return (match["who"] or match["who2"]).strip().lower()


def _name_keys(name: str) -> set[str]:
    """A speaker's name and its first word, lower-cased ("Dana Reyes": dana reyes, dana)."""
    lowered = name.strip().lower()
    return {lowered, lowered.split()[0]} if lowered else set()


def is_third_party(role: str) -> bool:
    """True for any role that is not a negotiating party."""
    return role != PARTY


@dataclass(frozen=True)
class Speaker:
    """Someone who speaks in a transcript, with the role they play in the negotiation."""

    name: str
    role: str = PARTY
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_party(self) -> bool:
        return self.role == PARTY


@dataclass(frozen=True)
class Action:
    """A formal act of the negotiation interface rather than speech (e.g. submitting a deal).

    ``kind`` is normalised to one of ``submit``, ``accept``, ``reject``, ``walk_away`` or
    ``other``; ``name`` keeps the source's spelling; ``terms`` keeps the proposed split, as
    ``{"speaker_gets": {...}, "other_gets": {...}}`` for CaSiNo-style deals.
    """

    kind: str
    name: str
    terms: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


#: ``Turn.meta`` key: seconds of silence between the merged caption cues of a turn, which
#: its start-to-end span holds but nobody spoke (``io.base.merge_segments``)
PAUSE_SECONDS = "pause_seconds"


@dataclass(frozen=True)
class Turn:
    """One turn as read: who spoke, what they said, when, and where it stood in the source.

    ``index`` is the 0-based position of the turn in the transcript as read; it is the key
    every table and result uses. ``source_line`` is the 1-based line (or cue number, or
    JSON index) that lets a user find the turn in the original file.
    """

    index: int
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    source_line: int | None = None
    action: Action | None = None
    gold: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_action(self) -> bool:
        return self.action is not None


@dataclass(frozen=True)
class Transcript:
    """A negotiation session: its id, where it came from, who took part and every turn."""

    session_id: str
    source: str
    format: str
    speakers: tuple[Speaker, ...]
    turns: tuple[Turn, ...]
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def speaker(self, name: str) -> Speaker:
        try:
            return self._lookup()[0][name]
        except KeyError:
            raise KeyError(name) from None

    def _lookup(self) -> tuple[dict[str, Speaker], set[str]]:
        """The speakers by name (the first of a name, as the loop this replaced found it) and
        the clients named in their roles, built once per transcript.

        Why: ``side_of`` and ``role_of`` are asked once per turn, and each looked through every
        speaker (and ``side_of`` built the clients' set anew): a file of 20,000 one-turn
        speakers did not finish in 300 s (fuzzing QA, 28 Nov 2026). Kept on the instance
        outside the dataclass fields, so equality and ``replace`` are as before."""
        found = self.__dict__.get("_speaker_lookup")
        if found is None:
            by_name: dict[str, Speaker] = {}
            for speaker in self.speakers:
                by_name.setdefault(speaker.name, speaker)
            clients = {_client_of(s.meta.get("source_role")) for s in self.speakers} - {None}
            found = (by_name, clients)
            object.__setattr__(self, "_speaker_lookup", found)  # (frozen: a cache only)
        return found

    def side_of(self, name: str) -> str | None:
        """The side a party speaks for, when the source names one in its role column
        ("union", "management", "buyer"): teammates answering each other are not the other
        side answering (multi-party QA, 28 Nov 2026). None when the source gives no side,
        or gives pronouns or a meeting tool's marker there ("she/her", "Guest")."""
        try:
            raw = self.speaker(name).meta.get("source_role")
        except KeyError:
            return None
        client = _client_of(raw)
        if client is not None:
            # "Paul Adler (Dana's attorney)": Dana's side, and Dana's too (coach QA, 28 Nov
            # 2026: Dana answering her own lawyer counted as a reply to the other side)
            return f"side of {client}"
        if not raw:
            mine = _name_keys(name) & self._lookup()[1]
            if mine:
                return f"side of {min(mine)}"
        if not raw or "/" in str(raw) or str(raw).strip().lower() in _NOT_SIDES:
            return None
        return str(raw).strip().lower()

    def role_of(self, name: str) -> str:
        try:
            return self.speaker(name).role
        except KeyError:
            return PARTY

    @property
    def parties(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.speakers if s.is_party)

    @property
    def third_parties(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.speakers if not s.is_party)

    @property
    def has_times(self) -> bool:
        return any(t.start is not None for t in self.turns)

    def with_roles(self, roles: Mapping[str, str]) -> Transcript:
        """A copy with the given speakers' roles replaced (from ``--roles name=role``)."""
        if not roles:
            return self
        lowered = {k.lower(): v for k, v in roles.items()}
        speakers = tuple(
            replace(s, role=lowered.get(s.name.lower(), s.role)) for s in self.speakers
        )
        return replace(self, speakers=speakers)


def speakers_in_order(turns: tuple[Turn, ...] | list[Turn], roles: Mapping[str, str] | None = None
                      ) -> tuple[Speaker, ...]:
    """The speakers of ``turns`` in order of first appearance, with roles when known.

    Roles come from ``roles`` (name -> role, case-insensitive) or from a conventional name
    such as "Mediator" or "Chair"; everyone else is a party.
    """
    lowered = {k.lower(): v for k, v in (roles or {}).items()}
    seen: dict[str, Speaker] = {}
    for turn in turns:
        if turn.speaker not in seen:
            seen[turn.speaker] = Speaker(turn.speaker, lowered.get(turn.speaker.lower())
                                         or guess_role(turn.speaker))
    return tuple(seen.values())


#: Words that name a third party's role, by the role they mean; read from a source's role
#: column (``normalise_role``) and from the start of a speaker's name (``guess_role``).
#: Keys are lower case with everything but letters taken out ("co-mediator" ->
#: "comediator", "note taker" -> "notetaker"). Until 28 Nov 2026 only the five role names
#: themselves were known, so "Chairperson", "Co-Mediator Ana" or "note-taker" were parties
#: and counted in the shares (multi-party QA).
ROLE_WORDS: dict[str, str] = {
    **{w: "mediator" for w in ("mediator", "comediator", "mediators", "conciliator",
                               "comediators")},
    **{w: "chair" for w in ("chair", "cochair", "chairperson", "chairwoman", "chairman",
                            "chairs", "convenor", "convener")},
    **{w: "facilitator" for w in ("facilitator", "cofacilitator", "moderator", "host")},
    **{w: "observer" for w in ("observer", "notetaker", "minutetaker", "scribe",
                               "recorder",
                               # a class role-play's teacher stepping in ("Instructor: Two
                               # minutes left") was a party (trainer QA, 28 Nov 2026)
                               "instructor", "teacher", "trainer", "tutor", "lecturer",
                               "teachingassistant")},
    **{w: "third_party" for w in ("thirdparty", "third", "neutral", "arbitrator",
                                  "arbiter", "ombudsman", "ombudsperson", "interpreter",
                                  "translator")},
}
#: Role words that name a role only in a role column, not at the start of a name: "Host
#: Ana" may be the party hosting, "Secretary Blinken" a party with a title.
_COLUMN_ONLY = {"host": "facilitator", "secretary": "observer"}


def _role_key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


def role_word(text: str) -> str | None:
    """The role a role column's value names ("Co-Mediator", "note taker"), or None."""
    key = _role_key(text)
    return ROLE_WORDS.get(key) or _COLUMN_ONLY.get(key) or (key if key in ROLES else None)


def guess_role(name: str) -> str:
    """A third-party role when the speaker's name starts with a role word ("Mediator",
    "Chair: Ana", "Mediator 1", "Co-Mediator Tom", "Note-taker"), else party."""
    words = [w for w in re.split(r"[^a-z]+", name.lower()) if w]
    for size in (2, 1):  # "note taker Ana", "co mediator Tom" before "note", "co"
        key = "".join(words[:size])
        if len(words) >= size and key in ROLE_WORDS and key not in _COLUMN_ONLY:
            return ROLE_WORDS[key]
    return PARTY


#: a speaker saying they run the meeting ("I'll be mediating today", "I'm the chair",
#: "my job is to help you two reach ..."): a hint that they are a third party
_RUNS_THE_MEETING = re.compile(
    r"\b(?:i(?:'|\u2019)?m|i am|i(?:'|\u2019)?ll be|i will be|as your|as the"
    r"|we(?:'|\u2019)?re|we are|we(?:'|\u2019)?ll be)\s+"
    r"(?:the |your |a |an |acting as |here as |going to be )?"
    r"((?:co-?)?mediat\w*|(?:co-?)?chair(?:ing|person|woman|man)?|(?:co-?)?facilitat\w*"
    r"|arbitrat\w*|conciliat\w*)\b"
    # "the chair of the tenants' association", "as the mediator said on the phone": a
    # party speaking of someone (or something) else (multi-party QA, 28 Nov 2026)
    r"(?!\s+(?:of|said|says|told|tells|suggested|mentioned|asked|explained|proposed|put|"
    r"wrote|pointed|thinks|thought|wants|wanted)\b)"
    r"|\bi(?:'|\u2019)?ll (?:chair|mediate|facilitate|moderate)\b"
    r"|\bmy (?:role|job) (?:here |today |tonight )?is to (?:help|facilitate|mediate|chair)\b",
    re.IGNORECASE)


def third_party_hints(transcript: Transcript, roles: Mapping[str, str] | None = None
                      ) -> list[str]:
    """A hint for each speaker counted as a party who says they run the meeting ("I'll be
    mediating today", "I'll chair"), so a coach who forgot ``--roles`` learns why the
    shares include the mediator (coach QA, 28 Nov 2026); one per speaker, so a second
    mediator is named too. Empty when every such speaker has a role given."""
    given = {k.lower() for k in (roles or {})}
    hints: dict[str, str] = {}
    for turn in transcript.turns:
        if turn.is_action or turn.speaker.lower() in given or turn.speaker in hints or \
                transcript.role_of(turn.speaker) != PARTY:
            continue
        found = _RUNS_THE_MEETING.search(turn.text)
        if found:
            word = (found.group(1) or found.group(0).split()[-1]).lower()
            role = "chair" if "chair" in word else "facilitator" if (
                "facilitat" in word or "moderat" in word) else "mediator"
            hints[turn.speaker] = (
                f"hint: session {transcript.session_id}: {turn.speaker} says "
                f"\"{found.group(0)}\" (turn {turn.index}) and is counted as a party; if "
                f"they are a third party, rerun with --roles \"{turn.speaker}={role}\"")
    return list(hints.values())


def reading_notes(transcript: Transcript, roles: Mapping[str, str] | None = None
                  ) -> list[str]:
    """What a user should know about how a session was read, as lines to show: a hint per
    speaker counted as a party who says they run the meeting (``third_party_hints``); a
    warning when only one party speaks (a dictation, a diarisation that found one voice, or
    labels lost: "Maria: ... Tom: ..." run together on one line; formats QA); the speaker
    names read as one person (``io.base.one_spelling``)."""
    notes = third_party_hints(transcript, roles)
    if len(transcript.parties) < 2 and transcript.turns:
        who = transcript.parties[0] if transcript.parties else "nobody"
        notes.append(f"warning: session {transcript.session_id}: only one party speaks "
                     f"({who}); a negotiation report needs two sides: check that the "
                     "speakers are labelled (one per line or cue)")
    if transcript.meta.get("speaker_spellings"):
        notes.append(f"note: session {transcript.session_id}: speaker names read as one "
                     f"person: {transcript.meta['speaker_spellings']}")
    return notes


def outcome_basis(transcript: Transcript) -> str:
    """``"formal"`` when the transcript records a formal Accept-Deal or Walk-Away, which
    ``stages.segmenter.detect_outcome`` then follows; else ``"talk"``: the outcome is read
    off where the segmenter opens closing, which is much less reliable on spoken talk
    (adjourned meetings are often read as agreements, docs/history/stages-log.md), so
    reports say so."""
    return "formal" if any(t.is_action and t.action.kind in ("accept", "walk_away")
                           for t in transcript.turns) else "talk"
