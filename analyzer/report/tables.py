"""The tidy tables researchers get, one fixed column list per table, defined once here.

``turns`` is the contract every later output and external evaluation relies on: one row per
turn, in transcript order, ``turn`` being the 0-based position of the turn as read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable

import pandas as pd

from ..results import ORIENTATIONS, STAGES, SessionAnalysis
from ..transcript import PARTY, is_third_party

TURN_COLUMNS = [
    "session_id", "turn", "speaker", "role", "text", "start", "end", "is_action", "action",
    "source_line", "stage", "move", "orientation", "confidence", "labels", "offer",
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
SESSION_COLUMNS = [
    "session_id", "source", "format", "turns", "speakers", "parties", "third_parties",
    "outcome", "outcome_turn", *[f"{s}_start" for s in STAGES],
    "integrative_share", "distributive_share", "neutral_share", "orientation_by_party",
    "model",
]
FAILURE_COLUMNS = ["file", "line", "error", "hint"]


def words(text: str) -> int:
    return len(text.split())


def _role_lookup(t) -> Callable[[str], str]:
    """``t.role_of`` as one dict look-up (``role_of`` searches the speakers on every call,
    and the tables ask once or more per turn): the first speaker of a name wins, an
    unknown name is a party, as in ``role_of``."""
    roles: dict[str, str] = {}
    for speaker in t.speakers:
        roles.setdefault(speaker.name, speaker.role)
    return lambda name: roles.get(name, PARTY)


def turn_rows(analysis: SessionAnalysis) -> list[dict]:
    t = analysis.transcript
    role_of = _role_lookup(t)
    rows = []
    for turn, move, stage in zip(t.turns, analysis.moves, analysis.stages.stages, strict=True):
        rows.append({
            "session_id": t.session_id, "turn": turn.index, "speaker": turn.speaker,
            "role": role_of(turn.speaker), "text": turn.text, "start": turn.start,
            "end": turn.end, "is_action": turn.is_action,
            "action": turn.action.kind if turn.action else None,
            "source_line": turn.source_line, "stage": stage, "move": move.move,
            "orientation": move.orientation, "confidence": round(float(move.confidence), 4),
            "labels": ",".join(move.labels), "offer": move.offer,
            "gold": ",".join(turn.gold) if turn.gold else None,
            "words": 0 if turn.is_action else words(turn.text),
        })
    return rows


def unit_rows(analysis: SessionAnalysis) -> list[dict]:
    t = analysis.transcript
    return [{
        "session_id": t.session_id, "turn": u.turn, "unit": u.index,
        "speaker": t.turns[u.turn].speaker, "start_char": u.start_char, "end_char": u.end_char,
        "text": u.text, "move": m.move, "orientation": m.orientation,
        "confidence": round(float(m.confidence), 4),
    } for u, m in zip(analysis.units, analysis.unit_moves, strict=True)]


def _shares(orientations: Iterable[str]) -> dict[str, float]:
    counts = Counter(orientations)
    total = sum(counts.values())
    return {f"{o}_share": (counts[o] / total if total else 0.0) for o in ORIENTATIONS}


def stage_rows(analysis: SessionAnalysis) -> list[dict]:
    """One row per stage x speaker. Talk share is over the parties' words in that stage;
    a third party's share is over everyone's words, so parties' shares exclude mediators.

    Each turn's words, role and stage are found once (not once per stage and speaker)."""
    t = analysis.transcript
    turns = t.turns
    role_of = _role_lookup(t)
    n_words = [0 if turn.is_action else words(turn.text) for turn in turns]
    has_times = t.has_times
    by_stage: dict[str, list[int]] = {}
    for i, s in enumerate(analysis.stages.stages):
        by_stage.setdefault(s, []).append(i)
    rows = []
    for stage in STAGES:
        idx = by_stage.get(stage)
        if not idx:
            continue
        spoken = [i for i in idx if not turns[i].is_action]
        party_words = sum(n_words[i] for i in spoken
                          if not is_third_party(role_of(turns[i].speaker)))
        all_words = sum(n_words[i] for i in spoken)
        by_speaker: dict[str, list[int]] = {}
        for i in idx:
            by_speaker.setdefault(turns[i].speaker, []).append(i)
        for speaker in t.speakers:
            mine = by_speaker.get(speaker.name)
            if not mine:
                continue
            w = sum(n_words[i] for i in mine if not turns[i].is_action)
            denom = all_words if is_third_party(speaker.role) else party_words
            times = [(turns[i].start, turns[i].end) for i in mine]
            duration = sum((e - s) for s, e in times if s is not None and e is not None) \
                if has_times else None
            rows.append({
                "session_id": t.session_id, "stage": stage, "speaker": speaker.name,
                "role": speaker.role, "first_turn": mine[0], "last_turn": mine[-1],
                "turns": len(mine), "words": w, "talk_share": (w / denom) if denom else 0.0,
                **_shares(analysis.moves[i].orientation for i in mine
                          if not turns[i].is_action),
                "duration": duration,
            })
    return rows


def session_row(analysis: SessionAnalysis) -> dict:
    t = analysis.transcript
    role_of = _role_lookup(t)
    bounds = analysis.stages.boundaries()
    spoken = [i for i, turn in enumerate(t.turns) if not turn.is_action]
    moves = analysis.moves
    by_party = {}
    for name in t.parties:
        by_party[name] = _shares(moves[i].orientation for i in spoken
                                 if t.turns[i].speaker == name)
    row = {
        "session_id": t.session_id, "source": t.source, "format": t.format,
        "turns": len(t.turns), "speakers": len(t.speakers), "parties": ",".join(t.parties),
        "third_parties": ",".join(t.third_parties), "outcome": analysis.stages.outcome,
        "outcome_turn": analysis.stages.outcome_turn,
        **{f"{s}_start": bounds[s] for s in STAGES},
        **_shares(moves[i].orientation for i in spoken
                  if not is_third_party(role_of(t.turns[i].speaker))),
        "orientation_by_party": json.dumps(by_party, sort_keys=True),
        "model": analysis.model.get("name"),
    }
    row.update(flatten_meta(t.meta))
    return row


def flatten_meta(meta, prefix: str = "meta") -> dict:
    """Nested metadata (e.g. CaSiNo outcomes per participant) as flat ``meta.a.b`` columns."""
    flat: dict = {}
    _flatten_into(flat, meta, prefix)
    return flat


def _flatten_into(flat: dict, meta, prefix: str) -> None:
    """``flatten_meta`` writing into one dict: the same keys in the same order, without a
    dict built and merged per nesting level (CaSiNo's metadata has ~20 per session)."""
    for key, value in (meta or {}).items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten_into(flat, value, name)
        elif isinstance(value, (list, tuple)):
            flat[name] = json.dumps(value)
        else:
            flat[name] = value


def _frame(rows: list[dict], columns: list[str], extra: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    if extra:
        rest = sorted(c for c in frame.columns if c not in columns)
        return frame[columns + rest]
    return frame[columns]


def turns_table(analyses: Iterable[SessionAnalysis]) -> pd.DataFrame:
    return _frame([r for a in analyses for r in turn_rows(a)], TURN_COLUMNS)


def units_table(analyses: Iterable[SessionAnalysis]) -> pd.DataFrame:
    return _frame([r for a in analyses for r in unit_rows(a)], UNIT_COLUMNS)


def stages_table(analyses: Iterable[SessionAnalysis]) -> pd.DataFrame:
    return _frame([r for a in analyses for r in stage_rows(a)], STAGE_COLUMNS)


def sessions_table(analyses: Iterable[SessionAnalysis]) -> pd.DataFrame:
    return _frame([session_row(a) for a in analyses], SESSION_COLUMNS, extra=True)


def failures_table(failures) -> pd.DataFrame:
    return _frame([{"file": f.file, "line": f.line, "error": f.error, "hint": f.hint}
                   for f in failures], FAILURE_COLUMNS)
