"""Writing results as a ConvoKit corpus folder, without depending on ConvoKit.

ConvoKit (Cornell) is where many conversation researchers work, but it pulls in torch; so
we write its documented on-disk format ourselves: ``utterances.jsonl`` (one utterance a line:
``id``, ``speaker``, ``conversation_id``, ``reply-to``, ``timestamp``, ``text``, ``meta``,
``vectors``), ``speakers.json`` and ``conversations.json`` (``{id: {"meta": ..., "vectors":
[]}}``), ``corpus.json`` and ``index.json`` (the meta-field types ConvoKit records). The
analyser's labels (stage, move, orientation, confidence, ...) go into each utterance's meta;
the transcript's own metadata (outcomes) into the conversation's, under its original names
(the sessions table's ``meta.`` prefix removed, so reading the corpus back gives the same
``meta.*`` columns), and the analyser's session columns under the conversation's
``analyzer`` key. An action's terms (the split a Submit-Deal proposes) come from the turns
table's ``action_terms``; tables written before that column existed keep only the kind, so
for them the terms are taken from the source transcripts when those can still be read
(``source_actions``): without them a re-analysis would label those turns differently.
``Corpus(filename=DIR)`` loads it and ``analyzer.io``'s ConvoKit reader reads it back.

Ids: an utterance is ``<session_id>__<turn>``; a conversation is the session id; each
utterance replies to the one before it in its session. Speakers keep their names, so the
same name in two sessions is one ConvoKit speaker unless ``unique_speakers=True``
(``<session_id>__<name>``; the plain name stays in the utterance meta as ``speaker_name``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

#: Turn columns that go into each utterance's meta, in this order, when present.
UTTERANCE_META = ["turn", "speaker_name", "role", "stage", "move", "orientation",
                  "confidence", "labels", "offer", "gold", "is_action", "action", "end",
                  "source_line", "words"]


def utterance_id(session_id: str, turn: int) -> str:
    return f"{session_id}__{int(turn)}"


def _plain(value: Any) -> Any:
    """JSON-safe: NaN/NA -> None, numpy scalars -> Python."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _type_name(value: Any) -> str:
    return f"<class '{type(value).__name__}'>"


def _index(metas) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for meta in metas:
        for key, value in meta.items():
            if key not in index and value is not None:
                index[key] = [_type_name(value)]
    for meta in metas:  # keys that are always None still get an entry
        for key in meta:
            index.setdefault(key, [_type_name(None)])
    return index


def _jsonable(value: Any) -> Any:
    """Action terms (mappings of counts) as plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return _plain(value)


def _row_action(row: dict) -> dict | None:
    """The reader's action form from a turns-table row with ``action_terms``."""
    kind = _plain(row.get("action"))
    if kind is None:
        return None
    raw = _plain(row.get("action_terms"))
    text = _plain(row.get("text"))
    return {"kind": str(kind), "name": str(kind) if text is None else str(text).strip(),
            "terms": json.loads(raw) if raw else {}}


def source_actions(sessions: pd.DataFrame | None) -> tuple[dict, list[str]]:
    """``{(session_id, turn): {"kind", "name", "terms"}}`` for the action turns of the
    sessions' source transcripts, and the sources that could not be read (moved, deleted,
    or needing reader options). Only sessions of the results are kept."""
    from ..errors import AnalyzerError
    from . import read_transcripts

    actions: dict[tuple[str, int], dict] = {}
    unreadable: list[str] = []
    if sessions is None or "source" not in sessions.columns:
        return actions, unreadable
    wanted = set(sessions["session_id"].astype(str))
    for source in pd.unique(sessions["source"].dropna().astype(str)):
        try:
            for transcript in read_transcripts(source):
                if str(transcript.session_id) not in wanted:
                    continue
                for turn in transcript.turns:
                    if turn.action is not None:
                        actions[(str(transcript.session_id), int(turn.index))] = {
                            "kind": turn.action.kind, "name": turn.action.name,
                            "terms": _jsonable(turn.action.terms)}
        except (AnalyzerError, OSError):
            unreadable.append(source)
    return actions, unreadable


class _IndexBuilder:
    """``_index`` of a stream of metas, one at a time (the same result)."""

    def __init__(self) -> None:
        self.typed: dict[str, list[str]] = {}
        self.keys: dict[str, None] = {}

    def add(self, meta: Mapping) -> None:
        for key, value in meta.items():
            if key not in self.typed and value is not None:
                self.typed[key] = [_type_name(value)]
            self.keys.setdefault(key, None)

    def result(self) -> dict[str, list[str]]:
        index = dict(self.typed)
        for key in self.keys:  # keys that are always None still get an entry
            index.setdefault(key, [_type_name(None)])
        return index


#: Turns turned into Python dicts at a time (the whole table at once held every row as a
#: dict: 2.6 GB for 258,000 turns; study-at-scale QA, 28 Nov 2026)
_CHUNK_ROWS = 5000


def _utterance_stream(turns: pd.DataFrame, speakers: dict, conversations: dict,
                      index: _IndexBuilder, *, unique_speakers: bool,
                      actions: dict | None) -> Iterator[dict]:
    """The utterances in (session, turn) order, one at a time; ``speakers``,
    ``conversations`` and ``index`` are filled as they go."""
    turns = turns.sort_values(["session_id", "turn"], kind="stable")
    previous: dict[str, str] = {}
    for first in range(0, len(turns), _CHUNK_ROWS):
        for row in turns.iloc[first:first + _CHUNK_ROWS].to_dict("records"):
            session_id, turn = str(row["session_id"]), int(row["turn"])
            name = str(row["speaker"])
            speaker_id = f"{session_id}__{name}" if unique_speakers else name
            uid = utterance_id(session_id, turn)
            meta_source = {**row, "speaker_name": name}
            meta = {k: _plain(meta_source[k]) for k in UTTERANCE_META if k in meta_source}
            if "is_action" in meta and meta["is_action"] is not None:
                meta["is_action"] = bool(meta["is_action"])
            full = _row_action(row) if "action_terms" in row else \
                (actions or {}).get((session_id, turn))
            if full is not None and full["kind"] == meta.get("action"):
                meta["action"] = full  # the reader's {"kind", "name", "terms"} form
            index.add(meta)
            yield {
                "id": uid, "speaker": speaker_id, "conversation_id": session_id,
                "reply-to": previous.get(session_id), "timestamp": _plain(row.get("start")),
                "text": "" if _plain(row.get("text")) is None else str(row["text"]),
                "meta": meta, "vectors": [],
            }
            previous[session_id] = uid
            speaker_meta = speakers.setdefault(speaker_id,
                                               {"meta": {"name": name}, "vectors": []})
            if _plain(row.get("role")) is not None:
                speaker_meta["meta"].setdefault("role", row["role"])
            conversations.setdefault(session_id, {"meta": {}, "vectors": []})


def _the_rest(speakers: dict, conversations: dict, index: _IndexBuilder,
              sessions: pd.DataFrame | None, corpus_meta: dict | None) -> dict:
    """Speakers, conversations (with the sessions' metadata), corpus and index, once the
    utterances have been through ``_utterance_stream``."""
    if sessions is not None:
        for row in sessions.to_dict("records"):
            sid = str(row["session_id"])
            if sid in conversations:
                conversations[sid]["meta"] = _conversation_meta(row)
    corpus = {"name": "analyzer-export", **(corpus_meta or {})}
    return {"speakers": speakers, "conversations": conversations, "corpus": corpus,
            "index": {
                "utterances-index": index.result(),
                "speakers-index": _index([s["meta"] for s in speakers.values()]),
                "conversations-index": _index([c["meta"] for c in conversations.values()]),
                "overall-index": _index([corpus]),
                "version": 1,
                "vectors": [],
            }}


def _conversation_meta(row: dict) -> dict:
    """A sessions-table row as conversation meta: the transcript's metadata (``meta.a.b``
    columns) under their own names (``a.b``; empty ones, which only the union of columns
    across sessions created, left out), the analyser's columns under ``analyzer``.

    Keeping the ``meta.`` prefix would come back as ``meta.meta.a.b`` when the corpus is
    read again, and ``outcomes`` would no longer find CaSiNo's outcomes."""
    meta: dict[str, Any] = {}
    analysis: dict[str, Any] = {}
    for key, value in row.items():
        key = str(key)
        if key == "session_id":
            continue
        if key.startswith("meta."):
            if _plain(value) is not None:
                meta[key[len("meta."):]] = _plain(value)
        else:
            analysis[key] = _plain(value)
    meta["analyzer"] = analysis
    return meta


def write_convokit(turns: pd.DataFrame, folder, name: str = "convokit",
                   sessions: pd.DataFrame | None = None, *, unique_speakers: bool = False,
                   corpus_meta: dict | None = None, actions: dict | None = None
                   ) -> list[Path]:
    """Write a ConvoKit corpus folder ``name`` inside ``folder`` (an ``OutputFolder``); the
    utterances are streamed to their file, never held together."""
    speakers: dict = {}
    conversations: dict = {}
    index = _IndexBuilder()

    def write(path: Path) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            for utterance in _utterance_stream(turns, speakers, conversations, index,
                                               unique_speakers=unique_speakers,
                                               actions=actions):
                handle.write(json.dumps(utterance, ensure_ascii=False) + "\n")

    written = [folder.write_atomic(f"{name}/utterances.jsonl", write)]
    records = _the_rest(speakers, conversations, index, sessions, corpus_meta)
    for key, file in (("speakers", "speakers.json"), ("conversations", "conversations.json"),
                      ("corpus", "corpus.json"), ("index", "index.json")):
        written.append(folder.write_text(
            f"{name}/{file}", json.dumps(records[key], ensure_ascii=False, indent=1) + "\n"))
    return written


def read_convokit_utterances(root: str | Path) -> pd.DataFrame:
    """The utterances of a ConvoKit folder as a table (for checks; the transcript reader
    lives in ``analyzer.io``)."""
    rows = []
    with open(Path(root) / "utterances.jsonl", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                u = json.loads(line)
                rows.append({"id": u["id"], "speaker": u["speaker"],
                             "conversation_id": u["conversation_id"],
                             "reply_to": u.get("reply-to", u.get("reply_to")),
                             "timestamp": u.get("timestamp"), "text": u.get("text"),
                             **{f"meta.{k}": v for k, v in (u.get("meta") or {}).items()}})
    return pd.DataFrame(rows)
