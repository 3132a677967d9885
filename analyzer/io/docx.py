"""Word (``.docx``) transcripts: Teams' "Download as .docx", Otter and other exports, typed ones.

A ``.docx`` is a zip archive whose text is in ``word/document.xml``. Only that part is read,
with ``zipfile`` and the safe XML parser (``xmlsafe``), rather than with python-docx: the
reader needs the paragraphs' text and nothing else, python-docx would bring lxml and load
every part of the package (images included) into memory with no limit, and the one thing
that must be guarded, the size the part unpacks to (a small zip can unpack to gigabytes), is
checked here before anything is parsed (``MAX_DOCUMENT_BYTES``).

The body's paragraphs become lines of text: one line per paragraph, and a new line at every
line break inside one (Teams puts a speaker line and its text in one paragraph this way).
Text in tables, text boxes, headers, footers, comments and deleted revisions is not read.
Teams' notices ``Doe, John started transcription`` / ``stopped transcription`` (and their
German, French, Spanish, Italian, Dutch and Portuguese wording) are dropped.
The lines are then read by the reader whose form they have, so the rules are the same as
for the text files people copy these documents into:

- ``WEBVTT`` first: the captions reader (a VTT transcript pasted into Word);
- a cue timing line ``0:0:0.0 --> 0:0:1.510`` (Teams' older .docx, newer exports with
  ``0:00:03.120 --> 0:00:05.450``) followed by the speaker's name and the text, or by a
  voice tag ``<v Doe, John>text</v>``: cues, read here with the captions reader's timing
  rules (Teams' unpadded times included) and, as for captions, consecutive cues of one
  speaker merged into one turn; a cue with a name and no text is skipped;
- anything else: the text reader (``Doe, John   0:03`` then the text, as Teams and Otter
  write; ``Name: text`` paragraphs; a title block above them).

``Turn.source_line`` and error lines count the lines so made (in a document without line
breaks inside paragraphs, the paragraph number, empty paragraphs included).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from ..errors import (
    EmptyTranscriptError,
    MalformedError,
    NoSpeakerError,
    TimingError,
    UnknownFormatError,
)
from ..transcript import Transcript
from .base import Segment, make_transcript
from .captions import cue_times, read_vtt, teams_timings, timing, voice
from .decoding import read_bytes
from .text import header_like
from .text import read as read_text
from .xmlsafe import parse_tree

#: The most ``word/document.xml`` may unpack to. A transcript of a whole day is a few MiB
#: of XML; anything near this is a zip bomb or not a transcript, and unpacking it would
#: take the memory of the machine (and of every worker of a batch). 16 MiB since 0.10.0:
#: parsing 63 MiB of tiny elements took 1.7 GB (security QA, 28 Nov 2026); 16 MiB of them
#: take about a quarter of that.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

_PART = "word/document.xml"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
#: Subtrees whose text is not the paragraph's: text boxes (their own paragraphs), the
#: fallback copy of drawings Word keeps for old readers, deleted revisions, field codes.
_SKIP = frozenset({_W + "txbxContent", _MC_FALLBACK, _W + "del", _W + "instrText",
                   _W + "delText"})
#: The magic number of an OLE file: Word 97-2003 ``.doc``, or a password-protected ``.docx``.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Teams' notices in the languages its UI most often runs in ("Doe, John hat die
#: Transkription gestartet"): never speech, whoever the transcript is in.
_NOTICES = (" started transcription", " stopped transcription",
            " hat die Transkription gestartet", " hat die Transkription beendet",
            " a démarré la transcription", " a arrêté la transcription",
            " inició la transcripción", " detuvo la transcripción",
            " ha iniziato la trascrizione", " ha interrotto la trascrizione",
            " heeft de transcriptie gestart", " heeft de transcriptie gestopt",
            " iniciou a transcrição", " parou a transcrição")
#: A cue timing written wrongly, alone on its line (``0:0:2.0 -> 0:0:3.0``): not text.
_BROKEN_TIMING = re.compile(r"^\s*\d[\d:.,]*\s*(?:->|=>|--|—>|→|-)\s*\d[\d:.,]*\s*$")
_SPACES = str.maketrans({"\xa0": " ", "\u2007": " ", "\u202f": " "})
#: What breaks while unpacking a damaged archive.
_UNPACK_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError,
                  RuntimeError, ValueError, EOFError, OSError)

_FIX = ("save the document again from Word (or Google Docs, LibreOffice) as .docx, or save "
        "it as plain text (.txt) and read that")


def _too_large(path: Path, size: int) -> MalformedError:
    return MalformedError(
        str(path), f"{_PART} unpacks to {size:,} bytes or more; the analyser reads at most "
        f"{MAX_DOCUMENT_BYTES:,} ({MAX_DOCUMENT_BYTES // 2**20} MiB)", where=_PART,
        hint="a transcript is far smaller: this is a zip bomb or not a transcript; if it "
             "really is one, save it as plain text (.txt) and read that")


def document_xml(path: Path) -> bytes:
    """The bytes of ``word/document.xml``, refused when they would unpack to more than
    ``MAX_DOCUMENT_BYTES``: by the size the archive declares, before unpacking anything, and
    by what is actually unpacked, never more than the limit and one byte."""
    data = read_bytes(path)
    if not data.strip(b" \t\r\n\x00"):
        raise EmptyTranscriptError(str(path), "the file is empty",
                                   hint="check that the export finished; an empty file has "
                                        "no turns to analyse")
    if data.startswith(_OLE):
        raise MalformedError(str(path), "this is an old Word 97-2003 document (.doc) or a "
                             "password-protected .docx, not a .docx the analyser can read",
                             hint="open it in Word, remove any password, and save it as Word "
                                  "Document (.docx) or as plain text (.txt)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _UNPACK_ERRORS as exc:
        raise MalformedError(str(path), f"not a .docx: a .docx is a zip archive and this is "
                             f"not one ({exc})",
                             hint="check that the download finished; " + _FIX) from None
    with archive:
        try:
            info = archive.getinfo(_PART)
        except KeyError:
            names = ", ".join(archive.namelist()[:6]) or "nothing"
            raise UnknownFormatError(
                str(path), f"this zip archive is not a Word document: it has no {_PART} "
                f"(it holds {names})",
                hint="give a .docx saved by Word, Google Docs or LibreOffice; for another "
                     "archive, unpack it and name the transcripts inside") from None
        if info.file_size > MAX_DOCUMENT_BYTES:
            raise _too_large(path, info.file_size)
        try:
            with archive.open(info) as part:
                xml = part.read(MAX_DOCUMENT_BYTES + 1)
        except _UNPACK_ERRORS as exc:
            raise MalformedError(str(path), f"cannot unpack {_PART}: {exc}", where=_PART,
                                 hint=_FIX) from None
    if len(xml) > MAX_DOCUMENT_BYTES:
        raise _too_large(path, len(xml))
    return xml


def _paragraph_text(paragraph) -> str:
    """The text of one ``w:p`` as Word shows it: runs joined, tabs as tabs, line breaks as
    new lines. Walked without recursion, so a deeply nested file cannot exhaust the stack."""
    parts: list[str] = []
    stack = [iter(paragraph)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
        elif element.tag == _W + "t":
            parts.append(element.text or "")
        elif element.tag == _W + "tab":
            parts.append("\t")
        elif element.tag in (_W + "br", _W + "cr"):
            parts.append("\n")
        elif element.tag == _W + "noBreakHyphen":
            parts.append("-")
        elif element.tag not in _SKIP:
            stack.append(iter(element))
    return "".join(parts).translate(_SPACES)


def _notice(line: str) -> bool:
    """Teams' ``Doe, John started transcription``: a name (words not starting lower-case),
    then the notice; said by no one."""
    text = line.strip().rstrip(".")
    ending = next((e for e in _NOTICES if text.endswith(e)), None)
    if ending is None:
        return False
    words = text[:-len(ending)].replace(",", " ").split()
    return 0 < len(words) <= 6 and not any(word[0].islower() for word in words)


def document_lines(path: Path) -> tuple[list[str], int]:
    """The lines of the document's body (see the module's text) and how many tables it has,
    which are not read."""
    root = parse_tree(path, document_xml(path), _PART, writer="Word", hint=_FIX)
    body = root.find(_W + "body")
    lines: list[str] = []
    tables = 0
    stack = [iter(body if body is not None else ())]
    while stack:  # the body's paragraphs, also inside content controls (w:sdt)
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
        elif element.tag == _W + "p":
            lines.extend(line.rstrip() for line in _paragraph_text(element).split("\n"))
        elif element.tag == _W + "tbl":
            tables += 1
        elif element.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            stack.append(iter(element))
    return ["" if _notice(line) else line for line in lines], tables


def _cues(path: Path, lines: list[str], timings: list) -> Transcript:
    """A document of cues: a timing line, then the speaker's name and the text (or a voice
    tag holding both), as Teams' older .docx wrote them."""
    starts = [i for i, match in enumerate(timings) if match is not None]
    teams = teams_timings(timings)
    header = [line.strip() for line in lines[:starts[0]] if line.strip()]
    for number, line in enumerate(lines[:starts[0]], start=1):
        if line.strip() and (len(header) > 10 or not header_like(line)):
            raise NoSpeakerError(str(path), f"text before the first cue (line {starts[0] + 1}): "
                                 f"{line.strip()[:60]!r}", line=number,
                                 hint="remove it, or put it in a cue: a timing line "
                                      "('0:00:03.120 --> 0:00:05.450'), the speaker's name, "
                                      "then the text")
    for number, line in enumerate(lines[starts[0]:], start=starts[0] + 1):
        if timings[number - 1] is None and _BROKEN_TIMING.match(line):
            raise _bad_timing(path, line, number, sum(1 for i in starts if i < number) + 1)
    segments: list[Segment] = []
    for cue, at in enumerate(starts, start=1):
        where = f"cue {cue}"
        start, end = cue_times(timings[at], "srt", teams)
        if start is None or end is None:
            raise _bad_timing(path, lines[at], at + 1, cue)
        stop = starts[cue] if cue < len(starts) else len(lines)
        body = [line.strip() for line in lines[at + 1:stop] if line.strip()]
        if not body:
            continue
        speaker, said = voice(body[0]) or (body[0], "")
        said = " ".join([said, *body[1:]]).strip()
        if speaker and said:  # a name and nothing said is skipped
            segments.append(Segment(speaker, said, start=start, end=end, line=at + 1,
                                    where=where))
    meta = {"header": {"preamble": "\n".join(header)}} if header else {}
    return make_transcript(path, "docx", segments, meta=meta, unit="cue")


def _cue_timing(line: str):
    """The ``timing`` match of a line ``0:0:1.5 --> 0:0:3.0`` (settings after it allowed):
    its start must look like a clock time, so speech such as ``costs --> down`` is no cue."""
    match = timing(line) if "-->" in line else None
    return match if match and ":" in match["start"] and match["start"][0].isdigit() else None


def _bad_timing(path: Path, line: str, number: int, cue: int) -> TimingError:
    return TimingError(str(path), f"cannot read the cue timing {line.strip()[:60]!r}",
                      line=number, where=f"cue {cue}",
                      hint="write the timing as '0:00:03.120 --> 0:00:05.450'")


def read(path: Path, text: str | None = None, **options) -> Iterator[Transcript]:
    """The transcript of a .docx; ``text`` is unused (the reader reads the archive itself)."""
    lines, tables = document_lines(path)
    if not any(line.strip() for line in lines):
        found = f"its text is in {tables} table(s), which are not read" if tables else \
            "it has no text"
        raise EmptyTranscriptError(
            str(path), f"the document holds no transcript: {found}",
            hint="put the transcript in the document's paragraphs ('Name: text'), or copy the "
                 "table into a spreadsheet and save it as CSV with speaker and text columns"
            if tables else "check that the export finished and that it is the transcript")
    timings = [_cue_timing(line) for line in lines]
    if next(line for line in lines if line.strip()).lstrip().startswith("WEBVTT"):
        transcripts = read_vtt(path, "\n".join(lines))  # a WebVTT file pasted into Word
    elif any(timings):
        transcripts = iter([_cues(path, lines, timings)])
    else:
        transcripts = read_text(path, "\n".join(lines))
    for transcript in transcripts:
        yield replace(transcript, format="docx")


__all__ = ["MAX_DOCUMENT_BYTES", "document_lines", "document_xml", "read"]
