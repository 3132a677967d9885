"""Slack exports: the export folder and a channel folder, names, markup, subtypes, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analyzer.errors import (
    EmptyTranscriptError,
    MalformedError,
    NoSpeakerError,
    PartialReadError,
    ReadError,
    TimingError,
    UnknownFormatError,
)
from analyzer.io import expand_inputs, read_transcripts
from analyzer.io.slack import plain_text

CHATS = Path(__file__).resolve().parents[1] / "data" / "chats"
EXPORT = CHATS / "slack_export"


def rows(t):
    return [(x.meta["file"], x.source_line, x.start, x.speaker) for x in t.turns]


def channel(tmp_path, messages, name="deal", day="2024-03-12.json"):
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / day).write_text(json.dumps(messages), encoding="utf-8")
    return folder


def test_export_folder_one_session_per_channel_with_talk():
    # "general" holds only a join: no session, and no error for the export as a whole
    (t,) = read_transcripts(EXPORT)
    assert (t.format, t.session_id, t.source) == ("slack", "lease-renewal",
                                                  str(EXPORT / "lease-renewal"))
    assert rows(t) == [("2024-03-12.json", 2, 0.0, "Carla Mendes"),
                       ("2024-03-12.json", 3, 150.0, "Ben Okoro"),
                       ("2024-03-12.json", 5, 315.0, "Ana Lopez"),
                       ("2024-03-12.json", 6, 580.0, "Ben Okoro"),
                       ("2024-03-13.json", 1, 84550.0, "Ana Lopez"),
                       ("2024-03-13.json", 2, 85080.0, "Ben Okoro"),
                       ("2024-03-13.json", 3, 85845.0, "Ana Lopez")]
    # Carla has no user_profile in her messages: named from users.json
    assert t.turns[0].text == ("Morning @Ana Lopez and @Ben Okoro. The draft is on the shared "
                               "drive; shall we settle rent & term today?")
    assert t.turns[1].text.endswith("from June > that's the street rate now.")
    assert t.turns[3].meta["thread_ts"] == "1710234435.000100"  # a thread reply
    assert t.turns[4].text.endswith("The fit-out costs are in #lease-renewal.")
    assert t.meta == {"channel": "lease-renewal", "channel_id": "C01LEASE",
                      "started": "2024-03-12T09:02:00+00:00",
                      "skipped": {"bot_message": 1, "channel_join": 2, "channel_topic": 1,
                                  "empty": 1}}


def test_channel_folder_alone_and_folder_walks(tmp_path):
    (whole,) = read_transcripts(EXPORT)
    (alone,) = read_transcripts(EXPORT / "lease-renewal")
    assert alone == whole  # the export's users.json still names the speakers
    # a walk yields the export as one input, not its JSON files
    assert expand_inputs([CHATS]).count(EXPORT) == 1
    assert not [p for p in expand_inputs([CHATS]) if EXPORT in p.parents]
    assert expand_inputs([EXPORT / "lease-renewal"]) == [EXPORT / "lease-renewal"]
    # a channel folder copied out of its export: names from user_profile, else the user id
    copied = tmp_path / "lease-renewal"
    shutil.copytree(EXPORT / "lease-renewal", copied)
    (t,) = read_transcripts(copied)
    assert [s.name for s in t.speakers] == ["U03CAR", "Ben Okoro", "Ana Lopez"]
    assert t.turns[0].text.startswith("Morning @Ana Lopez and @Ben Okoro.")


def test_a_folder_of_other_json_named_by_date_is_no_channel(tmp_path):
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "2024-03-12.json").write_text(json.dumps(
        {"turns": [{"speaker": "Ana", "text": "Hello"}]}), encoding="utf-8")
    assert expand_inputs([folder]) == [folder / "2024-03-12.json"]
    assert [t.format for t in read_transcripts(folder / "2024-03-12.json")] == ["turns"]


def test_markup_as_the_channel_shows_it():
    names = {"U1": "Ana Lopez"}.get
    text = ("<@U1> see <https://example.com/a?b=1&amp;c=2|the draft>, <https://example.com> "
            "and <mailto:ben@example.com|ben@example.com>; <!here> <!subteam^S1|@sales> "
            "<#C1|lease> &lt;b&gt; 5 &amp; 6 <@U9|old>")
    assert plain_text(text, lambda user: names(user) or user) == (
        "@Ana Lopez see the draft, https://example.com and ben@example.com; @here @sales "
        "#lease <b> 5 & 6 @U9")


def test_two_people_of_one_name_stay_two_speakers(tmp_path):
    folder = channel(tmp_path, [
        {"type": "message", "user": "U1", "user_profile": {"real_name": "Sam Lee"},
         "text": "Forty?", "ts": "100.0"},
        {"type": "message", "user": "U2", "user_profile": {"real_name": "Sam Lee"},
         "text": "Fifty.", "ts": "160.5"},
        {"type": "message", "username": "Guest Dana", "text": "Split it?", "ts": "170"}])
    (t,) = read_transcripts(folder)
    assert [(x.speaker, x.start) for x in t.turns] == [("Sam Lee (U1)", 0.0),
                                                      ("Sam Lee (U2)", 60.5),
                                                      ("Guest Dana", 70.0)]


def test_export_without_day_files_and_broken_day_file():
    path = CHATS / "broken" / "slack_no_days"
    assert expand_inputs([path]) == [path]
    with pytest.raises(EmptyTranscriptError) as caught:
        list(read_transcripts(path))
    assert caught.value.path == str(path) and "no channel folder with day files" in \
        caught.value.message and "Export" in caught.value.hint
    with pytest.raises(MalformedError) as caught:
        list(read_transcripts(CHATS / "broken" / "slack_bad_day"))
    error = caught.value
    assert error.path == str(CHATS / "broken" / "slack_bad_day" / "lease" / "2024-03-12.json")
    assert (error.line, error.where) == (11, "column 35") and "cut off" in error.message


def test_channel_errors_name_the_day_file_and_message(tmp_path):
    joins = channel(tmp_path, [{"type": "message", "subtype": "channel_join", "user": "U1",
                                "text": "<@U1> has joined the channel", "ts": "100.0"}], "joins")
    with pytest.raises(EmptyTranscriptError, match="only Slack's notices"):
        list(read_transcripts(joins))
    cases = [({"type": "message", "user": "U1", "text": "Hi", "ts": "soon"}, TimingError,
              "cannot read the message's time 'ts': 'soon'"),
             ({"type": "message", "text": "Who am I?", "ts": "100.0"}, NoSpeakerError,
              "a message without a user: 'Who am I?'"),
             ({"type": "message", "user": "U1", "text": {"a": 1}, "ts": "100.0"},
              MalformedError, "text: expected a string, found an object"),
             # fuzzing QA: a TypeError (subtype), or a speaker named "['U1']" / "{'a': 1}"
             ({"type": "message", "user": "U1", "text": "Hi", "ts": "100.0", "subtype": []},
              MalformedError, "subtype: expected a string, found a list"),
             ({"type": "message", "user": ["U1"], "text": "Hi", "ts": "100.0"},
              MalformedError, "user: expected a string, found a list"),
             ({"type": "message", "user": "U1", "text": "Hi", "ts": "100.0",
               "user_profile": {"real_name": {"a": 1}}},
              MalformedError, "user_profile.real_name: expected a string, found an object")]
    for number, (message, kind, words) in enumerate(cases):
        folder = channel(tmp_path, [{"type": "message", "user": "U2", "text": "Hello",
                                     "ts": "90.0"}, message], f"c{number}")
        with pytest.raises(kind) as caught:
            list(read_transcripts(folder))
        assert caught.value.path == str(folder / "2024-03-12.json")
        assert caught.value.problem.startswith("[1]") and words in caught.value.problem
    export = tmp_path / "export"  # in an export: a day file that is no list is an error
    folder = channel(export, {"messages": []}, "not-a-list")
    for name in ("users.json", "channels.json"):
        (export / name).write_text("[]", encoding="utf-8")
    with pytest.raises(MalformedError, match="expected a list of messages") as caught:
        list(read_transcripts(export))
    assert caught.value.path == str(folder / "2024-03-12.json")
    with pytest.raises(UnknownFormatError, match="read as a folder"):
        list(read_transcripts(EXPORT / "lease-renewal" / "2024-03-12.json", format="slack"))
    with pytest.raises(UnknownFormatError, match="one day of a Slack export"):
        list(read_transcripts(EXPORT / "lease-renewal" / "2024-03-12.json"))


MESSAGE = {"type": "message", "user": "U1", "text": "Forty?", "ts": "100.0"}


def test_other_json_in_a_channel_folder_is_left_alone(tmp_path):
    # newer exports write canvas_in_the_conversation.json into a channel's folder
    folder = channel(tmp_path, [MESSAGE], "lease-renewal")
    (folder / "canvas_in_the_conversation.json").write_text(json.dumps(
        [{"id": "F1", "title": "Terms", "date_created": 1710252333}]), encoding="utf-8")
    assert expand_inputs([tmp_path]) == [folder]
    (t,) = read_transcripts(folder)
    assert (t.format, [x.text for x in t.turns]) == ("slack", ["Forty?"])


def test_unrelated_users_or_channels_json_beside_dated_files_is_no_export(tmp_path):
    fireflies = (CHATS / "fireflies_deposit_call.json").read_text(encoding="utf-8")
    for name, content in (("users.json", '[{"id": 1, "name": "P1"}]'),
                          ("channels.json", '{"participants": []}')):
        root = tmp_path / name.removesuffix(".json")
        (root / "calls").mkdir(parents=True)
        (root / name).write_text(content, encoding="utf-8")
        for day in ("2024-03-12.json", "2024-03-13.json"):
            (root / "calls" / day).write_text(fireflies, encoding="utf-8")
        found = expand_inputs([root])
        assert found == [root / "calls" / "2024-03-12.json", root / "calls" / "2024-03-13.json",
                         root / name]
        assert [t.format for p in found[:2] for t in read_transcripts(p)] == ["fireflies"] * 2
    # the same file beside a folder of Slack day files does make an export
    root = tmp_path / "export"
    channel(root, [MESSAGE], "deal")
    (root / "users.json").write_text('[{"id": 1, "name": "P1"}]', encoding="utf-8")
    assert expand_inputs([root]) == [root]
    assert [t.session_id for t in read_transcripts(root)] == ["deal"]


def test_bots_and_slackbot_are_no_parties(tmp_path):
    export = tmp_path / "export"
    channel(export, [
        MESSAGE,
        # a modern app's post: a user, bot_id and bot_profile, no subtype
        {"type": "message", "user": "U0POLLY", "bot_id": "B0POLLY",
         "bot_profile": {"id": "B0POLLY", "name": "Polly"}, "text": "Poll: rent?",
         "ts": "110.0"},
        {"type": "message", "user": "U0APP", "text": "Build passed", "ts": "115.0"},
        {"type": "message", "user": "U1", "bot_profile": {"name": "Zap"}, "text": "Synced",
         "ts": "118.0"},
        {"type": "message", "user": "USLACKBOT", "text": "Reminder: send the quote.",
         "ts": "120.0"},
        {"type": "message", "user": "U2", "text": "Fifty.", "ts": "130.0"}])
    (export / "users.json").write_text(json.dumps([
        {"id": "U1", "real_name": "Ana Lopez"}, {"id": "U2", "real_name": "Ben Okoro"},
        {"id": "U0POLLY", "name": "polly", "is_bot": True},
        {"id": "U0APP", "name": "ci", "is_bot": True}]), encoding="utf-8")
    (export / "channels.json").write_text('[{"id": "C1", "name": "deal"}]', encoding="utf-8")
    (t,) = read_transcripts(export)
    assert [(x.speaker, x.text) for x in t.turns] == [("Ana Lopez", "Forty?"),
                                                      ("Ben Okoro", "Fifty.")]
    assert [s.name for s in t.speakers] == ["Ana Lopez", "Ben Okoro"]
    assert t.meta["skipped"] == {"bot": 4}
    # a channel folder alone (no users.json): bot_id, bot_profile and Slackbot still tell
    alone = tmp_path / "deal"
    shutil.copytree(export / "deal", alone)
    (t,) = read_transcripts(alone)
    assert [x.speaker for x in t.turns] == ["U1", "U0APP", "U2"]
    assert t.meta["skipped"] == {"bot": 3}


def test_formatting_markers_are_left_out_where_they_wrap_words():
    def shown(text):
        return plain_text(text, lambda user: {"U1": "Ana Lopez"}.get(user, user))

    assert shown("Terms: *rent 2,100*, _term 24 months_, ~old draft~ (*final*).") == \
        "Terms: rent 2,100, term 24 months, old draft (final)."
    assert shown("*_both_* _file_name_ *<@U1>* _<https://x.com/a_b_/|the *draft*>_") == \
        "both file_name @Ana Lopez the draft"
    # inside a word, in arithmetic, alone, unclosed, across lines or in code: as written
    for text in ("file_name my_var_ 2*3*4 a * b * c", "_unclosed and ~50 or ~60", "***",
                 "*two\nlines*", "`_code_`", "<https://x.com/_a_/>"):
        assert shown(text) == text.replace("<", "").replace(">", "")


def test_a_day_file_named_alone_says_to_name_its_folder_and_only_that():
    day = EXPORT / "lease-renewal" / "2024-03-12.json"
    with pytest.raises(UnknownFormatError) as caught:
        list(read_transcripts(day))
    assert "one day of a Slack export: name the channel's folder" in caught.value.problem
    hint = caught.value.hint
    assert hint.startswith(f"name the folder it is in ({day.parent}: the channel)")
    assert '{"turns"' not in hint and "segments" not in hint


@pytest.mark.parametrize("broken, kind, words", [
    ('[{"type": "message", "user": "U1", "text": "Hi', MalformedError, "cut off"),
    ("", EmptyTranscriptError, "the file is empty"),
    # a field of the wrong type: was a TypeError that lost every channel (fuzzing QA)
    ('[{"type": "message", "user": "U1", "text": "Hi", "ts": "1.0", "subtype": []}]',
     MalformedError, "[0].subtype: expected a string, found a list"),
    ('[{"type": "message", "user": "U1", "text": "Hi", "ts": "1.0", "user_profile": '
     '{"real_name": {"a": 1}}}]', MalformedError, "[0].user_profile.real_name: expected")])
def test_a_broken_day_file_fails_its_channel_alone(tmp_path, broken, kind, words):
    """One bad file never loses the rest: the export's sound channels are read and come with
    the error (``PartialReadError``), which names the day file and says the others were."""
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    day = export / "lease-renewal" / "2024-03-13.json"
    day.write_text(broken, encoding="utf-8")
    channel(export, [MESSAGE], "supplier-deal")
    with pytest.raises(PartialReadError) as caught:
        list(read_transcripts(export))
    partial = caught.value
    assert [t.session_id for t in partial.transcripts] == ["supplier-deal"]
    (error,) = partial.errors
    assert isinstance(error, kind) and isinstance(partial, ReadError)
    assert error.path == str(day) and words in error.problem
    assert error.problem.endswith("; this is channel 'lease-renewal' of a Slack export, "
                                  "whose 2 other channels were read")
    assert error.hint.endswith("; then run again to read 'lease-renewal' too (or move it "
                               "out of the export folder)")
    assert (partial.path, partial.problem, partial.code) == (error.path, error.problem,
                                                             error.code)
    # a channel folder named alone: its error is only its own
    with pytest.raises(kind) as caught:
        list(read_transcripts(export / "lease-renewal"))
    assert "other channel" not in caught.value.problem
    # every channel broken: one error each, no sessions
    (export / "supplier-deal" / "2024-03-12.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(PartialReadError) as caught:
        list(read_transcripts(export))
    assert caught.value.transcripts == []
    assert [Path(e.path).parent.name for e in caught.value.errors] == ["lease-renewal",
                                                                      "supplier-deal"]
