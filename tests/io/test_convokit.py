"""ConvoKit corpus folders: one transcript per conversation, ordered by timestamp."""

from __future__ import annotations

from analyzer.io import expand_inputs, read_transcripts


def test_corpus_folder(data_dir):
    folder = data_dir / "good" / "convokit_corpus"
    c1, c2 = read_transcripts(folder)
    assert (c1.session_id, c2.session_id) == ("c1", "c2") and c1.format == "convokit"
    assert [(x.speaker, x.text) for x in c1.turns] == [("al", "Hello Bo."), ("bo", "Hi Al.")]
    assert c1.turns[0].gold == ("small-talk",) and c1.turns[0].meta["id"] == "u1"
    assert c1.meta["outcome"] == "deal" and c1.meta["corpus"] == {"name": "tiny"}
    assert c1.speaker("al").meta == {"age": 30}
    assert c2.role_of("cy") == "mediator"
    assert c2.turns[1].action.kind == "submit"
    assert c2.turns[1].action.terms == {"speaker_gets": {"Food": 2}}


def test_utterances_file_reads_its_folder_and_expand_keeps_the_folder(data_dir):
    folder = data_dir / "good" / "convokit_corpus"
    assert [t.session_id for t in read_transcripts(folder / "utterances.jsonl")] == ["c1", "c2"]
    assert expand_inputs([data_dir / "good"]).count(folder) == 1
    assert not any(p.parent == folder for p in expand_inputs([data_dir / "good"]))


def test_export_style_meta(tmp_path):
    (tmp_path / "utterances.jsonl").write_text(
        '{"id": "s__0", "speaker": "s__Ana", "conversation_id": "s", "reply-to": null, '
        '"timestamp": 1.5, "text": "Hi", "meta": {"turn": 0, "speaker_name": "Ana", '
        '"role": "mediator", "gold": "a,b", "end": 2.0, "source_line": 3}, "vectors": []}\n',
        encoding="utf-8")
    (t,) = read_transcripts(tmp_path)
    turn = t.turns[0]
    assert (turn.speaker, turn.start, turn.end, turn.gold, turn.source_line) == (
        "Ana", 1.5, 2.0, ("a", "b"), 3)
    assert t.role_of("Ana") == "mediator"


def test_reads_back_what_the_convokit_export_writes(tmp_path, data_dir):
    import pandas as pd

    from analyzer.io.convokit_export import write_convokit
    from analyzer.io.output import OutputFolder

    (original,) = read_transcripts(data_dir / "good" / "turns.json")
    rows = [{"session_id": original.session_id, "turn": t.index, "speaker": t.speaker,
             "role": original.role_of(t.speaker), "text": t.text, "start": t.start,
             "end": t.end, "is_action": False, "action": None, "source_line": t.source_line,
             "gold": "a,b" if t.index == 1 else None} for t in original.turns]
    write_convokit(pd.DataFrame(rows), OutputFolder(tmp_path), "corpus", unique_speakers=True)
    (back,) = read_transcripts(tmp_path / "corpus")
    assert back.session_id == original.session_id
    assert [(t.speaker, t.text, t.start, t.end, t.source_line) for t in back.turns] == \
        [(t.speaker, t.text, t.start, t.end, t.source_line) for t in original.turns]
    assert back.turns[1].gold == ("a", "b")
    assert [(s.name, s.role) for s in back.speakers] == \
        [(s.name, s.role) for s in original.speakers]


def test_plain_json_lines_file(tmp_path):
    path = tmp_path / "call.jsonl"
    path.write_text('{"speaker": "Ana", "text": "Hi", "start": 0.5, "end": 1}\n\n'
                    '{"speaker": "Bo", "text": "Hello", "start": 1.5}\n', encoding="utf-8")
    (t,) = read_transcripts(path)
    assert t.session_id == "call" and t.format == "convokit"
    assert [(x.speaker, x.text, x.start, x.end, x.source_line) for x in t.turns] == [
        ("Ana", "Hi", 0.5, 1.0, 1), ("Bo", "Hello", 1.5, None, 3)]


def test_broken_json_line_names_the_line(tmp_path):
    import pytest

    from analyzer.errors import MalformedError

    path = tmp_path / "bad.jsonl"
    path.write_text('{"speaker": "Ana", "text": "Hi"}\n{"speaker": "Bo", "text": \n',
                    encoding="utf-8")
    with pytest.raises(MalformedError) as caught:
        list(read_transcripts(path))
    assert caught.value.line == 2 and caught.value.path == str(path)
