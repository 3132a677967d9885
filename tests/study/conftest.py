"""A small hand-made results folder (the tables ``analyzer analyze`` writes), so study
tests know every answer without running the model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analyzer.report.tables import SESSION_COLUMNS, TURN_COLUMNS

# session s1: A and B alternate; s2: C, D with a repeat and an action.
_TURNS = [
    # session, turn, speaker, stage, move, orientation, gold, is_action
    ("s1", 0, "A", "opening", "small-talk", "integrative", "small-talk", False),
    ("s1", 1, "B", "opening", "small-talk", "integrative", "small-talk", False),
    ("s1", 2, "A", "exploring", "self-need", "distributive", "self-need", False),
    ("s1", 3, "B", "exploring", "elicit-pref", "integrative", "elicit-pref", False),
    ("s1", 4, "A", "bargaining", "self-need", "distributive", "self-need,small-talk", False),
    ("s1", 5, "B", "bargaining", "self-need", "distributive", "non-strategic", False),
    ("s1", 6, "A", "closing", "non-strategic", "neutral", "non-strategic", False),
    ("s1", 7, "B", "closing", "accept", "neutral", None, True),
    ("s2", 0, "C", "opening", "small-talk", "integrative", "small-talk", False),
    ("s2", 1, "C", "exploring", "elicit-pref", "integrative", "elicit-pref", False),
    ("s2", 2, "D", "exploring", "no-need", "integrative", "no-need", False),
    ("s2", 3, "C", "bargaining", "vouch-fair", "distributive", "vouch-fair", False),
    ("s2", 4, "D", "bargaining", "promote-coordination", "integrative", "uv-part", False),
    ("s2", 5, "C", "closing", "non-strategic", "neutral", "non-strategic", False),
]

# CaSiNo-shaped outcomes: points, satisfaction and liking per participant.
_OUTCOMES = {
    "s1": {"A": (20, "Extremely satisfied", "Slightly like"),
           "B": (16, "Slightly dissatisfied", "Extremely like")},
    "s2": {"C": (18, "Undecided", "Extremely dislike"),
           "D": (21, "Slightly satisfied", "Undecided")},
}


def turns_frame() -> pd.DataFrame:
    rows = []
    for sid, turn, speaker, stage, move, orientation, gold, is_action in _TURNS:
        text = "Submit-Deal" if is_action else f"{speaker} says {move} (é, <b>&)"
        rows.append({
            "session_id": sid, "turn": turn, "speaker": speaker, "role": "party",
            "text": text, "start": None, "end": None, "is_action": is_action,
            "action": "accept" if is_action else None, "source_line": turn + 1,
            "stage": stage, "move": move, "orientation": orientation, "confidence": 0.75,
            "labels": move, "offer": None, "gold": gold,
            "words": 0 if is_action else len(text.split()),
        })
    return pd.DataFrame(rows, columns=TURN_COLUMNS)


def sessions_frame() -> pd.DataFrame:
    rows = []
    for sid, parties in _OUTCOMES.items():
        row = {c: None for c in SESSION_COLUMNS}
        row.update(session_id=sid, source=f"{sid}.json", format="casino", model="test-model",
                   model_version="1.0.0", model_hash="f00d", parties=",".join(parties))
        for name, (points, sat, like) in parties.items():
            base = f"meta.participants.{name}"
            row[f"{base}.outcomes.points_scored"] = points
            row[f"{base}.outcomes.satisfaction"] = sat
            row[f"{base}.outcomes.opponent_likeness"] = like
            row[f"{base}.value2issue.High"] = "Water"
        row["meta.dialogue_id"] = int(sid[1:])
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture
def turns() -> pd.DataFrame:
    return turns_frame()


@pytest.fixture
def sessions() -> pd.DataFrame:
    return sessions_frame()


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    """A results folder as ``analyzer analyze`` writes it (CSV tables)."""
    folder = tmp_path / "results"
    folder.mkdir()
    turns_frame().to_csv(folder / "turns.csv", index=False)
    sessions_frame().to_csv(folder / "sessions.csv", index=False)
    return folder


@pytest.fixture
def parquet_results_dir(tmp_path: Path) -> Path:
    """A results folder as ``analyzer batch`` writes it (Parquet beside CSV, a manifest)."""
    import json

    folder = tmp_path / "batch"
    folder.mkdir()
    for name, frame in (("turns", turns_frame()), ("sessions", sessions_frame())):
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        frame.to_csv(folder / f"{name}.csv", index=False)
    (folder / "manifest.json").write_text(json.dumps(
        {"status": "complete", "model": {"name": "casino-moves", "version": "3",
                                         "hash": "abc123"}}))
    return folder
