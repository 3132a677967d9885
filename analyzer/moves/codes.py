"""Strategy codes the project added to the CaSiNo dialogues the corpus left uncoded.

Why: CaSiNo's annotators coded 354 of its 930 dialogues, and the move model's scores still
rose steeply with the amount of coded data (a learning curve in docs/moves.md: half the
training dialogues gave strategy macro-F1 0.590, three quarters 0.615, all 0.629). The
project's annotators coded the other 576 dialogues with the same ten labels
(``corpora/casino_codes``). The codes never copy CaSiNo's text: a row names the dialogue, the
utterance's index in its ``chat_logs`` and the labels, so the corpus stays where it is.

How they are used: each annotator's codes of a dialogue become one more coded transcript
for *training*. They are never *scored*: cross-validation draws its folds over CaSiNo's own
coded dialogues, adds every project-coded dialogue to every training fold, and scores only
against CaSiNo's annotators; a held-out evaluation skips them too. CaSiNo's own codes are
never replaced: a row naming an annotated dialogue is an error.
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
COLUMNS = ("dialogue_id", "utterance", "labels", "annotator")


def project_codes() -> Path | None:
    """The project's codes file: the repository's, else the package's copy, else None."""
    for candidate in (REPO_CODES, PACKAGED_CODES):
        if candidate.exists():
            return candidate
    return None


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
    grouped: dict[tuple[str, str], dict[int, CodeRow]] = {}
    for row in rows:
        transcript = by_id.get(row.dialogue)
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
