"""Turning a transcript file's bytes into text, whatever common encoding it was saved in.

Decoding is done once, here, for every format, so the encoding rules and their errors
(empty, binary, unreadable) are the same whatever the reader.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import EmptyTranscriptError, EncodingError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


#: The largest transcript file read (a two-hour meeting's VTT is ~0.5 MB, all of CaSiNo's
#: training file ~7 MB): a 1.1 GB single-line file took 3.4 GB of memory and failed with a
#: bare MemoryError (security QA, 28 Nov 2026)
MAX_FILE_BYTES = 256 * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise EncodingError(str(path), f"the file is {size / 2**20:,.0f} MB; transcripts "
                                f"of up to {MAX_FILE_BYTES // 2**20} MB are read",
                                hint="split it into one file per session (or per day or "
                                     "recording), or check that it is a transcript")
        return path.read_bytes()
    except IsADirectoryError:
        raise EncodingError(str(path), "this is a folder, not a transcript file",
                            hint="name the files inside it, or pass the folder to "
                                 "`analyzer analyze` (it reads every transcript in it)") from None
    except OSError as exc:
        raise EncodingError(str(path), f"cannot open the file: {exc.strerror or exc}",
                            hint="check that the file exists and that you may read it") from None


def decode(path: Path, data: bytes) -> str:
    """The text of a transcript file, whatever common encoding it was saved in.

    A byte-order mark decides first (UTF-8, UTF-16, UTF-32). Otherwise the bytes must be
    strict UTF-8, or UTF-16 without a mark (detected by its zero bytes); failing that they are
    read as Windows-1252 (Latin-1 for the five bytes cp1252 leaves undefined), which never
    fails: old Windows tools save transcripts that way. Files with NUL bytes that are none
    of these, or full of control characters, are refused as binary. An empty file (or one
    with only white space) is an error, since there is nothing to analyse.
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise EmptyTranscriptError(str(path), "the file is empty",
                                   hint="check that the export finished; an empty file has "
                                        "no turns to analyse")
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise EncodingError(str(path), f"starts with a {encoding} byte-order mark but "
                                    f"is not valid {encoding} ({exc.reason})",
                                    line=_line_of(data, exc.start),
                                    hint="save the file again as UTF-8") from None
            break
    if data.startswith(b"PK\x03\x04"):  # a zip archive that is not a Word document
        raise EncodingError(str(path), "this is a zip archive, not a transcript",
                            hint="unzip it and name what it holds: a Slack export's folder, "
                                 "a WhatsApp export's _chat.txt, or the transcript files; "
                                 "a Word document must end in .docx")
    if text is None and b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise EncodingError(str(path), "this looks like a binary file (it has NUL bytes), "
                                "not a transcript", line=_line_of(data, data.index(b"\x00")),
                                hint="give a text transcript (txt, vtt, srt, csv, json); "
                                     "if it is UTF-16 text, save it with a byte-order mark "
                                     "or as UTF-8")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # UTF-8 with a stray byte of another encoding (one "ñ" typed into a UTF-8 file
            # by an old editor) keeps its UTF-8: only the bytes that are not UTF-8 are read
            # as Windows-1252. Until 28 Nov 2026 the whole file was, and every "é" of it
            # became "Ã©" without a word (formats QA). A file in Windows-1252 throughout
            # reads the same either way: its accented bytes are not UTF-8.
            text = data.decode("utf-8", errors=_MIXED)
    text = text.lstrip("\ufeff")
    if "\r\r\n" in text:  # CRLF converted to CRLF again: one line end, not a blank line
        text = text.replace("\r\r\n", "\n")
    if not text.strip():
        raise EmptyTranscriptError(str(path), "the file is empty",
                                   hint="check that the export finished; an empty file has "
                                        "no turns to analyse")
    bad = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    if bad > max(8, len(text[:4096]) // 20):
        raise EncodingError(str(path), "this looks like a binary file (it is full of control "
                            "characters), not a transcript",
                            hint="give a text transcript (txt, vtt, srt, csv, json)")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark: every other byte is zero for ASCII."""
    sample = data[:2000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / len(sample[1::2])
    encoding = "utf-16-le" if odd > 0.4 and even < 0.05 else (
        "utf-16-be" if even > 0.4 and odd < 0.05 else None)
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _cp1252_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    """A codec error handler: the offending bytes as Windows-1252 (``_cp1252``)."""
    return _cp1252(error.object[error.start:error.end]), error.end


_MIXED = "analyzer-utf8-or-cp1252"
codecs.register_error(_MIXED, _cp1252_bytes)


def _cp1252(data: bytes) -> str:
    """Windows-1252, with Latin-1 for the five bytes cp1252 leaves undefined (never fails)."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(_byte_cp1252(b) for b in data)


def _byte_cp1252(b: int) -> str:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(b)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
