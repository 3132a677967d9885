"""Encodings: UTF-8 (with or without BOM), UTF-16 (with or without BOM), Latin-1, cp1252."""

from __future__ import annotations

import pytest

from analyzer.io import read_transcripts

TEXT = [("Zoë", "Bonjour, ça va? Le café est à 3 €."), ("José", "Très bien, merci. On commence?")]


@pytest.mark.parametrize("name", ["utf8.txt", "bom_utf8.txt", "utf16_bom.txt",
                                  "utf16le_nobom.txt", "cp1252.txt"])
def test_encodings_read_the_same_text(data_dir, name):
    (t,) = read_transcripts(data_dir / "good" / "encodings" / name)
    assert [(x.speaker, x.text) for x in t.turns] == TEXT


def test_latin1_without_euro(data_dir):
    (t,) = read_transcripts(data_dir / "good" / "encodings" / "latin1.txt")
    assert t.turns[0].text == "Bonjour, ça va? Le café est à 3 EUR."
    assert t.turns[0].speaker == "Zoë"


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(b"Ann: caf\xe9 \x81\n")
    (t,) = read_transcripts(path)
    assert t.turns[0].text == "caf\u00e9 \u0081"


def test_utf8_with_one_stray_byte_keeps_its_utf8(tmp_path):
    """One Windows-1252 "ñ" in a UTF-8 file made the whole file Windows-1252: "café" became
    "cafÃ©" and "María González:" no speaker label (formats QA, 28 Nov 2026)."""
    path = tmp_path / "mixed.txt"
    path.write_bytes("María González: Le café, 40 €.\nTomás: Sí.\n".encode()
                     + b"Mar\xeda Gonz\xe1lez: Espa\xf1a.\n")
    (t,) = read_transcripts(path)
    assert [x.speaker for x in t.turns] == ["María González", "Tomás", "María González"]
    assert t.turns[0].text == "Le café, 40 €." and t.turns[2].text == "España."


def test_crcrlf_line_ends_are_one_line_end(tmp_path):
    """CRLF files converted to CRLF again end lines in "\\r\\r\\n"; a WebVTT cue then read as
    a number without its timing line (formats QA, 28 Nov 2026)."""
    path = tmp_path / "twice.vtt"
    path.write_bytes(b"WEBVTT\r\r\n\r\r\n1\r\r\n00:00:01.000 --> 00:00:03.000\r\r\n"
                     b"Ana: Hello.\r\r\n\r\r\n2\r\r\n00:00:03.500 --> 00:00:05.000\r\r\n"
                     b"Ben: Hi.\r\r\n")
    (t,) = read_transcripts(path)
    assert [(x.speaker, x.text) for x in t.turns] == [("Ana", "Hello."), ("Ben", "Hi.")]
