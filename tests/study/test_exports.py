"""Exports round-trip: SPSS/Stata with value labels, R-ready CSV, Parquet, ConvoKit."""

from __future__ import annotations

import importlib.util
import json

import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.io.convokit_export import read_convokit_utterances
from analyzer.study.exports import legal_names


@pytest.fixture
def exported(results_dir, tmp_path):
    out = tmp_path / "exports"
    res = CliRunner().invoke(app, ["export", str(results_dir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_legal_names_for_stata():
    names = legal_names(["meta.participants.mturk_agent_1.outcomes.points_scored",
                         "meta.participants.mturk_agent_2.outcomes.points_scored",
                         "a.b", "a_b", "in", "1st"])
    assert all(len(n) <= 32 and n[0].isalpha() for n in names.values())
    assert len(set(n.lower() for n in names.values())) == 6
    assert names["meta.participants.mturk_agent_1.outcomes.points_scored"].endswith(
        "points_scored")
    assert names["in"] == "in_" and names["a_b"] == "a_b_2"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_stata_round_trip_values_and_labels(exported, turns, fmt):
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    sub = "spss" if fmt == "sav" else "stata"
    data, meta = read(str(exported / sub / f"turns.{fmt}"))
    labels = meta.variable_value_labels
    assert labels["orientation"] == {1: "integrative", 2: "distributive", 3: "neutral"}
    assert labels["stage"] == {1: "opening", 2: "exploring", 3: "bargaining", 4: "closing"}
    decoded = data["orientation"].map(labels["orientation"])
    assert list(decoded) == list(turns["orientation"])
    assert list(data["move"].map(labels["move"])) == list(turns["move"])
    assert list(data["session_id"]) == list(turns["session_id"])
    assert list(data["text"]) == list(turns["text"])  # UTF-8 and markup kept as text
    assert list(data["is_action"]) == [float(v) for v in turns["is_action"]]
    assert list(data["turn"]) == list(turns["turn"])
    assert dict(zip(meta.column_names, meta.column_labels, strict=True))["is_action"] \
        == "is_action"
    sessions, smeta = read(str(exported / sub / f"sessions.{fmt}"))
    assert all(len(c) <= 32 for c in sessions.columns)
    col = legal_names(["meta.participants.A.outcomes.points_scored"])[
        "meta.participants.A.outcomes.points_scored"]
    assert sessions.loc[0, col] == 20
    original = dict(zip(smeta.column_names, smeta.column_labels, strict=True))[col]
    assert original == "meta.participants.A.outcomes.points_scored"


def test_csv_is_r_ready_and_parquet_keeps_types(exported, turns):
    text = (exported / "csv" / "turns.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("session_id,turn,speaker")
    assert ",TRUE," in text and ",FALSE," in text and "True" not in text
    back = pd.read_parquet(exported / "parquet" / "turns.parquet")
    pd.testing.assert_frame_equal(back.reset_index(drop=True)[["session_id", "turn", "move"]],
                                  turns[["session_id", "turn", "move"]],
                                  check_dtype=False)
    long = pd.read_csv(exported / "csv" / "party_metrics_long.csv")
    assert list(long.columns) == ["session_id", "speaker", "stage", "measure", "value"]
    a = long[(long["speaker"] == "A") & (long["stage"] == "all")
             & (long["measure"] == "integrative_share")]
    assert a["value"].iloc[0] == pytest.approx(0.25)
    manifest = json.loads((exported / "manifest.json").read_text())
    assert "stata/turns.dta" in manifest["outputs"] and manifest["versions"]["pyreadstat"]


def test_convokit_files_round_trip(exported, turns):
    root = exported / "convokit"
    for name in ("utterances.jsonl", "speakers.json", "conversations.json", "corpus.json",
                 "index.json"):
        assert (root / name).is_file()
    utts = read_convokit_utterances(root)
    assert len(utts) == len(turns)
    assert list(utts["text"]) == list(turns["text"])
    assert list(utts["speaker"]) == list(turns["speaker"])
    assert list(utts["meta.orientation"]) == list(turns["orientation"])
    assert list(utts["meta.turn"]) == list(turns["turn"])
    first = utts[utts["conversation_id"] == "s1"]
    assert pd.isna(first["reply_to"].iloc[0])
    assert list(first["reply_to"].iloc[1:]) == list(first["id"].iloc[:-1])
    conversations = json.loads((root / "conversations.json").read_text())
    assert conversations["s1"]["meta"]["participants.A.outcomes.points_scored"] == 20
    assert conversations["s1"]["meta"]["analyzer"]["model"] == "test-model"
    index = json.loads((root / "index.json").read_text())
    assert index["utterances-index"]["orientation"] == ["<class 'str'>"]
    assert index["version"] == 1


def test_convokit_read_back_by_analyzer_reader(exported, turns):
    from analyzer import io as aio

    if "convokit" not in {getattr(f, "name", f) for f in getattr(aio, "FORMATS", ())}:
        pytest.skip("analyzer.io has no ConvoKit reader yet (readers engineer)")
    transcripts = {t.session_id: t for t in aio.read_transcripts(exported / "convokit",
                                                                 format="convokit")}
    assert set(transcripts) == {"s1", "s2"}
    s1 = turns[turns["session_id"] == "s1"]
    got = transcripts["s1"]
    assert [t.text for t in got.turns] == list(s1["text"])
    assert [t.speaker for t in got.turns] == list(s1["speaker"])


@pytest.mark.skipif(importlib.util.find_spec("convokit") is None,
                    reason="ConvoKit is not installed (optional: it pulls in torch)")
def test_convokit_loads_export(exported, turns):  # pragma: no cover - needs convokit
    from convokit import Corpus

    corpus = Corpus(filename=str(exported / "convokit"))
    assert len(list(corpus.iter_utterances())) == len(turns)
    utt = corpus.get_utterance("s1__2")
    assert utt.meta["orientation"] == "distributive" and utt.reply_to == "s1__1"


def test_cli_rejects_unknown_format(results_dir, tmp_path):
    res = CliRunner().invoke(app, ["export", str(results_dir), "--to", "xlsx",
                                   "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "xlsx" in res.output
    res = CliRunner().invoke(app, ["export", str(tmp_path / "missing"), "--out",
                                   str(tmp_path / "x")])
    assert res.exit_code == 2 and "no such results folder" in res.output  # a usage mistake


def test_batch_parquet_results_export_and_carry_the_model(parquet_results_dir, tmp_path, turns):
    from analyzer.study.results import load_results

    results = load_results(parquet_results_dir)
    assert results.model_info == {"name": "casino-moves", "version": "3", "hash": "abc123"}
    out = tmp_path / "exp"
    res = CliRunner().invoke(app, ["export", str(parquet_results_dir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    data, meta = pyreadstat.read_dta(str(out / "stata" / "turns.dta"))
    assert list(data["orientation"].map(meta.variable_value_labels["orientation"])) \
        == list(turns["orientation"])
    assert json.loads((out / "manifest.json").read_text())["model"]["hash"] == "abc123"


def test_empty_results_are_a_clear_error(tmp_path, turns):
    folder = tmp_path / "empty"
    folder.mkdir()
    turns.iloc[0:0].to_csv(folder / "turns.csv", index=False)
    for command in ("export", "outcomes", "sequences"):
        res = CliRunner().invoke(app, [command, str(folder), "--out", str(tmp_path / "x")])
        assert res.exit_code == 1 and "no session was analysed" in res.output, command


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_round_trip_arbitrary_texts_and_codes(fmt, tmp_path):
    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st

    from analyzer.study.exports import labelled_frame

    texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
    moves = st.sampled_from(["claim", "create", "question", "procédural", "a&b <c>"])

    @settings(max_examples=15, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(texts, moves, st.booleans()), min_size=1, max_size=8))
    @example([("0", "claim", False)])  # texts that all read as numbers stay texts
    @example([("12", "claim", True), ("3.5", "create", False)])
    def check(rows):
        frame = pd.DataFrame({"text": [r[0] for r in rows], "move": [r[1] for r in rows],
                              "is_action": [r[2] for r in rows]})
        data, vlabels, clabels = labelled_frame(frame)
        path = tmp_path / f"t.{fmt}"
        if fmt == "sav":
            pyreadstat.write_sav(data, str(path), column_labels=clabels,
                                 variable_value_labels=vlabels)
            back, meta = pyreadstat.read_sav(str(path))
        else:
            pyreadstat.write_dta(data, str(path), column_labels=clabels,
                                 variable_value_labels=vlabels, version=15)
            back, meta = pyreadstat.read_dta(str(path))
        decoded = back["move"].map(meta.variable_value_labels["move"])
        assert list(decoded) == list(frame["move"])
        assert [t.rstrip() for t in back["text"]] == [t.rstrip() for t in frame["text"]]
        assert list(back["is_action"]) == [float(b) for b in frame["is_action"]]

    check()


def test_move_codes_are_fixed_whatever_the_data_holds(turns):
    """Two exports of shipped-model results give every move the same number, so the SPSS /
    Stata files pool: the taxonomy's moves in order first, other labels sorted after."""
    from analyzer.moves.taxonomy import MOVES
    from analyzer.study.exports import value_labels

    names = [m.name for m in MOVES]
    with_uv = value_labels(turns.assign(move=["uv-part", *turns["move"][1:]]))["move"]
    without_uv = value_labels(turns[turns["move"] != "uv-part"])["move"]
    assert with_uv == without_uv
    assert list(with_uv.values()) == names  # walk_away, concession coded though unused
    code = {v: k for k, v in with_uv.items()}
    assert code["vouch-fair"] == names.index("vouch-fair") + 1
    custom = value_labels(turns.assign(move=["procedural", "claim", *turns["move"][2:]]))
    assert list(custom["move"].values()) == [*names, "claim", "procedural"]
    assert list(value_labels(turns)["action"].values())[:4] == [
        "submit", "accept", "reject", "walk_away"]


def test_convokit_round_trip_keeps_action_terms_and_metadata_names(repo, tmp_path):
    """analyze -> export --to convokit -> analyze gives the same moves (a Submit-Deal keeps
    its terms, taken from the source) and the same ``meta.*`` columns (not ``meta.meta.*``),
    so ``outcomes`` finds the outcomes again."""
    from analyzer import io as aio

    source = repo / "tests" / "data" / "good" / "convokit_corpus"
    runner = CliRunner()
    first, exported, second = tmp_path / "r1", tmp_path / "exp", tmp_path / "r2"
    for args in (["analyze", str(source), "--out", str(first), "--quiet"],
                 ["export", str(first), "--to", "convokit", "--out", str(exported)],
                 ["analyze", str(exported / "convokit"), "--out", str(second), "--quiet"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
    submit = [t for t in next(t for t in aio.read_transcripts(exported / "convokit")
                              if t.session_id == "c2").turns if t.is_action][0]
    assert submit.action.kind == "submit" and submit.action.name == "Submit-Deal"
    assert dict(submit.action.terms) == {"speaker_gets": {"Food": 2}}
    a, b = (pd.read_csv(d / "turns.csv", dtype={"session_id": str}) for d in (first, second))
    assert list(a["move"]) == list(b["move"]) and list(a["offer"]) == list(b["offer"])
    sa, sb = (pd.read_csv(d / "sessions.csv") for d in (first, second))
    own = {c for c in sb.columns if c.startswith("meta.")
           and not c.startswith(("meta.analyzer.", "meta.meta."))}
    assert {c for c in sa.columns if c.startswith("meta.")} <= own
    assert not any(c.startswith("meta.meta.") for c in sb.columns)
    assert list(sb.set_index("session_id").loc[["c1"], "meta.outcome"]) == ["deal"]
    assert list(sb["meta.corpus.name"]) == list(sa["meta.corpus.name"])  # the source's


def test_convokit_export_takes_terms_from_the_table_when_the_source_is_gone(repo, tmp_path):
    """The turns table's ``action_terms`` is enough: the source moved away, the exported
    Submit-Deal still has its terms (and no warning about unreadable sources)."""
    import shutil

    from analyzer import io as aio

    source = tmp_path / "corpus"
    shutil.copytree(repo / "tests" / "data" / "good" / "convokit_corpus", source)
    runner = CliRunner()
    first, exported = tmp_path / "r1", tmp_path / "exp"
    res = runner.invoke(app, ["analyze", str(source), "--out", str(first), "--quiet"])
    assert res.exit_code == 0, res.output
    shutil.rmtree(source)
    res = runner.invoke(app, ["export", str(first), "--to", "convokit", "--out", str(exported)])
    assert res.exit_code == 0, res.output
    assert "could not read" not in res.output
    submit = [t for t in next(t for t in aio.read_transcripts(exported / "convokit")
                              if t.session_id == "c2").turns if t.is_action][0]
    assert submit.action.name == "Submit-Deal"
    assert dict(submit.action.terms) == {"speaker_gets": {"Food": 2}}


def test_analyze_folder_without_manifest_carries_the_model_hash(results_dir):
    from analyzer.study.results import load_results

    # provenance of a study on an `analyze` folder: the hash, not only the name (QA)
    assert load_results(results_dir).model_info == {"name": "test-model",
                                                    "version": "1.0.0", "hash": "f00d"}


def test_text_columns_stay_text_when_empty_and_long_texts_stay_whole(tmp_path):
    """Researcher QA, 28 Nov 2026: an empty ``gold`` or ``third_parties`` was a numeric
    variable in one export and a string in another (Stata's ``append`` and SPSS's ``ADD
    FILES`` refuse to pool them), and Stata texts were cut at 2,045 characters although
    pyreadstat writes longer ones as strL."""
    from analyzer.study.exports import labelled_frame

    empty = pd.DataFrame({"session_id": ["007"], "gold": [None], "third_parties": [float("nan")],
                          "text": ["x" * 5000], "turn": [3]})
    data, vlabels, clabels = labelled_frame(empty)
    assert data["gold"].tolist() == [""] and data["third_parties"].tolist() == [""]
    assert data["session_id"].tolist() == ["007"] and data["turn"].dtype == float
    path = tmp_path / "t.dta"
    pyreadstat.write_dta(data, str(path), column_labels=clabels, variable_value_labels=vlabels)
    back, _ = pyreadstat.read_dta(str(path))
    assert len(back["text"][0]) == 5000 and not pd.api.types.is_numeric_dtype(back["gold"])


def test_study_manifests_name_the_analyzer_that_ran():
    """Study-at-scale QA, 28 Nov 2026: with an editable install made at 0.8.0, the study
    manifests said 0.8.0 for 0.10.0 (the installed metadata, not the code)."""
    import analyzer
    from analyzer.study.provenance import versions

    assert versions()["analyzer"] == analyzer.__version__


def test_without_pyreadstat_csv_exports_and_spss_says_what_to_install(results_dir, tmp_path,
                                                                      monkeypatch):
    """Packaging QA, 28 Nov 2026: an install without pyreadstat could not export even CSV
    (a 41-line traceback); now only SPSS and Stata need it, and say so (exit 2). The
    package is hidden by a ``sys.modules`` entry of None, which makes importing it fail."""
    import sys

    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    res = CliRunner().invoke(app, ["export", str(results_dir), "--to", "csv",
                                   "--out", str(tmp_path / "csv")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["export", str(results_dir), "--to", "sav",
                                   "--out", str(tmp_path / "sav")])
    assert res.exit_code == 2 and "pyreadstat" in res.output and "Traceback" not in res.output
