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
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReadError
from ..transcript import Transcript, Turn, speakers_in_order

#: Coded rows a category needs before its cross-validated F1 means anything (and the model
#: learns it at all): with fewer, one fold's test set holds one or two of them.
MIN_EXAMPLES = 5


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
    #: warnings about the data for the CLI to print (library code never prints): merged
    #: case variants, orientation-map gaps, a file without sessions
    notes: list[str] = field(default_factory=list)

    @property
    def labelled_turns(self) -> int:
        return sum(1 for t in self.transcripts for turn in t.turns if turn.gold)

    @property
    def labels(self) -> list[str]:
        return sorted({g for t in self.transcripts for turn in t.turns for g in turn.gold})

    @property
    def coded_sessions(self) -> int:
        """Sessions with at least one coded turn (uncoded rows are context, not sessions
        of the data)."""
        return len({str(t.session_id) for t in self.transcripts
                    if any(turn.gold for turn in t.turns)})

    def label_counts(self) -> dict[str, tuple[int, int]]:
        """``label -> (coded turns, sessions)`` over the scored sessions (project codes,
        never scored, left out)."""
        turns: dict[str, int] = {}
        sessions: dict[str, set[str]] = {}
        for t in self.transcripts:
            if str(t.session_id) in self.train_only:
                continue
            for turn in t.turns:
                for g in turn.gold:
                    turns[g] = turns.get(g, 0) + 1
                    sessions.setdefault(g, set()).add(str(t.session_id))
        return {g: (turns[g], len(sessions[g])) for g in sorted(turns)}

    def check_trainable(self) -> None:
        """A model tells codes apart: one code alone is a usage error, not the estimator's
        ValueError traceback (training QA, 28 Nov 2026)."""
        from ..errors import UsageError

        labels = self.labels
        if len(labels) < 2:
            where = ", ".join(str(f) for f in self.files[:3]) + \
                (", ..." if len(self.files) > 3 else "")
            raise UsageError(f"{where}: every coded turn has the code {labels[0]!r}; a model "
                             "needs at least two different codes to learn to tell them apart",
                             hint="add turns coded with your other categories (or check that "
                                  "--label-col names the column holding your codes)")

    def rare_label_notes(self, minimum: int = MIN_EXAMPLES) -> list[str]:
        """Warnings for codes with fewer than ``minimum`` coded turns, or all of them in one
        session: the model barely learns them, and their cross-validated F1 is noise (one
        fold holds them all, or one or two of them)."""
        rare = []
        for label, (turns, sessions) in self.label_counts().items():
            if turns < minimum:
                rare.append(f"{label!r} ({turns} turn{'s' * (turns != 1)})")
            elif sessions == 1:
                rare.append(f"{label!r} (all {turns} turns in one session)")
        if not rare:
            return []
        return [f"warning: rare codes: {', '.join(rare)}; the model learns little from them "
                f"and their F1 says little (a code needs about {minimum} turns in several "
                "sessions); code more examples, or merge them into a related code"]

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


def _column(path: Path, header: list[str], wanted: str | None, aliases: tuple[str, ...],
            option: str, taken: tuple[int, ...] = ()) -> int | None:
    """The index of a column: the one named by ``option`` (exactly, else ignoring case and
    spaces), or with no name given the first header column among ``aliases`` (the names
    the transcript readers accept, ``io.csvfile.ALIASES``) that is not ``taken``."""
    keys = [h.strip().casefold() for h in header]
    if wanted is not None:
        if wanted in header:
            return header.index(wanted)
        if wanted.strip().casefold() in keys:
            return keys.index(wanted.strip().casefold())
        raise ReadError(str(path), f"no column {wanted!r} (given as {option})", line=1,
                        hint=f"the header has {', '.join(header) or 'nothing'}; name one of "
                             f"its columns with {option}")
    for alias in aliases:
        for i, key in enumerate(keys):
            if key == alias and i not in taken:
                return i
    return None


def read_coded_csv(path: str | Path, text_col: str = "text", label_col: str = "label",
                   session_col: str | None = None, speaker_col: str | None = None,
                   notes: list[str] | None = None) -> list[Transcript]:
    """A user's coded turns: one row per turn, ``text`` and ``label`` (labels may be
    comma-separated for multi-label codes), optional session and speaker columns.

    The session column is ``session_col``, else the first of the names the transcript
    readers accept (``session_id``, ``session``, ``conversation_id``, ``dialogue_id``...);
    the speaker column likewise. Rows of one session keep their file order (it is the
    context the model sees); without a session column every row is a session of its own,
    which ``notes`` (warnings for the CLI) then says: the model sees no context and
    ``--cv`` splits turns instead of sessions (training QA, 28 Nov 2026: a ``Session``
    column... was ignored without a word).

    The file is decoded as every transcript is (``io.decoding``: UTF-8, UTF-16, else
    Windows-1252) and read with the transcript reader's strict CSV rules, so a quote never
    closed is the same E104 error at the row it opens, not a row that swallows the rest of
    the file into one garbage label.
    """
    from ..io.csvfile import ALIASES, FIELD_LIMIT, broken_row, data_rows
    from ..io.decoding import decode, read_bytes

    path = Path(path)
    text = decode(path, read_bytes(path))
    if csv.field_size_limit() < FIELD_LIMIT:  # process-wide; only ever raised
        csv.field_size_limit(FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise broken_row(path, exc, 1) from None
    missing = [c for c in (text_col, label_col)
               if c not in header and c.strip().casefold() not in
               [h.strip().casefold() for h in header]]
    if missing:
        raise ReadError(str(path), f"missing column(s) {', '.join(missing)}", line=1,
                        hint=f"the header has {', '.join(header) or 'nothing'}; name the "
                             "columns with --text-col / --label-col")
    text_i = _column(path, header, text_col, (), "--text-col")
    label_i = _column(path, header, label_col, (), "--label-col")
    session_i = _column(path, header, session_col, ALIASES["session"], "--session-col",
                        (text_i, label_i))
    speaker_i = _column(path, header, speaker_col, ALIASES["speaker"], "--speaker-col",
                        (text_i, label_i, session_i))
    sessions: dict[str, list[tuple[int, list[str]]]] = {}
    for row_line, row in data_rows(path, reader, header):
        row = row + [""] * (len(header) - len(row))
        sid = row[session_i].strip() if session_i is not None else ""
        sessions.setdefault(sid or f"row{row_line}", []).append((row_line, row))
    out = []
    for sid, rows in sessions.items():
        turns = []
        for i, (line, row) in enumerate(rows):
            gold = tuple(dict.fromkeys(x.strip() for x in row[label_i].split(",")
                                       if x.strip()))
            speaker = row[speaker_i].strip() if speaker_i is not None else ""
            turns.append(Turn(index=i, speaker=speaker or "speaker", text=row[text_i],
                              source_line=line, gold=gold))
        t = tuple(turns)
        out.append(Transcript(session_id=sid, source=str(path), format="csv",
                              speakers=speakers_in_order(t), turns=t))
    coded = [t for t in out if any(turn.gold for turn in t.turns)]
    if not coded:
        raise ReadError(str(path), f"no labelled rows (column {header[label_i]!r} is empty)",
                        hint="fill the label column with your codes")
    if notes is not None and len(out) > 1 and all(len(t.turns) == 1 for t in out):
        if session_i is None:
            why = (f"it has no session column ({', '.join(ALIASES['session'][:4])}...), so "
                   "every row is a session of its own")
        else:
            why = f"every row has a {header[session_i]!r} of its own"
        notes.append(f"warning: {path}: {why}: the model sees no previous turn as context, "
                     "and --cv splits turns, not sessions (optimistic when turns of one "
                     "session are alike); name the session column with --session-col")
    return out


def case_variants(names: Iterable[str]) -> list[list[str]]:
    """Groups of names that differ only in case ("Neutral", "neutral"), as ``reliability``
    warns of them: most likely one category spelled two ways."""
    groups: dict[str, list[str]] = {}
    for name in names:
        if name not in groups.setdefault(name.casefold(), []):
            groups[name.casefold()].append(name)
    return [g for g in groups.values() if len(g) > 1]


def merge_case_variants(transcripts: list[Transcript], preferred: Iterable[str] = ()
                        ) -> tuple[list[Transcript], list[str]]:
    """``transcripts`` with codes that differ only in case written one way, and a note per
    merged code naming the file and line where each other spelling first occurs.

    Why merge: "Value-Claiming", "VALUE-CLAIMING" and "value-claiming" in one coder's file
    are one code typed three ways; kept apart they were three categories, each thin, and
    the two not in the orientation map counted as neutral (training QA, 28 Nov 2026). The
    spelling kept is one of ``preferred`` (a trained model's labels, so that evaluation data
    matches them) or else the most frequent one (ties: the first in the data)."""
    from dataclasses import replace

    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for t in transcripts:
        for turn in t.turns:
            for g in turn.gold:
                counts[g] = counts.get(g, 0) + 1
                first.setdefault(g, f"{t.source}:{turn.source_line}"
                                 if t.source and turn.source_line else str(t.session_id))
    preferred = set(preferred)
    rename: dict[str, str] = {}
    notes = []
    for group in case_variants(counts):
        keep = next((g for g in group if g in preferred),
                    max(group, key=lambda g: counts[g]))  # max keeps the first of equals
        others = [g for g in group if g != keep]
        rename.update({g: keep for g in others})
        shown = ", ".join(f"{g!r} ({counts[g]} rows, first at {first[g]})" for g in others)
        notes.append(f"note: codes that differ only in case are one code: {shown} merged into "
                     f"{keep!r} ({counts[keep]} rows); to keep them apart, name them "
                     "differently")
    if not rename:
        return transcripts, []
    out = []
    for t in transcripts:
        turns = tuple(replace(turn, gold=tuple(dict.fromkeys(rename.get(g, g)
                                                             for g in turn.gold)))
                      if any(g in rename for g in turn.gold) else turn for turn in t.turns)
        out.append(replace(t, turns=turns))
    return out, notes


def _orientation_entries(path: str | Path) -> dict[str, tuple[str, int | None]]:
    """``label -> (orientation, line)`` from a CSV (``label,orientation``) or JSON object file
    (no lines); orientations are matched ignoring case (``Integrative``)."""
    from ..results import ORIENTATIONS

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReadError(str(path), f"cannot open orientation map: {exc.strerror}") from exc
    except UnicodeDecodeError:
        from ..io.decoding import decode

        text = decode(path, path.read_bytes())
    entries: dict[str, tuple[str, int | None]] = {}
    if path.suffix.lower() == ".json":
        try:
            entries = {str(k): (str(v), None) for k, v in json.loads(text).items()}
        except (json.JSONDecodeError, AttributeError) as exc:
            raise ReadError(str(path), "orientation map must be a JSON object label -> "
                                       "orientation", hint='e.g. {"ask_priority": '
                                                           '"integrative"}') from exc
    else:
        for n, row in enumerate(csv.reader(text.splitlines()), start=1):
            if not row or not "".join(row).strip() or (
                    n == 1 and [c.strip().lower() for c in row[:2]] == ["label", "orientation"]):
                continue
            if len(row) < 2:
                raise ReadError(str(path), "expected two columns: label,orientation", line=n)
            entries[row[0].strip()] = (row[1].strip(), n)
    out = {}
    for label, (orientation, line) in entries.items():
        if orientation.lower() not in ORIENTATIONS:
            raise ReadError(str(path), f"label {label!r}: unknown orientation {orientation!r}",
                            line=line, hint=f"use one of {', '.join(ORIENTATIONS)}")
        out[label] = (orientation.lower(), line)
    return out


def read_orientation_map(path: str | Path) -> dict[str, str]:
    """``label -> orientation`` from a CSV (``label,orientation``) or JSON object file."""
    return {label: o for label, (o, _line) in _orientation_entries(path).items()}


def _apply_orientation_map(path: str | Path, labels: list[str], mapping: dict[str, str]
                           ) -> list[str]:
    """Add the map at ``path`` to ``mapping`` (its labels matched to the data's ignoring
    case) and warn of what it leaves out: an entry that matches no code (a typo, "threatt")
    and codes with no entry. Both used to make a code neutral without a word (training QA,
    28 Nov 2026)."""
    by_fold = {label.casefold(): label for label in labels}
    unused = []
    for label, (orientation, line) in _orientation_entries(path).items():
        if label.casefold() in by_fold:
            mapping[by_fold[label.casefold()]] = orientation
        else:
            unused.append(f"line {line}: {label!r}" if line else repr(label))
    notes = []
    if unused:
        notes.append(f"warning: orientation map {path}: {len(unused)} entr"
                     f"{'y matches' if len(unused) == 1 else 'ies match'} no code in the data "
                     f"({'; '.join(unused)}); check the spelling")
    unmapped = [label for label in labels if label not in mapping]
    if unmapped:
        notes.append(f"warning: orientation map {path} has no entry for "
                     f"{', '.join(map(repr, unmapped))}: "
                     f"{'it counts' if len(unmapped) == 1 else 'they count'} as neutral; add "
                     "a line label,orientation for each")
    return notes


def _shared_session_ids(transcripts: list[Transcript]) -> list[str]:
    """A warning when one session id is used in two coded files: training and --cv take
    them as one session (one fold), which is right only if they are one conversation."""
    where: dict[str, list[str]] = {}
    for t in transcripts:
        if any(turn.gold for turn in t.turns) and t.source not in where.get(str(t.session_id), []):
            where.setdefault(str(t.session_id), []).append(t.source)
    shared = [f"{sid!r} ({', '.join(Path(s).name for s in sources)})"
              for sid, sources in where.items() if len(sources) > 1]
    if not shared:
        return []
    return [f"warning: session ids used in more than one file count as one session: "
            f"{', '.join(shared[:5])}{', ...' if len(shared) > 5 else ''}; if they are "
            "different conversations, give them different ids"]


def load_coded(paths: Iterable[str | Path], text_col: str = "text", label_col: str = "label",
               orientation_map: str | Path | None = None,
               codes: Iterable[str | Path] = (), codes_optional: bool = False,
               session_col: str | None = None, speaker_col: str | None = None,
               preferred_labels: Iterable[str] = ()) -> CodedData:
    """Read coded data: CaSiNo JSON files/folders or user CSVs (not mixed).

    Codes that differ only in case are merged (``merge_case_variants``; to a spelling of
    ``preferred_labels`` if one is, e.g. a trained model's labels); the notes of the result
    say so, and what the orientation map leaves out.

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
    notes: list[str] = []
    for f in files:
        if kind == "csv":
            transcripts.extend(read_coded_csv(f, text_col=text_col, label_col=label_col,
                                              session_col=session_col,
                                              speaker_col=speaker_col, notes=notes))
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
    if kind == "csv":
        notes.extend(_shared_session_ids(transcripts))
    transcripts, merged = merge_case_variants(transcripts, preferred_labels)
    notes.extend(merged)
    mapping = dict(CASINO_ORIENTATION) if kind == "casino" else {}
    data = CodedData(transcripts, files + code_files, mapping, kind, train_only, code_files,
                     notes)
    if orientation_map:
        notes.extend(_apply_orientation_map(orientation_map, data.labels, mapping))
    elif kind == "csv":
        notes.append("note: no --orientation-map: every code counts as neutral in the "
                     "orientation (integrative / distributive / neutral) figures")
    return data
