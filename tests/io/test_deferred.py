"""CaSiNo dialogues handed to batch workers as their JSON text (``io.deferred``) read back as
exactly the transcripts ``read_transcripts`` gives, and a broken file fails the same way."""

from __future__ import annotations

import json

import pytest

from analyzer.errors import AnalyzerError
from analyzer.io import read_transcripts
from analyzer.io.deferred import DeferredSession, materialise, read_sessions


def _same(a, b) -> None:
    assert a == b  # dataclass equality leaves the meta fields out: compare them too
    assert a.meta == b.meta and a.source == b.source and a.format == b.format
    assert [s.meta for s in a.speakers] == [s.meta for s in b.speakers]
    assert [(t.meta, t.action) for t in a.turns] == [(t.meta, t.action) for t in b.turns]


def test_deferred_dialogues_read_as_the_reader_reads_them(casino_dir):
    path = casino_dir / "casino_valid.json"
    deferred = read_sessions(path, defer=True)
    assert deferred and all(isinstance(d, DeferredSession) for d in deferred)
    read = list(read_transcripts(path))
    assert [d.session_id for d in deferred] == [t.session_id for t in read]
    for d, t in zip(deferred, read, strict=True):
        _same(materialise(d), t)
    renamed = deferred[0].__class__(**{**deferred[0].__dict__, "session_id": "x-2"})
    assert materialise(renamed).session_id == "x-2"


def test_without_defer_or_for_other_files_nothing_is_deferred(casino_dir, data_dir, tmp_path):
    path = casino_dir / "casino_valid.json"
    assert all(not isinstance(t, DeferredSession) for t in read_sessions(path))
    listed = tmp_path / "sessions.json"  # a JSON list of another shape: sessions of turns
    listed.write_text(json.dumps([
        {"session_id": "a", "turns": [{"speaker": "Ann", "text": "Shall we start?"}]},
        {"session_id": "b", "turns": [{"speaker": "Bo", "text": "I need the water."}]}]),
        encoding="utf-8")
    for other in (data_dir / "good" / "segments.json", data_dir / "good" / "sessions.csv",
                  data_dir / "good" / "labelled.txt", listed):
        got = read_sessions(other, defer=True)
        assert got
        for a, b in zip(got, read_transcripts(other), strict=True):
            _same(a, b)


@pytest.mark.parametrize("breakage", ["entry", "dialogue", "truncated"])
def test_a_broken_casino_file_fails_as_the_reader_fails(tmp_path, casino_dir, breakage):
    data = json.loads((casino_dir / "casino_valid.json").read_text(encoding="utf-8"))[:3]
    if breakage == "entry":
        data[2]["chat_logs"][1] = "not an object"
    elif breakage == "dialogue":
        data[1] = {"dialogue_id": 5}
    path = tmp_path / "broken.json"
    text = json.dumps(data, indent=1)
    path.write_text(text[:-40] if breakage == "truncated" else text, encoding="utf-8")
    with pytest.raises(AnalyzerError) as plain:
        list(read_transcripts(path))
    with pytest.raises(AnalyzerError) as deferred:
        read_sessions(path, defer=True)
    assert str(deferred.value) == str(plain.value)
    assert (deferred.value.line, deferred.value.hint) == (plain.value.line, plain.value.hint)
