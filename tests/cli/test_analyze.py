"""``analyzer analyze`` end to end, through the CLI, on real files."""

from __future__ import annotations

import json
import shutil

import pandas as pd
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.report.tables import TURN_COLUMNS
from analyzer.results import ORIENTATIONS, STAGES

runner = CliRunner()


def test_casino_valid_one_row_per_chat_log_entry_in_order(casino_dir, tmp_path):
    source = casino_dir / "casino_valid.json"
    result = runner.invoke(app, ["analyze", str(source), "--out", str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    turns = pd.read_csv(tmp_path / "turns.csv", keep_default_na=False)
    dialogues = json.loads(source.read_text())
    assert len(dialogues) == 30
    assert turns["session_id"].nunique() == 30
    expected = [(str(d["dialogue_id"]), i, c["text"]) for d in dialogues
                for i, c in enumerate(d["chat_logs"])]
    got = list(zip(turns["session_id"].astype(str), turns["turn"], turns["text"], strict=True))
    assert got == expected
    assert list(turns.columns[: len(TURN_COLUMNS)]) == TURN_COLUMNS
    assert set(turns["orientation"]) <= set(ORIENTATIONS)
    assert set(turns["stage"]) <= set(STAGES)
    assert turns["confidence"].between(0, 1).all()
    actions = turns[turns["text"].isin(["Submit-Deal", "Accept-Deal", "Reject-Deal",
                                        "Walk-Away"])]
    assert actions["is_action"].all() and len(actions) > 30
    # the stages never go back within a session
    order = {s: i for i, s in enumerate(STAGES)}
    for _, session in turns.groupby("session_id"):
        ranks = session["stage"].map(order).tolist()
        assert ranks == sorted(ranks)


def test_mixed_folder_good_files_analysed_broken_reported(examples_dir, data_dir, tmp_path):
    mixed = tmp_path / "mixed"
    shutil.copytree(examples_dir, mixed / "examples")
    shutil.copytree(data_dir / "broken", mixed / "broken")
    out = tmp_path / "out"
    # inside a folder only transcript extensions are read, so files of other kinds are
    # named directly (as a user would)
    odd = [str(p) for p in (mixed / "broken").iterdir() if p.suffix in (".bin", ".xyz")]
    assert odd
    result = runner.invoke(app, ["analyze", str(mixed), *odd, "--out", str(out),
                                 "--format", "md,json"])
    assert result.exit_code == 1, result.output
    failures = pd.read_csv(out / "failures.csv")
    broken = sorted(p.name for p in (data_dir / "broken").iterdir()
                    if p.is_file() and not p.name.startswith(".") and p.suffix != ".md")
    failed = sorted({pd.io.common.stringify_path(f).split("/")[-1] for f in failures["file"]})
    assert failed == broken
    # every failure names its file, and a line wherever the format has lines
    assert failures["error"].str.len().gt(0).all() and failures["hint"].str.len().gt(0).all()
    lineless = {f.split("/")[-1] for f in failures.loc[failures["line"].isna(), "file"]}
    # only whole-file problems (empty, binary, unknown) and JSON (which names a path) lack a line
    whole_file = {"empty.txt", "blank.txt", "binary.bin", "unknown.xyz"}
    assert all(name in whole_file or name.endswith(".json") for name in lineless), lineless
    sessions = pd.read_csv(out / "sessions.csv")
    example_sessions = {"supplier_contract", "riverside_mediation", "zoom_salary", "teams_lease",
                        "partnership", "whisper_segments"}
    assert example_sessions <= set(sessions["session_id"].astype(str))
    for session in sessions["session_id"].astype(str):
        assert (out / f"{session}.md").exists() and (out / f"{session}.json").exists()


def test_usage_errors_exit_2(examples_dir, tmp_path):
    cases = [
        ["analyze", str(examples_dir), "--out", str(tmp_path), "--format", "pdf"],
        ["analyze", str(tmp_path / "nothing-here"), "--out", str(tmp_path)],
        ["analyze", str(examples_dir), "--roles", "Dana", "--out", str(tmp_path)],
        # checked up front, as --format is (was exit 1 and one failure row per input)
        ["analyze", str(examples_dir), "--input-format", "bogus", "--out", str(tmp_path)],
        ["batch", str(examples_dir), "--input-format", "bogus", "--out", str(tmp_path / "b"),
         "--workers", "1"],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "fix:" in result.output
        assert "Traceback" not in result.output
    assert "--input-format: unknown format 'bogus'" in result.output
    assert not (tmp_path / "failures.csv").exists()


def test_roles_option_moves_a_speaker_out_of_the_parties(examples_dir, tmp_path):
    source = examples_dir / "zoom_salary.vtt"
    result = runner.invoke(app, ["analyze", str(source), "--out", str(tmp_path), "-q",
                                 "--roles", "Hannah Cole=chair"])
    assert result.exit_code == 0, result.output
    turns = pd.read_csv(tmp_path / "turns.csv")
    assert set(turns.loc[turns.speaker == "Hannah Cole", "role"]) == {"chair"}
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    assert sessions.loc[0, "third_parties"] == "Hannah Cole"


TALK = ("Ana: Hello Ben, what matters most to you here?\n"
        "Ben: Delivery time matters most. Price less so.\n"
        "Ana: We could deliver faster if you take a larger volume.\n"
        "Ben: Agreed, let us do that.\n")


def test_every_session_gets_its_own_report_files(tmp_path):
    """Non-Latin file names and session ids that clean up alike (x/y, x_y, x:y) used to
    share one report file, the last session overwriting the others."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "会议.txt").write_text(TALK, encoding="utf-8")
    (inputs / "谈判.txt").write_text(TALK, encoding="utf-8")
    turns = [{"speaker": "Ana", "text": "What matters most?"}, {"speaker": "Ben", "text": "Price."}]
    (inputs / "ids.json").write_text(json.dumps(
        [{"session_id": i, "turns": turns} for i in ("x/y", "x_y", "x:y")]), encoding="utf-8")
    out = tmp_path / "out"
    for _ in range(2):  # a rerun gives the same names, not new ones
        result = runner.invoke(app, ["analyze", str(inputs), "--out", str(out), "-q"])
        assert result.exit_code == 0, result.output
    sessions = pd.read_csv(out / "sessions.csv")
    assert len(sessions) == 5
    reports = [p for p in out.glob("*.md") if p.name != "_index.md"]  # and the overview
    assert len(reports) == len(list(out.glob("*.json"))) == 5
    assert (out / "会议.md").exists() and (out / "x_y.md").exists()
    assert (out / "_index.md").read_text(encoding="utf-8").count("](<") == 5


def test_out_inside_a_file_is_a_usage_error(tmp_path):
    source = tmp_path / "good.txt"
    source.write_text(TALK, encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(source), "--out", str(source / "x"), "-q"])
    assert result.exit_code == 2, result.output
    assert "is a file" in result.output and "fix:" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_each_real_file_is_read_once(tmp_path, monkeypatch):
    """A symlink back up the tree (``d/up -> ..``, here twice, which used to walk without
    end), a symlink beside its target and one file named relatively and absolutely: one
    session per real transcript."""
    root = tmp_path / "in"
    (root / "d").mkdir(parents=True)
    (root / "d" / "a.txt").write_text(TALK, encoding="utf-8")
    (root / "d" / "up").symlink_to("..")
    (root / "d" / "again").symlink_to("..")
    (root / "real.txt").write_text(TALK, encoding="utf-8")
    (root / "link.txt").symlink_to("real.txt")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", "in", str(root / "real.txt"), "in/d/a.txt",
                                 "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    sessions = pd.read_csv(out / "sessions.csv")
    assert sorted(sessions["session_id"]) == ["a", "link"]  # the first name given is kept


def test_a_rerun_leaves_no_failures_or_reports_of_the_run_before(tmp_path):
    """An empty file fails; once it is gone (and the good file renamed) the rerun exits 0
    and the folder holds only its own outputs: no failures.csv, no report of 'good'. A
    failures.csv of the user's own (another header) is never deleted."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(TALK, encoding="utf-8")
    (inputs / "empty.txt").write_text("", encoding="utf-8")
    out = inputs / "rep"
    first = runner.invoke(app, ["analyze", str(inputs), "--out", str(out), "-q"])
    assert first.exit_code == 1, first.output
    assert (out / "failures.csv").exists() and (out / "good.md").exists()
    (inputs / "empty.txt").unlink()
    (inputs / "good.txt").rename(inputs / "better.txt")
    second = runner.invoke(app, ["analyze", str(inputs), "--out", str(out), "-q"])
    assert second.exit_code == 0, second.output
    assert not (out / "failures.csv").exists()
    assert sorted(p.name for p in out.glob("*.md")) == ["better.md"]
    (out / "failures.csv").write_text("mine\n")
    runner.invoke(app, ["analyze", str(inputs), "--out", str(out), "-q"])
    assert (out / "failures.csv").read_text() == "mine\n"


def test_failure_lines_are_integers(data_dir, tmp_path):
    """failures.csv says line 3, not 3.0 (as batch writes it); no line stays empty."""
    broken = data_dir / "broken"
    result = runner.invoke(app, ["analyze", str(broken / "malformed.json"),
                                 str(broken / "empty.txt"), "--out", str(tmp_path), "-q"])
    assert result.exit_code == 1, result.output
    lines = (tmp_path / "failures.csv").read_text().splitlines()[1:]
    assert [line.split(",")[1] for line in lines] == ["3", ""]


def test_roles_unknown_role_and_unknown_speaker(tmp_path):
    """An unknown role is a usage error that lists the roles; a name that speaks nowhere is
    a warning naming the speakers found; a session left with one party is warned about."""
    source = tmp_path / "good.txt"
    source.write_text(TALK, encoding="utf-8")
    boss = runner.invoke(app, ["analyze", str(source), "--roles", "Ana=boss", "--out",
                               str(tmp_path / "a"), "-q"])
    assert boss.exit_code == 2
    assert "unknown role 'boss'" in boss.output and "mediator" in boss.output
    nobody = runner.invoke(app, ["analyze", str(source), "--roles", "Nobody=mediator",
                                 "--out", str(tmp_path / "b"), "-q"])
    assert nobody.exit_code == 0, nobody.output
    assert "no speaker named 'Nobody'" in nobody.output and "Ana, Ben" in nobody.output
    ana = runner.invoke(app, ["analyze", str(source), "--roles", "ana=chair", "--out",
                              str(tmp_path / "c"), "-q"])
    assert ana.exit_code == 0, ana.output
    warnings = [line for line in ana.output.splitlines() if line.startswith("warning")]
    assert len(warnings) == 1  # Ana is found (names match case-insensitively)
    assert "session good: with --roles only one party is left (Ben)" in warnings[0]


def test_roles_accepts_names_holding_commas(tmp_path):
    """``--roles "Doe, John=mediator,Lee=party"``: a piece without "=" belongs to the next
    one, so Teams' "Last, First" names can be given; a bare name is still an error."""
    from analyzer.cli.common import parse_roles

    assert parse_roles("Doe, John=mediator,Lee=party") == {"Doe, John": "mediator",
                                                            "Lee": "party"}
    assert parse_roles(" Dana=mediator , Lee=party ,") == {"Dana": "mediator", "Lee": "party"}
    source = tmp_path / "teams.csv"
    source.write_text('speaker,text\n"Doe, John","Welcome both, let us begin."\nAna,Thanks.\n'
                      "Ben,Price matters most to us.\nAna,Delivery matters most to us.\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(source), "--roles", "Doe, John=mediator",
                                 "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    sessions = pd.read_csv(out / "sessions.csv")
    assert sessions.loc[0, "third_parties"] == '"Doe, John"'
    assert sessions.loc[0, "parties"] == "Ana,Ben"


def test_out_on_the_inputs_never_overwrites_or_deletes_an_input(examples_dir, tmp_path):
    """``analyze . --out .`` wrote the JSON report of whisper_segments.json over the
    transcript itself, and a later run deleted it as a stale report (fresh user QA, 28 Nov
    2026). Now that session fails with a message, writes no report at all, and the input is
    untouched; a record naming a file that is no report is not acted on."""
    folder = tmp_path / "ex"
    shutil.copytree(examples_dir, folder)
    original = (folder / "whisper_segments.json").read_bytes()
    res = runner.invoke(app, ["analyze", str(folder), "--out", str(folder), "-q"])
    assert res.exit_code == 1
    assert "refusing to write" in res.stderr and "one of the input files" in res.stderr
    assert (folder / "whisper_segments.json").read_bytes() == original
    assert not (folder / "whisper_segments.md").exists()  # all of a session's reports or none
    assert (folder / "zoom_salary.md").exists()  # the other sessions are done
    # an old record (as an earlier version could leave it) naming the input as a report
    (folder / ".analyzer-reports").write_text("whisper_segments.json\nzoom_salary.md\n")
    again = runner.invoke(app, ["analyze", str(folder / "teams_lease.vtt"), "--out",
                                str(folder), "-q"])
    assert again.exit_code == 0, again.output
    assert (folder / "whisper_segments.json").read_bytes() == original
    assert not (folder / "zoom_salary.md").exists()  # a stale report of ours still goes
    # the folder now holds tables: it is an output folder, and says so
    res = runner.invoke(app, ["analyze", str(folder), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "is an analyser output folder" in res.stderr


def test_an_input_named_like_a_table_is_a_usage_error(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "turns.csv").write_text("speaker,text\nA,Hello there.\nB,Hi.\n")
    res = runner.invoke(app, ["analyze", str(folder / "turns.csv"), "--out", str(folder)])
    assert res.exit_code == 2 and "has the name of a file" in res.stderr
    assert (folder / "turns.csv").read_text().startswith("speaker,text")


def test_a_session_with_one_voice_is_warned_about(tmp_path):
    """A transcript pasted with its line breaks lost reads as one speaker; it was analysed
    as a negotiation without a word (formats QA, 28 Nov 2026)."""
    path = tmp_path / "pasted.txt"
    path.write_text("Maria: We need the price lower. Tom: How much lower? Maria: Ten percent.\n",
                    encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert res.exit_code == 0
    assert "only one party speaks (Maria)" in res.stderr
    path.write_text("Maria: We need the price lower.\nTom: How much lower?\n", encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert "only one party" not in res.stderr


def test_a_terminal_that_cannot_show_unicode_gets_question_marks_not_a_traceback(tmp_path):
    """Accessibility and terminal QA, 28 Nov 2026: with ``PYTHONIOENCODING=ascii`` (or
    cp1252 when Windows redirects to a file) the summary's arrow or an "é" in a session id
    raised UnicodeEncodeError after the reports were written: a traceback and exit 1."""
    import os
    import subprocess
    import sys

    source = tmp_path / "négociation.txt"
    source.write_text("Zoë: What matters most to you?\nBob: The price. I need 40 → 42.\n",
                      encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"}
    done = subprocess.run([sys.executable, "-m", "analyzer", "analyze", str(source),
                           "--out", str(tmp_path / "out"), "--format", "md"],
                          capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")[-2000:]
    assert b"Traceback" not in done.stderr
    assert b"n?gociation" in done.stdout
    assert "Zoë" in (tmp_path / "out" / "négociation.md").read_text(encoding="utf-8")


def test_analyze_and_batch_write_the_same_csv_text(tmp_path):
    """Researcher QA, 28 Nov 2026: the same session read ``True``/``1.0``/``1e-05`` in
    analyze's CSVs and ``true``/``1``/``0.00001`` in the batch's, a metadata NaN was ``nan``
    in one and empty in the other, and a 17-digit metadata id lost its last digit in
    analyze (pandas' float64). Now both write every table the same way, byte for byte."""
    import json

    inputs = tmp_path / "in"
    inputs.mkdir()
    turns = [{"speaker": "Ana", "text": "What matters most to you?"},
             {"speaker": "Ben", "text": "The price. I need 40 per unit."},
             {"speaker": "Ana", "text": "Deal at 40 if you take the freight."}]
    for name, meta in (("one", {"account": 12345678901234567, "score": 1e-05}),
                       ("two", {"score": float("nan"), "site": "Lyon"})):
        (inputs / f"{name}.json").write_text(json.dumps(
            {"session_id": name, "meta": meta, "turns": turns}), encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["analyze", str(inputs), "--out", str(tmp_path / "a"), "-q"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["batch", str(inputs), "--out", str(tmp_path / "b"),
                               "--workers", "1", "-q"])
    assert done.exit_code == 0, done.output
    for table in ("turns", "units", "stages", "speakers", "sessions"):
        a = (tmp_path / "a" / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        b = (tmp_path / "b" / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        assert a[0] == b[0] and sorted(a[1:]) == sorted(b[1:]), table
    sessions = (tmp_path / "a" / "sessions.csv").read_text(encoding="utf-8")
    assert "12345678901234567" in sessions and "nan" not in sessions
    assert ",false," in (tmp_path / "a" / "turns.csv").read_text(encoding="utf-8")


def _casino_with_a_bad_dialogue(casino_dir, tmp_path):
    """Six CaSiNo dialogues, [3] with one chat_logs entry lacking its text."""
    dialogues = json.loads((casino_dir / "casino_valid.json").read_text())[:6]
    del dialogues[3]["chat_logs"][2]["text"]
    path = tmp_path / "six.json"
    path.write_text(json.dumps(dialogues), encoding="utf-8")
    return path, [str(d["dialogue_id"]) for i, d in enumerate(dialogues) if i != 3]


def test_one_bad_dialogue_fails_alone_in_analyze_and_batch(casino_dir, tmp_path):
    """A multi-session file with one bad session keeps the others (fuzzing QA, 28 Nov 2026:
    E104 and 0 of 5 good dialogues analysed): one failure row naming the dialogue's JSON
    path, exit 1, in ``analyze`` and in ``batch`` (which cuts the file into items)."""
    from analyzer.batch import BatchOptions, run_batch

    path, good = _casino_with_a_bad_dialogue(casino_dir, tmp_path)
    result = runner.invoke(app, ["analyze", str(path), "--out", str(tmp_path / "a"), "-q"])
    assert result.exit_code == 1, result.output
    sessions = pd.read_csv(tmp_path / "a" / "sessions.csv", dtype={"session_id": str})
    assert sessions.session_id.tolist() == good
    (failure,) = pd.read_csv(tmp_path / "a" / "failures.csv").to_dict("records")
    assert failure["file"] == str(path)
    assert failure["error"].startswith("[E104] [3].chat_logs[2]: an entry with no text")
    assert "the file's 5 other dialogues were read" in failure["error"]

    batch = run_batch([path], tmp_path / "b", BatchOptions(workers=1, chunk_size=2))
    assert batch.failures == 1 and batch.counts["sessions"] == 5
    sessions = pd.read_parquet(tmp_path / "b" / "sessions.parquet")
    assert sorted(sessions.session_id) == sorted(good)
    (row,) = pd.read_parquet(tmp_path / "b" / "failures.parquet").to_dict("records")
    assert row["error"] == failure["error"]


def test_quiet_names_the_file_of_an_unexpected_error(tmp_path, monkeypatch):
    """``-q`` printed "skipped: <error>" without the file for an error that is no
    ``ReadError`` (fuzzing QA, 28 Nov 2026)."""
    import analyzer.io

    path = tmp_path / "call.txt"
    path.write_text("Ana: Hello\nBen: Hi\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(analyzer.io, "read_transcripts", broken)
    result = runner.invoke(app, ["analyze", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    assert f"skipped: {path}: RuntimeError: boom" in result.output
    assert "bug in the analyser" in result.output


def test_a_session_whose_rows_fail_is_one_failure_row_named_as_batch_names_it(
        tmp_path, monkeypatch):
    """The rows are built inside the per-session ``try`` (an error there ended the whole
    command), and the failure row names the session as the batch worker's does (one helper,
    ``Failure.for_session``)."""
    import analyzer.report.tables as tables
    from analyzer.errors import Failure

    path = tmp_path / "two.json"
    path.write_text(json.dumps([
        {"session_id": "good", "turns": [{"speaker": "Ana", "text": "Hello"},
                                         {"speaker": "Ben", "text": "Hi"}]},
        {"session_id": "bad", "turns": [{"speaker": "Ana", "text": "Hello"},
                                        {"speaker": "Ben", "text": "Hi"}]}]), encoding="utf-8")
    real = tables.turn_rows
    error = RuntimeError("no rows")

    def turn_rows(analysis):
        if analysis.transcript.session_id == "bad":
            raise error
        return real(analysis)

    monkeypatch.setattr(tables, "turn_rows", turn_rows)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(path), "--out", str(out), "-q"])
    assert result.exit_code == 1, result.output
    assert pd.read_csv(out / "sessions.csv").session_id.tolist() == ["good"]
    (row,) = pd.read_csv(out / "failures.csv").to_dict("records")
    expected = Failure.for_session(str(path), "bad", error)
    assert row["error"] == expected.error == "session bad: RuntimeError: no rows"


def test_a_session_of_many_one_turn_speakers_is_warned_about(tmp_path):
    """60 speakers of one turn each: a file whose labels were misread, said so (fuzzing QA,
    28 Nov 2026); a real meeting of a few speakers is not."""
    crowd = tmp_path / "crowd.txt"
    crowd.write_text("".join(f"Speaker {i}: hello number {i}\n" for i in range(60)),
                     encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(crowd), "--out", str(tmp_path / "a"), "-q"])
    assert result.exit_code == 0, result.output
    assert "warning: session crowd: 60 speakers, 60 of them with a single turn" in \
        result.output
    pair = tmp_path / "pair.txt"
    pair.write_text("Ana: Could we talk about the price?\nBen: Sure.\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(pair), "--out", str(tmp_path / "b"), "-q"])
    assert "single turn" not in result.output
