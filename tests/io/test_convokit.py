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
