"""ELAN annotation files (``.eaf``), as linguists and conversation analysts write them.

An ELAN file holds tiers of annotations. The speech of a session is on its top-level tiers,
one per speaker, whose ``ALIGNABLE_ANNOTATION``s point into ``TIME_ORDER`` (two time slots,
milliseconds). Dependent tiers (those with a ``PARENT_REF``) hang off them: translations and
glosses (``REF_ANNOTATION``s) or words that subdivide an utterance; they are not turns, and
reading them would say the same thing twice, so they are skipped.

The speaker is the tier's ``PARTICIPANT`` when set, else its ``TIER_ID`` (else ``Tier <n>``,
its place among the speech tiers). Turns are put in
start-time order across tiers (ties keep the file's tier order), and consecutive annotations
of one speaker merge into one turn, as caption cues and transcription segments do: ELAN
users cut one person's speech at pauses, as captioners do. Empty annotations are skipped.

A time slot without ``TIME_VALUE`` (ELAN leaves slots unaligned when a boundary was never
set on the media) gets a time interpolated between the nearest slots with times before and
after it in ``TIME_ORDER``, evenly spaced, or the nearest one's time at either end; with no
times at all, the turns are untimed and keep ``TIME_ORDER``'s order.

The XML is parsed safely (``xmlsafe``): no DTD, no entities, nothing fetched.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EmptyTranscriptError, TimingError, UnknownFormatError
from ..transcript import Transcript
from .base import Segment, make_transcript
from .xmlsafe import LineHandler, parse_lines

_FIX = ("save it again from ELAN (File > Save As) or restore it from a backup: a file cut "
        "off or broken by editing by hand cannot be read")


@dataclass
class _Annotation:
    id: str
    ref1: str | None
    ref2: str | None
    line: int | None
    text: list[str] = field(default_factory=list)


@dataclass
class _Tier:
    id: str
    participant: str
    parent: str | None
    line: int | None
    annotations: list[_Annotation] = field(default_factory=list)


class _Document(LineHandler):
    """What the reader needs from an EAF file, with the line of each element it keeps."""

    def __init__(self) -> None:
        self.root: tuple[str, int | None] | None = None
        self.slots: dict[str, tuple[str | None, int | None]] = {}  # id -> (TIME_VALUE, line)
        self.order: list[str] = []  # TIME_ORDER as written
        self.tiers: list[_Tier] = []
        self._tier: _Tier | None = None
        self._annotation: _Annotation | None = None
        self._in_value = False

    def startElement(self, name, attrs) -> None:  # noqa: N802 (SAX's name)
        if self.root is None:
            self.root = (name, self.line)
        if name == "TIME_SLOT":
            slot = attrs.get("TIME_SLOT_ID", "")
            self.slots[slot] = (attrs.get("TIME_VALUE"), self.line)
            self.order.append(slot)
        elif name == "TIER":
            self._tier = _Tier(attrs.get("TIER_ID", ""), (attrs.get("PARTICIPANT") or "").strip(),
                               attrs.get("PARENT_REF"), self.line)
            self.tiers.append(self._tier)
        elif name == "ALIGNABLE_ANNOTATION" and self._tier is not None:
            self._annotation = _Annotation(attrs.get("ANNOTATION_ID", ""),
                                           attrs.get("TIME_SLOT_REF1"),
                                           attrs.get("TIME_SLOT_REF2"), self.line)
            self._tier.annotations.append(self._annotation)
        elif name == "ANNOTATION_VALUE":
            self._in_value = self._annotation is not None

    def endElement(self, name) -> None:  # noqa: N802 (SAX's name)
        if name == "TIER":
            self._tier = None
        elif name == "ALIGNABLE_ANNOTATION":
            self._annotation = None
        elif name == "ANNOTATION_VALUE":
            self._in_value = False

    def characters(self, content: str) -> None:
        if self._in_value and self._annotation is not None:
            self._annotation.text.append(content)


def _slot_times(path: Path, doc: _Document) -> dict[str, float | None]:
    """Seconds for every time slot, unaligned ones interpolated (see the module's text)."""
    values: list[float | None] = []
    for slot in doc.order:
        raw, line = doc.slots[slot]
        try:
            value = None if raw is None or not raw.strip() else int(raw.strip())
        except ValueError:
            value = -1
        if value is not None and value < 0:
            raise TimingError(str(path), f"time slot {slot!r} has TIME_VALUE {raw!r}, not a "
                              "number of milliseconds", line=line,
                              hint="a TIME_VALUE is a whole number of milliseconds from the start "
                                   "of the media (0 or more); " + _FIX)
        values.append(None if value is None else value / 1000)
    known = [i for i, value in enumerate(values) if value is not None]
    times: dict[str, float | None] = {}
    for i, slot in enumerate(doc.order):
        value = values[i]
        if value is None and known:
            after = bisect_left(known, i)
            if after == 0 or after == len(known):  # before the first or after the last
                value = values[known[min(after, len(known) - 1)]]
            else:
                lo, hi = known[after - 1], known[after]
                start, end = values[lo], values[hi]
                assert start is not None and end is not None
                value = start + (end - start) * (i - lo) / (hi - lo)
        times[slot] = None if value is None else round(value, 3)
    return times


def _speech_tiers(path: Path, doc: _Document) -> list[_Tier]:
    """The top-level tiers with time-aligned annotations; none is an error that lists the
    tiers there are."""
    tiers = [tier for tier in doc.tiers if not tier.parent and tier.annotations]
    if tiers:
        return tiers
    line = doc.tiers[0].line if doc.tiers else (doc.root[1] if doc.root else None)
    if not doc.tiers:
        found = "it has no tiers"
    else:
        found = "its tiers are " + ", ".join(
            repr(t.id) + (f" (depends on {t.parent!r})" if t.parent else " (empty)")
            for t in doc.tiers[:8]) + (", ..." if len(doc.tiers) > 8 else "")
    raise EmptyTranscriptError(
        str(path), f"no speech tier: turns are read from top-level tiers with time-aligned "
        f"annotations, and {found}", line=line,
        hint="in ELAN, put each speaker's utterances on a top-level tier (one without a parent "
             "tier) aligned to the media, and save again")


def read(path: Path, text: str, **options) -> Iterator[Transcript]:
    doc = _Document()
    parse_lines(path, text, doc, writer="ELAN", hint=_FIX)
    if doc.root is None or doc.root[0] != "ANNOTATION_DOCUMENT":
        name = doc.root[0] if doc.root else "none"
        raise UnknownFormatError(str(path), f"this XML is not an ELAN annotation document (its "
                                 f"root element is <{name}>, not <ANNOTATION_DOCUMENT>)",
                                 line=doc.root[1] if doc.root else None,
                                 hint="give an ELAN .eaf file, or convert this XML to one of "
                                      "the formats `analyzer formats` lists")
    tiers = _speech_tiers(path, doc)
    times = _slot_times(path, doc)
    position = {slot: i for i, slot in enumerate(doc.order)}
    found: list[tuple[tuple, Segment]] = []
    for t, tier in enumerate(tiers):
        # an empty TIER_ID without a PARTICIPANT gave a speaker with no name (fuzzing QA)
        speaker = tier.participant or tier.id.strip() or f"Tier {t + 1}"
        for a, annotation in enumerate(tier.annotations):
            refs = []
            for attribute, ref in (("TIME_SLOT_REF1", annotation.ref1),
                                   ("TIME_SLOT_REF2", annotation.ref2)):
                if ref not in times:
                    said = f"{attribute} {ref!r} names no TIME_SLOT in TIME_ORDER" if ref \
                        else f"the annotation has no {attribute}"
                    raise TimingError(
                        str(path), f"tier {tier.id!r}: {said}", line=annotation.line,
                        where=f"annotation {annotation.id}",
                        hint="an annotation of a speech tier needs two time slots listed in "
                             "TIME_ORDER (<TIME_SLOT TIME_SLOT_ID=\"...\" TIME_VALUE=\"ms\"/>); "
                             + _FIX)
                refs.append(ref)
            said = " ".join("".join(annotation.text).split())
            if not said:
                continue
            start, end = times[refs[0]], times[refs[1]]
            key = (start if start is not None else -1.0, position[refs[0]], t, a)
            found.append((key, Segment(speaker, said, start=start, end=end, line=annotation.line,
                                       where=f"annotation {annotation.id}",
                                       meta={"tier": tier.id})))
    if not found:
        names = ", ".join(repr(tier.id) for tier in tiers)
        raise EmptyTranscriptError(str(path), f"the speech tiers ({names}) hold no annotation "
                                   "with text", line=tiers[0].line,
                                   hint="transcribe the annotations in ELAN, or give a file "
                                        "that has them")
    segments = [segment for _, segment in sorted(found, key=lambda item: item[0])]
    yield make_transcript(path, "eaf", segments, unit="annotation")


__all__ = ["read"]
