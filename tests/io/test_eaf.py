"""ELAN ``.eaf``: speech from top-level tiers, times from TIME_ORDER, safe XML, clear errors."""

from __future__ import annotations

import pytest

from analyzer import errors
from analyzer.io import expand_inputs, read_transcripts

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ANNOTATION_DOCUMENT AUTHOR="" FORMAT="3.0" VERSION="3.0">\n'
        '<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>\n')


def eaf(slots, tiers):
    """A small EAF: ``slots`` [(id, ms or None)], ``tiers`` [(tier id, participant,
    [(annotation id, ref1, ref2, text)])], one element a line after the header."""
    lines = [HEAD, "<TIME_ORDER>\n"]
    lines += [f'<TIME_SLOT TIME_SLOT_ID="{s}"' + ("" if v is None else f' TIME_VALUE="{v}"')
              + "/>\n" for s, v in slots]
    lines.append("</TIME_ORDER>\n")
    for tier, participant, items in tiers:
        lines.append(f'<TIER LINGUISTIC_TYPE_REF="utt" PARTICIPANT="{participant}" '
                     f'TIER_ID="{tier}">\n')
        lines += [f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="{a}" TIME_SLOT_REF1="{r1}" '
                  f'TIME_SLOT_REF2="{r2}"><ANNOTATION_VALUE>{text}</ANNOTATION_VALUE>'
                  "</ALIGNABLE_ANNOTATION></ANNOTATION>\n" for a, r1, r2, text in items]
        lines.append("</TIER>\n")
    lines.append('<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="utt" TIME_ALIGNABLE="true"/>\n'
                 "</ANNOTATION_DOCUMENT>\n")
    return "".join(lines)


def read_one(path):
    (transcript,) = read_transcripts(path)
    return transcript


def test_mediation_speakers_turns_times_and_lines(data_dir):
    t = read_one(data_dir / "good" / "mediation.eaf")
    assert t.format == "eaf" and t.session_id == "mediation"
    # PARTICIPANT names the speaker; Tom's tier has none, so its TIER_ID does.
    assert [s.name for s in t.speakers] == ["Dana Whitfield", "Ruth Adeyemi", "Tom Becker"]
    assert [(x.speaker, x.start, x.end, x.source_line, x.meta["tier"]) for x in t.turns] == [
        ("Dana Whitfield", 0.0, 7.85, 27, "MED"),  # a1 and a2 merge, as caption cues do
        ("Ruth Adeyemi", 8.1, 15.1, 44, "TEN"),   # a3 ends at an unaligned slot, a4 goes on
        ("Tom Becker", 15.0, 26.3, 80, "Tom Becker"),  # overlaps Ruth: fine; order by start
        ("Dana Whitfield", 26.5, 30.02, 37, "MED")]   # a9: earlier in the file, later in time
    assert t.turns[1].text == ("Honestly, it is the evenings. I come back from the night shift "
                               "and there is never a bay free. Mornings I don't mind at all.")
    text = " ".join(x.text for x in t.turns)
    # the translation (REF_ANNOTATIONs), the word tier and the notes are not turns
    assert "Honnêtement" not in text and "reframes" not in text
    assert t.turns[1].text.count("Honestly") == 1
    # Ruth's empty annotation a5 is skipped; Tom's two annotations merge
    assert t.turns[2].text.endswith("I am fine with that.")


def test_unaligned_time_slots_are_interpolated_or_take_the_nearest(tmp_path):
    path = tmp_path / "gaps.eaf"
    path.write_text(eaf([("t0", None), ("t1", 1000), ("t2", None), ("t3", None), ("t4", 4000),
                         ("t5", None)],
                        [("A", "Ana", [("a1", "t0", "t2", "One.")]),
                         ("B", "Ben", [("a2", "t3", "t4", "Two."), ("a3", "t4", "t5", "Three.")])]),
                    encoding="utf-8")
    t = read_one(path)
    # t0 takes t1's time (nothing before it); t2, t3 split 1-4 s evenly; t5 takes t4's
    assert [(x.speaker, x.start, x.end, x.text) for x in t.turns] == [
        ("Ana", 1.0, 2.0, "One."), ("Ben", 3.0, 4.0, "Two. Three.")]


def test_a_file_without_any_times_keeps_time_order(tmp_path):
    path = tmp_path / "untimed.eaf"
    path.write_text(eaf([("t1", None), ("t2", None), ("t3", None)],
                        [("A", "", [("a2", "t2", "t3", "Second.")]),
                         ("B", "", [("a1", "t1", "t2", "First.")])]), encoding="utf-8")
    t = read_one(path)
    assert [(x.speaker, x.text, x.start) for x in t.turns] == [("B", "First.", None),
                                                               ("A", "Second.", None)]
    assert not t.has_times


def test_eaf_content_is_sniffed_and_folders_pick_eaf_up(tmp_path, data_dir):
    xml = tmp_path / "session.xml"
    xml.write_bytes((data_dir / "good" / "mediation.eaf").read_bytes())
    assert read_one(xml).format == "eaf"
    copy = tmp_path / "sub" / "mediation.eaf"
    copy.parent.mkdir()
    copy.write_bytes(xml.read_bytes())
    assert expand_inputs([tmp_path]) == [copy]  # .xml is not a transcript extension


BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
                  "<ANNOTATION_DOCUMENT>&lol2;</ANNOTATION_DOCUMENT>\n")
EXTERNAL = ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            "<ANNOTATION_DOCUMENT>&x;</ANNOTATION_DOCUMENT>\n")

# content -> (error class, line, where, words the message must contain)
BROKEN = {
    "mismatched": (HEAD + "<TIME_ORDER>\n</TIER>\n", errors.MalformedError, 5, "column 3",
                   "the XML is not well-formed (mismatched tag)"),
    "billion_laughs": (BILLION_LAUGHS, errors.MalformedError, 2, None,
                       "declares a DTD or entities"),
    "external_entity": (EXTERNAL, errors.MalformedError, 2, None, "declares a DTD"),
    "not_elan": ('<?xml version="1.0"?>\n<tt xmlns="http://www.w3.org/ns/ttml"/>\n',
                 errors.UnknownFormatError, 2, None, "root element is <tt>"),
    "no_tiers": (HEAD + "<TIME_ORDER/>\n</ANNOTATION_DOCUMENT>\n", errors.EmptyTranscriptError,
                 2, None, "it has no tiers"),
    "empty_texts": (eaf([("t1", 0), ("t2", 5)], [("A", "Ana", [("a1", "t1", "t2", " ")])]),
                    errors.EmptyTranscriptError, 8, None,
                    "the speech tiers ('A') hold no annotation with text"),
    "bad_value": (eaf([("t1", 0), ("t2", "5s")], [("A", "Ana", [("a1", "t1", "t2", "Hi")])]),
                  errors.TimingError, 6, None, "time slot 't2' has TIME_VALUE '5s'"),
    "ends_before": (eaf([("t1", 5000), ("t2", 1000)], [("A", "Ana", [("a1", "t1", "t2", "Hi")])]),
                    errors.TimingError, 9, "annotation a1", "ends (00:00:01) before it starts"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_eaf_names_file_line_and_fix(tmp_path, name):
    content, kind, line, where, words = BROKEN[name]
    path = tmp_path / f"{name}.eaf"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(errors.ReadError) as caught:
        list(read_transcripts(path))
    error = caught.value
    assert type(error) is kind, error
    assert (error.path, error.line, error.where) == (str(path), line, where)
    assert words in error.message
    assert str(error).startswith(f"[{kind.code}] {path}") and len(error.hint) > 30
    assert "root:" not in error.message  # no file content leaks into a refused entity


def test_input_format_elan_reads_an_xml_file(tmp_path, data_dir):
    path = tmp_path / "call.dat"
    path.write_bytes((data_dir / "good" / "mediation.eaf").read_bytes())
    (t,) = read_transcripts(path, format="elan")
    assert t.format == "eaf" and len(t.turns) == 4


def test_a_tier_without_id_or_participant_is_named_by_its_place(tmp_path):
    """An empty (or blank) TIER_ID with no PARTICIPANT gave a speaker without a name
    (fuzzing QA, 28 Nov 2026); it is "Tier <n>", n its place among the speech tiers."""
    path = tmp_path / "blank.eaf"
    path.write_text(eaf([("t1", 0), ("t2", 1000), ("t3", 2000), ("t4", 3000)],
                        [("", "", [("a1", "t1", "t2", "Hi.")]),
                         (" ", "", [("a2", "t2", "t3", "Ho.")]),
                         ("B", "", [("a3", "t3", "t4", "Ha.")])]), encoding="utf-8")
    assert [x.speaker for x in read_one(path).turns] == ["Tier 1", "Tier 2", "B"]


def test_a_time_of_more_than_ten_years_is_refused(tmp_path):
    path = tmp_path / "huge.eaf"
    path.write_text(eaf([("t1", 0), ("t2", 10 ** 40)],
                        [("A", "Ana", [("a1", "t1", "t2", "Hi.")])]), encoding="utf-8")
    with pytest.raises(errors.TimingError) as caught:
        read_one(path)
    assert caught.value.line == 9 and caught.value.where == "annotation a1"
    assert "a time of 3.17e+29 years from the start; the most is 10 years" in \
        caught.value.problem
