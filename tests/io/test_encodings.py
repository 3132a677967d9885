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
