"""Local batches: every good session in the tables, every broken file in ``failures``, a
rerun that reuses everything, reports, exit codes. (Two local workers: see test_resume.)"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyzer import errors
from analyzer.batch import BatchOptions, run_batch
from analyzer.cli import app
from analyzer.errors import ReadError
from analyzer.io import expand_inputs, read_transcripts


def _expected_sessions(folder):
    """(session id, turns) of every session the readers find, in input order."""
    return [(t.session_id, len(t.turns)) for path in expand_inputs([folder])
            for t in read_transcripts(path)]


def _reader_errors(folder):
    errors = []
    for path in expand_inputs([folder]):
        try:
            list(read_transcripts(path))
        except ReadError as exc:
            where = f" ({exc.where})" if exc.where else ""
            errors.append({"file": exc.path, "line": exc.line,
                           "error": f"[{exc.code}]{where} {exc.problem}", "hint": exc.hint})
    return errors


def test_broken_files_go_to_failures_and_every_good_session_is_kept(data_dir, tmp_path):
    good, broken = data_dir / "good", data_dir / "broken"
    out = tmp_path / "out"
    result = run_batch([good, broken], out, BatchOptions(workers=1))

    sessions = pd.read_parquet(out / "sessions.parquet")
    assert list(zip(sessions.session_id, sessions.turns, strict=True)) == _expected_sessions(good)
    turns = pd.read_parquet(out / "turns.parquet")
    assert len(turns) == sessions.turns.sum()
    assert turns.groupby("session_id", sort=False).turn.apply(list).map(
        lambda ts: ts == list(range(len(ts)))).all()  # every turn, in order, per session

    expected = _reader_errors(broken)
    assert len(expected) >= 10  # the broken set really is broken
    failures = pd.read_parquet(out / "failures.parquet")
    got = failures.astype(object).where(failures.notna(), None).to_dict("records")
    for row in got:
        row["line"] = None if row["line"] is None else int(row["line"])
    assert got == expected
    assert result.failures == len(expected)

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["counts"]["sessions"] == len(sessions)
    assert manifest["counts"]["files_failed"] == len(expected)
    hashed = [e for e in manifest["inputs"] if Path(e["path"]).is_file()]
    assert len(hashed) == len(manifest["inputs"]) - 1  # all but the ConvoKit folder
    for entry in hashed:
        assert entry["sha256"] == hashlib.sha256(Path(entry["path"]).read_bytes()).hexdigest()
    for key in ("analyzer", "spacy", "scikit-learn", "pandas"):
        assert manifest["versions"][key]
    assert manifest["model"]["hash"]
    assert set(manifest["options"]) >= {"model_hash", "chunk_size", "roles", "workers"}


def test_rerun_reuses_every_finished_item(data_dir, tmp_path, same_tables):
    out = tmp_path / "out"
    run_batch([data_dir / "good"], out, BatchOptions(workers=1, chunk_size=1))
    first = tmp_path / "first"
    first.mkdir()
    for name in ("turns", "units", "stages", "speakers", "sessions", "failures"):
        for ext in ("parquet", "csv"):
            (first / f"{name}.{ext}").write_bytes((out / f"{name}.{ext}").read_bytes())
    result = run_batch([data_dir / "good"], out, BatchOptions(workers=1, chunk_size=1))
    counts = result.manifest["counts"]
    assert counts["items_reused"] == counts["items"] > 0
    assert counts["sessions_reused"] == counts["sessions"]
    same_tables(first, out)


def test_cli_exit_codes_and_messages(data_dir, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["batch", str(data_dir / "good" / "teams.vtt"), "--out",
                             str(tmp_path / "a"), "--workers", "1", "--quiet"])
    assert ok.exit_code == 0, ok.output
    some = runner.invoke(app, ["batch", str(data_dir / "good" / "teams.vtt"),
                               str(data_dir / "broken" / "malformed.json"),
                               "--out", str(tmp_path / "b"), "--workers", "1"])
    assert some.exit_code == 1
    assert "malformed.json:3" in some.output and "fix:" in some.output
    quiet = runner.invoke(app, ["batch", str(data_dir / "broken" / "malformed.json"),
                                "--out", str(tmp_path / "q"), "--workers", "1", "--quiet"])
    assert quiet.exit_code == 1  # --quiet still says why
    assert "malformed.json:3" in quiet.output and "sessions," not in quiet.output
    missing = runner.invoke(app, ["batch", str(tmp_path / "nowhere"), "--out",
                                  str(tmp_path / "c")])
    assert missing.exit_code == 2 and "nowhere" in missing.output
    assert "Traceback" not in missing.output
    bad = runner.invoke(app, ["batch", str(data_dir / "good"), "--workers", "0"])
    assert bad.exit_code == 2
    assert "Example:" in runner.invoke(app, ["batch", "--help"]).output


def test_reports_are_written_per_session_inside_out(data_dir, tmp_path):
    out = tmp_path / "out"
    run_batch([data_dir / "good" / "teams.vtt", data_dir / "good" / "subtitles.srt"], out,
              BatchOptions(workers=1, reports=("md", "html")))
    written = sorted(p.relative_to(out).as_posix() for p in (out / "reports").rglob("*.*"))
    sessions = pd.read_parquet(out / "sessions.parquet").session_id.tolist()
    assert written == sorted([f"reports/{stem}/{sid}.{fmt}" for stem, sid in
                              zip(["teams", "subtitles"], sessions, strict=True)
                              for fmt in ("md", "html")]
                             + ["reports/_index.html", "reports/_index.md"])  # the overview
    assert sessions[0] in (out / "reports" / "teams" / f"{sessions[0]}.md").read_text()
    overview = (out / "reports" / "_index.md").read_text()
    assert f"(<teams/{sessions[0]}.md>)" in overview


def test_the_fork_server_preloads_pandas_because_pyarrow_imports_it_at_the_first_table():
    """A worker's first table (``pa.array``) imports pandas (pyarrow does it lazily): the
    fork server imports it once, before the exit module, so no worker pays for it."""
    import subprocess
    import sys

    from analyzer.batch.forkserver import PRELOAD

    code = ("import sys, pyarrow as pa; before = 'pandas' in sys.modules; pa.array([1]); "
            "print(before, 'pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "True"]
    assert PRELOAD.index("pyarrow") < PRELOAD.index("pandas") < len(PRELOAD) - 1


def test_only_the_fork_server_imports_its_exit_and_freeze_modules(tmp_path, data_dir):
    """``fork_server_exit`` makes a process end without finalising: the fork server may, the
    driver (which writes and flushes the tables) must never import it. Nor the freeze."""
    import sys

    from analyzer.batch.forkserver import PRELOAD

    assert PRELOAD[-2:] == ["analyzer.batch.fork_server_freeze",
                            "analyzer.batch.fork_server_exit"]
    run_batch([data_dir / "good" / "sessions.csv"], tmp_path / "out",
              BatchOptions(workers=2, chunk_size=1))
    assert "analyzer.batch.fork_server_exit" not in sys.modules
    assert "analyzer.batch.fork_server_freeze" not in sys.modules


def test_the_fork_server_freezes_what_it_loaded_before_workers_fork():
    """Imported after the heavy modules (as the fork server's preload does), the freeze
    module leaves them out of the collector's walks: a full collection then walks only what
    came after, so a forked worker does not walk (and copy) them again."""
    import subprocess
    import sys

    code = ("import gc, spacy, pyarrow; import analyzer.pipeline; "
            "before = gc.get_freeze_count(); import analyzer.batch.fork_server_freeze; "
            "print(before, gc.get_freeze_count(), sum(len(gc.get_objects(g)) for g in range(3)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    before, frozen, tracked = map(int, done.stdout.split())
    assert before == 0 and frozen > 50_000 and tracked < 1_000


def test_a_worker_needs_no_parquet_so_the_fork_server_does_not_preload_it(data_dir):
    """Workers send Arrow IPC parts; only the driver writes Parquet. A work item analysed in
    a process holding just the fork server's modules leaves ``pyarrow.parquet`` unimported."""
    import subprocess
    import sys

    from analyzer.batch.forkserver import PRELOAD

    assert "pyarrow.parquet" not in PRELOAD
    modules = [m for m in PRELOAD if not m.startswith("analyzer.batch.fork_server_")]
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            "from analyzer.batch.plan import InputFile, WorkItem\n"
            "from analyzer.batch.worker import WorkerConfig, analyse_item\n"
            "from analyzer.io import read_transcripts\n"
            f"path = {str(data_dir / 'good' / 'sessions.csv')!r}\n"
            "item = WorkItem('k', InputFile(0, path, 'd', 1), 0, 0,"
            " tuple(read_transcripts(path)))\n"
            "result = analyse_item(item, WorkerConfig())\n"
            "print(result.info['sessions'], 'pyarrow.parquet' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    sessions, parquet = done.stdout.split()
    assert int(sessions) > 0 and parquet == "False"


def test_reports_of_ids_that_clean_up_alike_do_not_overwrite_each_other(tmp_path):
    """``x/y``, ``x_y`` and ``x:y`` in a file with a non-Latin name: three report files under
    ``reports/<file stem>/``, with the same names when the run is resumed."""
    source = tmp_path / "会议.json"
    turns = [{"speaker": "Ana", "text": "What matters most?"}, {"speaker": "Ben", "text": "Price."}]
    source.write_text(json.dumps([{"session_id": i, "turns": turns}
                                  for i in ("x/y", "x_y", "x:y")]), encoding="utf-8")
    out = tmp_path / "out"
    names = []
    for _ in range(2):
        run_batch([source], out, BatchOptions(workers=1, reports=("md",)))
        names.append(sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md")
                            if p.name != "_index.md"))
    assert len(names[0]) == 3 and names[0] == names[1]
    assert all(n.startswith("reports/会议/x_y") for n in names[0])


def test_out_inside_a_file_is_a_usage_error(data_dir, tmp_path):
    source = tmp_path / "good.txt"
    source.write_text("x")
    result = CliRunner().invoke(app, ["batch", str(data_dir / "good" / "teams.vtt"), "--out",
                                      str(source / "x"), "--workers", "1", "--quiet"])
    assert result.exit_code == 2, result.output
    assert "is a file" in result.output and "Traceback" not in result.output


def test_a_symlink_loop_and_a_file_named_twice_are_read_once(tmp_path):
    root = tmp_path / "in"
    (root / "d").mkdir(parents=True)
    (root / "d" / "a.txt").write_text("Ana: What matters most?\nBen: Price.\n")
    (root / "d" / "up").symlink_to("..")
    (root / "link").symlink_to("d")
    result = run_batch([root, root / "d" / "a.txt"], tmp_path / "out", BatchOptions(workers=1))
    assert result.counts["sessions"] == 1
    assert [e["path"] for e in result.manifest["inputs"]] == [str(root / "d" / "a.txt")]


def test_batch_warns_about_roles_that_name_no_speaker(data_dir, tmp_path):
    result = CliRunner().invoke(app, ["batch", str(data_dir / "good" / "teams.vtt"), "--out",
                                      str(tmp_path / "out"), "--workers", "1",
                                      "--roles", "Nobody=mediator"])
    assert result.exit_code == 0, result.output
    assert "no speaker named 'Nobody'" in result.output and "speakers found:" in result.output


def test_batch_reads_a_csv_with_its_own_column_names(tmp_path):
    """--read-option reaches the reader in a batch as in analyze, and is part of the items'
    keys (a rerun with other options redoes the file)."""
    import pandas as pd

    table = tmp_path / "in" / "chat.csv"
    table.parent.mkdir()
    table.write_text("Negotiator,Remark\nAna,Shall we start with the price?\n"
                     "Ben,Sure. Go ahead.\n", encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(app, ["batch", str(table.parent), "--out", str(tmp_path / "a"),
                                "--workers", "1", "--quiet"])
    assert plain.exit_code == 1  # no speaker column: a failures row
    named = runner.invoke(app, ["batch", str(table.parent), "--out", str(tmp_path / "a"),
                                "--workers", "1", "--quiet", "--read-option",
                                "speaker_col=Negotiator", "--read-option",
                                "text_col=Remark"])
    assert named.exit_code == 0, named.output
    turns = pd.read_csv(tmp_path / "a" / "turns.csv")
    assert list(turns["speaker"]) == ["Ana", "Ben"]
    assert pd.read_csv(tmp_path / "a" / "failures.csv").empty


def test_a_slack_channel_that_cannot_be_read_fails_alone(data_dir, tmp_path):
    """One bad file never loses the rest: an export with a broken day file gives its sound
    channel's session and one failure row naming the day file, in ``analyze`` and ``batch``
    alike; a rerun reuses both and writes the same tables."""
    import shutil

    from analyzer.errors import PartialReadError

    source = next(p for p in (data_dir / "chats").iterdir()
                  if p.is_dir() and (p / "users.json").is_file())
    export = tmp_path / "export"
    shutil.copytree(source, export)
    supplier = export / "supplier-deal"
    supplier.mkdir()
    (supplier / "2024-04-02.json").write_text(json.dumps([
        {"type": "message", "user": "U01ANA", "text": "Can you do 40 units at 12 each?",
         "ts": "1712052000.000100"},
        {"type": "message", "user": "U02BEN", "text": "We can do 40 at 13.",
         "ts": "1712052100.000100"}]), encoding="utf-8")
    day = export / "lease-renewal" / "2024-03-13.json"
    day.write_text('[{"type": "message", "user": "U1", "text": "Hi', encoding="utf-8")
    try:
        list(read_transcripts(export))
    except PartialReadError as exc:
        (error,) = exc.errors
    out = tmp_path / "out"
    result = run_batch([export], out, BatchOptions(workers=1))
    sessions = pd.read_parquet(out / "sessions.parquet")
    assert list(sessions.session_id) == ["supplier-deal"]
    failures = pd.read_parquet(out / "failures.parquet")
    assert list(failures.file) == [str(day)] and list(failures.error) == [
        errors.Failure.from_exception(str(day), error).error]
    assert failures.error[0].startswith(f"[{error.code}] ({error.where})")
    assert failures.line.tolist() == [error.line] and "whose 2 other channels were read" in \
        failures.error[0]
    assert result.failures == 1 and result.counts["sessions"] == 1
    manifest = json.loads((out / "manifest.json").read_text())
    (entry,) = manifest["inputs"]
    assert entry["sessions"] == 1 and "error" not in entry and "lease-renewal" in \
        entry["partial"]
    assert manifest["counts"]["files_failed"] == 0 and manifest["counts"]["failures"] == 1
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    again = run_batch([export], out, BatchOptions(workers=1))
    assert again.manifest["counts"]["items_reused"] == again.manifest["counts"]["items"] == 2
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == before

    runner = CliRunner()
    analysed = runner.invoke(app, ["analyze", str(export), "--out", str(tmp_path / "a"),
                                   "--quiet"])
    assert analysed.exit_code == 1
    assert pd.read_csv(tmp_path / "a" / "sessions.csv").session_id.tolist() == ["supplier-deal"]
    assert pd.read_csv(tmp_path / "a" / "failures.csv").file.tolist() == [str(day)]


def test_inputs_inside_the_output_folder_are_named_not_dropped_in_silence(
        examples_dir, tmp_path):
    """A batch never reads back its output folder; the files it leaves out for that are
    named in the result (and by the CLI), and a run whose every input is inside it says so
    (researcher QA, 28 Nov 2026: "no transcript files found" for files that exist)."""
    import shutil

    from analyzer.errors import UsageError

    out = tmp_path / "runs"
    old = out / "old"
    old.mkdir(parents=True)
    shutil.copy(examples_dir / "supplier_contract.txt", old)
    result = run_batch([old, examples_dir / "zoom_salary.vtt"], out, BatchOptions(workers=1))
    assert result.counts["sessions"] == 1
    assert result.inside_out == [old / "supplier_contract.txt"]
    with pytest.raises(UsageError, match="inside the output folder"):
        run_batch([old], out, BatchOptions(workers=1))


def test_the_documented_columns_have_one_type_whatever_the_data(examples_dir, tmp_path):
    """An untimed text-only run and a run without failures keep the documented types
    (until 28 Nov 2026 an all-empty column was of Arrow type null, so two runs' tables had
    two schemas and could not be concatenated: researcher QA)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from analyzer.batch.tabular import DECLARED_TYPES

    plain = tmp_path / "plain.txt"  # no times, no formal actions, no failures
    plain.write_text("Anna: Hi Ben. Shall we start?\nBen: Sure. What matters most to you?\n"
                     "Anna: Price. Could you do forty?\nBen: Forty works for me. Deal.\n",
                     encoding="utf-8")
    out = tmp_path / "out"
    run_batch([plain], out, BatchOptions(workers=1))
    for name in ("turns", "units", "stages", "speakers", "sessions", "failures"):
        schema = pq.read_schema(out / f"{name}.parquet")
        assert not [f.name for f in schema if pa.types.is_null(f.type)], name
        for field in schema:
            if field.name in DECLARED_TYPES:
                assert field.type == DECLARED_TYPES[field.name], (name, field.name)
    turns = pq.read_table(out / "turns.parquet")
    assert turns.schema.field("start").type == pa.float64()
    assert turns["start"].null_count == turns.num_rows  # empty, and typed all the same


def test_a_rerun_that_spells_the_paths_otherwise_writes_its_own_spelling(
        examples_dir, tmp_path, monkeypatch):
    """The items a first run finished name their file as that run spelled it; a rerun that
    names the same file otherwise ("in/call.txt", then "/abs/in/call.txt") writes the tables
    an uninterrupted run with its own spelling writes (researcher QA, 28 Nov 2026: both
    spellings in ``sessions.source``)."""
    import shutil

    (tmp_path / "in").mkdir()
    shutil.copy(examples_dir / "supplier_contract.txt", tmp_path / "in" / "call.txt")
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")  # a failure row too
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    run_batch(["in"], out, BatchOptions(workers=1))
    assert pd.read_parquet(out / "sessions.parquet").source.tolist() == [
        str(Path("in") / "call.txt")]
    again = run_batch([str(tmp_path / "in")], out, BatchOptions(workers=1))
    assert again.manifest["counts"]["items_reused"] == again.manifest["counts"]["items"]
    fresh = tmp_path / "fresh"
    run_batch([str(tmp_path / "in")], fresh, BatchOptions(workers=1))
    for name in ("sessions", "failures"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"),
                                      pd.read_parquet(fresh / f"{name}.parquet"))
    assert pd.read_parquet(out / "failures.parquet").file.tolist() == [
        str(tmp_path / "in" / "empty.txt")]


def test_a_run_over_other_inputs_into_a_used_folder_says_what_leaves_the_tables(
        examples_dir, tmp_path):
    """The tables hold this run's inputs only; when an earlier finished run had inputs this
    one does not, the CLI says how many sessions leave (fresh user QA, 28 Nov 2026: 941
    sessions replaced by 11 without a word). The same run again says nothing."""
    out = tmp_path / "runs"
    first = run_batch([examples_dir / "zoom_salary.vtt", examples_dir / "teams_lease.vtt"],
                      out, BatchOptions(workers=1))
    assert first.earlier_dropped == {}
    res = CliRunner().invoke(app, ["batch", str(examples_dir / "zoom_salary.vtt"), "--out",
                                   str(out), "--workers", "1", "-q"])
    assert res.exit_code == 0, res.output
    assert "over 1 input(s) this run does not name (1 session)" in " ".join(res.stderr.split())
    again = run_batch([examples_dir / "zoom_salary.vtt"], out, BatchOptions(workers=1))
    assert again.earlier_dropped == {} and again.counts["sessions"] == 1


def test_a_script_without_the_main_guard_is_told_what_to_do(examples_dir, tmp_path,
                                                            subprocess_env):
    """The workers' server imports the calling script again; without the guard the workers
    died and the script saw BrokenProcessPool (Python API QA, 28 Nov 2026)."""
    import subprocess
    import sys

    script = tmp_path / "noguard.py"
    script.write_text("from analyzer.batch import BatchOptions, run_batch\n"
                      f"run_batch([{str(examples_dir / 'zoom_salary.vtt')!r}], "
                      f"{str(tmp_path / 'out')!r}, BatchOptions(workers=2))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=subprocess_env, timeout=120, cwd=tmp_path)
    assert done.returncode != 0
    assert 'call run_batch under `if __name__ == "__main__":`' in done.stderr


def test_batch_says_how_sessions_were_read_as_analyze_does(tmp_path):
    """``analyze`` printed the mediator hint, the one-party warning and the joined speaker
    spellings; a batch said none of them (multi-party QA, 28 Nov 2026)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "med.txt").write_text("Ruth: Hello both, I'll be mediating today.\n"
                                    "Gary: Hi.\nSofia: Hello.\n", encoding="utf-8")
    (inputs / "solo.txt").write_text("Ana: We need the price lower. Ben: How much?\n",
                                     encoding="utf-8")
    result = run_batch([inputs], tmp_path / "out", BatchOptions(workers=1))
    assert any("Ruth says" in n and "--roles" in n for n in result.notes)
    assert any("only one party speaks (Ana)" in n for n in result.notes)
    res = CliRunner().invoke(app, ["batch", str(inputs), "--out", str(tmp_path / "o2"),
                                   "--workers", "1", "-q", "--roles", "Ruth=mediator"])
    assert "Ruth says" not in res.stderr and "only one party speaks (Ana)" in res.stderr
