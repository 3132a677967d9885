"""Slack workspace exports: the export folder (one session per channel) or one channel folder.

Slack's "Export data" writes a folder such as::

    users.json  channels.json  (groups.json, dms.json, mpims.json in some exports)
    lease-renewal/2024-03-12.json   one file per day: a list of that day's messages
    lease-renewal/2024-03-13.json

A channel folder is one session, named after the folder: its days in date order, messages
by their ``ts``. The export folder gives every channel with messages, in name order. Both
are one input, as a ConvoKit corpus folder is, so a folder walk does not read the day files
one by one as loose JSON. A channel that cannot be read fails alone: the export then raises
``PartialReadError`` with the other channels' sessions, which ``analyze`` and ``batch``
analyse, giving the broken channel its own failure row.

Speakers are named by the message's ``user_profile.real_name``, else ``users.json``'s
``real_name`` (or ``name``), else the user id; one person keeps the first name found for
their id throughout. Slack markup is turned into what the channel shows: ``<@U0123>`` the
person's name with ``@``, ``<https://x|label>`` the label, ``<#C1|lease>`` ``#lease``,
``<!here>`` ``@here``; ``&amp;``, ``&lt;`` and ``&gt;`` are unescaped.

Only talk is read: messages without a subtype, thread replies shown in the channel
(``thread_broadcast``), messages with a file (``file_share``, their text) and ``/me``
messages. Every other subtype is Slack's notice or a program's (``channel_join``,
``channel_topic``, ``bot_message``: a bot negotiates for nobody...), counted in
``meta["skipped"]``; so are programs' posts without a subtype (``bot_id`` or ``bot_profile``,
Slackbot's ``USLACKBOT``, a user ``users.json`` marks ``is_bot``), as ``"bot"``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import (
    EmptyTranscriptError,
    MalformedError,
    NoSpeakerError,
    PartialReadError,
    ReadError,
    TimingError,
    UnknownFormatError,
)
from ..transcript import Transcript
from .base import Segment, expect, make_transcript

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
#: The export's lists of conversations: public channels, private ones, direct messages.
_CONVERSATION_LISTS = ("channels.json", "groups.json", "dms.json", "mpims.json")
#: Subtypes that are someone talking; every other subtype is left out (see above).
TALK = frozenset({None, "thread_broadcast", "reply_broadcast", "file_share", "me_message"})
_MARKUP = re.compile(r"<([^<>]*)>")
#: Slack's formatting markers around words: ``*bold*``, ``_italic_``, ``~strike~``. The
#: text between holds its own marker only inside a word (``_file_name_``), so looking for the
#: closing marker stops at the next one: linear, however many markers a line has.
_FORMATTING = re.compile("|".join(
    rf"(?<![\w*_~]){m}(?=\S)((?:[^\n{m}]|(?<=\w){m}(?=\w))*?\S){m}(?![\w*_~])"
    for m in (r"\*", "_", "~")))
_PROTECTED = re.compile(r"<[^<>]*>|`[^`\n]*`|\x00")
_HELD = re.compile(r"\x00(\d+)\x00")
#: Slackbot's user id: its reminders and notices are no one's turns.
SLACKBOT = "USLACKBOT"


def day_files(folder: Path) -> list[Path]:
    """A channel folder's day files (``2024-03-12.json``), in date order."""
    try:
        return sorted(p for p in folder.iterdir() if _DAY.match(p.name) and p.is_file())
    except OSError:
        return []


#: How much of a day file's start the recognition reads: enough for its first message.
_HEAD = 64 * 1024
_TS_KEY = re.compile(rb'"ts"\s*:')
_MESSAGE_KEY = re.compile(rb'"(?:type|user|text)"\s*:')


def _starts_as(path: Path) -> bytes:
    """The first bytes of a file after a byte order mark and white space (b"" when it cannot
    be read)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD)
    except OSError:
        return b""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")


def _looks_like_day(path: Path) -> bool | None:
    """Whether a day file starts as Slack writes one, from its first bytes only: a list, empty
    or of objects with ``ts`` and ``type``, ``user`` or ``text``. None: it cannot tell (an
    empty file, or one cut off before its first message)."""
    head = _starts_as(path)
    if not head:
        return None
    if not head.startswith(b"["):
        return False
    rest = head[1:].lstrip(b" \t\r\n")
    if not rest:
        return None
    if rest.startswith(b"]"):
        return True
    return rest.startswith(b"{") and bool(_TS_KEY.search(rest)) \
        and bool(_MESSAGE_KEY.search(rest))


def _slack_days(folder: Path) -> bool | None:
    """Whether a folder's day files are Slack's: the first one that tells (see
    ``_looks_like_day``) decides; None when none tells or there are none."""
    for day in day_files(folder):
        found = _looks_like_day(day)
        if found is not None:
            return found
    return None


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [p for p in sorted(folder.iterdir(), key=lambda p: p.name)
                if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []


def _channels(folder: Path) -> list[Path]:
    """An export's channel folders: every folder in it with day files (one that is not
    Slack's then fails with the file's error, rather than being skipped unseen)."""
    return [p for p in _subfolders(folder) if day_files(p)]


def is_export(folder: Path) -> bool:
    """Slack's export folder: ``users.json`` and a list of conversations (``channels.json``
    ...), both JSON lists, or one of them beside a channel folder whose day files are
    Slack's. An unrelated ``users.json`` beside a folder of other JSON files named by date
    makes no export: those files are read one by one."""
    if not folder.is_dir():
        return False
    names = ("users.json", *_CONVERSATION_LISTS)
    present = [name for name in names if (folder / name).is_file()]
    if not present:
        return False
    lists = {name for name in present if _starts_as(folder / name).startswith(b"[")}
    if "users.json" in lists and lists - {"users.json"}:
        return True
    return any(_slack_days(p) for p in _subfolders(folder))


def is_channel(folder: Path) -> bool:
    """One channel's folder: day files (``2024-03-12.json``) that start as lists of Slack
    messages (``_looks_like_day``); inside an export folder any folder with day files (the
    reader then says what is wrong with them). Other JSON files beside the day files (the
    ``canvas_in_the_conversation.json`` newer exports write) are left alone. A folder of
    other JSON files named by date is no channel: they are read one by one."""
    if not folder.is_dir() or not day_files(folder):
        return False
    return bool(_slack_days(folder)) or is_export(folder.parent)


def is_slack(folder: Path) -> bool:
    return is_export(folder) or is_channel(folder)


def _list(path: Path, what: str, example: str) -> list:
    """The JSON list a file of the export holds (a day file, users.json...); an error naming
    the file when it does not parse or is no list."""
    from .decoding import decode, read_bytes
    from .jsonfile import load

    data = load(path, decode(path, read_bytes(path)))
    if not isinstance(data, list):
        raise MalformedError(str(path), f"expected a list of {what}",
                             hint=f"this file of a Slack export is a list of {what}, "
                                  f"[{example}, ...]; export the workspace again")
    return data


def _users(folder: Path | None) -> dict[str, dict]:
    """``users.json`` of the export, by user id ({} without one)."""
    path = folder / "users.json" if folder is not None else None
    if path is None or not path.is_file():
        return {}
    data = _list(path, "users", '{"id": "U0123", "name": ..., "real_name": ...}')
    return {str(u["id"]): u for u in data if isinstance(u, dict) and u.get("id")}


def _conversations(folder: Path | None) -> dict[str, dict]:
    """Channel id and name from the export's lists, by the channel's folder name."""
    found: dict[str, dict] = {}
    for name in _CONVERSATION_LISTS if folder is not None else ():
        path = folder / name
        for item in _list(path, "channels", '{"id": "C0123", "name": ...}') \
                if path.is_file() else []:
            if isinstance(item, dict) and item.get("id"):
                found.setdefault(str(item.get("name") or item["id"]), item)
    return found


class _Message:
    __slots__ = ("ts", "file", "position", "item")

    def __init__(self, ts: float, file: Path, position: int, item: dict) -> None:
        self.ts, self.file, self.position, self.item = ts, file, position, item


def _messages(channel: Path) -> list[_Message]:
    """Every message of a channel's day files, by ``ts`` (file order breaks ties)."""
    messages = []
    for day in day_files(channel):
        data = _list(day, "messages", '{"type": "message", "user": ..., "text": ..., '
                                      '"ts": ...}')
        for position, item in enumerate(data):
            if not isinstance(item, dict):
                raise MalformedError(str(day), f"[{position}]: a message is not an object",
                                     hint="check that the file is Slack's export, not "
                                          "edited by hand")
            try:
                ts = float(str(item.get("ts")))
            except ValueError:
                ts = float("nan")
            if not ts >= 0 or ts == float("inf"):
                raise TimingError(str(day), f"[{position}]: cannot read the message's time "
                                  f"'ts': {item.get('ts')!r}",
                                  hint="Slack writes ts as seconds since 1970, e.g. "
                                       '"1710252333.000200"; export the channel again')
            _check_types(day, position, item)
            messages.append(_Message(ts, day, position, item))
    return sorted(messages, key=lambda m: m.ts)


#: The fields of a message the reader uses, and the JSON types Slack writes them as.
_FIELDS = (("subtype", "string"), ("user", "string"), ("username", "string"),
           ("text", "string"), ("user_profile", "object"))


def _check_types(day: Path, position: int, item: dict) -> None:
    """Refuse a message field of another type than Slack writes (E104, its place), here,
    where a channel's failure is its own: ``"subtype": []`` was a ``TypeError`` that lost
    the whole export, and ``"user": ["U1"]`` or a ``real_name`` object became a speaker
    named after Python's rendering of it (fuzzing QA, 28 Nov 2026)."""
    hint = "check that the file is Slack's export, not edited by hand; export the channel again"
    for key, kind in _FIELDS:
        expect(day, item.get(key), kind, f"[{position}].{key}", hint=hint)
    profile = item.get("user_profile") or {}
    for key in ("real_name", "display_name"):
        expect(day, profile.get(key), "string", f"[{position}].user_profile.{key}", hint=hint)


def _names(messages: list[_Message], users: dict[str, dict]) -> Callable[[str], str]:
    """A user id's name: the first ``user_profile.real_name`` of their messages, else
    ``users.json``'s ``real_name`` (or its profile's), else ``name``, else the id. Two
    people of one name get their id after it, so they stay two speakers."""
    profiles: dict[str, str] = {}
    for message in messages:
        profile = message.item.get("user_profile")
        user = message.item.get("user")
        if isinstance(profile, dict) and user and profile.get("real_name"):
            profiles.setdefault(str(user), str(profile["real_name"]).strip())

    def plain(user: str) -> str:
        info = users.get(user, {})
        profile = info.get("profile") if isinstance(info.get("profile"), dict) else {}
        for value in (profiles.get(user), info.get("real_name"), profile.get("real_name"),
                      info.get("name")):
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return user

    ids = {str(m.item["user"]) for m in messages if m.item.get("user")} | set(users)
    taken = Counter(plain(user) for user in ids)
    return lambda user: plain(user) if taken[plain(user)] < 2 else f"{plain(user)} ({user})"


def _bots(users: dict[str, dict]) -> Callable[[dict], bool]:
    """Whether a message is a program's post: an app's (``bot_id`` or ``bot_profile``, which
    modern apps post with a ``user`` and no subtype), Slackbot's (``USLACKBOT``) or a user
    ``users.json`` marks ``is_bot``."""
    bots = {user for user, info in users.items() if info.get("is_bot") is True} | {SLACKBOT}

    def is_bot(item: dict) -> bool:
        return bool(item.get("bot_id") or item.get("bot_profile")) \
            or str(item.get("user") or "") in bots

    return is_bot


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _inner(match: re.Match) -> str:
    """The words a pair of formatting markers wraps; markers alone (``***``) stay."""
    inner = next(group for group in match.groups() if group is not None)
    return inner if inner.strip("*_~") else match.group(0)


def _unformat(text: str) -> str:
    """``text`` without Slack's inline formatting markers (``*bold*``, ``_italic_``,
    ``~strike~``, nested too) where they wrap words: a marker opens after the start, a space
    or punctuation, and closes before the end, a space or punctuation, on one line. Inside a
    word they are the word's (``file_name``, ``2*3*4``); ``<...>`` markup (links) and
    ```code``` are left as they are."""
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    held = _PROTECTED.sub(keep, text)
    for _ in range(3):  # *_bold italic_*: the outer pair, then the inner one
        bare = _FORMATTING.sub(_inner, held)
        if bare == held:
            break
        held = bare
    return _HELD.sub(lambda m: kept[int(m.group(1))], held) if kept else held


def plain_text(text: str, name_of: Callable[[str], str]) -> str:
    """Slack's markup as the channel shows it: mentions by name, links by their label,
    without the formatting markers (``*bold*`` is bold)."""
    out = []
    for number, piece in enumerate(_MARKUP.split(_unformat(text))):
        if number % 2 == 0:
            out.append(_unescape(piece))
            continue
        target, _, label = piece.partition("|")
        label = _unescape(_unformat(label))
        if target.startswith("@"):
            out.append("@" + name_of(target[1:]) if target[1:] else label)
        elif target.startswith("#"):
            out.append("#" + (label or target[1:]))
        elif target.startswith("!"):  # <!here>, <!subteam^S1|@sales>, <!date^...|fallback>
            out.append(label or "@" + target[1:].split("^")[0])
        else:  # a link (https://..., mailto:...)
            out.append(label or _unescape(target))
    return "".join(out)


def _session(channel: Path, messages: list[_Message], name_of: Callable[[str], str],
             info: dict, is_bot: Callable[[dict], bool]) -> Transcript | None:
    """The channel's transcript; None when nobody talked in it (only joins, bots...)."""
    kept: list[tuple[_Message, str, str]] = []
    skipped: Counter = Counter()
    for message in messages:
        item = message.item
        subtype = item.get("subtype")
        if subtype not in TALK:
            skipped[str(subtype)] += 1
            continue
        if is_bot(item):
            skipped["bot"] += 1
            continue
        text = item.get("text")
        if not isinstance(text, str | None):
            raise MalformedError(str(message.file), f"[{message.position}]: 'text' is not a "
                                 "string", hint="check that the file is Slack's export")
        said = plain_text(text or "", name_of).strip()
        if not said:
            skipped["empty"] += 1
            continue
        user = item.get("user")
        speaker = name_of(str(user)) if user else str(item.get("username") or "").strip()
        if not speaker:
            raise NoSpeakerError(str(message.file), f"[{message.position}]: a message "
                                 f"without a user: {said[:60]!r}",
                                 hint='every message of a Slack export has a "user"; export '
                                      "the channel again")
        kept.append((message, said, speaker))
    if not kept:
        return None
    first = kept[0][0].ts
    segments = []
    for message, said, speaker in kept:
        item = message.item
        source = {"file": message.file.name, "ts": str(item.get("ts")),
                  "user": str(item.get("user") or "")}
        if item.get("thread_ts") and item.get("thread_ts") != item.get("ts"):
            source["thread_ts"] = str(item["thread_ts"])  # a reply: the thread it belongs to
        segments.append(Segment(speaker, said, start=round(message.ts - first, 3),
                                source=message.position,
                                where=f"{message.file.name}[{message.position}]", meta=source))
    meta: dict[str, Any] = {"channel": channel.name}
    if info.get("id"):
        meta["channel_id"] = str(info["id"])
    meta["started"] = datetime.fromtimestamp(first, UTC).isoformat(timespec="seconds")
    if skipped:
        meta["skipped"] = dict(sorted(skipped.items()))
    return make_transcript(channel, "slack", segments, session_id=channel.name, meta=meta,
                           merge=False, unit="message")


def _in_export(exc: ReadError, channel: Path, readable: int) -> ReadError:
    """A channel's read error, said to be in one channel of an export whose other channels
    were read: the error names the day file and its place; the fix says how to read this
    channel too."""
    if not readable:
        return exc
    return type(exc)(
        exc.path, f"{exc.problem}; this is channel '{channel.name}' of a Slack export, "
        f"whose {readable} other channel{'s were' if readable > 1 else ' was'} read",
        line=exc.line, where=exc.where,
        hint=f"{exc.hint}; then run again to read '{channel.name}' too (or move it out of "
             "the export folder)")


def read(path: Path, text: str | None = None, **options) -> Iterator[Transcript]:
    """Every channel of an export folder with talk in it, or one channel folder."""
    if not path.is_dir():
        raise UnknownFormatError(str(path), "a Slack export is read as a folder, not file by "
                                 "file", hint="name the channel's folder (its day files "
                                              "2024-03-12.json are one session) or the "
                                              "export folder (every channel)")
    export = path if is_export(path) else path.parent if is_export(path.parent) else None
    channels = _channels(path) if export == path else [path] if day_files(path) else []
    if not channels:
        raise EmptyTranscriptError(
            str(path), "no channel folder with day files (2024-03-12.json) in this Slack "
            "export" if export == path else "no day files (2024-03-12.json) in this folder",
            hint="export the workspace again with its messages (Slack: Workspace settings, "
                 "Import/Export Data, Export) and unzip it whole; then name the export folder "
                 "or one channel's folder")
    users = _users(export)
    conversations = _conversations(export)
    messages = {}
    broken: dict[Path, ReadError] = {}  # a broken channel fails alone (PartialReadError)
    for channel in channels:
        try:
            messages[channel] = _messages(channel)
        except ReadError as exc:
            broken[channel] = exc
    name_of = _names([m for found in messages.values() for m in found], users)
    is_bot = _bots(users)
    transcripts = []
    for channel in messages:
        try:
            transcript = _session(channel, messages[channel], name_of,
                                  conversations.get(channel.name, {}), is_bot)
        except ReadError as exc:
            broken[channel] = exc
            continue
        if transcript is None and export != path:
            raise EmptyTranscriptError(
                str(channel), "no messages to read: the channel has only Slack's notices "
                "(joins, topic changes), bots' posts or empty messages",
                hint="export the channel again once it holds the negotiation; notices "
                     "(channel_join ...) and bot messages are not turns")
        if transcript is not None:
            transcripts.append(transcript)
    if broken:
        if len(channels) == 1:
            raise broken[channels[0]]
        readable = len(channels) - len(broken)
        raise PartialReadError([_in_export(broken[c], c, readable)
                                for c in channels if c in broken], transcripts)
    yield from transcripts
    if not transcripts:
        raise EmptyTranscriptError(
            str(path), "no messages to read: every channel has only Slack's notices (joins, "
            "topic changes), bots' posts or empty messages",
            hint="export the workspace again once it holds the negotiation; notices "
                 "(channel_join ...) and bot messages are not turns")


__all__ = ["SLACKBOT", "TALK", "day_files", "is_channel", "is_export", "is_slack", "plain_text",
           "read"]
