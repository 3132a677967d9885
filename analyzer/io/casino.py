"""CaSiNo campsite negotiations (Chawla et al., NAACL 2021; CC BY 4.0): a JSON list of dialogues.

Every ``chat_logs`` entry becomes a turn, in order, so ``turn.index`` is its position in
``chat_logs``. The interface actions (``Submit-Deal``, ``Accept-Deal``, ``Reject-Deal``,
``Walk-Away``) are turns too, with their text kept and an ``Action``; a submitted deal's
terms are ``{"speaker_gets": issue2youget, "other_gets": issue2theyget}`` with counts as
ints, and an ``Accept-Deal``/``Reject-Deal`` carries the terms of the deal it answers, seen
from its own speaker. The strategy annotations (``[text, "label1,label2"]``, chat turns only)
are aligned to the chat turns by order and text, tolerating differences in white space and
case, and kept as ``Turn.gold``; annotations may skip turns, so alignment never goes by index.
``participant_info`` is kept in ``Transcript.meta["participants"]``, with the outcomes
flattened in ``meta["outcomes"]`` (see ``_outcomes``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import MalformedError, ReadError
from ..transcript import PARTY, Action, Speaker, Transcript, Turn
from .base import expect, sessions_or_partial

CREDIT = ("CaSiNo: Chawla, Ramirez, Clever, Lucas, May, Gratch. CaSiNo: A Corpus of Campsite "
          "Negotiation Dialogues for Automatic Negotiation Systems. NAACL 2021. CC BY 4.0.")

ACTIONS = {"Submit-Deal": "submit", "Accept-Deal": "accept", "Reject-Deal": "reject",
           "Walk-Away": "walk_away"}

#: CaSiNo's 5-point answer scales as numbers (1 = most negative, 5 = most positive).
SCALES = {
    "extremely dissatisfied": 1, "slightly dissatisfied": 2, "undecided": 3,
    "slightly satisfied": 4, "extremely satisfied": 5,
    "extremely dislike": 1, "slightly dislike": 2, "slightly like": 4, "extremely like": 5,
}


def looks_like(data: Any) -> bool:
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) \
        and "chat_logs" in data[0]


def read(path: Path, data: list, **options) -> Iterator[Transcript]:
    """Every dialogue; one that cannot be read fails alone (``sessions_or_partial``)."""
    transcripts, errors = [], []
    for position, dialogue in enumerate(data):
        try:
            check(path, position, dialogue)
            transcripts.append(dialogue_transcript(path, position, dialogue))
        except ReadError as exc:
            errors.append(exc)
    yield from sessions_or_partial(transcripts, errors, len(data), "dialogue")


def check(path: Path, position: int, dialogue: Any) -> None:
    """Raise ``MalformedError`` for what ``dialogue_transcript`` cannot read: not an object
    with a ``chat_logs`` list, or an entry of it that is not an object, has no text or names
    no speaker (until 28 Nov 2026 those became an empty turn or a speaker "unknown" without
    a word: researcher QA); or a field ``dialogue_transcript`` reads of another JSON type
    than CaSiNo writes (``"participant_info": "x"`` was a ``TypeError`` reported as a bug,
    with no place: fuzzing QA). (A batch checks every dialogue of a file this way before it
    hands them to workers as text.)"""
    if not isinstance(dialogue, dict) or not isinstance(dialogue.get("chat_logs"), list):
        raise MalformedError(str(path),
                             f"[{position}]: not a CaSiNo dialogue (no chat_logs list)",
                             hint="every item of the list needs 'dialogue_id' and "
                                  "'chat_logs'")
    for index, entry in enumerate(dialogue["chat_logs"]):
        if not isinstance(entry, dict):
            raise MalformedError(str(path),
                                 f"[{position}].chat_logs[{index}]: an entry is not an object",
                                 hint="each entry needs 'text' and 'id'")
        for key, what in (("text", "no text"), ("id", "no speaker id")):
            value = entry.get(key)
            if value is None or (key == "id" and not str(value).strip()):
                raise MalformedError(str(path), f"[{position}].chat_logs[{index}]: an entry "
                                     f"with {what} ('{key}')",
                                     hint="each entry needs 'text' and 'id' (the speaker, "
                                          "e.g. 'mturk_agent_1'); fix or remove the entry")
            expect(path, value, "string|number", f"[{position}].chat_logs[{index}].{key}",
                   hint=f"write '{key}' as a string, e.g. \"{key}\": "
                        f"\"{'Hello' if key == 'text' else 'mturk_agent_1'}\"")
        task = expect(path, entry.get("task_data"), "object",
                      f"[{position}].chat_logs[{index}].task_data", hint=_HINT)
        for key in ("issue2youget", "issue2theyget"):
            expect(path, (task or {}).get(key), "object",
                   f"[{position}].chat_logs[{index}].task_data.{key}", hint=_HINT)
    expect(path, dialogue.get("annotations"), "list", f"[{position}].annotations",
           hint="annotations are a list of [text, \"label1,label2\"] pairs, or leave them out")
    info = expect(path, dialogue.get("participant_info"), "object",
                  f"[{position}].participant_info", hint=_HINT)
    for name, person in (info or {}).items():
        where = f"[{position}].participant_info.{name}"
        person = expect(path, person, "object", where, hint=_HINT) or {}
        for key in ("outcomes", "value2issue"):
            expect(path, person.get(key), "object", f"{where}.{key}", hint=_HINT)


#: The fix for a CaSiNo field of the wrong JSON type.
_HINT = ("CaSiNo writes this as a JSON object (see the corpus's README); fix the field or "
         "leave it out")


def session_id(position: int, dialogue: Mapping[str, Any]) -> str:
    """The session id of a dialogue (its ``dialogue_id``, else its position)."""
    return str(dialogue.get("dialogue_id", position))


def _counts(terms: Any) -> dict[str, Any]:
    out = {}
    for item, value in dict(terms or {}).items():
        try:
            out[item] = int(value)
        except (TypeError, ValueError):
            out[item] = value
    return out


def dialogue_transcript(path: Path, position: int, dialogue: Mapping[str, Any]) -> Transcript:
    """The transcript of one dialogue that passed ``check``."""
    # every entry as Turn fields first; each Turn is built once, with its gold labels
    entries: list[tuple[int, str, str, Action | None, dict]] = []
    last_offer: tuple[str, dict, dict] | None = None  # (who, speaker_gets, other_gets)
    for index, entry in enumerate(dialogue["chat_logs"]):
        text = str(entry.get("text", ""))
        speaker = str(entry.get("id", "")) or "unknown"
        task = entry.get("task_data") or {}
        action = None
        kind = ACTIONS.get(text.strip())
        if kind == "submit":
            gets, gives = _counts(task.get("issue2youget")), _counts(task.get("issue2theyget"))
            action = Action(kind, text.strip(), {"speaker_gets": gets, "other_gets": gives})
            last_offer = (speaker, gets, gives)
        elif kind is not None:
            terms: dict[str, Any] = {}
            if last_offer is not None and kind in ("accept", "reject"):
                who, gets, gives = last_offer
                terms = ({"speaker_gets": gives, "other_gets": gets} if who != speaker
                         else {"speaker_gets": gets, "other_gets": gives})
            action = Action(kind, text.strip(), terms)
        entries.append((index, speaker, text, action, {"task_data": task} if task else {}))
    annotations = dialogue.get("annotations") or []
    labels = _align(entries, annotations)
    turns = [Turn(index=index, speaker=speaker, text=text, source_line=index, action=action,
                  gold=labels.get(index, ()), meta=meta)
             for index, speaker, text, action, meta in entries]
    aligned = len(labels)
    participants = dialogue.get("participant_info") or {}
    names = list(dict.fromkeys([t.speaker for t in turns] + list(participants)))
    speakers = tuple(Speaker(n, PARTY, dict(participants.get(n) or {})) for n in names)
    meta: dict[str, Any] = {
        "corpus": "CaSiNo", "credit": CREDIT, "dialogue_id": dialogue.get("dialogue_id"),
        "participants": participants, "outcomes": _outcomes(participants),
        "outcome": _result(turns), "annotations": len(annotations), "gold_aligned": aligned,
    }
    deal = _deal(turns)
    if deal:
        meta["deal"] = deal
    return Transcript(session_id=session_id(position, dialogue), source=str(path), format="casino",
                      speakers=speakers, turns=tuple(turns), meta=meta)


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _align(entries: list[tuple[int, str, str, Action | None, dict]],
           annotations: list) -> dict[int, tuple[str, ...]]:
    """Each annotation's labels for its chat turn (``{turn index: labels}``): in order, by
    (nearly) equal text. ``entries`` are the turns' ``(index, speaker, text, action, meta)``.

    Each annotation is matched to the next unannotated chat turn with the same normalised
    text; failing that, to the most similar of the next few chat turns when they are
    clearly the same utterance (similarity >= 0.9). Unmatched annotations are counted, not
    guessed.

    Most annotations hold their turn's text exactly: when the next unannotated chat turn
    has the very same text, it is the first equal normalised text from there, so it is
    taken without normalising anything (a batch worker reads every CaSiNo dialogue this
    way); the texts are normalised only for the others.
    """
    labels: dict[int, tuple[str, ...]] = {}
    if not annotations:
        return labels
    chat = [e[0] for e in entries if e[3] is None]
    raw = [entries[i][2] for i in chat]
    texts: list[str] | None = None  # texts[k]: chat turn k, normalised (when first needed)
    pointer = 0
    for item in annotations:
        if not isinstance(item, (list, tuple)) or len(item) < 2:
            continue
        gold = _labels(item[1])
        if pointer < len(raw) and item[0] == raw[pointer] and isinstance(item[0], str):
            found: int | None = pointer
        else:
            if texts is None:
                texts = [_norm(t) for t in raw]
            wanted = _norm(item[0])
            try:
                found = texts.index(wanted, pointer)  # the first equal text from the pointer
            except ValueError:
                window = range(pointer, min(pointer + 5, len(chat)))
                scored = [(difflib.SequenceMatcher(None, texts[k], wanted).ratio(), k)
                          for k in window]
                best = max(scored, default=(0.0, None))
                found = best[1] if best[0] >= 0.9 else None
        if found is not None:
            labels[chat[found]] = gold
            pointer = found + 1
    return labels


def _labels(value: Any) -> tuple[str, ...]:
    """The labels of an annotation's "label1,label2" text, stripped, empty ones dropped."""
    return tuple(x.strip() for x in str(value).split(",") if x.strip())


def _outcomes(participants: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per participant: points, satisfaction and liking (text and 1-5), and priorities.

    ``{"mturk_agent_1": {"points": 17, "satisfaction": "Slightly satisfied",
    "satisfaction_score": 4, "opponent_likeness": "Slightly like", "opponent_likeness_score": 4,
    "priority_high": "Firewood", "priority_medium": "Food", "priority_low": "Water"}}``
    """
    flat: dict[str, dict[str, Any]] = {}
    for name, info in participants.items():
        info = info or {}
        outcomes = info.get("outcomes") or {}
        row: dict[str, Any] = {"points": outcomes.get("points_scored")}
        for key in ("satisfaction", "opponent_likeness"):
            value = outcomes.get(key)
            row[key] = value
            row[f"{key}_score"] = SCALES.get(str(value).strip().lower()) if value else None
        for level, item in (info.get("value2issue") or {}).items():
            row[f"priority_{level.lower()}"] = item
        flat[name] = row
    return flat


def _result(turns: list[Turn]) -> str:
    kinds = [t.action.kind for t in turns if t.action is not None]
    if "walk_away" in kinds:
        return "impasse"
    if kinds and kinds[-1] == "accept":
        return "agreement"
    return "unfinished"


def _deal(turns: list[Turn]) -> dict[str, Any] | None:
    """The accepted split per speaker: ``{"mturk_agent_1": {"Food": 2, ...}, ...}``."""
    for turn in reversed(turns):
        if turn.action is not None and turn.action.kind == "accept" and turn.action.terms:
            other = next((t.speaker for t in turns if t.speaker != turn.speaker), "other")
            return {turn.speaker: dict(turn.action.terms["speaker_gets"]),
                    other: dict(turn.action.terms["other_gets"])}
    return None
