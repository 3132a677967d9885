"""The tidy tables researchers get, one fixed column list per table, defined once here.

``turns`` is the contract every later output and external evaluation relies on: one row per
turn, in transcript order, ``turn`` being the 0-based position of the turn as read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a table is built: the batch driver needs
    import pandas as pd  # only the column lists and row builders, not pandas (~0.4 s)

from ..results import ORIENTATIONS, STAGES, SessionAnalysis
from ..transcript import PARTY, PAUSE_SECONDS, is_third_party, outcome_basis

TURN_COLUMNS = [
    "session_id", "turn", "speaker", "role", "text", "start", "end", "is_action", "action",
    "action_terms", "source_line", "stage", "move", "orientation", "confidence", "labels", "offer",
    "gold", "words",
]
UNIT_COLUMNS = [
    "session_id", "turn", "unit", "speaker", "start_char", "end_char", "text", "move",
    "orientation", "confidence",
]
STAGE_COLUMNS = [
    "session_id", "stage", "speaker", "role", "first_turn", "last_turn", "turns", "words",
    "talk_share", "integrative_share", "distributive_share", "neutral_share", "duration",
]
#: ``speaker_rows``: the stage table's columns over the whole session
SPEAKER_COLUMNS = [c for c in STAGE_COLUMNS if c != "stage"]
SESSION_COLUMNS = [
    "session_id", "source", "format", "turns", "duration", "speakers", "parties",
    "third_parties", "outcome", "outcome_turn", "outcome_basis", *[f"{s}_start" for s in STAGES],
    "integrative_share", "distributive_share", "neutral_share", "orientation_by_party",
    "english_share", "not_english", "model", "model_version", "model_hash",
]
FAILURE_COLUMNS = ["file", "line", "error", "hint"]


def words(text: str) -> int:
    return len(text.split())


def _roles(t) -> dict[str, str]:
    """Speaker name -> role, the first speaker of a name winning (as ``t.role_of``, which
    searches the speakers on every call); a name not in it is a party."""
    roles: dict[str, str] = {}
    for speaker in t.speakers:
        roles.setdefault(speaker.name, speaker.role)
    return roles


def _turn_words(t) -> list[int]:
    """Each turn's ``words`` (0 for a formal action): one definition for ``turn_rows`` and
    ``stage_rows``, so the turns table and the stages table always agree."""
    return [0 if turn.action is not None else len(turn.text.split()) for turn in t.turns]


def turn_rows(analysis: SessionAnalysis) -> list[dict]:
    """One ``TURN_COLUMNS`` row per turn, in transcript order (actions included).

    Why plain dicts, not a DataFrame: ``analyze``, the batch worker and ``turns_table`` all
    build the turns table from these rows, so it has one definition whatever writes it, and
    the batch driver needs no pandas to make them."""
    t = analysis.transcript
    roles = _roles(t)
    session_id = t.session_id
    rows = []
    for turn, move, stage, n_words in zip(t.turns, analysis.moves, analysis.stages.stages,
                                          _turn_words(t), strict=True):
        action, speaker, text = turn.action, turn.speaker, turn.text
        rows.append({
            "session_id": session_id, "turn": turn.index, "speaker": speaker,
            "role": roles.get(speaker, PARTY), "text": text, "start": turn.start,
            "end": turn.end, "is_action": action is not None,
            "action": action.kind if action else None,
            "action_terms": action_terms(action),
            "source_line": turn.source_line, "stage": stage, "move": move.move,
            "orientation": move.orientation, "confidence": round(float(move.confidence), 4),
            "labels": ",".join(move.labels), "offer": move.offer,
            "gold": ",".join(turn.gold) if turn.gold else None,
            "words": n_words,
        })
    return rows


def _json_default(value):
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def action_terms(action) -> str | None:
    """A formal action's terms as compact JSON (``{"other_gets": {...}, "speaker_gets":
    {...}}`` for a CaSiNo deal), or None: speech, or an action without terms.

    Why in the turns table: a researcher pooling CaSiNo deals (who proposed what split,
    which offer was accepted) needs the split itself, not just the kind ``submit``; one JSON
    cell keeps the table's shape whatever issues a corpus has."""
    if action is None or not action.terms:
        return None
    return json.dumps(action.terms, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=_json_default)


def unit_rows(analysis: SessionAnalysis) -> list[dict]:
    t = analysis.transcript
    session_id, turns = t.session_id, t.turns
    return [{
        "session_id": session_id, "turn": u.turn, "unit": u.index,
        "speaker": turns[u.turn].speaker, "start_char": u.start_char, "end_char": u.end_char,
        "text": u.text, "move": m.move, "orientation": m.orientation,
        "confidence": round(float(m.confidence), 4),
    } for u, m in zip(analysis.units, analysis.unit_moves, strict=True)]


_SHARE_KEYS = tuple((f"{o}_share", o) for o in ORIENTATIONS)
_SHARE_ONLY_KEYS = tuple(key for key, _ in _SHARE_KEYS)


def _shares(orientations: Iterable[str]) -> dict[str, float | None]:
    """Share of each orientation among ``orientations``; None each when there are none (a
    speaker whose only turns in a stage are formal actions: 0 of 0, not 0%, so a mean of
    shares over rows is not pulled down by them)."""
    seq = orientations if isinstance(orientations, list) else list(orientations)
    total = len(seq)
    if not total:
        return dict.fromkeys(_SHARE_ONLY_KEYS)
    return {key: seq.count(o) / total for key, o in _SHARE_KEYS}


class _Group:
    """One stage x speaker cell of ``stage_rows``, filled turn by turn."""

    __slots__ = ("turns", "words", "orientations", "duration")

    def __init__(self) -> None:
        self.turns: list[int] = []
        self.words = 0
        self.orientations: list[str] = []
        self.duration = 0  # summed in turn order from int 0, as ``sum`` does


def stage_rows(analysis: SessionAnalysis) -> list[dict]:
    """One row per stage x speaker. Talk share is over the parties' words in that stage;
    a third party's share is over everyone's words, so parties' shares exclude mediators.

    One pass over the turns fills every stage x speaker cell (turns, words, orientations,
    duration) and each stage's word totals; the rows are then read off in stage and speaker
    order. Durations use the reports' turn ends: a transcript with only start times has
    each end estimated (``facts.turn_ends``), so the table and the reports agree. A stage
    with no words at all gives a talk share of None (0 of 0)."""
    return _cell_rows(analysis, analysis.stages.stages, STAGES, "stage")


def speaker_rows(analysis: SessionAnalysis) -> list[dict]:
    """One row per speaker over the whole session, with the columns of ``stage_rows`` but
    the stage. Why: a trainer ranking students, or a researcher at the participant level,
    needs each speaker's whole-session turns, talk share and orientation shares as a tidy
    row; the sessions table holds them only as a JSON cell per session, and summing the
    stage rows cannot give the shares (trainer QA, 28 Nov 2026)."""
    whole = ("session",) * len(analysis.transcript.turns)
    return _cell_rows(analysis, whole, ("session",), None)


def _cell_rows(analysis: SessionAnalysis, labels: Sequence[str], order: Sequence[str],
               column: str | None) -> list[dict]:
    """The rows of ``stage_rows`` for the turns grouped by ``labels`` (one per turn), in
    ``order`` and speaker order; ``column`` names the group's column (None: no column)."""
    t = analysis.transcript
    turns = t.turns
    roles = _roles(t)
    moves = analysis.moves
    has_times = t.has_times
    groups: dict[tuple[str, str], _Group] = {}
    party_words: dict[str, int] = {}
    all_words: dict[str, int] = {}
    counts = _turn_words(t)
    ends = None
    if has_times:
        from .facts import turn_ends  # facts imports this module

        ends = [end for end, _ in turn_ends(analysis)]
    for i, stage in enumerate(labels):
        turn = turns[i]
        speaker = turn.speaker
        group = groups.get((stage, speaker))
        if group is None:
            group = groups[(stage, speaker)] = _Group()
            party_words.setdefault(stage, 0)
            all_words.setdefault(stage, 0)
        group.turns.append(i)
        if turn.action is None:
            n = counts[i]
            group.words += n
            group.orientations.append(moves[i].orientation)
            all_words[stage] += n
            if not is_third_party(roles.get(speaker, PARTY)):
                party_words[stage] += n
        if has_times and turn.start is not None and ends[i] is not None:
            # the seconds spoken: the span less the silences between merged caption cues
            pause = turn.meta.get(PAUSE_SECONDS, 0.0) if turn.meta else 0.0
            group.duration = group.duration + (ends[i] - turn.start - pause)
    rows = []
    session_id = t.session_id
    for stage in order:
        if stage not in all_words:
            continue
        for speaker in t.speakers:
            group = groups.get((stage, speaker.name))
            if group is None:
                continue
            mine, w = group.turns, group.words
            denom = all_words[stage] if is_third_party(speaker.role) else party_words[stage]
            row = {"session_id": session_id, column: stage} if column else \
                {"session_id": session_id}
            row.update({
                "speaker": speaker.name,
                "role": speaker.role, "first_turn": mine[0], "last_turn": mine[-1],
                "turns": len(mine), "words": w, "talk_share": (w / denom) if denom else None,
                **_shares(group.orientations),
                # to the millisecond: sums of float seconds carry noise (10.80000000000291)
                "duration": round(group.duration, 3) if has_times else None,
            })
            rows.append(row)
    return rows


def join_names(names: Iterable[str]) -> str:
    """Speaker names as one cell: comma-separated, a name holding a comma or a quote quoted
    as in CSV (``"Doe, John",Ana``).

    Why: Teams writes names as "Last, First"; joined plainly, two parties "Doe, John" and
    "Ana" would read back as three. Names without commas (nearly all) read as before."""
    names = list(names)
    if not any("," in n or '"' in n for n in names):
        return ",".join(names)
    return ",".join('"' + n.replace('"', '""') + '"' if "," in n or '"' in n else n
                    for n in names)


def split_names(cell: str | None) -> list[str]:
    """The names ``join_names`` joined (empty or missing: none)."""
    if not cell:
        return []
    if '"' not in cell:
        return [n for n in cell.split(",") if n]
    import csv

    return [n for n in next(csv.reader([cell])) if n]


def session_duration(analysis: SessionAnalysis) -> float | None:
    """Seconds from the first start to the last end (ends estimated as the reports do,
    ``facts.turn_ends``, so the table and the report give one length); None untimed."""
    if not analysis.transcript.has_times:
        return None
    from .facts import turn_ends  # facts imports this module

    timed = [(turn.start, end) for turn, (end, _) in zip(analysis.transcript.turns,
                                                          turn_ends(analysis), strict=True)
             if turn.start is not None]
    if not timed:
        return None
    return round(max(s if e is None else e for s, e in timed) - min(s for s, _ in timed), 3)


def _language(check) -> dict:
    return {"english_share": check.english_share, "not_english": not check.english}


def session_row(analysis: SessionAnalysis) -> dict:
    """The session's one ``SESSION_COLUMNS`` row, then its metadata as ``meta.*`` columns.

    Why the orientation shares (overall and ``orientation_by_party``) count the parties'
    spoken turns only: they describe the negotiation between the parties, and a mediator's
    or an observer's turns would dilute them. The metadata is flattened in so that outcomes
    stored with a corpus (CaSiNo's) sit beside the analysis, one row per session."""
    from ..nlp.language import check_language  # spaCy's stop words: not in the driver

    t = analysis.transcript
    roles = _roles(t)
    bounds = analysis.stages.boundaries()
    moves = analysis.moves
    # orientations of the spoken turns, by speaker and of all parties together
    by_speaker: dict[str, list[str]] = {}
    of_parties: list[str] = []
    for i, turn in enumerate(t.turns):
        if turn.action is not None:
            continue
        orientation = moves[i].orientation
        by_speaker.setdefault(turn.speaker, []).append(orientation)
        if not is_third_party(roles.get(turn.speaker, PARTY)):
            of_parties.append(orientation)
    parties = t.parties
    by_party = {name: _shares(by_speaker.get(name, [])) for name in parties}
    row = {
        "session_id": t.session_id, "source": t.source, "format": t.format,
        "turns": len(t.turns), "duration": session_duration(analysis),
        "speakers": len(t.speakers), "parties": join_names(parties),
        "third_parties": join_names(t.third_parties), "outcome": analysis.stages.outcome,
        "outcome_turn": analysis.stages.outcome_turn, "outcome_basis": outcome_basis(t),
        **{f"{s}_start": bounds[s] for s in STAGES},
        **_shares(of_parties),
        "orientation_by_party": json.dumps(by_party, sort_keys=True, ensure_ascii=False),
        **_language(check_language(t)),
        "model": analysis.model.get("name"), "model_version": analysis.model.get("version"),
        "model_hash": analysis.model.get("hash"),
    }
    _flatten_into(row, t.meta, "meta")
    return row


def flatten_meta(meta, prefix: str = "meta") -> dict:
    """Nested metadata (e.g. CaSiNo outcomes per participant) as flat ``meta.a.b`` columns."""
    flat: dict = {}
    _flatten_into(flat, meta, prefix)
    return flat


#: leaf types that are neither dicts nor lists/tuples (exact types, not subclasses)
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _flatten_into(flat: dict, meta, prefix: str) -> None:
    """``flatten_meta`` writing into one dict: the same keys in the same order (depth first),
    without a dict built and merged per nesting level nor a call per level (CaSiNo's
    metadata has ~20 nested dicts per session): a stack of the open levels' iterators."""
    stack = [(prefix, iter((meta or {}).items()))]
    while stack:
        prefix, items = stack[-1]
        for key, value in items:
            name = f"{prefix}.{key}"
            if type(value) in _PLAIN:  # most leaves: no isinstance checks needed
                flat[name] = value
            elif isinstance(value, dict):
                stack.append((name, iter((value or {}).items())))
                break
            elif isinstance(value, (list, tuple)):
                flat[name] = json.dumps(value, ensure_ascii=False)
            else:
                flat[name] = value
        else:
            stack.pop()


def arrow_table(rows: list[dict], columns: list[str], extra: bool = False):
    """``rows`` as the Arrow table a batch writes for them: ``columns`` first (then, with
    ``extra``, the other keys sorted), each documented column of its declared type
    (``batch.tabular.DECLARED_TYPES``), values of mixed kinds as text, NaN as missing.

    Why one way for both commands: ``analyze`` wrote its CSVs through pandas, the batch
    through Arrow, so the same session read ``True``/``1.0``/``1e-05`` in one and
    ``true``/``1``/``0.00001`` in the other, and a 17-digit metadata id lost its last digit
    on the way through pandas' float64 (researcher QA, 28 Nov 2026)."""
    from ..batch.tabular import conform, rows_to_table, unify_schemas

    table = rows_to_table(rows, columns, extra)
    return conform(table, unify_schemas([table.schema], columns, extra))


def _frame(rows: list[dict], columns: list[str], extra: bool = False) -> pd.DataFrame:
    """A table of ``rows`` as pandas, with the batch's column types (``arrow_table``): a
    column of whole numbers with gaps (stage starts, CaSiNo's survey scores) is a nullable
    integer column, exact at any size (4, not 4.0); an untimed session's ``start`` is a
    float column of NaN, as in a timed one."""
    import pandas as pd
    import pyarrow as pa

    table = arrow_table(rows, columns, extra)
    frame = table.to_pandas(types_mapper=lambda t: pd.Int64Dtype() if t == pa.int64() else None)
    for name, column in zip(table.column_names, table.columns, strict=True):
        if column.type == pa.int64() and not column.null_count:
            frame[name] = frame[name].astype("int64")  # no gaps: a plain integer column
    return frame


def turns_table(analyses: Iterable[SessionAnalysis]) -> pd.DataFrame:
    """The analyses as a pandas DataFrame: one row per turn (``TURN_COLUMNS``), the per-turn
    contract that ``analyze`` writes as turns.csv and ``batch`` as turns.parquet."""
    return _frame([r for a in analyses for r in turn_rows(a)], TURN_COLUMNS)


def units_table(analyses: Iterable[SessionAnalysis]) -> pd.DataFrame:
    """The analyses as a pandas DataFrame: one row per unit of analysis inside a turn
    (``UNIT_COLUMNS``), as units.csv."""
    return _frame([r for a in analyses for r in unit_rows(a)], UNIT_COLUMNS)


def stages_table(analyses: Iterable[SessionAnalysis]) -> pd.DataFrame:
    """The analyses as a pandas DataFrame: one row per session x stage x speaker
    (``STAGE_COLUMNS``), as stages.csv."""
    return _frame([r for a in analyses for r in stage_rows(a)], STAGE_COLUMNS)


def sessions_table(analyses: Iterable[SessionAnalysis]) -> pd.DataFrame:
    """The analyses as a pandas DataFrame: one row per session (``SESSION_COLUMNS`` and the
    transcript's metadata flattened into ``meta.*`` columns), as sessions.csv."""
    return _frame([session_row(a) for a in analyses], SESSION_COLUMNS, extra=True)


def failures_table(failures) -> pd.DataFrame:
    return _frame([f.row() for f in failures], FAILURE_COLUMNS)
