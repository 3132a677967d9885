"""WebVTT (Zoom and Teams styles) and SRT: cue times, speakers, merging."""

from __future__ import annotations

import pytest

from analyzer.errors import NoSpeakerError
from analyzer.io import read_transcripts


def read_one(path, **options):
    (transcript,) = list(read_transcripts(path, **options))
    return transcript


def test_zoom_vtt_merges_consecutive_cues_of_one_speaker(data_dir):
    t = read_one(data_dir / "good" / "zoom.vtt")
    assert t.format == "vtt"
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [
        ("Priya Shah", 1.2, 4.0), ("Marco", 4.1, 13.0), ("Priya Shah", 13.5, 17.25)]
    assert t.turns[1].text == ("Loud and clear. So, about the launch budget we need at least "
                               "forty thousand.")
    assert t.turns[1].source_line == 8  # the timing line of its first cue


def test_teams_vtt_voice_tags_notes_settings_and_entities(data_dir):
    t = read_one(data_dir / "good" / "teams.vtt")
    assert [x.speaker for x in t.turns] == ["Jordan Blake", "Sam Ortiz", "Jordan Blake"]
    assert t.turns[1].text == ("Glad to be here. We have the lease draft? "
                               "I marked the clauses on repairs & parking.")
    assert (t.turns[0].start, t.turns[0].end) == (0.5, 3.0)
    assert (t.turns[1].start, t.turns[1].end) == (3.2, 9.0)


def test_vtt_without_cue_ids_and_with_hours_omitted(tmp_path):
    path = tmp_path / "short.vtt"
    path.write_text("WEBVTT - meeting\n\n01:02.000 --> 01:04.500\n<v Ana>Hi <b>there</b></v>\n"
                    "\n01:05.000 --> 01:06.000\nunlabelled follow-up\n", encoding="utf-8")
    t = read_one(path)
    assert [(x.speaker, x.start, x.end, x.text) for x in t.turns] == [
        ("Ana", 62.0, 66.0, "Hi there unlabelled follow-up")]


def test_srt_prefixes_and_merging(data_dir):
    t = read_one(data_dir / "good" / "subtitles.srt")
    assert t.format == "srt"
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [
        ("Lena", 1.0, 3.5), ("Omar", 3.6, 9.0), ("Lena", 9.5, 12.0)]
    assert t.turns[1].text == "Exclusive is hard for us. Unless the minimum order goes up."
    assert t.turns[2].text == "What minimum would you need?"


def test_vtt_content_in_a_txt_file_is_sniffed(tmp_path, data_dir):
    path = tmp_path / "captions.txt"
    path.write_bytes((data_dir / "good" / "zoom.vtt").read_bytes())
    assert read_one(path).format == "vtt"


def test_vtt_header_lines_and_a_missing_blank_line_after_the_header(tmp_path):
    path = tmp_path / "yt.vtt"
    path.write_text("WEBVTT\nKind: captions\nLanguage: en\n\n00:00:01.000 --> 00:00:02.000\n"
                    "Ana: one\n", encoding="utf-8")
    assert [x.text for x in read_one(path).turns] == ["one"]
    path.write_text("WEBVTT\n00:00:01.000 --> 00:00:02.000\nAna: one\n\n"
                    "00:00:02.000 --> 00:00:03.000\nBo: two\n", encoding="utf-8")
    assert [(x.speaker, x.text) for x in read_one(path).turns] == [("Ana", "one"), ("Bo", "two")]


def test_srt_cue_with_two_speakers_and_note_lines(tmp_path):
    path = tmp_path / "dialog.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:03,000\n- Anna: Ready?\n- Ben: Yes,\nlet's go.\n\n"
                    "2\n00:00:03,500 --> 00:00:05,000\nAnna: Note: price is firm.\n",
                    encoding="utf-8")
    t = read_one(path)
    assert [(x.speaker, x.text, x.start, x.end) for x in t.turns] == [
        ("Anna", "Ready?", 1.0, 3.0), ("Ben", "Yes, let's go.", 1.0, 3.0),
        ("Anna", "Note: price is firm.", 3.5, 5.0)]


def test_cues_without_blank_lines_between_them(tmp_path):
    path = tmp_path / "noblank.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:03,500\nLena: We'd like exclusive rights.\n"
                    "2\n00:00:04,000 --> 00:00:06,000\nTom: What would you offer?\n"
                    "3\n00:00:06,500 --> 00:00:08,000\nLena: A lower price.\n", encoding="utf-8")
    assert [(x.speaker, x.text, x.start, x.end, x.source_line) for x in read_one(path).turns] == [
        ("Lena", "We'd like exclusive rights.", 1.0, 3.5, 2),
        ("Tom", "What would you offer?", 4.0, 6.0, 5),
        ("Lena", "A lower price.", 6.5, 8.0, 8)]
    path = tmp_path / "noblank.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAna: hi there\n"
                    "00:00:03.000 --> 00:00:04.000\nBen: hello\n", encoding="utf-8")
    assert [(x.speaker, x.text, x.start) for x in read_one(path).turns] == [
        ("Ana", "hi there", 1.0), ("Ben", "hello", 3.0)]


def test_a_number_line_is_text_unless_a_timing_line_follows(tmp_path):
    path = tmp_path / "numbers.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:03,500\nLena: we want\n2\nunits only\n"
                    "I have 2\n00:00:04,000 --> 00:00:06,000\nTom: hello\n", encoding="utf-8")
    assert [(x.speaker, x.text, x.start) for x in read_one(path).turns] == [
        ("Lena", "we want 2 units only I have 2", 1.0), ("Tom", "hello", 4.0)]


def _vtt(tmp_path, *cues, name="zoom.vtt"):
    body = "".join(f"{i}\n00:00:{2 * i:02d}.000 --> 00:00:{2 * i + 1:02d}.000\n{cue}\n\n"
                   for i, cue in enumerate(cues, start=1))
    path = tmp_path / name
    path.write_text(f"WEBVTT\n\n{body}", encoding="utf-8")
    return path


def test_zoom_display_names_are_speakers(tmp_path):
    path = _vtt(tmp_path, "Priya Shah (she/her): Hi Marco.", "Marco Rossi | Acme Corp: Hello.",
                "Sam (Guest): Hi all.", "marco.rossi@acme.com: Our band tops out at 100.",
                "iPad: Sorry, I dropped.", "Maria Fernanda Gonzalez de la Rosa: Welcome.",
                "Dr. Priya Shah-Okafor, PhD: Noted.", "Dana (mediator): Let's recap.")
    t = read_one(path)
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Priya Shah", "Hi Marco."), ("Marco Rossi | Acme Corp", "Hello."), ("Sam", "Hi all."),
        ("marco.rossi@acme.com", "Our band tops out at 100."), ("iPad", "Sorry, I dropped."),
        ("Maria Fernanda Gonzalez de la Rosa", "Welcome."),
        ("Dr. Priya Shah-Okafor, PhD", "Noted."), ("Dana", "Let's recap.")]
    speakers = {s.name: s for s in t.speakers}
    assert speakers["Priya Shah"].meta["source_role"] == "she/her"  # as the text reader does
    assert speakers["Sam"].meta["source_role"] == "Guest"
    assert speakers["Dana"].role == "mediator"


def test_a_display_name_mid_file_is_not_merged_into_the_previous_turn(tmp_path):
    path = _vtt(tmp_path, "Bob Smith: We can offer 90.", "Bob Smith: For the role.",
                "Priya Shah (she/her): That's low.", "Bob Smith: 95?")
    assert [x.speaker for x in read_one(path).turns] == ["Bob Smith", "Priya Shah", "Bob Smith"]


def test_sentences_with_a_colon_continue_the_turn(tmp_path):
    path = _vtt(tmp_path, "Ana: We talked it through.", "Note: we agreed on 40.",
                "The price: 40 euros per unit.", "here's why: the volume.", "Ben: Fine.")
    t = read_one(path)
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Ana", "We talked it through. Note: we agreed on 40. The price: 40 euros per unit. "
                "here's why: the volume."), ("Ben", "Fine.")]


def test_a_lower_case_name_is_a_speaker_when_it_recurs(tmp_path):
    path = _vtt(tmp_path, "Ana: Hi.", "ipad: Can you hear me?", "Ana: Yes.", "ipad: Good.")
    assert [x.speaker for x in read_one(path).turns] == ["Ana", "ipad", "Ana", "ipad"]


def test_an_unconfirmed_display_name_in_the_first_cue_is_an_error(tmp_path):
    path = _vtt(tmp_path, "Priya Shah (she/her): Hi.", "and then we talk.")
    with pytest.raises(NoSpeakerError) as info:
        read_one(path)
    assert info.value.line == 5 and "'Priya Shah (she/her):'" in info.value.message


def test_vtt_leading_emoji_before_a_display_name(tmp_path):
    path = _vtt(tmp_path, "Marco Rossi: Thanks for joining.", "\U0001F33B Priya Shah: Hello.",
                "Marco Rossi: The price.", "\U0001F33B Priya Shah: Forty.")
    assert [(x.speaker, x.text) for x in read_one(path).turns] == [
        ("Marco Rossi", "Thanks for joining."), ("Priya Shah", "Hello."),
        ("Marco Rossi", "The price."), ("Priya Shah", "Forty.")]


def test_vtt_headings_used_once_continue_the_turn_a_recurring_note_speaks(tmp_path):
    path = _vtt(tmp_path, "Marco Rossi: Where we are.", "Next Steps: you send the draft.",
                "Priya Shah: Agreed.", "Bottom Line: not below forty.",
                "Final Offer: forty-two.", "Marco Rossi: Okay.")
    assert [(x.speaker, x.text) for x in read_one(path).turns] == [
        ("Marco Rossi", "Where we are. Next Steps: you send the draft."),
        ("Priya Shah", "Agreed. Bottom Line: not below forty. Final Offer: forty-two."),
        ("Marco Rossi", "Okay.")]
    path = _vtt(tmp_path, "Marco Rossi: Let's start.", "Note: I'm taking minutes.",
                "Priya Shah: Hi.", "Note: Can you repeat the price?")
    assert [x.speaker for x in read_one(path).turns] == ["Marco Rossi", "Note", "Priya Shah",
                                                         "Note"]


def test_a_webvtt_file_named_srt_is_read_as_webvtt(tmp_path):
    """Its first cue failed with a hint about blank lines (researcher QA, 28 Nov 2026)."""
    path = tmp_path / "zoom_call.srt"
    path.write_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n<v Ana>Hello.</v>\n\n"
                    "2\n00:00:02.500 --> 00:00:04.000\n<v Bo>Hi, shall we start?</v>\n",
                    encoding="utf-8")
    t = read_one(path)
    assert t.format == "vtt"
    assert [(x.speaker, x.text) for x in t.turns] == [("Ana", "Hello."),
                                                        ("Bo", "Hi, shall we start?")]
