"""ConvoKit corpus folders (Cornell): ``utterances.jsonl`` plus optional JSON side files.

A ``.jsonl`` file named directly is read as the utterances (its side files, if any, from its
folder); lines without a ``conversation_id`` then form one session named after the file, so
plain JSON-lines transcripts (``{"speaker", "text", "start"?, "end"?}`` per line) read too.

One transcript per ``conversation_id`` (older corpora: ``root``), in order of first
appearance; utterances ordered by the ``turn`` in their meta when all have one (our export
writes it), else by ``timestamp`` when all have a numeric one (file order breaks ties), else
in file order. ``speakers.json`` (older: ``users.json``) gives
speaker meta and a ``role``; ``conversations.json`` gives each conversation's meta;
``corpus.json`` the corpus meta (under ``meta["corpus"]``). Read without ConvoKit itself
(it is a heavy install), and tolerantly: unknown fields are kept, missing ones skipped.

Utterance ``meta`` keys we understand (``convokit_export`` writes them): ``speaker_name``
(the speaker's plain name when speaker ids were made unique per session), ``start``, ``end``
(seconds; with ``end`` present and no ``start``, ``timestamp`` is the start time), ``gold``
(a list or ``"a,b"``), ``action`` (``{"kind", "name", "terms"}`` or just the kind),
``role``, ``source_line``. Everything else stays in the turn's meta.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import (
    EmptyTranscriptError,
    MalformedError,
    NoSpeakerError,
    ReadError,
    TimingError,
    TurnTooLongError,
)
from ..transcript import Action, Speaker, Transcript, Turn, guess_role
from .base import MAX_TURN_CHARS, expect, normalise_role, sessions_or_partial
from .decoding import decode, read_bytes
from .jsonfile import HUGE_NUMBER_HINT, TOO_DEEP, TOO_DEEP_HINT, load
from .times import parse_seconds


def is_corpus(path: Path) -> bool:
    return path.is_dir() and (path / "utterances.jsonl").is_file()


def _side_file(folder: Path, *names: str) -> dict:
    for name in names:
        candidate = folder / name
        if candidate.is_file():
            data = load(candidate, decode(candidate, read_bytes(candidate)))
            if not isinstance(data, dict):
                raise MalformedError(str(candidate), "expected a JSON object (id -> fields)",
                                     hint="see the ConvoKit corpus format")
            return data
    return {}


def _meta(entry: Any) -> dict:
    """ConvoKit side files hold ``{"meta": {...}, "vectors": [...]}`` (or just the meta)."""
    if not isinstance(entry, dict):
        return {}
    if isinstance(entry.get("meta"), dict):
        return dict(entry["meta"])
    return {k: v for k, v in entry.items() if k != "vectors"}


def read(path: Path, text: str | None = None, **options) -> Iterator[Transcript]:
    folder = path if path.is_dir() else path.parent
    utterances_file = folder / "utterances.jsonl" if path.is_dir() else path
    if text is None:
        text = decode(utterances_file, read_bytes(utterances_file))
    speakers_info = _side_file(folder, "speakers.json", "users.json")
    conversations = _side_file(folder, "conversations.json")
    corpus_meta = _side_file(folder, "corpus.json")

    grouped: dict[str, list[tuple[dict, int]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise MalformedError(str(utterances_file), f"broken JSON line ({exc.msg})",
                                 line=number, where=f"column {exc.colno}",
                                 hint="each line of utterances.jsonl must be one complete JSON "
                                      "object") from None
        except RecursionError:
            raise MalformedError(str(utterances_file), TOO_DEEP, line=number,
                                 hint=TOO_DEEP_HINT) from None
        except ValueError:  # a number of more than 4,300 digits (see ``jsonfile.load``)
            raise MalformedError(str(utterances_file), "a number on this line has more than "
                                 "4,300 digits, more than can be read", line=number,
                                 hint=HUGE_NUMBER_HINT) from None
        if not isinstance(item, dict):
            raise MalformedError(str(utterances_file), "a line is not a JSON object",
                                 line=number, hint="each line is one utterance object")
        conversation = item.get("conversation_id", item.get("root"))
        if conversation is None:  # a plain JSON-lines transcript: one session per file
            conversation = utterances_file.stem if utterances_file.name != "utterances.jsonl" \
                else folder.name
        grouped.setdefault(str(conversation), []).append((item, number))
    if not grouped:
        raise EmptyTranscriptError(str(utterances_file), "no utterances in the corpus",
                                   hint="utterances.jsonl needs one JSON object per line")
    transcripts, errors = [], []
    for conversation, items in grouped.items():  # a broken one fails alone
        items = _in_order(items)
        try:
            turns = [_turn(utterances_file, index, item, number)
                     for index, (item, number) in enumerate(items)]
        except ReadError as exc:
            errors.append(exc)
            continue
        speakers = {}
        for item, _ in items:
            name = str(_speaker_of(item))
            if name in speakers:
                continue
            speaker_id = item.get("speaker", item.get("user"))
            info = _meta(speakers_info.get(speaker_id if isinstance(speaker_id, str) else name))
            info.pop("name", None)
            utterance_meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
            role = normalise_role(info.get("role")) or normalise_role(utterance_meta.get("role"))
            speakers[name] = Speaker(name, role or guess_role(name), info)
        meta = _meta(conversations.get(conversation))
        # a conversation's own corpus field (an exported session's metadata) is kept
        if corpus_meta and not any(k == "corpus" or k.startswith("corpus.") for k in meta):
            meta["corpus"] = corpus_meta
        transcripts.append(Transcript(session_id=conversation, source=str(folder),
                                      format="convokit", speakers=tuple(speakers.values()),
                                      turns=tuple(turns), meta=meta))
    yield from sessions_or_partial(transcripts, errors, len(grouped), "conversation")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _in_order(items: list[tuple[dict, int]]) -> list[tuple[dict, int]]:
    turns = [(item.get("meta") or {}).get("turn") if isinstance(item.get("meta"), dict)
             else None for item, _ in items]
    if all(_number(t) for t in turns):
        return [entry for _, entry in sorted(zip(turns, items, strict=True),
                                             key=lambda pair: (pair[0], pair[1][1]))]
    stamps = [item.get("timestamp") for item, _ in items]
    if all(_number(s) for s in stamps):
        return [entry for _, entry in sorted(zip(stamps, items, strict=True),
                                             key=lambda pair: (pair[0], pair[1][1]))]
    return items


def _speaker_of(item: dict) -> Any:
    meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
    speaker = meta.get("speaker_name") or item.get("speaker", item.get("user"))
    if isinstance(speaker, dict):  # some dumps inline the speaker object
        speaker = speaker.get("id") or speaker.get("name")
    return speaker


def _turn(path: Path, index: int, item: dict, number: int) -> Turn:
    speaker = expect(path, _speaker_of(item), "string|number", "speaker", line=number,
                     hint='write the speaker as an id, e.g. "speaker": "anna"')
    if speaker is None or not str(speaker).strip():
        raise NoSpeakerError(str(path), "utterance without a speaker", line=number,
                             hint="give every utterance a 'speaker' id")
    meta = item.get("meta") or {}
    if not isinstance(meta, dict):
        raise MalformedError(str(path), f"the utterance's meta is not a JSON object: "
                             f"{json.dumps(meta)[:40]}", line=number,
                             hint='write meta as an object, e.g. "meta": {"start": 1.5}, '
                                  "or leave it out")
    text = expect(path, item.get("text"), "string|number", "text", line=number,
                  hint='write the text as one string, e.g. "text": "Hello there"')
    if text is not None and len(str(text)) > MAX_TURN_CHARS:  # as base.check_lengths
        raise TurnTooLongError(str(path), f"this utterance is {len(str(text)):,} characters; "
                               f"the analyser takes at most {MAX_TURN_CHARS:,} per turn",
                               line=number, hint="split it into several utterances")
    meta = dict(meta)
    meta.pop("speaker_name", None)
    timed = "end" in meta and "start" not in meta
    try:
        start = parse_seconds(meta.pop("start", item.get("start", item.get("timestamp")
                                                                  if timed else None)))
        end = parse_seconds(meta.pop("end", item.get("end")))
    except ValueError as exc:
        raise TimingError(str(path), f"cannot read a time in meta: {exc}", line=number,
                          hint="meta start/end are seconds from the start of the "
                               "recording (0 or more)") from None
    gold = expect(path, meta.pop("gold", None), "list|string", "meta.gold", line=number,
                  hint='write gold labels as a list, e.g. "gold": ["elicit-pref"], or as '
                       '"a,b"') or ()
    if isinstance(gold, str):
        gold = tuple(x.strip() for x in gold.split(",") if x.strip())
    action = None
    raw = meta.pop("action", None)
    if isinstance(raw, dict) and raw.get("kind"):
        terms = expect(path, raw.get("terms"), "object", "meta.action.terms", line=number,
                       hint='write the terms as an object, e.g. "terms": {"speaker_gets": '
                            '{"Food": 2}}, or leave them out')
        action = Action(str(raw["kind"]), str(raw.get("name", raw["kind"])), dict(terms or {}))
    elif isinstance(raw, str) and raw.strip():
        action = Action(raw.strip(), str(item.get("text") or raw).strip())
    meta.pop("is_action", None)
    source_line = meta.pop("source_line", None)
    for key in ("id", "reply_to", "reply-to", "timestamp"):
        if item.get(key) is not None:
            meta[key] = item[key]
    return Turn(index=index, speaker=str(speaker), text=str(item.get("text") or ""),
                start=start, end=end,
                source_line=source_line if isinstance(source_line, int) else number,
                action=action,
                gold=tuple(str(g) for g in gold), meta=meta)
