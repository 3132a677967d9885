"""Strategy codes the project added to the CaSiNo dialogues the corpus left uncoded.

Why: CaSiNo's annotators coded 354 of its 930 dialogues, and the move model's scores still
rose steeply with the amount of coded data (a learning curve in docs/history/moves-log.md,
row 31: half the training dialogues gave strategy macro-F1 0.590, three quarters 0.615, all
0.629). The project's annotators coded the other 576 dialogues with the same ten labels
(``corpora/casino_codes``). The codes never copy CaSiNo's text: a row names the dialogue, the
utterance's index in its ``chat_logs`` and the labels, so the corpus stays where it is.

How they are used: each annotator's codes of a dialogue become one more coded transcript
for *training*. They are never *scored*: cross-validation draws its folds over CaSiNo's own
coded dialogues, adds every project-coded dialogue to every training fold, and scores only
against CaSiNo's annotators; a held-out evaluation skips them too. CaSiNo's own codes are
never replaced: a row naming an annotated dialogue is an error.

Spoken talk (since ``casino-moves-6``): a model that only ever saw campsite chat labelled the
project's spoken business sessions far worse than CaSiNo (docs/moves.md, "Spoken talk").
``corpora/spoken_codes`` holds the same ten labels for spoken sessions of
``corpora/spoken*``; a row names its session as ``folder/file#session_id`` (the path under
``corpora/``) and the turn by its index as read. They join training the same way and are
never scored by the CaSiNo cross-validation. Since ``casino-moves-7`` there are 100 such
sessions (40 + 60), and their turns weigh 0.4 in the fit (``training.DEFAULT_PARAMS``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ReadError
from ..transcript import Transcript

#: the project's codes in the repository, and the copy a built package carries (setup.py
#: puts it in ``analyzer/_codes``, as it does the models), so that ``analyzer train`` /
#: ``evaluate`` on CaSiNo find them by default from a plain ``pip install .`` too
REPO_CODES = Path(__file__).resolve().parents[2] / "corpora" / "casino_codes" / "strategies.tsv"
PACKAGED_CODES = Path(__file__).resolve().parents[1] / "_codes" / "strategies.tsv"
#: the folder spoken codes name their sessions from: the repository's ``corpora/``, else the
#: package's copy of the coded sessions (setup.py), and the spoken codes trained on
_REPO_CORPORA = REPO_CODES.parents[1]
_PACKAGED_CORPORA = Path(__file__).resolve().parents[1] / "_corpora"
CORPORA = _REPO_CORPORA if (_REPO_CORPORA / "spoken_codes").is_dir() else _PACKAGED_CORPORA
SPOKEN_CODES = CORPORA / "spoken_codes" / "spoken_strategies.tsv"
#: 60 more coded spoken sessions (since ``casino-moves-7``; ``corpora/spoken_codes/README.md``)
SPOKEN_CODES_MORE = CORPORA / "spoken_codes" / "spoken_strategies_more.tsv"
COLUMNS = ("dialogue_id", "utterance", "labels", "annotator")


def project_codes() -> list[Path]:
    """The project's codes files: CaSiNo's and the spoken sessions' (the repository's, else
    the package's copies)."""
    found = [c for c in (REPO_CODES, PACKAGED_CODES) if c.exists()][:1]
    return found + [c for c in (SPOKEN_CODES, SPOKEN_CODES_MORE) if c.exists()]


def corpus_key(transcript: Transcript) -> str:
    """How codes name a session: a CaSiNo dialogue by its id, any other by
    ``folder/file#session_id``, its folder and file name (its path under ``corpora/`` for the
    project's sessions, wherever that folder is; session ids alone are not unique across the
    spoken folders)."""
    if transcript.format == "casino" or not transcript.source:
        return str(transcript.session_id)
    path = Path(transcript.source)
    return f"{path.parent.name}/{path.name}#{transcript.session_id}"


def _spoken_session(key: str, cache: dict[str, list[Transcript]], row: CodeRow) -> Transcript:
    """The session a spoken code row names (``folder/file#session_id`` under corpora/),
    renamed to that key so that its copies never clash with another folder's session."""
    from ..io import read_transcripts

    name, _, session_id = key.partition("#")
    path = CORPORA / name
    if name not in cache:
        if not path.is_file():
            raise ReadError(row.path, f"no transcript {name} under {CORPORA}", line=row.line,
                            hint="name the session as folder/file#session_id, its path under "
                                 "corpora/")
        cache[name] = list(read_transcripts(path))
    for t in cache[name]:
        if str(t.session_id) == session_id:
            return replace(t, session_id=key)
    raise ReadError(row.path, f"{name} holds no session {session_id!r}", line=row.line,
                    hint="the part after # is the session id as `analyzer analyze` reports it")


@dataclass(frozen=True)
class CodeRow:
    """One utterance's labels by one annotator."""

    dialogue: str
    utterance: int
    labels: tuple[str, ...]
    annotator: str
    path: str
    line: int


def read_codes(path: str | Path) -> list[CodeRow]:
    """The rows of a codes file: a tab-separated table with the header
    ``dialogue_id  utterance  labels  annotator`` (labels comma-separated)."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise ReadError(str(path), f"cannot open codes file: {exc.strerror}") from exc
    rows = []
    with handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None)
        if header is None or tuple(c.strip() for c in header) != COLUMNS:
            raise ReadError(str(path), "not a codes file", line=1,
                            hint="the first line must be the header "
                                 + "<TAB>".join(COLUMNS))
        for line, cells in enumerate(reader, start=2):
            if not cells or not "".join(cells).strip():
                continue
            if len(cells) != len(COLUMNS):
                raise ReadError(str(path), f"expected {len(COLUMNS)} tab-separated columns, "
                                f"found {len(cells)}", line=line,
                                hint="dialogue_id<TAB>utterance<TAB>label1,label2<TAB>annotator")
            dialogue, utterance, labels, annotator = (c.strip() for c in cells)
            if not utterance.isdigit():
                raise ReadError(str(path), f"utterance {utterance!r} is not an index",
                                line=line, hint="the utterance's 0-based index in chat_logs")
            found = tuple(sorted({x.strip() for x in labels.split(",") if x.strip()}))
            if not found:
                raise ReadError(str(path), "no labels", line=line,
                                hint="give one or more labels, comma-separated")
            rows.append(CodeRow(dialogue, int(utterance), found, annotator or "?", str(path),
                                line))
    return rows


def coded_copies(transcripts: Iterable[Transcript], rows: Sequence[CodeRow]
                 ) -> list[Transcript]:
    """One transcript per (dialogue, annotator) of ``rows``, its turns carrying that
    annotator's labels. ``transcripts``: every dialogue of the corpus files read, coded by
    CaSiNo or not; rows of dialogues not among them are skipped (a training run on part of
    the corpus takes the codes of that part). Only dialogues CaSiNo left uncoded may take
    project codes."""
    by_id = {str(t.session_id): t for t in transcripts}
    files: dict[str, list[Transcript]] = {}
    grouped: dict[tuple[str, str], dict[int, CodeRow]] = {}
    for row in rows:
        transcript = by_id.get(row.dialogue)
        if transcript is None and "/" in row.dialogue:
            transcript = by_id[row.dialogue] = _spoken_session(row.dialogue, files, row)
        if transcript is None:
            continue
        if any(turn.gold for turn in transcript.turns):
            raise ReadError(row.path, f"dialogue {row.dialogue} is coded by CaSiNo's own "
                            "annotators; project codes never replace them", line=row.line,
                            hint="keep only uncoded dialogues in a codes file")
        if row.utterance >= len(transcript.turns) or \
                transcript.turns[row.utterance].is_action:
            raise ReadError(row.path, f"dialogue {row.dialogue} has no chat utterance "
                            f"{row.utterance}", line=row.line,
                            hint="the index counts every entry of chat_logs from 0")
        grouped.setdefault((row.dialogue, row.annotator), {})[row.utterance] = row
    out = []
    for (dialogue, _annotator), coded in grouped.items():
        transcript = by_id[dialogue]
        turns = tuple(replace(turn, gold=coded[i].labels) if i in coded else turn
                      for i, turn in enumerate(transcript.turns))
        out.append(replace(transcript, turns=turns))
    return out
