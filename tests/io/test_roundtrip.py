"""Round trips: what ``to_text`` / ``to_csv`` write, ``read_transcripts`` reads back unchanged."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.io import read_transcripts, to_csv, to_text, write_csv, write_text
from analyzer.io.base import Segment, make_turns
from analyzer.io.text import _HEADER_KEYS, not_a_speaker
from analyzer.transcript import Transcript, speakers_in_order

_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
line = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"),
                             blacklist_characters=_LINE_BREAKS), min_size=1, max_size=40) \
    .map(str.strip).filter(bool)
word = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)
name = st.lists(word, min_size=1, max_size=3).map(" ".join).filter(
    lambda n: not not_a_speaker(n) and n.lower() not in _HEADER_KEYS)
# lines that look like a label or a timestamp must stay inside the turn that has them
tricky = st.one_of(line, st.builds("{}: {}".format, name, line),
                   st.from_regex(r"\[?\d{1,2}:\d{2}\]?( [A-Z][a-z]+:)?", fullmatch=True))
texts = st.lists(tricky, min_size=1, max_size=3).map("\n".join)


@st.composite
def transcripts(draw, session="s"):
    speakers = draw(st.lists(name, min_size=1, max_size=3, unique=True))
    n = draw(st.integers(1, 8))
    timed = draw(st.booleans())
    starts = sorted(draw(st.lists(st.integers(0, 10_000_000), min_size=n, max_size=n)))
    segments = [Segment(draw(st.sampled_from(speakers)), draw(texts),
                        start=starts[i] / 1000 if timed else None) for i in range(n)]
    turns = make_turns(segments)
    return Transcript(session, "memory", "text", speakers_in_order(turns), tuple(turns))


def same(read: Transcript, written: Transcript) -> None:
    def key(t: Transcript):
        return [(x.speaker, x.text, None if x.start is None else round(x.start, 3),
                 None if x.end is None else round(x.end, 3)) for x in t.turns]

    assert key(read) == key(written)
    assert [(s.name, s.role) for s in read.speakers] == \
        [(s.name, s.role) for s in written.speakers]


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(transcripts())
def test_text_round_trip(tmp_path, transcript):
    path = write_text(transcript, tmp_path / "s.txt")
    (read,) = read_transcripts(path)
    same(read, transcript)
    assert to_text(read) == to_text(transcript)


@SETTINGS
@given(st.lists(transcripts(), min_size=1, max_size=3))
def test_csv_round_trip(tmp_path, items):
    items = [Transcript(f"session-{i}", t.source, t.format, t.speakers, t.turns)
             for i, t in enumerate(items)]
    path = write_csv(items, tmp_path / "s.csv")
    read = list(read_transcripts(path))
    assert [t.session_id for t in read] == [t.session_id for t in items]
    for got, want in zip(read, items, strict=True):
        same(got, want)
    assert to_csv(read) == to_csv(items)


def test_text_writer_keeps_roles_and_protects_label_like_lines():
    segments = [Segment("Dana", "Welcome.", start=1.0),
                Segment("Lee", "Our offer:\nNote: two years\nBen: says hi\n12:30", start=2.5)]
    turns = make_turns(segments)
    t = Transcript("x", "memory", "text", speakers_in_order(turns, {"Dana": "mediator"}),
                   tuple(turns))
    assert to_text(t) == ("[00:00:01] Dana (mediator): Welcome.\n"
                          "[00:00:02.500] Lee: Our offer:\n  Note: two years\n  Ben: says hi\n"
                          "  12:30\n")
    (back,) = read_transcripts_from_text(to_text(t))
    assert [(x.speaker, x.text) for x in back.turns] == [(x.speaker, x.text) for x in t.turns]


def read_transcripts_from_text(text):
    from pathlib import Path

    from analyzer.io.text import read

    return list(read(Path("memory.txt"), text))
