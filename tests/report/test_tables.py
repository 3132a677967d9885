"""The tidy tables' rows, known answers (the rows are built with per-session look-ups)."""

from __future__ import annotations

import pytest

from analyzer.report.tables import (
    SPEAKER_COLUMNS,
    flatten_meta,
    session_row,
    speaker_rows,
    stage_rows,
    turn_rows,
)


def test_stage_rows_of_a_mediated_session(mediated):
    rows = {(r["stage"], r["speaker"]): r for r in stage_rows(mediated)}
    assert len(rows) == 3 + 3 + 3 + 1  # closing: the mediator alone
    ana, med = rows[("exploring", "Ana")], rows[("exploring", "Mediator")]
    # Ana 14 words, Ben 9: the mediator's 10 words are not in the parties' denominator
    assert (ana["words"], ana["turns"], ana["first_turn"], ana["last_turn"]) == (14, 2, 4, 6)
    assert ana["talk_share"] == pytest.approx(14 / 23)
    assert med["role"] == "mediator" and med["talk_share"] == pytest.approx(10 / 33)
    assert (ana["integrative_share"], ana["distributive_share"]) == (0.5, 0.5)
    assert ana["duration"] is None  # untimed session


def test_stage_rows_durations_and_turn_roles(timed_dyad):
    rows = {(r["stage"], r["speaker"]): r for r in stage_rows(timed_dyad)}
    assert rows[("opening", "Alex")]["duration"] == 4.0
    assert rows[("closing", "Blair")]["duration"] == 0  # the action has no times
    assert {r["role"] for r in turn_rows(timed_dyad)} == {"party"}
    session = session_row(timed_dyad)
    assert session["integrative_share"] == pytest.approx(7 / 11)


def test_speaker_rows_are_the_whole_session_per_speaker(mediated, timed_dyad):
    """One row per speaker over the whole session (trainer QA, 28 Nov 2026: ranking students
    needed the JSON cell of the sessions table): turns, words and durations are the sums of
    the speaker's stage rows, the shares those of the sessions table's per-party cell, the
    parties' talk shares leave the mediator out and add up to one."""
    import json

    for analysis in (mediated, timed_dyad):
        rows = speaker_rows(analysis)
        assert [list(r) for r in rows] == [SPEAKER_COLUMNS] * len(rows)
        stages = stage_rows(analysis)
        by_party = json.loads(session_row(analysis)["orientation_by_party"])
        for row in rows:
            mine = [r for r in stages if r["speaker"] == row["speaker"]]
            assert row["turns"] == sum(r["turns"] for r in mine)
            assert row["words"] == sum(r["words"] for r in mine)
            assert row["first_turn"] == min(r["first_turn"] for r in mine)
            if row["duration"] is not None:
                assert row["duration"] == pytest.approx(sum(r["duration"] for r in mine))
            if row["role"] == "party":
                shares = by_party[row["speaker"]]
                for key in ("integrative_share", "distributive_share"):
                    assert row[key] == pytest.approx(shares[key])
        parties = [r for r in rows if r["role"] == "party"]
        assert sum(r["talk_share"] for r in parties) == pytest.approx(1.0)
    med = {r["speaker"]: r for r in speaker_rows(mediated)}
    assert med["Mediator"]["role"] == "mediator" and med["Ana"]["words"] > 0


def test_flatten_meta_keeps_order_and_later_keys_win():
    meta = {"a": {"b": 1, "c": {"d": [1, 2]}}, "a.b": 2, "e": (3,), "f": None}
    assert list(flatten_meta(meta).items()) == [
        ("meta.a.b", 2), ("meta.a.c.d", "[1, 2]"), ("meta.e", "[3]"), ("meta.f", None)]
    assert flatten_meta(None) == {} and flatten_meta({}, "x") == {}


def test_word_counts_are_each_sessions_own_whatever_the_order(mediated, timed_dyad):
    """``turn_rows`` and ``stage_rows`` count words the same way, and each session gets its
    own counts whatever order sessions come in (alternating, repeating one)."""
    def words(analysis):
        return ([r["words"] for r in turn_rows(analysis)],
                sum(r["words"] for r in stage_rows(analysis)))

    want = {"m": words(mediated), "t": words(timed_dyad)}
    for name in "mtmmttm":
        analysis = mediated if name == "m" else timed_dyad
        assert words(analysis) == want[name]
    turns = mediated.transcript.turns
    assert want["m"][0] == [0 if x.action else len(x.text.split()) for x in turns]
    assert want["m"][1] == sum(want["m"][0])


def test_names_holding_commas_read_back_whole(session_factory):
    """Teams names people "Doe, John": the parties cell quotes such a name as CSV does, so
    two parties read back as two; plain names are joined as before."""
    from analyzer.report.tables import join_names, split_names

    names = ["Doe, John", "Ana", 'Bo "the boss"', ""]
    assert split_names(join_names(names)) == [n for n in names if n]
    assert join_names(["Ana", "Ben"]) == "Ana,Ben" and split_names("Ana,Ben") == ["Ana", "Ben"]
    assert split_names(None) == [] and split_names("") == []
    rows = [("Doe, John", "What matters most to you?", None, None, "elicit-pref",
             "integrative", 0.9),
            ("Ana", "Price, mostly.", None, None, "self-need", "distributive", 0.8)]
    row = session_row(session_factory("teams", rows, ["exploring"] * 2, "unfinished"))
    assert row["parties"] == '"Doe, John",Ana'
    assert split_names(row["parties"]) == ["Doe, John", "Ana"]


def test_silence_between_one_speakers_cues_is_not_talk(tmp_path):
    """Sales QA, 28 Nov 2026: "Give me one second..." and 18 s of quiet before the same
    speaker's next cue counted as 18 s of her talk (a time share of 61% from the captions'
    spans, 45% from the same call with start times only). The merged turn keeps its span;
    its seconds spoken leave the silence out, in the tables and the report alike."""
    from analyzer.io import read_transcripts
    from analyzer.pipeline import Analyzer
    from analyzer.report.session_report import build_report

    path = tmp_path / "call.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nNate: Can you do the annual plan?\n\n"
        "00:00:04.000 --> 00:00:06.000\nOlivia: Give me one second.\n\n"
        "00:00:24.000 --> 00:00:28.000\nOlivia: Okay, I checked with finance.\n\n"
        "00:00:28.000 --> 00:00:32.000\nNate: Great, so annual it is?\n", encoding="utf-8")
    transcript = next(read_transcripts(path))
    turn = transcript.turns[1]
    assert (turn.start, turn.end, turn.meta["pause_seconds"]) == (4.0, 28.0, 18.0)
    analysis = Analyzer().analyze(transcript)
    olivia = next(r for r in speaker_rows(analysis) if r["speaker"] == "Olivia")
    assert olivia["duration"] == pytest.approx(6.0)
    row = next(r for r in build_report(analysis)["overview"]["parties"]
               if r["speaker"] == "Olivia")
    assert row["seconds"] == pytest.approx(6.0)
    assert row["time_share"] == pytest.approx(6.0 / 14.0)


def test_a_cue_inside_or_a_jitter_before_the_last_never_ends_the_turn_early(tmp_path):
    """Regression QA, 28 Nov 2026: a cue a jitter early (9.95-10.5 after 10-15) or inside
    the last one ("um" at 5-6 in 0-20) ended the merged turn at its own end, and the talk
    after it was lost."""
    from analyzer.io import read_transcripts

    path = tmp_path / "c.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nAna: One.\n\n"
        "00:00:10.000 --> 00:00:15.000\nAna: Two.\n\n"
        "00:00:09.950 --> 00:00:10.500\nAna: Three.\n\n"
        "00:00:16.000 --> 00:00:20.000\nBen: Four.\n\n"
        "00:00:20.000 --> 00:00:40.000\nAna: Five.\n\n"
        "00:00:25.000 --> 00:00:26.000\nAna: um\n\n"
        "00:00:41.000 --> 00:00:42.000\nBen: Six.\n", encoding="utf-8")
    turns = next(read_transcripts(path)).turns
    assert (turns[0].start, turns[0].end, turns[0].meta["pause_seconds"]) == (0.0, 15.0, 5.0)
    assert (turns[2].start, turns[2].end) == (20.0, 40.0)
