"""Word ``.docx`` transcripts: Teams' two layouts, typed ``Name: text``, and broken files."""

from __future__ import annotations

import re
import zipfile
from xml.sax.saxutils import escape

import pytest

from analyzer import errors
from analyzer.io import docx, expand_inputs, read_transcripts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document_xml(paragraphs, extra=""):
    """``word/document.xml`` with one ``w:p`` per string; ``\\n`` a line break, ``\\t`` a tab."""
    def run(text):
        parts = []
        for i, line in enumerate(text.split("\n")):
            parts += ["<w:br/>"] * bool(i)
            for j, bit in enumerate(line.split("\t")):
                parts += ["<w:tab/>"] * bool(j)
                parts += [f'<w:t xml:space="preserve">{escape(bit)}</w:t>'] * bool(bit)
        return f"<w:p><w:r>{''.join(parts)}</w:r></w:p>"
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}">'
            f"<w:body>{''.join(map(run, paragraphs))}{extra}</w:body></w:document>")


def make_docx(path, paragraphs=(), xml=None, extra=""):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml if xml is not None
                         else document_xml(paragraphs, extra))
    return path


def read_one(path, **options):
    (transcript,) = read_transcripts(path, **options)
    return transcript


def test_teams_download_as_docx(data_dir):
    t = read_one(data_dir / "good" / "teams_transcript.docx")
    assert t.format == "docx" and t.session_id == "teams_transcript"
    assert [s.name for s in t.speakers] == ["Okafor, Grace", "Lindqvist, Erik",
                                            "Moreau, Camille"]
    # the text reader's rules: speaker lines 'Doe, John   0:03', start times only, no merging
    assert [(x.speaker, x.start, x.end, x.source_line) for x in t.turns] == [
        ("Okafor, Grace", 3.0, None, 7), ("Lindqvist, Erik", 15.0, None, 10),
        ("Okafor, Grace", 41.0, None, 14), ("Moreau, Camille", 62.0, None, 17)]
    # two text paragraphs are two lines of one turn; a line break inside a paragraph too
    assert t.turns[1].text == ("I understand. The increase reflects the new roof and the "
                               "loading bay.\nIf you can sign for five years instead of three, "
                               "we can phase it in.")
    assert t.turns[2].text == "Five years works if we get the second bay from January."
    # the title block is kept, Teams' notices are dropped
    assert t.meta["header"]["preamble"] == ("Warehouse lease renewal - Transcript\n"
                                            "March 4, 2025, 10:02AM\n18m 42s")
    assert not any("transcription" in x.text for x in t.turns)


def test_teams_older_docx_cues(data_dir):
    t = read_one(data_dir / "good" / "teams_cues.docx")
    assert t.format == "docx"
    # cues as in Teams' VTT: unpadded times (9.10 is 9.010 s), same-speaker cues merged
    assert [(x.speaker, x.start, x.end, x.source_line) for x in t.turns] == [
        ("Okafor, Grace", 0.0, 9.01, 1), ("Lindqvist, Erik", 9.09, 15.48, 8),
        ("Moreau, Camille", 15.48, 21.35, 12)]
    assert t.turns[0].text == ("Morning both. Shall we go through the service levels first? "
                               "The weekend cover is what matters most to us.")


def test_newer_cue_export_and_voice_tags(tmp_path):
    path = make_docx(tmp_path / "export.docx", [
        "Supplier call", "0:00:03.120 --> 0:00:05.450", "Doe, John", "Shall we start?", "",
        "0:00:05.450 --> 0:00:09.100", "<v Smith, Anna>Yes &amp; quickly.</v>",
        "0:00:09.200 --> 0:00:10.000", "Smith, Anna", ""])  # a name and nothing said
    t = read_one(path)
    assert [(x.speaker, x.text, x.start, x.end, x.source_line) for x in t.turns] == [
        ("Doe, John", "Shall we start?", 3.12, 5.45, 2),
        ("Smith, Anna", "Yes & quickly.", 5.45, 9.1, 6)]
    assert t.meta == {"header": {"preamble": "Supplier call"}}


def test_typed_name_colon_paragraphs_and_pasted_webvtt(tmp_path):
    typed = make_docx(tmp_path / "typed.docx", [
        "Title: Van fleet quote", "", "Priya Nair: Can you do 40 vans by June?",
        "Sam Okoro (seller): June is tight.\tMay for 30?", "Priya Nair: Deal if the price holds.",
        "30 --> 40 vans is fine."])  # an arrow in speech: no cue timing
    t = read_one(typed)
    assert [(x.speaker, x.text, x.source_line) for x in t.turns] == [
        ("Priya Nair", "Can you do 40 vans by June?", 3),
        ("Sam Okoro", "June is tight.\tMay for 30?", 4),
        ("Priya Nair", "Deal if the price holds.\n30 --> 40 vans is fine.", 5)]
    assert t.meta["header"] == {"Title": "Van fleet quote"} and t.format == "docx"
    pasted = make_docx(tmp_path / "pasted.docx", [
        "WEBVTT", "", "00:00:01.000 --> 00:00:03.000", "<v Ana>Hello</v>", "",
        "00:00:03.000 --> 00:00:04.000", "<v Ben>Hi Ana</v>"])
    t = read_one(pasted)
    assert [(x.speaker, x.start, x.source_line) for x in t.turns] == [("Ana", 1.0, 3),
                                                                      ("Ben", 3.0, 6)]
    assert t.format == "docx"


def test_word_document_under_another_name_folders_and_lock_files(tmp_path, data_dir):
    source = (data_dir / "good" / "teams_cues.docx").read_bytes()
    renamed = tmp_path / "call transcript"
    renamed.write_bytes(source)
    assert read_one(renamed).format == "docx"
    assert read_one(renamed, format="word").format == "docx"
    inside = tmp_path / "calls" / "a.docx"
    inside.parent.mkdir()
    inside.write_bytes(source)
    (tmp_path / "calls" / "~$a.docx").write_bytes(b"\x05Grace" + b"\x00" * 100)  # Word's lock
    assert expand_inputs([tmp_path / "calls"]) == [inside]


def test_paragraph_text_skips_deleted_text_boxes_and_tables(tmp_path):
    xml = (f'<w:document xmlns:w="{W}"><w:body>'
           "<w:p><w:r><w:t>Ana: We offer </w:t></w:r><w:del><w:r><w:delText>30</w:delText>"
           "</w:r></w:del><w:ins><w:r><w:t>35</w:t></w:r></w:ins><w:r><w:t> units.</w:t></w:r>"
           "<w:r><w:pict><w:txbxContent><w:p><w:r><w:t>DRAFT</w:t></w:r></w:p></w:txbxContent>"
           "</w:pict></w:r></w:p>"
           "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Ben: in a table</w:t></w:r></w:p></w:tc></w:tr>"
           "</w:tbl><w:sdt><w:sdtContent><w:p><w:r><w:t>Ben: Make it 40.</w:t></w:r></w:p>"
           "</w:sdtContent></w:sdt></w:body></w:document>")
    t = read_one(make_docx(tmp_path / "edits.docx", xml=xml))
    assert [(x.speaker, x.text) for x in t.turns] == [("Ana", "We offer 35 units."),
                                                      ("Ben", "Make it 40.")]


def test_a_docx_too_large_when_unzipped_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("word/document.xml", b" " * (docx.MAX_DOCUMENT_BYTES + 1))
    assert path.stat().st_size < 1_000_000  # a small file that unpacks to 64 MiB
    with pytest.raises(errors.MalformedError) as caught:
        list(read_transcripts(path))
    error = caught.value
    assert error.where == "word/document.xml" and error.line is None
    assert "word/document.xml unpacks to 16,777,217 bytes or more; the analyser reads at most " \
           "16,777,216 (16 MiB)" in error.message
    assert "zip bomb" in error.hint


def test_a_size_the_archive_understates_stops_unpacking(tmp_path, monkeypatch):
    """An archive that declares a small size for a large part: unpacking stops at the declared
    size (and the limit), and the damage is reported."""
    monkeypatch.setattr(docx, "MAX_DOCUMENT_BYTES", 1000)
    path = make_docx(tmp_path / "liar.docx", ["Ana: " + "la " * 2000])
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("word/document.xml")
    real = info.file_size.to_bytes(4, "little")
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0 and data[at + offset:at + offset + 4] != real:
            at = data.find(signature, at + 1)
        data[at + offset:at + offset + 4] = (500).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(errors.MalformedError, match=re.escape("cannot unpack word/document.xml")):
        list(read_transcripts(path))


# name -> (bytes or paragraphs, error class, line, where, words in the message)
BROKEN = {
    "not_a_zip": (b"Ana: this was saved as text and renamed\n", errors.MalformedError, None,
                  None, "not a .docx: a .docx is a zip archive and this is not one"),
    "old_word": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, errors.MalformedError,
                 None, None, "old Word 97-2003 document (.doc)"),
    "empty": (b"", errors.EmptyTranscriptError, None, None, "the file is empty"),
    "malformed_xml": ('<w:document xmlns:w="' + W + '"><w:body><w:p></w:body></w:document>',
                      errors.MalformedError, None, "word/document.xml line 1, column 99",
                      "the XML is not well-formed (mismatched tag)"),
    "dtd": ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]>'
            '<w:document xmlns:w="' + W + '"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p>'
            "</w:body></w:document>", errors.MalformedError, None, None,
            "word/document.xml: it declares a DTD or entities"),
    "no_text": (["", "  "], errors.EmptyTranscriptError, None, None,
                "the document holds no transcript: it has no text"),
    "no_speaker": (["Minutes of the call.", "We agreed on the price."], errors.NoSpeakerError,
                   1, None, "text without a speaker: 'Minutes of the call.'"),
    "bad_timing": (["0:0:0.0 --> 0:0:2.0", "Ana", "Hi", "0:0:2.0 --> 0:0:3.0", "Ben", "Hello",
                    "0:0:3.0 --> 0:0:4.0x", "Ben", "Bye"], errors.TimingError, 7, "cue 3",
                   "cannot read the cue timing '0:0:3.0 --> 0:0:4.0x'"),
    "typed_arrow": (["0:0:0.0 --> 0:0:2.0", "Ana", "Hi", "0:0:2.0 -> 0:0:3.0", "Ben", "Hello"],
                    errors.TimingError, 4, "cue 2", "cannot read the cue timing '0:0:2.0 -> "),
    "speech_before_cues": (["Ana opened the meeting and said hello to everyone.",
                            "0:0:0.0 --> 0:0:2.0", "Ana", "Hi"], errors.NoSpeakerError, 1, None,
                           "text before the first cue (line 2)"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_docx_names_file_place_and_fix(tmp_path, name):
    content, kind, line, where, words = BROKEN[name]
    path = tmp_path / f"{name}.docx"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        make_docx(path, xml=content)
    else:
        make_docx(path, content)
    with pytest.raises(errors.ReadError) as caught:
        list(read_transcripts(path))
    error = caught.value
    assert type(error) is kind, error
    assert (error.path, error.line, error.where) == (str(path), line, where)
    assert words in error.message, error.message
    assert str(error).startswith(f"[{kind.code}] {path}") and len(error.hint) > 30


def test_zip_that_is_not_a_docx_and_a_docx_of_tables(tmp_path):
    path = tmp_path / "slides.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ppt/presentation.xml", "<p/>")
    with pytest.raises(errors.UnknownFormatError) as caught:
        list(read_transcripts(path))
    assert "this zip archive is not a Word document: it has no word/document.xml (it holds " \
           "ppt/presentation.xml)" in caught.value.message
    table = make_docx(tmp_path / "table.docx", extra=(
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Ana</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"))
    with pytest.raises(errors.EmptyTranscriptError) as caught:
        list(read_transcripts(table))
    assert "its text is in 1 table(s), which are not read" in caught.value.message
    assert "save it as CSV" in caught.value.hint


def test_teams_notices_in_other_languages_are_no_speech():
    from analyzer.io.docx import _notice

    assert _notice("Doe, John hat die Transkription gestartet")
    assert _notice("Moreau, Camille a arrêté la transcription.")
    assert not _notice("Doe, John")  # a speaker line
    assert not _notice("we started transcription of the minutes together yesterday evening")
