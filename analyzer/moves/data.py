"""Coded training data for the move classifier: CaSiNo's annotated dialogues or a user's CSV.

Everything ends up as ``Transcript`` objects whose turns carry their human labels in
``Turn.gold`` (a tuple, multi-label allowed); turns without labels (actions, unannotated
dialogues) have ``gold == ()`` and are used as context only.

CaSiNo is read by ``analyzer.io`` (annotations aligned to chat turns by order and text, as the
corpus README says); this module keeps the annotated dialogues.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReadError
from ..transcript import Transcript, Turn, speakers_in_order


@dataclass
class CodedData:
    """Transcripts with gold labels plus what training needs to know about their origin."""

    transcripts: list[Transcript]
    files: list[Path]
    orientation_map: dict[str, str] = field(default_factory=dict)
    kind: str = "casino"  # or "csv"
    #: sessions coded by the project, not by the corpus (``codes.py``): trained on, never
    #: scored; ``codes`` are the files they came from (part of ``files`` too)
    train_only: frozenset[str] = frozenset()
    codes: list[Path] = field(default_factory=list)

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
    """CaSiNo dialogues from one JSON file through ``analyzer.io`` (which aligns the
    annotations onto chat turns by order and text); only annotated ones by default.

    Labels of a turn are sorted, so a label set has one spelling whatever the annotator's
    order."""
    from dataclasses import replace

    from ..io import read_transcripts

    out = []
    for t in read_transcripts(path, format="json"):
        if t.format != "casino" and not any(turn.gold for turn in t.turns):
            raise ReadError(str(path), "not a CaSiNo file (no strategy annotations found)",
                            hint="for your own coded data use a CSV with text,label columns")
        if annotated_only and not any(turn.gold for turn in t.turns):
            continue
        turns = tuple(replace(turn, gold=tuple(sorted(turn.gold))) if turn.gold else turn
                      for turn in t.turns)
        out.append(replace(t, turns=turns))
    return out


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
               orientation_map: str | Path | None = None,
               codes: Iterable[str | Path] = (), codes_optional: bool = False) -> CodedData:
    """Read coded data: CaSiNo JSON files/folders or user CSVs (not mixed).

    ``codes``: files of the project's own strategy codes for CaSiNo dialogues the corpus left
    uncoded (``codes.py``); their dialogues join the data as training-only sessions. On CSV
    data they are an error, unless ``codes_optional`` (the CLI's default codes, which the
    user did not name: then they are left out)."""
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
    code_files = [Path(c) for c in codes] if kind == "casino" or not codes_optional else []
    if code_files and kind != "casino":
        from ..errors import UsageError

        raise UsageError("project codes (--codes) add to CaSiNo dialogues; the data is CSV",
                         hint="leave out --codes, or pass --no-codes")
    transcripts: list[Transcript] = []
    everything: list[Transcript] = []
    for f in files:
        if kind == "csv":
            transcripts.extend(read_coded_csv(f, text_col=text_col, label_col=label_col))
        elif code_files:
            read = read_casino(f, annotated_only=False)
            everything.extend(read)
            transcripts.extend(t for t in read if any(turn.gold for turn in t.turns))
        else:
            transcripts.extend(read_casino(f))
    train_only: frozenset[str] = frozenset()
    if code_files:
        from .codes import coded_copies, read_codes

        rows = [row for c in code_files for row in read_codes(c)]
        copies = coded_copies(everything, rows)
        transcripts.extend(copies)
        train_only = frozenset(str(t.session_id) for t in copies)
        if not copies:  # none of the files' dialogues has project codes: plain corpus data
            code_files = []
    mapping = dict(CASINO_ORIENTATION) if kind == "casino" else {}
    if orientation_map:
        mapping.update(read_orientation_map(orientation_map))
    return CodedData(transcripts, files + code_files, mapping, kind, train_only, code_files)
