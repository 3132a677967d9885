"""Speaker-labelled text: labels, timestamps, continuation lines, headers, roles."""

from __future__ import annotations

import pytest

from analyzer.errors import NoSpeakerError, ReadError
from analyzer.io import read_transcripts


def read_one(path, **options):
    (transcript,) = list(read_transcripts(path, **options))
    return transcript


def read_written(path, text: str, **options):
    """Write ``text`` to ``path`` (UTF-8) and read its one transcript back: most cases here
    are a file's text and what the reader makes of it."""
    path.write_text(text, encoding="utf-8")
    return read_one(path, **options)


def test_timestamps_names_with_spaces_and_continuations(data_dir):
    t = read_one(data_dir / "good" / "labelled.txt")
    assert t.format == "text" and t.session_id == "labelled"
    assert [turn.speaker for turn in t.turns] == ["Mary Ann", "RAJ", "Mary Ann", "RAJ",
                                                  "Mary Ann", "RAJ", "Mary Ann"]
    assert [turn.start for turn in t.turns] == [2, 6, 11, 25, 31, 36, 44]
    # the continuation line and the "Note:" line belong to Mary Ann's third-turn
    assert t.turns[2].text == ("Sure. We expect about the same volume as last year,\n"
                               "maybe a little more in the autumn.\n"
                               "Note: that includes the new Leeds office.")
    assert t.turns[2].source_line == 5
    assert t.meta["header"] == {"Title": "Printer paper supply, renewal call"}
    assert t.parties == ("Mary Ann", "RAJ")


def test_untimed_text_and_role_in_parentheses(data_dir):
    t = read_one(data_dir / "good" / "untimed.txt")
    assert [turn.speaker for turn in t.turns] == ["Anna", "Tom", "Anna", "Tom", "Anna", "Tom"]
    assert t.turns[3].text == "I was hoping for 4,800.\nIt has new tyres, after all."
    assert not t.has_times
    assert t.speaker("Anna").meta["source_role"] == "buyer"
    assert t.speaker("Anna").is_party


def test_timestamp_styles_and_mediator(tmp_path):
    t = read_written(tmp_path / "styles.txt",
                     "00:00:01 Ana Lima: One.\n(00:05) Bo: Two.\n[1:00:02.5] Mediator: Three.\n"
                     "Dana (mediator) [1:00:09]: Four.\n")
    assert [(x.speaker, x.start, x.text) for x in t.turns] == [
        ("Ana Lima", 1.0, "One."), ("Bo", 5.0, "Two."), ("Mediator", 3602.5, "Three."),
        ("Dana", 3609.0, "Four.")]
    assert t.role_of("Mediator") == "mediator" and t.role_of("Dana") == "mediator"
    assert t.third_parties == ("Mediator", "Dana")


def test_otter_style_name_and_time_line(tmp_path):
    t = read_written(tmp_path / "otter.txt",
                     "Mary Ann  0:02\nHello there.\nSecond line.\n\nTom Ray  0:09\nHi.\n")
    assert [(x.speaker, x.start, x.text) for x in t.turns] == [
        ("Mary Ann", 2.0, "Hello there.\nSecond line."), ("Tom Ray", 9.0, "Hi.")]


def test_otter_footer_is_dropped_and_names_with_particles_are_speakers(tmp_path):
    t = read_written(tmp_path / "otter.txt",
                     "Priya Shah  0:01\r\nWe offer 90.\r\n\r\nAnna de Vries  0:05\r\nToo low."
                     "\r\n\r\nPriya Shah  0:09\r\n95?\r\n\r\n\r\n"
                     "Transcribed by https://otter.ai\r\n")
    assert [(x.speaker, x.start, x.text) for x in t.turns] == [
        ("Priya Shah", 1.0, "We offer 90."), ("Anna de Vries", 5.0, "Too low."),
        ("Priya Shah", 9.0, "95?")]
    t = read_written(tmp_path / "labels.txt",
                     "Anna Maria de la Cruz: We can do 90.\nLudwig van Beethoven: No.\n"
                     "Anna Maria de la Cruz: Transcribed by https://otter.ai is a tool.\n")
    assert [x.speaker for x in t.turns] == ["Anna Maria de la Cruz", "Ludwig van Beethoven",
                                            "Anna Maria de la Cruz"]
    assert t.turns[-1].text == "Transcribed by https://otter.ai is a tool."


def test_label_words_inside_turns_are_not_speakers(tmp_path):
    t = read_written(tmp_path / "inside.txt",
                     "Anna: Here is our offer.\nOption A: two years at 5%.\nStep 2: we sign.\n"
                     "PS: call me.\nBen: Thanks.\n")
    assert [x.speaker for x in t.turns] == ["Anna", "Ben"]
    assert t.turns[0].text.endswith("PS: call me.")


def test_lowercase_word_with_colon_is_not_a_label(tmp_path):
    t = read_written(tmp_path / "lower.txt",
                     "Anna: the plan is simple\nhere's why: cost\nBen: ok\n")
    assert t.turns[0].text == "the plan is simple\nhere's why: cost"


def test_a_time_inside_a_turn_is_not_a_speaker_line(tmp_path):
    t = read_written(tmp_path / "times.txt",
                     "Anna: When shall we meet?\nMeet at 10:30\nBen: Fine.\n")
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Anna", "When shall we meet?\nMeet at 10:30"), ("Ben", "Fine.")]


def test_time_on_its_own_line_starts_the_next_turn(tmp_path):
    t = read_written(tmp_path / "own_line.txt",
                     "[00:00:01]\nAnna: hi\n\n[00:00:05]\nBob: yo\nstill Bob\n")
    assert [(x.speaker, x.start, x.text) for x in t.turns] == [
        ("Anna", 1.0, "hi"), ("Bob", 5.0, "yo\nstill Bob")]


def test_names_in_scripts_without_capitals(tmp_path):
    t = read_written(tmp_path / "zh.txt",
                     "王芳: 你好，我们开始吧。\nΑλέξης: Γεια σας.\n李明: 好的。\n")
    assert [x.speaker for x in t.turns] == ["王芳", "Αλέξης", "李明"]


def test_full_width_colon(tmp_path):
    t = read_written(tmp_path / "zh_colon.txt", "王芳：你好。\n李明： 好的。\n")
    assert [(x.speaker, x.text) for x in t.turns] == [("王芳", "你好。"), ("李明", "好的。")]


def test_zoom_chat_and_bracketed_name_headers(tmp_path):
    t = read_written(tmp_path / "chat.txt",
                     "10:02:33 From Anna Lee to Everyone: Can we do 40?\n"
                     "10:02:50 From  Bo  to  Anna Lee(Direct Message): Not below 45.\n"
                     "\tSorry.\n")
    assert [(x.speaker, x.start, x.text) for x in t.turns] == [
        ("Anna Lee", 36153.0, "Can we do 40?"), ("Bo", 36170.0, "Not below 45.\nSorry.")]
    t = read_written(tmp_path / "headers.txt",
                     "[Anna Lee] 00:00:02\nHello.\n\n[Bo] 00:00:07\nHi.\n")
    assert [(x.speaker, x.start, x.text) for x in t.turns] == [
        ("Anna Lee", 2.0, "Hello."), ("Bo", 7.0, "Hi.")]


def test_untimed_lines_in_a_timed_file(tmp_path):
    t = read_written(tmp_path / "mixed.txt",
                     "[00:00:01] Anna: Our terms:\nWarranty: two years.\n[00:00:05] Bob: Fine.\n"
                     "Anna: And the price?\n[00:00:09] Bob: Forty.\n")
    assert [(x.speaker, x.start, x.text) for x in t.turns] == [
        ("Anna", 1.0, "Our terms:\nWarranty: two years."), ("Bob", 5.0, "Fine."),
        ("Anna", None, "And the price?"), ("Bob", 9.0, "Forty.")]


def test_number_labels_are_not_speakers_and_the_hint_says_so(tmp_path):
    path = tmp_path / "numbers.txt"
    path.write_text("1: Hello, what do you want?\n2: A lower price please.\n", encoding="utf-8")
    with pytest.raises(NoSpeakerError) as caught:
        list(read_transcripts(path))
    assert caught.value.line == 1 and "'Speaker 1:' rather than '1:'" in caught.value.hint


def test_a_csv_saved_as_txt_gets_a_hint_to_read_it_as_csv(tmp_path):
    path = tmp_path / "table.txt"
    path.write_text("speaker,text,start\nAna,What matters most to you?,0\nBen,Price.,2\n",
                    encoding="utf-8")
    with pytest.raises(NoSpeakerError) as caught:
        list(read_transcripts(path))
    assert caught.value.line == 1 and "--input-format csv" in caught.value.hint
    (t,) = read_transcripts(path, format="csv")  # and the hint is right
    assert [x.speaker for x in t.turns] == ["Ana", "Ben"]


def test_meeting_export_title_lines_are_kept_as_header(tmp_path):
    t = read_written(tmp_path / "meet.txt",
                     "Supplier renewal - Transcript\nAttendees\nMarco Rossi, Priya Shah\n"
                     "Transcript\nThis editable transcript was computer generated and might "
                     "contain errors.\n00:00:00\n\nPriya Shah: Hi Marco.\nMarco Rossi: Hi.\n")
    assert [(x.speaker, x.start, x.source_line) for x in t.turns] == [
        ("Priya Shah", 0.0, 8), ("Marco Rossi", None, 9)]
    assert t.meta["header"]["preamble"].splitlines()[:2] == ["Supplier renewal - Transcript",
                                                             "Attendees"]
    t = read_written(tmp_path / "teams.txt",
                     "Renewal-20240514_100211-Meeting Recording\nMay 14, 2024, 8:02AM\n32m 10s\n"
                     "\nPriya Shah   0:03\nHi Marco.\n\nMarco Rossi   0:09\nHi.\n")
    assert [(x.speaker, x.start) for x in t.turns] == [("Priya Shah", 3.0), ("Marco Rossi", 9.0)]


def test_speech_before_the_first_turn_names_both_lines(tmp_path):
    path = tmp_path / "early.txt"
    path.write_text("# exported by hand\nHello everyone, this is the lease call.\n"
                    "Anna: Thanks.\nBen: Sure.\n", encoding="utf-8")
    with pytest.raises(NoSpeakerError) as caught:
        list(read_transcripts(path))
    assert caught.value.line == 2 and "before the first turn (line 3)" in caught.value.message
    assert "start it with '#'" in caught.value.hint
    path.write_text("# exported by hand\n# Hello everyone.\nAnna: Thanks.\nBen: Sure.\n",
                    encoding="utf-8")  # as the hint says: '#' lines above the first turn
    assert [x.speaker for x in read_one(path).turns] == ["Anna", "Ben"]


def test_chat_files_are_refused_with_how_to_convert(tmp_path):
    chat = ("@UTF8\n@Begin\n@Participants:\tBUY Priya Buyer, SEL Marco Seller\n"
            "*BUY:\twe need to settle today . 0_4960\n*SEL:\tsix percent . 5400_9120\n@End\n")
    for name in ("call.cha", "call.txt"):  # as given, and renamed as the old hint said
        path = tmp_path / name
        path.write_text(chat, encoding="utf-8")
        with pytest.raises(ReadError) as caught:
            list(read_transcripts(path))
        assert "sed -n" in caught.value.hint and "*SPK:" in caught.value.hint
    assert "CHAT" in caught.value.hint or "CHAT" in caught.value.message


def test_leading_emoji_before_a_name_and_agenda_items_are_no_speakers(tmp_path):
    path = tmp_path / "call.txt"
    path.write_text("Agenda:\nPrice: target 40\nDelivery: Q1\n\nPriya: Thanks, Marco.\n"
                    "\U0001F33B Marco: Happy to.\nPriya: Price first.\n", encoding="utf-8")
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Priya", "Thanks, Marco."), ("Marco", "Happy to."), ("Priya", "Price first.")]
    assert t.meta["header"]["preamble"] == "Price: target 40\nDelivery: Q1"


def test_teams_guests_and_email_names_start_turns(tmp_path):
    """Teams marks outside people "Moreau, Camille (Guest)" and shows a guest without a
    directory name as an e-mail address: both are speaker lines, not speech of the turn
    before (QA found a whole transcript read as one turn)."""
    from analyzer.io import read_transcripts

    path = tmp_path / "guest.txt"
    path.write_text("Okafor, Grace   0:03\nHello, price first?\n\n"
                    "Moreau, Camille (Guest)   0:41\nWhat matters most to you?\n\n"
                    "Lindqvist, Erik (External)   0:50\nPrice.\n\n"
                    "grace.okafor@acme.com   1:02\nThen let us start there.\n",
                    encoding="utf-8")
    [t] = read_transcripts(path)
    assert [(x.speaker, x.text, x.start) for x in t.turns] == [
        ("Okafor, Grace", "Hello, price first?", 3.0),
        ("Moreau, Camille", "What matters most to you?", 41.0),
        ("Lindqvist, Erik", "Price.", 50.0),
        ("grace.okafor@acme.com", "Then let us start there.", 62.0)]
    guest = next(s for s in t.speakers if s.name == "Moreau, Camille")
    assert guest.role == "party" and guest.meta.get("source_role") == "Guest"


def test_a_file_name_starting_with_a_tilde_is_a_file_not_a_home_folder(tmp_path,
                                                                        monkeypatch):
    """Word's lock file ``~$x.docx`` (picked up by a shell glob) and ``~draft.txt`` used to
    stop the run with a traceback (``Path.expanduser`` reads them as users' homes)."""
    from analyzer.io import expand_inputs, read_transcripts

    monkeypatch.chdir(tmp_path)
    (tmp_path / "~draft.txt").write_text("Ana: Hello there.\nBen: Hi.\n", encoding="utf-8")
    [found] = expand_inputs(["~draft.txt"])
    assert found.name == "~draft.txt"
    assert [x.speaker for x in next(iter(read_transcripts(found))).turns] == ["Ana", "Ben"]


def test_google_meet_closing_line_is_no_speech(tmp_path):
    """Google Meet ends its export with "Meeting ended after 00:06:12 👋", which became the
    last speaker's words (formats QA, 28 Nov 2026)."""
    from analyzer.io import read_transcripts

    path = tmp_path / "meet.txt"
    path.write_text("Ana: Shall we say Friday?\nBen: Friday it is. Talk soon.\n\n"
                    "Meeting ended after 00:06:12 👋\n", encoding="utf-8")
    (t,) = read_transcripts(path)
    assert t.turns[-1].text == "Friday it is. Talk soon."
    assert t.meta["header"]["footer"] == "Meeting ended after 00:06:12 👋"
