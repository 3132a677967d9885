"""The data model is immutable and the tables follow their fixed column lists."""

from __future__ import annotations

import dataclasses

import pytest

from analyzer.report.tables import (
    SESSION_COLUMNS,
    STAGE_COLUMNS,
    TURN_COLUMNS,
    sessions_table,
    stages_table,
    turns_table,
)
from analyzer.results import SessionAnalysis, StageSegmentation, TurnMove, Unit, UnitMove
from analyzer.transcript import Action, Transcript, Turn, guess_role, speakers_in_order


def _session() -> SessionAnalysis:
    turns = (
        Turn(0, "Ana", "Hello both, thanks for coming.", 0.0, 3.0),
        Turn(1, "Mediator", "Let us start with what matters most to each of you.", 3.0, 8.0),
        Turn(2, "Ben", "I need the whole budget.", 8.0, 10.0),
        Turn(3, "Ana", "What if you take the budget and I take the schedule?", 10.0, 14.0),
        Turn(4, "Ben", "Deal.", 14.0, 15.0),
        Turn(5, "Ben", "Accept-Deal", None, None, action=Action("accept", "Accept-Deal")),
    )
    transcript = Transcript("s1", "s1.txt", "text", speakers_in_order(turns), turns,
                            meta={"outcomes": {"points": 10}})
    orient = ["neutral", "integrative", "distributive", "integrative", "neutral", "neutral"]
    stages = ("opening", "exploring", "exploring", "bargaining", "closing", "closing")
    moves = tuple(TurnMove(i, "m", o, 0.9) for i, o in enumerate(orient))
    units = tuple(Unit(i, 0, 0, len(t.text), t.text) for i, t in enumerate(turns))
    unit_moves = tuple(UnitMove(i, 0, "m", o, 0.9) for i, o in enumerate(orient))
    return SessionAnalysis(transcript, units, unit_moves, moves,
                           StageSegmentation(stages, outcome="agreement", outcome_turn=5),
                           model={"name": "test"})


def test_model_is_immutable():
    turn = Turn(0, "A", "hi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        turn.text = "changed"


def test_roles_guessed_and_overridden():
    assert guess_role("Mediator") == "mediator"
    assert guess_role("Chair Lee") == "chair"
    assert guess_role("Mary Ann") == "party"
    analysis = _session()
    assert analysis.transcript.third_parties == ("Mediator",)
    changed = analysis.transcript.with_roles({"ana": "observer"})
    assert changed.role_of("Ana") == "observer"


def test_turns_table_is_one_row_per_turn_in_order():
    table = turns_table([_session()])
    assert list(table.columns) == TURN_COLUMNS
    assert table["turn"].tolist() == list(range(6))
    assert table["is_action"].tolist() == [False] * 5 + [True]
    assert table.loc[5, "action"] == "accept"
    assert table.loc[5, "words"] == 0
    assert table["action_terms"].isna().all()  # an action without terms, and speech


def test_turns_table_carries_an_actions_terms_as_json():
    """A Submit-Deal's split is in the table (one JSON cell), so a researcher can pool the
    deals without going back to the sources."""
    import json

    analysis = _session()
    deal = Action("submit", "Submit-Deal", {"speaker_gets": {"Food": 2, "Water": 1},
                                            "other_gets": {"Food": 1}})
    turns = analysis.transcript.turns[:5] + (Turn(5, "Ana", "Submit-Deal", action=deal),)
    analysis = dataclasses.replace(analysis, transcript=dataclasses.replace(
        analysis.transcript, turns=turns))
    table = turns_table([analysis])
    assert json.loads(table.loc[5, "action_terms"]) == {
        "speaker_gets": {"Food": 2, "Water": 1}, "other_gets": {"Food": 1}}
    assert table.loc[:4, "action_terms"].isna().all()


def test_stage_shares_exclude_the_mediator():
    table = stages_table([_session()])
    assert list(table.columns) == STAGE_COLUMNS
    exploring = table[table.stage == "exploring"].set_index("speaker")
    # Ben is the only party speaking in exploring: his share of party talk is 1.0
    assert exploring.loc["Ben", "talk_share"] == pytest.approx(1.0)
    # the mediator's share is over everyone's words (11 of 16)
    assert exploring.loc["Mediator", "talk_share"] == pytest.approx(11 / 16)


def test_sessions_table_flattens_metadata():
    table = sessions_table([_session()])
    assert list(table.columns[: len(SESSION_COLUMNS)]) == SESSION_COLUMNS
    row = table.iloc[0]
    assert row["meta.outcomes.points"] == 10
    assert row["bargaining_start"] == 3 and row["closing_start"] == 4
    assert row["outcome"] == "agreement"
    # party shares: Ana (2 turns: neutral, integrative), Ben (distributive, neutral) -> 4 turns
    assert row["integrative_share"] == pytest.approx(0.25)


def test_whole_numbers_with_gaps_stay_whole_in_the_tables():
    from analyzer.report.tables import _frame

    frame = _frame([{"a": 4, "b": 0.5}, {"a": None, "b": None}], ["a", "b"])
    assert str(frame["a"].dtype) == "Int64" and frame["b"].dtype.kind == "f"
    assert frame.to_csv(index=False).splitlines()[1] == "4,0.5"


def test_third_party_role_words_in_names_and_role_columns():
    """Until 28 Nov 2026 only the five role names were known: "Chairperson" in a role
    column, "Co-Mediator Ana" or "Note-taker" as a name were parties (multi-party QA)."""
    from analyzer.io.base import normalise_role

    for name, role in [("Chair: Ana", "chair"), ("Mediator 1", "mediator"),
                       ("Co-Mediator Tom", "mediator"), ("Chairwoman", "chair"),
                       ("Moderator", "facilitator"), ("Note-taker", "observer"),
                       ("Third Party", "third_party"), ("Host Ana", "party"),
                       ("Secretary Blinken", "party"), ("Dr. Patel", "party")]:
        assert guess_role(name) == role, name
    for value, role in [("Chairperson", "chair"), ("note-taker", "observer"),
                        ("co-mediator", "mediator"), ("secretary", "observer"),
                        ("arbitrator", "third_party"), ("moderator", "facilitator"),
                        ("union", "party"), ("Buyer", "party"), ("third party", "third_party")]:
        assert normalise_role(value) == role, value


def test_a_class_instructor_is_an_observer_not_a_student(tmp_path):
    """A role-play's teacher stepping in ("Instructor: Two minutes left") was a party with
    15% of the talk, beside the students in the overview (trainer QA, 28 Nov 2026)."""
    from analyzer.io import read_transcripts

    for name in ("Instructor", "Teacher", "Trainer", "Tutor", "Lecturer", "Teaching Assistant"):
        assert guess_role(name) == "observer", name
    path = tmp_path / "class.txt"
    path.write_text("Ana: I can offer 5,000 for the car.\nBen: I need 6,000.\n"
                    "Instructor: Two minutes left everyone, start wrapping up please.\n"
                    "Ana: 5,500 then?\nBen: Deal.\n", encoding="utf-8")
    transcript = next(read_transcripts(path))
    assert transcript.parties == ("Ana", "Ben")
    assert transcript.role_of("Instructor") == "observer"


def test_one_person_spelled_several_ways_is_one_speaker(tmp_path):
    from analyzer.io import read_transcripts

    path = tmp_path / "t.txt"
    path.write_text("Dr. Patel: We need the rent lower.\nJones: How much lower?\n"
                    "PATEL: Ten percent.\nMs. Jones: That is a lot.\nDr Patel: It is fair.\n"
                    "Mr. Lee: Hello.\nMrs. Lee: Hi.\nLee: Who am I?\n", encoding="utf-8")
    transcript = next(read_transcripts(path))
    names = [s.name for s in transcript.speakers]
    assert names == ["Dr. Patel", "Ms. Jones", "Mr. Lee", "Mrs. Lee", "Lee"]
    assert "'Dr Patel' = 'PATEL' -> 'Dr. Patel'" in transcript.meta["speaker_spellings"]
    assert "'Jones' -> 'Ms. Jones'" in transcript.meta["speaker_spellings"]
