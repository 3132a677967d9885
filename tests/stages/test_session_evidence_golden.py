"""The session evidence matrix (local facts plus session context) equals a stored golden copy.

Why: ``session_evidence`` was rewritten for speed (one pass filling each row with
precomputed column indices, the running "so far" columns kept in that pass, move flags
looked up once per distinct move); the rewrite must change no number. The golden file
(``tests/data/session_evidence_golden.json``) was written by the code before the rewrite
(commit 9100cb1) on the edge texts of ``test_evidence_golden.py``, the examples, CaSiNo
valid and a CaSiNo train slice. The moves are built from the gold labels where a turn has some (the
move model is not involved, so refitting it does not touch this file), every fifth one
with an offer kind, so the move columns are exercised. Stored per session: the sparse
matrix by feature name and the four turn indices ``Evidence`` carries.

Regenerate (only when the evidence changes on purpose, and say so in the commit; needs
CaSiNo): ``PYTHONPATH=$PWD python tests/stages/test_session_evidence_golden.py --write``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from analyzer.io import expand_inputs, read_transcripts
from analyzer.results import TurnMove
from analyzer.stages.evidence import EVIDENCE_FEATURES, FEATURES, session_evidence
from analyzer.transcript import Transcript

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "data" / "session_evidence_golden.json"
#: all of casino_valid.json and the first dialogues of casino_train.json (which include a
#: walk-away); derived numbers only are stored, no text
TRAIN_SLICE = 60


def gold_moves(t: Transcript) -> list[TurnMove | None]:
    """A move per turn from its gold labels (None without labels)."""
    out: list[TurnMove | None] = []
    for i, turn in enumerate(t.turns):
        labels = tuple(turn.gold or ())
        if not labels:
            out.append(None)
            continue
        out.append(TurnMove(turn=i, move=labels[0], orientation="neutral", confidence=1.0,
                            labels=labels, offer="package_offer" if i % 5 == 4 else None))
    return out


def transcripts(examples: Path, casino: Path) -> dict[str, Transcript]:
    sys.path.insert(0, str(Path(__file__).parent))
    from test_evidence_golden import edge_transcript

    out = {"edge": edge_transcript()}
    for path in expand_inputs([examples]):
        for t in read_transcripts(path):
            out[f"examples/{Path(path).name}:{t.session_id}"] = t
    for t in read_transcripts(casino / "casino_valid.json"):
        out[f"casino_valid:{t.session_id}"] = t
    for t in list(read_transcripts(casino / "casino_train.json"))[:TRAIN_SLICE]:
        out[f"casino_train:{t.session_id}"] = t
    return out


def record(t: Transcript) -> dict:
    """One session's evidence; the matrix rows as [column, value] pairs of non-zero cells."""
    ev = session_evidence(t, gold_moves(t))
    return {"matrix": [[[j, v] for j, v in enumerate(row) if v != 0]
                       for row in ev.matrix.tolist()],
            "final_deal_turn": ev.final_deal_turn, "accept_turn": ev.accept_turn,
            "walk_away_turn": ev.walk_away_turn, "closing_candidate": ev.closing_candidate}


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_session_evidence_equals_the_golden_copy(golden, examples_dir, casino_dir):
    if golden["features"] != list(EVIDENCE_FEATURES):  # (the text columns stay 0 here)
        pytest.skip("the feature list changed since the golden file; regenerate it (see the "
                    "module docstring)")
    sessions = golden["sessions"]
    named = transcripts(examples_dir, casino_dir)
    assert set(named) == set(sessions)
    assert sum(len(s["matrix"]) for s in sessions.values()) > 1400
    for name, t in named.items():
        got, want = record(t), sessions[name]
        for i, (row, ref) in enumerate(zip(got["matrix"], want["matrix"], strict=True)):
            assert row == ref, f"{name} turn {i}: {row} != {ref}"
        assert got == want, name


def test_every_feature_fires_somewhere_in_the_golden_copy(golden):
    """The slice exercises the whole feature list (a column never set pins nothing)."""
    fired = {golden["features"][j] for s in golden["sessions"].values()
             for row in s["matrix"] for j, _ in row}
    assert set(golden["features"]) - fired == set()


def test_empty_session_gives_an_empty_matrix():
    t = Transcript("empty", "test", "text", (), ())
    ev = session_evidence(t)
    assert ev.matrix.shape == (0, len(FEATURES)) and np.all(ev.matrix == 0)
    assert (ev.final_deal_turn, ev.accept_turn, ev.closing_candidate) == (None, None, None)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit(__doc__)
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import EXAMPLES, find_casino

    casino = find_casino()
    assert casino is not None, "CaSiNo is needed to write the golden file"
    data = {name: record(t) for name, t in transcripts(EXAMPLES, casino).items()}
    GOLDEN.write_text(json.dumps({"features": list(EVIDENCE_FEATURES), "sessions": data},
                                 separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({len(data)} sessions)")
