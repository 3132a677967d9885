"""Finding transcripts: files, folders, globs, skipped files, unique session ids."""

from __future__ import annotations

import os

import pytest

from analyzer.errors import InputNotFoundError
from analyzer.io import FORMATS, expand_inputs, read_transcripts, unique_session_ids


def make(path, text="Anna: hi\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folder_recursive_skips_hidden_unknown_and_output_folders(tmp_path):
    a = make(tmp_path / "b" / "a.txt")
    c = make(tmp_path / "c.vtt", "WEBVTT\n")
    make(tmp_path / ".hidden.txt")
    make(tmp_path / ".git" / "x.txt")
    make(tmp_path / "notes.pages")
    make(tmp_path / "report.md")
    out = tmp_path / "reports"
    make(out / "turns.csv", "session_id,turn\n")
    make(out / "sessions.csv", "session_id\n")
    make(out / "s1.json", "{}")
    make(tmp_path / "batch" / ".parts" / "journal.jsonl", "{}")
    make(tmp_path / "batch" / "sessions" / "s1.json", "{}")
    make(tmp_path / "export" / "manifest.json", "{}")
    make(tmp_path / "export" / "turns.csv", "session_id,turn\n")
    assert expand_inputs([tmp_path]) == [a, c]


def test_globs_files_duplicates_and_order(tmp_path):
    a, b = make(tmp_path / "a.txt"), make(tmp_path / "sub" / "b.srt", "1\n")
    odd = make(tmp_path / "odd.xyz")
    pattern = os.path.join(tmp_path, "**", "*.*")
    assert expand_inputs([pattern]) == [a, b]
    assert expand_inputs([b, a, b, odd]) == [b, a, odd]  # a file named directly is kept


def test_nothing_found_is_a_clear_error(tmp_path):
    with pytest.raises(InputNotFoundError, match="no such file"):
        expand_inputs([tmp_path / "missing.txt"])
    with pytest.raises(InputNotFoundError, match="matches no transcript"):
        expand_inputs([str(tmp_path / "*.vtt")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputNotFoundError, match="no transcript files"):
        expand_inputs([tmp_path / "empty"])


def test_same_stem_gets_unique_ids(data_dir, tmp_path):
    make(tmp_path / "a.txt")
    make(tmp_path / "a.srt", "1\n00:00:01,000 --> 00:00:02,000\nBen: hi\n")
    make(tmp_path / "x" / "a.txt")
    files = expand_inputs([tmp_path])
    ids = [t.session_id for t in unique_session_ids(
        t for f in files for t in read_transcripts(f))]
    assert ids == ["a", "a-2", "a-3"]
    again = [t.session_id for t in unique_session_ids(
        t for f in files for t in read_transcripts(f))]
    assert again == ids


def test_every_good_file_reads(data_dir):
    files = expand_inputs([data_dir / "good"])
    assert len(files) == 19
    for path in files:
        transcripts = list(read_transcripts(path))
        assert transcripts and all(t.turns for t in transcripts)
        assert all(t.speakers for t in transcripts)


def test_format_specs_are_complete():
    names = [spec.name for spec in FORMATS]
    assert names == ["text", "whatsapp", "slack", "vtt", "srt", "csv", "json", "convokit", "eaf",
                     "docx"]
    for spec in FORMATS:
        assert spec.description and spec.example
        assert spec.extensions or spec.name == "slack"  # a Slack export is a folder


def test_session_ids_that_differ_only_in_case_get_their_own_reports(tmp_path):
    """On macOS and Windows ``Call.html`` and ``call.html`` are one file: ``Call`` after
    ``call`` becomes ``Call-2``, so its report does not overwrite the first one."""
    for folder, name in (("a", "call.txt"), ("b", "Call.txt")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text("Ana: Hello.\nBen: Hi.\n", encoding="utf-8")
    seen: set[str] = set()
    ids = [t.session_id for path in expand_inputs([tmp_path])
           for t in unique_session_ids(read_transcripts(path), seen)]
    assert ids == ["call", "Call-2"]
