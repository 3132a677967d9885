"""The registry of transcript formats and how a file's format is recognised.

The extension decides when it is known; otherwise (or for ``.txt`` files that are really
captions) the first bytes do: ``WEBVTT``, an ELAN ``<ANNOTATION_DOCUMENT>``, an SRT cue, a JSON
bracket, a table header with a speaker and a text column, or ``Name:`` labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from ..errors import UnknownFormatError
from ..transcript import Transcript


@dataclass(frozen=True)
class FormatSpec:
    """One readable format, as ``analyzer formats`` lists it."""

    name: str
    extensions: tuple[str, ...]
    description: str
    example: str
    reader: Callable[..., Iterator[Transcript]]
    #: Further one-line examples, for a format with several shapes (JSON services).
    more: tuple[str, ...] = ()
    #: The reader reads the file's bytes itself (a zip archive): nothing is decoded as text.
    binary: bool = False


def _reader(module: str) -> Callable[..., Iterator[Transcript]]:
    """The ``read`` function of ``analyzer.io.<module>``, imported on the first file of that
    format: listing or sniffing formats must not import every reader and what it needs."""
    def read(path, text, **options):
        return import_module(f"{__package__}.{module}").read(path, text, **options)
    return read


FORMATS: tuple[FormatSpec, ...] = (
    FormatSpec("text", (".txt", ".text", ".transcript"),
               "Speaker-labelled text, one 'Name: text' turn per line (continuation lines "
               "allowed), optional [HH:MM:SS] timestamps",
               "[00:01:02] Anna: Could we start with the delivery dates?", _reader("text")),
    FormatSpec("whatsapp", (".txt",),
               "WhatsApp chat export (iPhone or Android, any date order, 12- or 24-hour "
               "clock; recognised by its dated lines); notices and media markers left out",
               "[12/03/2024, 14:05:33] Anna: Could we talk about the price?",
               _reader("whatsapp"),
               more=("12/03/2024, 14:05 - Anna: Could we talk about the price? (Android)",)),
    FormatSpec("slack", (),
               "Slack export: the export folder (users.json, channels.json; one session per "
               "channel) or one channel's folder of day files; joins and bots left out",
               'lease-renewal/2024-03-12.json: [{"type": "message", "user": "U0123", '
               '"text": "Could we talk about the price?", "ts": "1710252333.000200"}]',
               _reader("slack")),
    FormatSpec("vtt", (".vtt",),
               "WebVTT captions as Zoom ('Name: text') or Teams ('<v Name>text</v>') write "
               "them; same-speaker cues merge into one turn",
               "00:00:01.000 --> 00:00:04.000 / <v Anna Lee>Shall we begin?</v>", _reader("vtt")),
    FormatSpec("srt", (".srt",),
               "SRT subtitles with a speaker prefix ('Name: text' or '[Name] text')",
               "1 / 00:00:01,000 --> 00:00:04,000 / Anna: Shall we begin?", _reader("srt")),
    FormatSpec("csv", (".csv", ".tsv"),
               "Table with a header: speaker, text, optional start, end, session_id, role "
               "(delimiter sniffed; several sessions per file allowed)",
               "speaker,text,start / Anna,Shall we begin?,0.0", _reader("csvfile")),
    FormatSpec("json", (".json",),
               "JSON: {\"turns\": [{\"speaker\", \"text\"}]}, transcription segments "
               "{\"segments\": [...]} (WhisperX), AssemblyAI, Deepgram, AWS Transcribe, "
               "Rev.ai or Fireflies.ai output as downloaded, or CaSiNo dialogues",
               '{"turns": [{"speaker": "Anna", "text": "Shall we begin?"}]}', _reader("jsonfile"),
               more=('WhisperX: {"segments": [{"start": 0.5, "end": 2.1, "speaker": '
                     '"SPEAKER_00", "text": "Hi"}]}',
                     'AssemblyAI: {"utterances": [{"speaker": "A", "text": "Hi", "start": 500, '
                     '"end": 2100, "confidence": 0.97}]} (milliseconds)',
                     'Deepgram: {"results": {"utterances": [{"speaker": 0, "transcript": "Hi", '
                     '"start": 0.5, "end": 2.1}]}} (or words with speakers)',
                     'AWS Transcribe: {"results": {"items": [{"type": "pronunciation", '
                     '"alternatives": [{"content": "Hi"}], "start_time": "0.5", '
                     '"speaker_label": "spk_0"}]}}',
                     'Rev.ai: {"monologues": [{"speaker": 0, "elements": [{"type": "text", '
                     '"value": "Hi", "ts": 0.5, "end_ts": 2.1}]}]}',
                     'Fireflies.ai: {"data": {"transcript": {"title": "Lease", "sentences": '
                     '[{"index": 0, "speaker_name": "Anna", "text": "Hi", "start_time": 0.5, '
                     '"end_time": 2.1}]}}}')),
    FormatSpec("convokit", (".jsonl",),
               "ConvoKit corpus folder (utterances.jsonl, speakers.json, conversations.json; "
               "one session per conversation), or any JSON-lines file of utterances",
               '{"id": "u1", "conversation_id": "c1", "speaker": "Anna", "text": "Hi"}',
               _reader("convokit")),
    FormatSpec("eaf", (".eaf",),
               "ELAN annotation file: one top-level tier per speaker (PARTICIPANT or TIER_ID), "
               "time-aligned annotations; dependent tiers (translations, glosses) skipped",
               '<TIER TIER_ID="Anna"><ANNOTATION><ALIGNABLE_ANNOTATION TIME_SLOT_REF1="ts1" '
               'TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>Shall we begin?</ANNOTATION_VALUE>...',
               _reader("eaf")),
    FormatSpec("docx", (".docx",),
               "Word document: Teams' 'Download as .docx' ('Doe, John   0:03' then the text, "
               "or '0:0:0.0 --> 0:0:1.510' / name / text), Otter exports, 'Name: text' paragraphs",
               "Doe, John   0:03 / Hello everyone, shall we start?", _reader("docx"),
               binary=True),
)

BY_NAME = {spec.name: spec for spec in FORMATS}
ALIASES = {"txt": "text", "webvtt": "vtt", "tsv": "csv", "subrip": "srt", "casino": "json",
           "segments": "json", "whisper": "json", "whisperx": "json", "turns": "json",
           "jsonl": "convokit",
           "elan": "eaf", "word": "docx"}
EXTENSIONS = {ext: spec.name for spec in FORMATS for ext in spec.extensions}

#: A WhatsApp export is a ``.txt`` file like the text format's: the extension still means
#: text, and ``sniff`` tells a WhatsApp chat by its content.
EXTENSIONS[".txt"] = "text"


def spec_named(path: Path, name: str) -> FormatSpec:
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in BY_NAME:
        raise UnknownFormatError(str(path), f"unknown format {name!r}",
                                 hint=f"choose one of {', '.join(BY_NAME)} "
                                      "(see `analyzer formats`)")
    return BY_NAME[key]


_SRT_START = re.compile(r"^\s*\d+\s*\r?\n\s*\d[\d:]*[,.]\d+\s+-->\s")
_LABEL_LINE = re.compile(r"^\s*(?:[\[(]?\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?[\])]?\s+)?"
                         r"[^\W\d_][\w.'&\-]*(?: [\w.'&\-]+){0,3}\s*(?:[\[(][^)\]]{1,30}[\])])?"
                         r"\s*:", re.M)


_CHAT_TURN = re.compile(r"^\*[A-Za-z0-9_]{1,8}:\s", re.M)


def looks_like_chat(head: str) -> bool:
    """A CHAT file (CHILDES/TalkBank ``.cha``): ``@UTF8``/``@Begin`` headers, ``*SPK:`` turns."""
    start = head.lstrip("\ufeff \t\r\n")
    return start.startswith(("@UTF8", "@Begin")) or bool(_CHAT_TURN.search(head[:2048]))


#: What to do with a CHAT file, which no reader takes: renaming it to .txt does not help
#: (its ``@`` headers and ``*SPK:`` labels are not speaker labels), so say how to convert.
CHAT_PROBLEM = "this is a CHAT (CHILDES/TalkBank .cha) file, which the analyser does not read"
CHAT_HINT = ("convert it to speaker-labelled text: keep the '*SPK:' lines as 'SPK: text' and "
             r"drop the '@' and '%' lines, e.g. sed -n 's/^\*\([^:]*\):[[:space:]]*/\1: /p' "
             "call.cha > call.txt (then remove CHAT's time marks such as 0_4960 and codes "
             "such as &-um if you want clean text); or export it from CLAN to another format")


def looks_like_docx(data: bytes) -> bool:
    """A Word document under another name: a zip archive naming ``word/document.xml`` (the
    name is stored uncompressed in the archive's headers)."""
    return data.startswith(b"PK\x03\x04") and b"word/document.xml" in data


def looks_like_csv_header(line: str) -> bool:
    """A table's header row: delimited cells naming a speaker and a text column."""
    if not any(d in line for d in ",;\t|"):
        return False
    from .csvfile import ALIASES as COLUMNS

    cells = {c.strip().strip('"').lower() for c in re.split(r"[,;\t|]", line)}
    return bool(cells & set(COLUMNS["speaker"]) and cells & set(COLUMNS["text"]))


def sniff(path: Path, text: str | None) -> str | None:
    """The format of ``path`` from its extension, else from its content; ``None`` if unknown.

    A folder is a Slack export (or channel) or else taken for a ConvoKit corpus; a ``.txt``
    file (or one of unknown extension) whose first lines are a WhatsApp export's dated
    lines is WhatsApp, before the text format's ``Name:`` labels are looked for."""
    if path.is_dir():
        from .slack import is_slack

        corpus = (path / "utterances.jsonl").is_file()
        return "slack" if not corpus and is_slack(path) else "convokit"
    if path.name == "utterances.jsonl":
        return "convokit"
    by_extension = EXTENSIONS.get(path.suffix.lower())
    if text is None:
        return by_extension
    head = text.lstrip("\ufeff \t\r\n")[:2048]
    if by_extension in ("vtt", "srt", "csv", "json", "eaf"):
        return by_extension
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("<") and "<ANNOTATION_DOCUMENT" in head:
        return "eaf"
    if _SRT_START.match(head):
        return "srt"
    if head.startswith("{"):
        from .jsonfile import looks_like_json_lines

        if looks_like_json_lines(head):
            return "convokit"
    if head[:1] in "[{":
        if head.startswith("{") or re.match(r"\[\s*[{\]]", head):
            return "json"
    from .whatsapp import looks_like_whatsapp

    if looks_like_whatsapp(head):
        return "whatsapp"
    first = head.splitlines()[0] if head else ""
    if by_extension is None and looks_like_csv_header(first):
        return "csv"
    if by_extension == "text" or _LABEL_LINE.search(head):
        return "text"
    return by_extension
