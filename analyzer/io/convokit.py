"""ConvoKit corpus folders (Cornell): ``utterances.jsonl`` plus optional JSON side files.

One transcript per ``conversation_id`` (older corpora: ``root``), in order of first
appearance; utterances ordered by ``timestamp`` when it is a number (file order breaks ties
and places utterances without one last). ``speakers.json`` (older: ``users.json``) gives
speaker meta and a ``role``; ``conversations.json`` gives each conversation's meta;
``corpus.json`` the corpus meta (under ``meta["corpus"]``). Read without ConvoKit itself
(it is a heavy install), and tolerantly: unknown fields are kept, missing ones skipped.

Utterance ``meta`` keys we understand (and our ConvoKit export writes): ``start``, ``end``
(seconds), ``gold`` (list of labels), ``action`` (``{"kind", "name", "terms"}``), ``role``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import EmptyTranscriptError, MalformedError, NoSpeakerError, TimingError
from ..transcript import Action, Speaker, Transcript, Turn
from .base import decode, normalise_role, parse_seconds, read_bytes
from .jsonfile import load


def is_corpus(path: Path) -> bool:
    return path.is_dir() and (path / "utterances.jsonl").is_file()


def _side_file(folder: Path, *names: str) -> dict:
    for name in names:
        candidate = folder / name
        if candidate.is_file():
            data = load(candidate, decode(candidate, read_bytes(candidate)))
            if not isinstance(data, dict):
                raise MalformedError(str(candidate), "expected a JSON object (id -> fields)",
                                     where="top level", hint="see the ConvoKit corpus format")
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
    utterances_file = folder / "utterances.jsonl"
    if text is None:
        text = decode(utterances_file, read_bytes(utterances_file))
    speakers_info = _side_file(folder, "speakers.json", "users.json")
    conversations = _side_file(folder, "conversations.json")
    corpus_meta = _side_file(folder, "corpus.json")

    grouped: dict[str, list[tuple[tuple, dict, int]]] = {}
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
        if not isinstance(item, dict):
            raise MalformedError(str(utterances_file), "a line is not a JSON object",
                                 line=number, hint="each line is one utterance object")
        conversation = item.get("conversation_id", item.get("root"))
        if conversation is None:
            raise MalformedError(str(utterances_file), "utterance without conversation_id",
                                 line=number, hint="give every utterance a conversation_id")
        stamp = item.get("timestamp")
        order = (0, float(stamp), number) if isinstance(stamp, (int, float)) \
            and not isinstance(stamp, bool) else (1, 0.0, number)
        grouped.setdefault(str(conversation), []).append((order, item, number))
    if not grouped:
        raise EmptyTranscriptError(str(utterances_file), "no utterances in the corpus",
                                   hint="utterances.jsonl needs one JSON object per line")
    for conversation, items in grouped.items():
        items.sort(key=lambda entry: entry[0])
        turns = [_turn(utterances_file, index, item, number)
                 for index, (_, item, number) in enumerate(items)]
        names = list(dict.fromkeys(t.speaker for t in turns))
        speakers = []
        for name in names:
            info = _meta(speakers_info.get(name))
            role = normalise_role(info.get("role")) or normalise_role(
                next((item.get("meta", {}).get("role") for _, item, _ in items
                      if str(item.get("speaker", item.get("user"))) == name
                      and isinstance(item.get("meta"), dict)), None))
            from ..transcript import guess_role

            speakers.append(Speaker(name, role or guess_role(name), info))
        meta = _meta(conversations.get(conversation))
        if corpus_meta:
            meta["corpus"] = corpus_meta
        yield Transcript(session_id=conversation, source=str(folder), format="convokit",
                         speakers=tuple(speakers), turns=tuple(turns), meta=meta)


def _turn(path: Path, index: int, item: dict, number: int) -> Turn:
    speaker = item.get("speaker", item.get("user"))
    if isinstance(speaker, dict):  # some dumps inline the speaker object
        speaker = speaker.get("id") or speaker.get("name")
    if speaker is None or not str(speaker).strip():
        raise NoSpeakerError(str(path), "utterance without a speaker", line=number,
                             hint="give every utterance a 'speaker' id")
    meta = dict(item.get("meta") or {})
    try:
        start = parse_seconds(meta.pop("start", None))
        end = parse_seconds(meta.pop("end", None))
    except ValueError as exc:
        raise TimingError(str(path), f"cannot read a time in meta: {exc}", line=number,
                          hint="meta start/end are seconds") from None
    gold = meta.pop("gold", None) or ()
    if isinstance(gold, str):
        gold = tuple(x.strip() for x in gold.split(",") if x.strip())
    action = None
    raw = meta.pop("action", None)
    if isinstance(raw, dict) and raw.get("kind"):
        action = Action(str(raw["kind"]), str(raw.get("name", raw["kind"])),
                        dict(raw.get("terms") or {}))
    for key in ("id", "reply_to", "timestamp"):
        if item.get(key) is not None:
            meta[key] = item[key]
    return Turn(index=index, speaker=str(speaker), text=str(item.get("text") or ""),
                start=start, end=end, source_line=number, action=action,
                gold=tuple(str(g) for g in gold), meta=meta)
