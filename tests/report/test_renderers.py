"""Markdown, JSON, HTML and the terminal summary: content, file names and escaping."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from analyzer.errors import Failure, UsageError
from analyzer.io.output import OutputFolder
from analyzer.report.html import render_html
from analyzer.report.markdown import md, render_markdown
from analyzer.report.session_report import build_report
from analyzer.report.writers import print_summary, render, write_session_reports

SCRIPT = "<script>document.title='pwned'</script>"  # as in conftest's hostile session
IMG = "<img src=x onerror=\"document.title='pwned'\">"


class _Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.title = ""  # the page's <title> (SVG charts have their own <title> tooltips)
        self.text = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title" and not self.title

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self.title += data


def _parse(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


def test_markdown_has_every_stage_and_section(timed_dyad):
    text = render_markdown(build_report(timed_dyad))
    for heading in ("### Opening", "### Exploring", "### Bargaining", "### Closing",
                    "## Turning points", "## Reciprocity", "## Missed opportunities",
                    "## Conversation metrics by stage", "## Issues on the table",
                    "## Transcript", "## References"):
        assert heading in text
    assert "Weingart" in text and "macro-F1 0.71" in text
    assert "| 6 | 0:33 | Alex | bargaining | package\\_offer | integrative | 88% |" in text


def test_markdown_mediator_section_is_separate(mediated):
    text = render_markdown(build_report(mediated))
    assert "## Third parties" in text
    glance = text.split("## Stages")[0]
    assert "| Mediator |" not in glance.split("Whole session, parties only:")[1]


def test_markdown_escapes_html_and_markup(hostile):
    text = render_markdown(build_report(hostile))
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text
    assert md("a | b [x](javascript:1) *y*") == "a \\| b \\[x\\](javascript:1) \\*y\\*"


def test_json_round_trips_with_numbers(timed_dyad):
    data = json.loads(render(build_report(timed_dyad), "json"))
    assert data["schema"] == "analyzer.session-report/1"
    for key in ("session", "model", "overview", "stages", "arc", "turning_points",
                "reciprocity", "missed_opportunities", "issues", "turns", "notes",
                "references"):
        assert key in data
    turn = data["turns"][3]
    assert turn["reasons"] == ["cue:self-need"]
    assert turn["probabilities"] == {"distributive": 0.9}
    assert isinstance(turn["confidence"], float) and turn["stage"] == "exploring"
    assert data["turns"][11]["action"] == "submit"
    assert isinstance(data["stages"][1]["parties"][0]["talk_share"], float)
    assert data["session"]["outcome"] == "agreement"


def test_html_is_self_contained_with_charts_and_stage_sections(timed_dyad):
    page = render_html(build_report(timed_dyad))
    parsed = _parse(page)
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing fetched
    assert "Content-Security-Policy" in page
    sections = [a.get("data-stage") for t, a in parsed.tags if t == "section"]
    assert [s for s in sections if s] == ["opening", "exploring", "bargaining", "closing"]
    assert tags.count("svg") >= 10
    # a tick per turn in the timeline: 11 spoken turns coloured + 2 hollow actions
    assert sum(1 for t, a in parsed.tags if t == "rect" and "tick" in a.get("class", "")) == 11
    assert parsed.title == "Negotiation report: dyad-1"


def test_html_escapes_every_transcript_string(hostile):
    page = render_html(build_report(hostile))
    parsed = _parse(page)
    assert [t for t, _ in parsed.tags].count("script") == 0
    assert not [a for t, a in parsed.tags if t == "img"]
    assert not [a for t, a in parsed.tags if t == "i" or "onerror" in a]
    text = "".join(parsed.text)
    assert "Eve & <b>Co</b>" in text and "all the <i>firewood</i>" in text
    assert not [a for t, a in parsed.tags if t == "a" and "javascript" in a.get("href", "")]
    assert parsed.title == f"Negotiation report: s<1>&{SCRIPT}"  # as text, not as markup
    assert SCRIPT not in page and IMG not in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page


def test_write_session_reports_names_files_after_the_session(tmp_path, hostile, timed_dyad):
    folder = OutputFolder(tmp_path / "out")
    paths = write_session_reports(timed_dyad, folder, ["md", "json", "html"])
    assert [p.name for p in paths] == ["dyad-1.md", "dyad-1.json", "dyad-1.html"]
    hostile_paths = write_session_reports(hostile, folder, ["html"])
    assert hostile_paths[0].parent == folder.root
    assert "/" not in hostile_paths[0].name and "<" not in hostile_paths[0].name
    assert write_session_reports(timed_dyad, folder, []) == []
    with pytest.raises(UsageError):
        render(build_report(timed_dyad), "pdf")


def test_terminal_summary_plain_when_not_a_terminal(timed_dyad, mediated):
    out = StringIO()
    failure = Failure("bad.vtt", 12, "bad cue timing", "write HH:MM:SS.mmm --> HH:MM:SS.mmm")
    print_summary([timed_dyad, mediated], [failure], "/tmp/out",
                  console=Console(file=out, force_terminal=False, width=120))
    text = out.getvalue()
    assert "\x1b[" not in text and "\u2503" not in text  # no colour codes, no box drawing
    assert "session dyad-1: 13 turns, agreement reached (turn 12)" in text
    assert "exploring  turns 2-5    Alex I 100% D 0% N 0% | Blair I 0% D 100% N 0%" in text
    assert "third parties (reported apart): Mediator" in text
    assert "failed: bad.vtt:12: bad cue timing (fix: write HH:MM:SS.mmm --> HH:MM:SS.mmm)" in text
    assert text.rstrip().endswith("2 session(s) analysed, 1 failed; results in /tmp/out")


def test_terminal_summary_names_a_one_turn_stage_as_one_turn():
    from analyzer.report.terminal import _span

    assert _span({"first_turn": 4, "last_turn": 4}) == "4"
    assert _span({"first_turn": 2, "last_turn": 5}) == "2-5"


def test_terminal_summary_rich_never_reads_markup_from_transcripts(hostile):
    out = StringIO()
    print_summary([hostile], [], "/tmp/[bold]x", console=Console(file=out, force_terminal=True,
                                                                 width=160))
    text = out.getvalue()
    assert "Eve & <b>Co</b>" in text and "/tmp/[bold]x" in text


def test_an_outcome_read_off_the_talk_says_so(timed_dyad, mediated):
    """A formal Accept-Deal decides the outcome and needs no caveat; a transcript without
    formal actions gets "inferred from the talk" wherever the outcome is shown, a note saying
    how reliable that is, and ``outcome_basis`` in the JSON and the sessions table."""
    formal, talk = build_report(timed_dyad), build_report(mediated)
    assert formal["session"]["outcome_basis"] == "formal" and "outcome" not in formal["notes"]
    assert talk["session"]["outcome_basis"] == "talk"
    assert "inferred" not in talk["session"]["outcome_text"]
    assert talk["headlines"][0].startswith("Impasse (no agreement)") and \
        "(inferred from the talk); stages" in talk["headlines"][0]
    assert "least reliable output" in talk["notes"]["outcome"]
    line = next(x for x in render(talk, "md").splitlines() if x.startswith("- Outcome:"))
    assert line.startswith("- Outcome: impasse (no agreement)") and \
        line.endswith(", inferred from the talk")
    assert "inferred from the talk" in render(talk, "html")
    assert "inferred from the talk" not in render(formal, "md").split("## At a glance")[0]
    from analyzer.report.tables import sessions_table
    table = sessions_table([timed_dyad, mediated])
    assert list(table["outcome_basis"]) == ["formal", "talk"]
    out = StringIO()
    print_summary([mediated], [], "/tmp/out", console=Console(file=out, force_terminal=False,
                                                              width=120))
    assert "inferred from the talk" in out.getvalue()


def test_lengths_of_an_hour_and_more_show_hours():
    from analyzer.report.wording import seconds

    assert seconds(59) == "0:59" and seconds(3599) == "59:59"
    assert seconds(3600) == "1:00:00" and seconds(7265.4) == "2:01:05"
    assert seconds(168 * 3600) == "168:00:00" and seconds(None) == "-"


def test_names_holding_commas_are_listed_with_semicolons():
    from analyzer.report.wording import name_list

    assert name_list(["Ana", "Ben"]) == "Ana, Ben"
    assert name_list(["Okafor, Grace", "Lindqvist, Erik"]) == "Okafor, Grace; Lindqvist, Erik"
    assert name_list([]) == ""


def test_a_chat_pause_is_no_ones_time(session_factory):
    """In a WhatsApp or Slack chat, a message's end is its words' time, not the next
    message's send time (an overnight pause gave one person a 99% time share)."""
    from dataclasses import replace

    from analyzer.report.facts import WORDS_PER_SECOND, turn_ends

    rows = [("Ana", "Can we talk about the rent tomorrow?", 0.0, None, "question",
             "neutral", 0.9),
            ("Ben", "Sure, I am free after ten.", 50_000.0, None, "other", "neutral", 0.9)]
    spoken = session_factory("chat", rows, ["opening"] * 2, "unfinished")
    # spoken: holds the floor until the next turn, but a break is no one's talk either:
    # 7 words at half the usual rate plus 3 s
    assert turn_ends(spoken)[0] == (pytest.approx(3.0 + 7 / (WORDS_PER_SECOND / 2)), True)
    rows[1] = rows[1][:2] + (5.0,) + rows[1][3:]  # the next turn 5 s later: held till then
    assert turn_ends(session_factory("talk", rows, ["opening"] * 2, "unfinished"))[0] == \
        (5.0, True)
    chat = replace(spoken, transcript=replace(spoken.transcript, format="whatsapp"))
    assert turn_ends(chat)[0] == (7 / WORDS_PER_SECOND, True)


def test_terminal_summary_of_one_session_adds_the_glance_and_its_reports(timed_dyad, mediated):
    """A coach analysing one meeting sees the report's "At a glance" lines (but the first,
    which the stage table repeats) and where its reports are; a run of many does not."""
    out = StringIO()
    print_summary([mediated], [], "/tmp/out", console=Console(file=out, force_terminal=False,
                                                              width=200),
                  reports=[Path("/tmp/out/m.md")])
    text = out.getvalue()
    glance = build_report(mediated)["headlines"]
    assert all(f"  - {line}" in text for line in glance[1:])
    assert glance[0] not in text and "Talk share:" in text
    assert "report: /tmp/out/m.md" in text
    out = StringIO()
    print_summary([timed_dyad, mediated], [], "/tmp/out",
                  console=Console(file=out, force_terminal=False, width=200),
                  reports=[Path("/tmp/out/m.md")])
    assert "Talk share:" not in out.getvalue() and "report:" not in out.getvalue()


def test_the_why_column_reads_as_words():
    """The HTML's "why" showed the model's feature names ("next_cue:", "word:"); the JSON
    keeps them (visual QA, 28 Nov 2026)."""
    from analyzer.report.wording import reason_words

    assert reason_words('word:"evening"') == 'the word "evening"'
    assert reason_words('next_cue:"first_person_plural"') == \
        "the reply has a cue of first person plural"
    assert reason_words('cue:conditional_offer "in return"') == \
        'conditional offer cue "in return"'
    assert reason_words('rule:third-party probe "can i ask"') == \
        'third-party rule: probe ("can i ask")'
    assert reason_words("this turn reads as no-need") == "this turn reads as no-need"


def _contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb (or #rgb) colours."""
    def lum(h: str) -> float:
        h = h.lstrip("#")
        h = "".join(c * 2 for c in h) if len(h) == 3 else h
        rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_html_charts_have_names_and_colours_pass_wcag_contrast(timed_dyad):
    """Accessibility QA, 28 Nov 2026: 46 of 48 charts were unnamed images for a screen
    reader (the per-stage shares existed only in them), white on the neutral grey was
    2.4:1, and orientation in the timeline was colour alone."""
    from analyzer.report.svg import COLORS, INK, LABEL_ON, TICK_PLACE

    page = render_html(build_report(timed_dyad))
    charts = re.findall(r"<svg [^>]*>", page)
    assert charts and all('role="img"' in c and re.search(r'aria-label="[^"]+"', c)
                          for c in charts)
    assert 'aria-label="integrative ' in page and 'aria-label="talk share ' in page
    assert "Transcript table" in re.search(r'class="chart timeline"[^>]*', page).group(0)
    assert "<main>" in page and '<nav aria-label="Sections"><a href="#glance">At a glance</a> '\
        in page
    for orientation, fill in COLORS.items():
        assert _contrast(fill, "#ffffff") >= 3.0, orientation  # graphics (1.4.11)
        assert _contrast(fill, LABEL_ON[orientation]) >= 4.5, orientation  # text in a bar
        assert _contrast(INK[orientation], "#ffffff") >= 4.5, orientation  # words on white
    assert len(set(TICK_PLACE.values())) == 3  # not colour alone


def test_control_characters_and_bidi_overrides_in_names_are_defused():
    """Security QA, 28 Nov 2026: an ESC in a speaker's name reached the terminal raw (it
    could set the window title or clear the screen) and the Markdown; "Bob\\u202e" with an
    unclosed override reversed the figures after it."""
    from analyzer.report.wording import isolate, printable

    assert printable("Alice\x1b]0;PWNED\x07\x1b[2J") == "Alice?]0;PWNED??[2J"
    assert printable("tab\tand\nline") == "tab\tand\nline"
    assert md("Eve\x1b[31m") == "Eve?\\[31m"
    assert isolate("Bob\u202e") == "\u2068Bob\u202e\u2069" and isolate("Bob") == "Bob"


def test_right_to_left_names_are_isolated_in_markdown_tables_and_html_header(session_factory):
    """Regression QA, 28 Nov 2026: right-to-left names in the Markdown tables' cells and the
    HTML header's party list reordered the figures and names around them."""
    rows = [("محمد علي", "Hello, what matters most to you?", None, None, "elicit-pref",
             "integrative", 0.9),
            ("שרה כהן", "The price, mostly.", None, None, "self-need", "distributive", 0.8),
            ("Ben", "Fine.", None, None, "non-strategic", "neutral", 0.9)]
    report = build_report(session_factory("rtl", rows, ["exploring"] * 3, "unfinished"))
    text = render_markdown(report)
    cells = [line for line in text.splitlines() if line.startswith("| ") and "محمد" in line]
    assert cells and all("\u2068محمد علي\u2069" in line for line in cells)
    page = render_html(report)
    assert "<bdi>محمد علي</bdi>, <bdi>שרה כהן</bdi>" in page
