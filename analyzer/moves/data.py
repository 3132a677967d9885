"""Coded training data for the move classifier: CaSiNo's annotated dialogues or a user's CSV.

Everything ends up as ``Transcript`` objects whose turns carry their human labels in
``Turn.gold`` (a tuple, multi-label allowed); turns without labels (actions, unannotated
dialogues) have ``gold == ()`` and are used as context only.

CaSiNo is read here with a small private loader until ``analyzer.io`` reads it; annotations
are aligned to chat turns by order and text, as the corpus README says.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReadError
from ..transcript import Action, Transcript, Turn, speakers_in_order

_ACTIONS = {"Submit-Deal": "submit", "Accept-Deal": "accept", "Reject-Deal": "reject",
            "Walk-Away": "walk_away"}
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


@dataclass
class CodedData:
    """Transcripts with gold labels plus what training needs to know about their origin."""

    transcripts: list[Transcript]
    files: list[Path]
    orientation_map: dict[str, str] = field(default_factory=dict)
    kind: str = "casino"  # or "csv"

    @property
    def labelled_turns(self) -> int:
        return sum(1 for t in self.transcripts for turn in t.turns if turn.gold)

    @property
    def labels(self) -> list[str]:
        return sorted({g for t in self.transcripts for turn in t.turns for g in turn.gold})

    def sha256(self) -> str:
        """Hash of the input files' bytes in a fixed order: same data, same hash."""
        digest = hashlib.sha256()
        for path in sorted(self.files, key=lambda p: p.name):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files)


def casino_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.glob("*.json") if p.is_file())
    return [path]


def read_casino(path: str | Path, annotated_only: bool = True) -> list[Transcript]:
    """CaSiNo dialogues from one JSON file, gold strategy labels aligned onto chat turns."""
    path = Path(path)
    try:
        dialogues = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(str(path), f"cannot read CaSiNo JSON: {exc}",
                        line=getattr(exc, "lineno", None),
                        hint="pass casino_train.json / casino_valid.json as released") from exc
    if not isinstance(dialogues, list) or (dialogues and "chat_logs" not in dialogues[0]):
        raise ReadError(str(path), "not a CaSiNo file (a JSON list of dialogues with "
                                   "'chat_logs' expected)",
                        hint="for your own coded data use a CSV with text,label columns")
    out = []
    for k, dialogue in enumerate(dialogues):
        annotations = dialogue.get("annotations") or []
        if annotated_only and not annotations:
            continue
        out.append(_casino_transcript(path, k, dialogue, annotations))
    return out


def _casino_transcript(path: Path, k: int, dialogue: dict, annotations: list) -> Transcript:
    turns = []
    queue = list(annotations)
    for i, log in enumerate(dialogue["chat_logs"]):
        text = log.get("text", "")
        action = None
        gold: tuple[str, ...] = ()
        if text in _ACTIONS:
            data = log.get("task_data") or {}
            terms = {}
            if "issue2youget" in data:
                terms = {"speaker_gets": {k2: int(v) for k2, v in data["issue2youget"].items()},
                         "other_gets": {k2: int(v) for k2, v in data["issue2theyget"].items()}}
            action = Action(_ACTIONS[text], text, terms)
        elif queue and _norm(queue[0][0]) == _norm(text):
            gold = tuple(sorted(x.strip() for x in queue.pop(0)[1].split(",") if x.strip()))
        turns.append(Turn(index=i, speaker=log["id"], text=text, source_line=i,
                          action=action, gold=gold))
    turns_t = tuple(turns)
    return Transcript(session_id=str(dialogue.get("dialogue_id", k)), source=str(path),
                      format="casino", speakers=speakers_in_order(turns_t), turns=turns_t,
                      meta={})


def read_coded_csv(path: str | Path, text_col: str = "text", label_col: str = "label",
                   session_col: str = "session_id", speaker_col: str = "speaker"
                   ) -> list[Transcript]:
    """A user's coded turns: one row per turn, ``text`` and ``label`` (labels may be
    comma-separated for multi-label codes), optional ``session_id`` and ``speaker``.

    Rows of one session keep their file order (it is the context the model sees); without
    a ``session_id`` column every row is a session of its own.
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ReadError(str(path), f"cannot open: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        missing = [c for c in (text_col, label_col) if c not in columns]
        if missing:
            raise ReadError(str(path), f"missing column(s) {', '.join(missing)}", line=1,
                            hint=f"the header has {', '.join(columns) or 'nothing'}; name the "
                                 "columns with --text-col / --label-col")
        sessions: dict[str, list[tuple[int, dict]]] = {}
        for row in reader:
            line = reader.line_num
            sid = (row.get(session_col) or "").strip() if session_col in columns else ""
            sessions.setdefault(sid or f"row{line}", []).append((line, row))
    out = []
    for sid, rows in sessions.items():
        turns = []
        for i, (line, row) in enumerate(rows):
            label = (row.get(label_col) or "").strip()
            gold = tuple(x.strip() for x in label.split(",") if x.strip())
            speaker = (row.get(speaker_col) or "").strip() if speaker_col in columns else ""
            turns.append(Turn(index=i, speaker=speaker or "speaker", text=row.get(text_col) or "",
                              source_line=line, gold=gold))
        t = tuple(turns)
        out.append(Transcript(session_id=sid, source=str(path), format="csv",
                              speakers=speakers_in_order(t), turns=t))
    if not any(turn.gold for tr in out for turn in tr.turns):
        raise ReadError(str(path), f"no labelled rows (column {label_col!r} is empty)",
                        hint="fill the label column with your codes")
    return out


def read_orientation_map(path: str | Path) -> dict[str, str]:
    """``label -> orientation`` from a CSV (``label,orientation``) or JSON object file."""
    from ..results import ORIENTATIONS

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReadError(str(path), f"cannot open orientation map: {exc.strerror}") from exc
    mapping: dict[str, str] = {}
    if path.suffix.lower() == ".json":
        try:
            mapping = {str(k): str(v) for k, v in json.loads(text).items()}
        except (json.JSONDecodeError, AttributeError) as exc:
            raise ReadError(str(path), "orientation map must be a JSON object label -> "
                                       "orientation", hint='e.g. {"ask_priority": '
                                                           '"integrative"}') from exc
    else:
        for n, row in enumerate(csv.reader(text.splitlines()), start=1):
            if not row or (n == 1 and [c.strip().lower() for c in row[:2]] ==
                           ["label", "orientation"]):
                continue
            if len(row) < 2:
                raise ReadError(str(path), "expected two columns: label,orientation", line=n)
            mapping[row[0].strip()] = row[1].strip()
    for label, orientation in mapping.items():
        if orientation not in ORIENTATIONS:
            raise ReadError(str(path), f"label {label!r}: unknown orientation {orientation!r}",
                            hint=f"use one of {', '.join(ORIENTATIONS)}")
    return mapping


def load_coded(paths: Iterable[str | Path], text_col: str = "text", label_col: str = "label",
               orientation_map: str | Path | None = None) -> CodedData:
    """Read coded data: CaSiNo JSON files/folders or user CSVs (not mixed)."""
    from .taxonomy import CASINO_ORIENTATION

    files: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise ReadError(str(p), "no such file or folder",
                            hint="check the path; CaSiNo lives in ../shared/corpora/casino")
        if p.is_dir():
            found = casino_files(p) + sorted(p.glob("*.csv"))
            if not found:
                raise ReadError(str(p), "no .json or .csv files in this folder")
            files.extend(found)
        else:
            files.append(p)
    kinds = {"csv" if f.suffix.lower() == ".csv" else "casino" for f in files}
    if len(kinds) > 1:
        raise ReadError(str(files[0]), "cannot mix CaSiNo JSON and CSV in one run",
                        hint="train on one kind of data at a time")
    kind = kinds.pop()
    transcripts: list[Transcript] = []
    for f in files:
        if kind == "csv":
            transcripts.extend(read_coded_csv(f, text_col=text_col, label_col=label_col))
        else:
            transcripts.extend(read_casino(f))
    mapping = dict(CASINO_ORIENTATION) if kind == "casino" else {}
    if orientation_map:
        mapping.update(read_orientation_map(orientation_map))
    return CodedData(transcripts, files, mapping, kind)
