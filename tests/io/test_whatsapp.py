"""WhatsApp chat exports: iPhone and Android lines, date orders, notices, media, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import EmptyTranscriptError, NoSpeakerError, TimingError
from analyzer.io import expand_inputs, read_transcripts
from analyzer.io.decoding import decode, read_bytes
from analyzer.io.formats import sniff

CHATS = Path(__file__).resolve().parents[1] / "data" / "chats"
LRM, NNBSP = "\u200e", "\u202f"


def read_one(path, **options):
    (transcript,) = list(read_transcripts(path, **options))
    return transcript


def written(tmp_path, text, name="chat.txt"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rows(t):
    return [(x.source_line, x.start, x.speaker) for x in t.turns]


def test_iphone_group_chat_notices_media_deleted_and_multiline():
    t = read_one(CHATS / "whatsapp_iphone.txt")
    assert (t.format, t.session_id) == ("whatsapp", "whatsapp_iphone")
    # the group's own name ("Unit 4 lease") only ever writes notices: no speaker
    assert [s.name for s in t.speakers] == ["Carla Mendes", "Ben Okoro", "Ana Lopez"]
    assert rows(t) == [(4, 0.0, "Carla Mendes"), (5, 87.0, "Ben Okoro"),
                       (6, 355.0, "Ana Lopez"), (10, 574.0, "Ben Okoro"),
                       (12, 765.0, "Ana Lopez"), (14, 81506.0, "Ben Okoro"),
                       (15, 82262.0, "Ana Lopez"), (16, 82305.0, "Carla Mendes")]
    assert t.turns[2].text.endswith("rent itself or having the unit let for longer?\n"
                                    "Because a longer term would matter a lot to us.\n"
                                    "We just put 30k into the kitchen.")
    assert t.turns[4].text == "Then how about five years at 1,300, with a review in year three?"
    assert not any(LRM in x.text or "omitted" in x.text or "deleted" in x.text
                   for x in t.turns)
    assert t.meta == {"export": "WhatsApp (iPhone)", "started": "2024-03-14T10:01:45",
                      "skipped": {"deleted": 1, "media": 1, "notices": 4}}


def test_android_us_twelve_hour_clock_across_midnight():
    path = CHATS / "WhatsApp Chat with Ben Okoro.txt"
    t = read_one(path)
    assert (t.format, t.session_id) == ("whatsapp", "WhatsApp Chat with Ben Okoro")
    # 3/14/24: month first; 11:58 PM then 12:03 AM the next day is 5 minutes later
    assert rows(t) == [(2, 0.0, "Ben Okoro"), (3, 120.0, "Ana Lopez"), (5, 480.0, "Ben Okoro"),
                       (7, 53760.0, "Ana Lopez"), (8, 54060.0, "Ben Okoro")]
    assert t.turns[2].text == ("Two months is OK if the guarantee from your bank stays in "
                               "place.\nI need something to fall back on.")
    assert t.meta["started"] == "2024-03-14T09:02:00"
    assert t.meta["skipped"] == {"deleted": 1, "media": 1, "notices": 1}


@pytest.mark.parametrize("first, second, started, gap", [
    ("[12/03/2024, 14:05:33]", "[13/03/2024, 09:00:00]", "2024-03-12T14:05:33", 68067),
    (f"{LRM}[3/12/24, 2:05:33{NNBSP}PM]", f"{LRM}[3/13/24, 9:00:00{NNBSP}AM]",
     "2024-03-12T14:05:33", 68067),
    ("12.03.24, 14:05 -", "13.03.24, 09:00 -", "2024-03-12T14:05:00", 68100),
    ("3/12/24, 2:05 p.m. -", "3/13/24, 9:00 a.m. -", "2024-03-12T14:05:00", 68100),
    ("2024-03-12, 14:05 -", "2024-03-13, 09:00 -", "2024-03-12T14:05:00", 68100),
    # no date tells the order alone: 11/11 then 12/11 are a day apart read day first
    ("11/11/2024, 23:50 -", "12/11/2024, 00:10 -", "2024-11-11T23:50:00", 1200),
])
def test_line_forms_and_the_day_month_order_of_the_file(tmp_path, first, second, started, gap):
    path = written(tmp_path, f"{first} Ana Lopez: Can we talk about the price?\n"
                             f"{second} Ben Okoro: Yes, 1,400 is my floor.\n")
    assert sniff(path, decode(path, read_bytes(path))) == "whatsapp"
    t = read_one(path)
    assert [(x.speaker, x.start) for x in t.turns] == [("Ana Lopez", 0.0), ("Ben Okoro", gap)]
    assert t.meta["started"] == started


def test_android_notices_are_not_speakers_even_with_a_colon(tmp_path):
    path = written(tmp_path, (
        "12/03/2024, 14:05 - Ana Lopez created group \"Rent\"\n"
        "12/03/2024, 14:05 - Ana Lopez changed the subject from \"Rent\" to \"Rent: final\"\n"
        "12/03/2024, 14:06 - You added Ben Okoro\n"
        "12/03/2024, 14:07 - Ana Lopez: Price: 1,300 a month, five years.\n"
        "12/03/2024, 14:08 - \u202a+44 7700 900123\u202c: Note: that is my colleague's number\n"
        "12/03/2024, 14:09 - ~ Sam Reed: Hi, I'm the surveyor\n"
        "12/03/2024, 14:10 - Ben Okoro: IMG-20240312-WA0001.jpg (file attached)\n"
        "The shopfront as it is now\n"))
    t = read_one(path)
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Ana Lopez", "Price: 1,300 a month, five years."),
        ("+44 7700 900123", "Note: that is my colleague's number"),
        ("Sam Reed", "Hi, I'm the surveyor"),
        ("Ben Okoro", "The shopfront as it is now")]  # the caption stays, the file marker not
    assert t.meta["skipped"] == {"notices": 3}


def test_iphone_chat_file_is_named_after_its_folder(tmp_path):
    text = "[12/03/2024, 14:05:33] Ana Lopez: Hello\n[12/03/2024, 14:06:00] Ben: Hi\n"
    path = written(tmp_path, text, "WhatsApp Chat - Ben/_chat.txt")
    assert read_one(path).session_id == "WhatsApp Chat - Ben"
    assert expand_inputs([tmp_path]) == [path]


def test_a_text_transcript_with_a_dated_title_stays_text(tmp_path):
    path = written(tmp_path, "12/03/2024, 14:05 - Lease call\nAna: Hello Ben.\nBen: Hi Ana.\n")
    t = read_one(path)
    assert t.format == "text" and [x.speaker for x in t.turns] == ["Ana", "Ben"]


def test_no_text_or_example_file_is_taken_for_whatsapp(repo):
    """The sniffing rule must not take any bundled transcript for a WhatsApp chat."""
    files = [p for p in expand_inputs([repo / "corpora", repo / "tests" / "data" / "good"])
             if p.is_file() and p.suffix == ".txt"]
    assert len(files) > 50
    assert not [p for p in files if sniff(p, decode(p, read_bytes(p))) == "whatsapp"]


def test_read_as_text_says_it_is_whatsapp():
    with pytest.raises(NoSpeakerError) as caught:
        read_one(CHATS / "whatsapp_iphone.txt", format="text")
    assert "WhatsApp chat export" in caught.value.hint


def test_notices_only_is_an_empty_chat():
    path = CHATS / "broken" / "whatsapp_notices_only.txt"
    with pytest.raises(EmptyTranscriptError) as caught:
        read_one(path)
    error = caught.value
    assert (error.path, error.line) == (str(path), 1)
    assert "its 4 dated lines are all WhatsApp's notices" in error.message
    assert "Export chat" in error.hint


def test_impossible_date_names_the_line():
    path = CHATS / "broken" / "whatsapp_bad_date.txt"
    with pytest.raises(TimingError) as caught:
        read_one(path)
    assert caught.value.line == 2 and "'31/02/2024, 14:06'" in caught.value.message


def test_text_above_the_first_message_and_a_late_message(tmp_path):
    path = written(tmp_path, "Chat about the lease\n"
                             "12/03/2024, 14:05 - Ana Lopez: Hello\n", "odd.log")
    with pytest.raises(NoSpeakerError) as caught:
        read_one(path, format="whatsapp")
    assert caught.value.line == 1 and "before the first message" in caught.value.message
    # a message stamped earlier than the one above it (sent offline, delivered late) keeps
    # its place, at the time of the message above; the chat is not refused
    path = written(tmp_path, "12/03/2024, 14:05 - Ana Lopez: Hello\n"
                             "12/03/2024, 13:05 - Ben Okoro: Hi\n"
                             "12/03/2024, 14:07 - Ana Lopez: Shall we talk price?\n", "back.txt")
    transcript = read_one(path)
    assert [t.start for t in transcript.turns] == [0.0, 0.0, 120.0]
    assert [t.speaker for t in transcript.turns] == ["Ana Lopez", "Ben Okoro", "Ana Lopez"]
    assert transcript.meta["late_messages"] == 1


def test_analyzer_formats_lists_whatsapp_and_slack_with_examples():
    from typer.testing import CliRunner

    from analyzer.cli import app

    shown = CliRunner().invoke(app, ["formats"]).output
    assert "\nwhatsapp   WhatsApp chat export" in shown
    assert "e.g. [12/03/2024, 14:05:33] Anna: Could we talk about the price?" in shown
    assert "\nslack      Slack export" in shown and "files: a folder" in shown


def test_locales_with_a_word_before_the_time_or_dotted_clocks(tmp_path):
    """French Android ("12/03/2024 à 14:05 - "), Finnish iPhone with dotted clocks or
    "klo" ("[12.3.2022 klo 14.08.18] "): read as WhatsApp, with their times."""
    cases = {
        "fr.txt": "12/03/2024 à 14:05 - Ana: Bonjour\n12/03/2024 à 14:07 - Ben: Salut\n",
        "fi.txt": "[1.3.2022, 12.00.00] Ana: Hei\n[1.3.2022, 12.01.30] Ben: Moi\n",
        "klo.txt": "[12.3.2022 klo 14.08.18] Ana: Hei\n[12.3.2022 klo 14.09.18] Ben: Moi\n",
    }
    for name, text in cases.items():
        transcript = read_one(written(tmp_path, text, name))
        assert transcript.format == "whatsapp", name
        assert [t.speaker for t in transcript.turns] == ["Ana", "Ben"], name
        assert transcript.turns[1].start in (120.0, 90.0, 60.0), name


def test_androids_view_once_null_is_no_turn(tmp_path):
    path = written(tmp_path, "12/03/2024, 14:05 - Ana Lopez: Hello\n"
                             "12/03/2024, 14:06 - Ben Okoro: null\n"
                             "12/03/2024, 14:07 - Ben Okoro: Shall we talk price?\n", "vo.txt")
    transcript = read_one(path)
    assert [t.text for t in transcript.turns] == ["Hello", "Shall we talk price?"]
    assert transcript.meta["skipped"] == {"media": 1}


def test_east_asian_stamps_with_the_half_of_the_day_before_the_clock(tmp_path):
    """Korean ("2023. 1. 5. 오후 3:45", spaces inside the date), Chinese ("下午10:15") and
    Japanese ("午後") phones put the half of the day before the clock."""
    cases = {
        "ko.txt": ("2023. 1. 5. 오후 3:45 - 홍길동: 가격 얘기할까요?\n"
                   "2023. 1. 5. 오후 3:47 - 김철수: 네, 좋아요\n", "2023-01-05T15:45:00", 120.0),
        "ko_iphone.txt": ("[2023. 1. 5. 오전 11:45:10] 홍길동: 안녕하세요\n"
                          "[2023. 1. 5. 오후 12:01:10] 김철수: 네\n", "2023-01-05T11:45:10",
                          960.0),
        "zh.txt": ("2021/3/9 下午10:15 - 王伟: 你好\n2021/3/9 下午10:16 - 李娜: 你好\n",
                   "2021-03-09T22:15:00", 60.0),
        "ja.txt": ("[2021/03/09 午前9:15:00] 田中: こんにちは\n"
                   "[2021/03/09 午前9:16:00] 佐藤: どうも\n", "2021-03-09T09:15:00", 60.0),
    }
    for name, (text, started, gap) in cases.items():
        transcript = read_one(written(tmp_path, text, name))
        assert transcript.format == "whatsapp", name
        assert len({t.speaker for t in transcript.turns}) == 2, name
        assert transcript.meta["started"] == started, name
        assert transcript.turns[1].start == gap, name


def test_an_afternoon_hour_over_twelve_names_the_line(tmp_path):
    path = written(tmp_path, "2023. 1. 5. 오후 3:45 - 홍길동: 안녕\n"
                             "2023. 1. 5. 오후 15:47 - 김철수: 네\n", "bad.txt")
    with pytest.raises(TimingError) as caught:
        read_one(path)
    assert caught.value.line == 2 and "PM" in str(caught.value)
