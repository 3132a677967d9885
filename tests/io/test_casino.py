"""CaSiNo (Chawla et al., NAACL 2021, CC BY 4.0): turns, actions, gold labels, outcomes."""

from __future__ import annotations

import json

import pytest

from analyzer.io import read_transcripts

pytestmark = pytest.mark.casino

ACTIONS = {"Submit-Deal": "submit", "Accept-Deal": "accept", "Reject-Deal": "reject",
           "Walk-Away": "walk_away"}


def test_valid_split_turns_actions_and_gold(casino_dir):
    path = casino_dir / "casino_valid.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    transcripts = list(read_transcripts(path))
    assert len(transcripts) == 30
    for dialogue, t in zip(raw, transcripts, strict=True):
        assert t.session_id == str(dialogue["dialogue_id"]) and t.format == "casino"
        logs = dialogue["chat_logs"]
        assert [x.text for x in t.turns] == [c["text"] for c in logs]
        assert [x.speaker for x in t.turns] == [c["id"] for c in logs]
        assert [x.index for x in t.turns] == list(range(len(logs)))
        for turn, entry in zip(t.turns, logs, strict=True):
            kind = ACTIONS.get(entry["text"])
            assert (turn.action.kind if turn.action else None) == kind
            if kind == "submit":
                you = {k: int(v) for k, v in entry["task_data"]["issue2youget"].items()}
                they = {k: int(v) for k, v in entry["task_data"]["issue2theyget"].items()}
                assert turn.action.terms == {"speaker_gets": you, "other_gets": they}
        assert sorted(t.parties) == ["mturk_agent_1", "mturk_agent_2"]
        assert t.meta["participants"] == dialogue["participant_info"]
        assert t.meta["gold_aligned"] == len(dialogue["annotations"])
        gold = [x.gold for x in t.turns if x.gold]
        assert len(gold) == len(dialogue["annotations"])
        assert gold == [tuple(a[1].split(",")) for a in dialogue["annotations"]]


def test_first_annotated_dialogue_known_answers(casino_dir):
    by_id = {t.session_id: t for t in read_transcripts(casino_dir / "casino_valid.json")}
    t = by_id["157"]
    assert t.turns[0].gold == ("small-talk",)
    assert t.turns[4].gold == ("self-need",)
    assert t.turns[9].gold == ("showing-empathy",)
    assert t.turns[10].action.kind == "submit" and t.turns[10].gold == ()
    accept = t.turns[11].action
    assert accept.kind == "accept"
    assert accept.terms["speaker_gets"] == {"Firewood": 1, "Food": 2, "Water": 2}
    assert t.meta["outcome"] == "agreement"
    assert t.meta["deal"]["mturk_agent_1"] == {"Firewood": 2, "Food": 1, "Water": 1}
    one = t.meta["outcomes"]["mturk_agent_1"]
    assert one["points"] == 17 and one["satisfaction_score"] == 4
    assert one["opponent_likeness"] == "Slightly like" and one["priority_high"] == "Firewood"
    assert "CaSiNo" in t.meta["credit"]


@pytest.mark.slow
def test_train_split_every_annotation_aligned(casino_dir):
    path = casino_dir / "casino_train.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    transcripts = list(read_transcripts(path))
    assert len(transcripts) == 900
    annotated = [(d, t) for d, t in zip(raw, transcripts, strict=True) if d["annotations"]]
    assert len(annotated) == 347
    assert sum(t.meta["gold_aligned"] for _, t in annotated) == 4047
    for dialogue, t in annotated:
        assert sum(1 for x in t.turns if x.gold) == len(dialogue["annotations"])
        assert all(x.action is None for x in t.turns if x.gold)


def test_alignment_tolerates_whitespace_and_skipped_turns(tmp_path):
    dialogue = {
        "dialogue_id": 7,
        "chat_logs": [
            {"text": "Hello  there!", "task_data": {}, "id": "mturk_agent_1"},
            {"text": "Hi. I need water.", "task_data": {}, "id": "mturk_agent_2"},
            {"text": "I need food.", "task_data": {}, "id": "mturk_agent_1"},
            {"text": "Walk-Away", "task_data": {}, "id": "mturk_agent_2"},
        ],
        "participant_info": {},
        "annotations": [["Hello there! ", "small-talk"], ["I need food.", "self-need,vouch-fair"]],
    }
    path = tmp_path / "mini.json"
    path.write_text(json.dumps([dialogue]))
    (t,) = read_transcripts(path)
    assert [x.gold for x in t.turns] == [("small-talk",), (), ("self-need", "vouch-fair"), ()]
    assert t.turns[3].action.kind == "walk_away" and t.meta["outcome"] == "impasse"


def test_alignment_of_exact_texts_repeats_and_near_misses():
    """Exact texts take the quick way (no normalising), the others the normalised one; both
    keep the order: a repeated text goes to its next turn, a near miss to a turn within
    five, an unknown text to none, and the labels are stripped, empty ones dropped."""
    from analyzer.io.casino import _align

    texts = ["Deal", "deal ", "Hello there", "I need  food", "Submit-Deal", "Deal"]
    entries = [(i, "a", text, "act" if text == "Submit-Deal" else None, {})
               for i, text in enumerate(texts)]
    annotations = [["Deal", "accept"], ["Deal", " agree , "], ["nothing like it", "x"],
                   ["i need food", "self-need"], ["Deal", "accept,agree"], ["short"],
                   ["Hello there!", "small-talk"]]
    assert _align(entries, annotations) == {
        0: ("accept",), 1: ("agree",), 3: ("self-need",), 5: ("accept", "agree")}
    # a near miss (similarity >= 0.9) within the next five chat turns
    assert _align(entries, [["Hello therr", "small-talk"]]) == {2: ("small-talk",)}
    assert _align(entries, []) == {}


@pytest.mark.parametrize("entry, words", [
    ({"task_data": {}, "id": "mturk_agent_2"}, "no text ('text')"),
    ({"text": None, "task_data": {}, "id": "mturk_agent_2"}, "no text ('text')"),
    ({"text": "Hi. I need water.", "task_data": {}}, "no speaker id ('id')"),
    ({"text": "Hi. I need water.", "task_data": {}, "id": " "}, "no speaker id ('id')"),
])
def test_an_entry_without_text_or_speaker_is_an_error_naming_it(tmp_path, entry, words):
    """Until 28 Nov 2026 such an entry became an empty turn or a speaker "unknown" without
    a word (researcher QA)."""
    from analyzer.errors import MalformedError

    dialogue = {"dialogue_id": 7, "participant_info": {}, "annotations": [], "chat_logs": [
        {"text": "Hello there!", "task_data": {}, "id": "mturk_agent_1"}, entry]}
    path = tmp_path / "mini.json"
    path.write_text(json.dumps([dialogue]))
    with pytest.raises(MalformedError) as caught:
        list(read_transcripts(path))
    assert caught.value.problem.startswith("[0].chat_logs[1]: ") and words in caught.value.problem
    assert caught.value.hint


def test_a_bad_dialogue_fails_alone(tmp_path):
    """One dialogue that cannot be read is one error of a ``PartialReadError`` carrying the
    others, from the reader and from the batch's deferred reading alike; a file of one
    dialogue raises its error itself."""
    from analyzer.errors import MalformedError, PartialReadError
    from analyzer.io import read_transcripts
    from analyzer.io.deferred import read_sessions

    entry = {"text": "Hello", "task_data": {}, "id": "mturk_agent_1"}
    dialogues = [{"dialogue_id": n, "chat_logs": [entry, dict(entry, id="mturk_agent_2")]}
                 for n in range(4)]
    dialogues[2]["participant_info"] = "x"
    path = tmp_path / "four.json"
    path.write_text(json.dumps(dialogues), encoding="utf-8")
    for read in (lambda: list(read_transcripts(path)),
                 lambda: read_sessions(path, defer=True)):
        with pytest.raises(PartialReadError) as caught:
            read()
        assert [t.session_id for t in caught.value.transcripts] == ["0", "1", "3"]
        (error,) = caught.value.errors
        assert isinstance(error, MalformedError) and error.path == str(path)
        assert error.problem.startswith("[2].participant_info: expected an object")
        assert error.problem.endswith("; the file's 3 other dialogues were read")
    path.write_text(json.dumps(dialogues[2:3]), encoding="utf-8")
    with pytest.raises(MalformedError) as caught:
        list(read_transcripts(path))
    assert not isinstance(caught.value, PartialReadError)
    assert "other dialogue" not in caught.value.problem
