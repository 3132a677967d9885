"""The outcome study's CaSiNo plumbing on the real corpus (valid split, 30 dialogues):
outcomes read from the transcripts' metadata equal the released JSON, and human-label
shares equal a direct count over the JSON annotations."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analyzer.report.tables import flatten_meta
from analyzer.study.outcomes import add_derived, outcomes_from_sessions, party_metrics

pytestmark = pytest.mark.casino

SCALE = {"Extremely dissatisfied": 1, "Slightly dissatisfied": 2, "Undecided": 3,
         "Slightly satisfied": 4, "Extremely satisfied": 5, "Extremely dislike": 1,
         "Slightly dislike": 2, "Slightly like": 4, "Extremely like": 5}
PROSELF = {"self-need", "other-need", "vouch-fair", "uv-part"}
PROSOCIAL = {"small-talk", "showing-empathy", "promote-coordination", "no-need", "elicit-pref"}


@pytest.fixture(scope="module")
def casino_valid(casino_dir):
    from analyzer.io import read_transcripts

    path = casino_dir / "casino_valid.json"
    return list(read_transcripts(path)), json.loads(path.read_text(encoding="utf-8"))


def _tables(transcripts):
    turns = pd.DataFrame([{
        "session_id": t.session_id, "turn": turn.index, "speaker": turn.speaker,
        "role": "party", "is_action": turn.is_action, "stage": None, "words": 1,
        "orientation": "neutral", "gold": ",".join(turn.gold) if turn.gold else None,
    } for t in transcripts for turn in t.turns])
    sessions = pd.DataFrame([{"session_id": t.session_id, **flatten_meta(t.meta)}
                             for t in transcripts])
    return turns, sessions


def test_outcomes_equal_the_released_json(casino_valid):
    transcripts, raw = casino_valid
    turns, sessions = _tables(transcripts)
    parties = party_metrics(turns)[["session_id", "speaker"]]
    out = add_derived(outcomes_from_sessions(sessions, parties)).set_index(
        ["session_id", "speaker"])
    assert len(out) == 60
    for dialogue in raw:
        info = dialogue["participant_info"]
        sid = str(dialogue["dialogue_id"])
        joint = sum(p["outcomes"]["points_scored"] for p in info.values())
        for me, other in (("mturk_agent_1", "mturk_agent_2"), ("mturk_agent_2",
                                                                "mturk_agent_1")):
            row = out.loc[(sid, me)]
            assert row["points_scored"] == info[me]["outcomes"]["points_scored"]
            assert row["satisfaction"] == SCALE[info[me]["outcomes"]["satisfaction"]]
            assert row["partner_satisfaction"] == SCALE[info[other]["outcomes"]["satisfaction"]]
            assert row["partner_opponent_likeness"] == SCALE[
                info[other]["outcomes"]["opponent_likeness"]]
            assert row["joint_points"] == joint


def test_gold_shares_equal_a_direct_count(casino_valid):
    transcripts, raw = casino_valid
    turns, _ = _tables(transcripts)
    metrics = party_metrics(turns, labels="gold").set_index(["session_id", "speaker"])
    checked = 0
    for dialogue in raw:
        if not dialogue["annotations"]:
            continue
        # the speaker of each annotation: the chat turns in order (annotations follow them)
        chat = [c for c in dialogue["chat_logs"] if c["text"] not in (
            "Submit-Deal", "Accept-Deal", "Reject-Deal", "Walk-Away")]
        if len(chat) != len(dialogue["annotations"]):
            continue  # annotations skip a turn: covered by the reader's own tests
        for agent in ("mturk_agent_1", "mturk_agent_2"):
            labels = [set(a[1].split(",")) for c, a in zip(chat, dialogue["annotations"],
                                                           strict=True) if c["id"] == agent]
            integ = sum(1 for s in labels if not s & PROSELF and s & PROSOCIAL)
            row = metrics.loc[(str(dialogue["dialogue_id"]), agent)]
            assert row["coded"] == len(labels)
            assert row["integrative_share"] == pytest.approx(integ / len(labels))
            checked += 1
    assert checked >= 10


def test_reliability_against_the_corpus_gold_labels(casino_valid, casino_dir, tmp_path):
    from typer.testing import CliRunner

    from analyzer.cli import app
    from analyzer.study.codes import gold_orientation

    transcripts, _ = casino_valid
    rows = [{"session_id": t.session_id, "turn": turn.index,
             "code": gold_orientation(",".join(turn.gold))}
            for t in transcripts for turn in t.turns if turn.gold]
    coder = pd.DataFrame(rows)
    flip = {"integrative": "neutral", "distributive": "neutral", "neutral": "integrative"}
    coder.loc[:9, "code"] = coder.loc[:9, "code"].map(flip)  # disagree on 10 turns
    path = tmp_path / "coder.csv"
    coder.to_csv(path, index=False)
    out = tmp_path / "rel"
    res = CliRunner().invoke(app, ["reliability", str(casino_dir / "casino_valid.json"),
                                   str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    pairs = pd.read_csv(out / "reliability_pairs.csv")
    assert pairs.loc[0, "n"] == len(rows)
    assert pairs.loc[0, "agreement"] == pytest.approx((len(rows) - 10) / len(rows))
