"""The overview of a run (``_index.html`` / ``_index.md``): one row per session, linked.

Built from rows of the sessions table, so these tests use hand-built sessions (known
stages, outcomes and shares), the real ``analyze`` command over the examples, and a real
``batch`` with reports.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.io.output import OutputFolder, safe_name
from analyzer.report.overview import (
    OVERVIEW_NAME,
    render_overview,
    span_text,
    stage_spans,
    summary,
)
from analyzer.report.tables import failures_table, sessions_table
from analyzer.report.writers import write_overview, write_session_reports


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href", ""))


def _links(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


def _rows(*analyses):
    return sessions_table(analyses).to_dict("records")


def test_stage_spans_follow_the_start_columns():
    row = {"turns": 10, "opening_start": 0, "exploring_start": None, "bargaining_start": 3,
           "closing_start": 8}
    assert stage_spans(row) == [("opening", 0, 2), ("bargaining", 3, 7), ("closing", 8, 9)]
    assert span_text(stage_spans(row)) == "O 0\u20132 \u00b7 B 3\u20137 \u00b7 C 8\u20139"
    assert stage_spans({"turns": 0}) == []
    # NaN from a pandas table reads as missing
    assert stage_spans({"turns": 2, "opening_start": float("nan"), "closing_start": 0.0}) == [
        ("closing", 0, 1)]


def test_summary_counts_outcomes_stages_and_means(timed_dyad, mediated):
    rows = _rows(timed_dyad, mediated)
    info = summary(rows)
    assert info["sessions"] == 2
    assert info["turns"] == len(timed_dyad.transcript.turns) + len(mediated.transcript.turns)
    assert info["outcomes"] == {"agreement": 1, "impasse": 1}
    assert info["reached"]["opening"] == 2 and info["reached"]["closing"] >= 1
    means = [r["integrative_share"] for r in rows]
    assert info["mean_shares"]["integrative"] == pytest.approx(sum(means) / 2)


def test_html_overview_links_escapes_and_lists_failures(hostile, timed_dyad):
    rows = _rows(hostile, timed_dyad)
    failures = failures_table([]).to_dict("records") + [
        {"file": "bad<script>.vtt", "line": 7, "error": "cue <b>broken</b>", "hint": "fix & go"}]
    links = {hostile.transcript.session_id: "s 1/x<y>.html"}
    page = render_overview("html", rows, links, failures, version="0.2.0")
    parsed = _links(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags and "img" not in parsed.tags
    # the hostile session id is shown as text, its link percent-encoded inside the folder
    assert "s&lt;1&gt;&amp;" in page
    assert parsed.hrefs == ["s%201/x%3Cy%3E.html"]
    assert "Eve &amp; &lt;b&gt;Co&lt;/b&gt;" in page  # a party name from the transcript
    assert "bad&lt;script&gt;.vtt" in page and "cue &lt;b&gt;broken&lt;/b&gt;" in page
    assert "Content-Security-Policy" in page
    # one table row per session, with its outcome and stage strip
    body = page.split('<table class="overview">')[1].split("</table>")[0]
    assert body.count("<tr>") == 3  # header + 2 sessions
    assert "agreement (turn 12)" in body
    assert page.count('class="strip"') == 2


def test_markdown_overview_cannot_forge_markup(hostile, timed_dyad):
    page = render_overview("md", _rows(hostile, timed_dyad),
                           {timed_dyad.transcript.session_id: "dyad-1.md"})
    table = [line for line in page.splitlines() if line.startswith("| ")]
    assert len(table) == 3  # header + 2 sessions
    # every row has the header's 7 cells: a "|" from a transcript is escaped
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 8 for line in table)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "| [dyad-1](<dyad-1.md>) |" in page


def test_write_overview_links_only_reports_that_exist(tmp_path, timed_dyad, mediated):
    folder = OutputFolder(tmp_path / "out")
    write_session_reports(timed_dyad, folder, ["html"])  # mediated has no report
    [page] = write_overview(folder, _rows(timed_dyad, mediated), [], ["html", "json"])
    assert page.name == f"{OVERVIEW_NAME}.html"
    hrefs = _links(page.read_text()).hrefs
    assert hrefs == [f"{safe_name(timed_dyad.transcript.session_id)}.html"]
    assert (page.parent / hrefs[0]).is_file()


def test_no_session_report_can_be_named_like_the_overview():
    for name in ("_index", "_index.html", "__index", " _index"):
        assert safe_name(name) != OVERVIEW_NAME
        assert not safe_name(name).startswith("_")


def _analyze(args):
    return CliRunner().invoke(app, ["analyze", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def examples_overview(examples_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("overview")
    broken = Path(__file__).resolve().parents[1] / "data" / "broken" / "backwards.srt"
    result = _analyze([str(examples_dir), str(broken), "--out", str(out),
                       "--format", "md,html", "--quiet"])
    assert result.exit_code == 1  # the broken file
    return out


def test_analyze_writes_an_overview_of_every_session(examples_overview):
    import pandas as pd

    sessions = pd.read_csv(examples_overview / "sessions.csv")
    page = (examples_overview / "_index.html").read_text()
    hrefs = _links(page).hrefs
    assert len(hrefs) == len(sessions) == 11
    for href in hrefs:  # every link opens the session's own report, inside the folder
        target = (examples_overview / unquote(href)).resolve()
        assert target.is_file() and target.parent == examples_overview.resolve()
    assert "backwards.srt" in page and "Not analysed" in page
    md = (examples_overview / "_index.md").read_text()
    assert md.count("](<") == 11 and "Not analysed: 1" in md
    # the outcomes line adds up to the sessions
    counts = summary(sessions.to_dict("records"))["outcomes"]
    assert sum(counts.values()) == 11
    for outcome, n in counts.items():
        assert f"{outcome} {n}" in md


def test_a_rerun_with_one_session_removes_the_old_overview(examples_overview, examples_dir,
                                                           tmp_path):
    out = tmp_path / "out"
    _analyze([str(examples_dir), "--out", str(out), "--format", "html", "--quiet"])
    assert (out / "_index.html").is_file()
    _analyze([str(examples_dir / "partnership.srt"), "--out", str(out), "--format", "html",
              "--quiet"])
    assert not (out / "_index.html").exists()  # it listed sessions this run does not have
    assert (out / "partnership.html").is_file()


def test_batch_reports_get_an_overview_with_working_links(examples_dir, tmp_path):
    out = tmp_path / "batch"
    result = CliRunner().invoke(app, ["batch", str(examples_dir), "--out", str(out),
                                      "--workers", "1", "--reports", "html,md"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = out / "reports" / f"{OVERVIEW_NAME}.html"
    hrefs = _links(page.read_text()).hrefs
    assert len(hrefs) == 11
    for href in hrefs:
        target = (page.parent / unquote(href)).resolve()
        assert target.is_file() and target.suffix == ".html"
        assert (out / "reports").resolve() in target.parents
    assert (out / "reports" / f"{OVERVIEW_NAME}.md").is_file()
    assert "overview of the reports" in result.output


def test_sessions_not_in_english_are_counted_apart(timed_dyad, mediated):
    rows = _rows(timed_dyad, mediated)
    rows[1]["not_english"] = True
    info = summary(rows)
    assert info["sessions"] == 2 and info["not_english"] == 1
    assert info["outcomes"] == {"agreement": 1}  # the flagged session's outcome left out
    md_page = render_overview("md", rows, {})
    assert "Not English (not in the outcomes, stages and means above): 1" in md_page
    assert "not English: labels not meaningful" in md_page
    html_page = render_overview("html", rows, {})
    assert html_page.count('class="warn"') == 1


def test_files_of_the_same_name_show_their_paths(timed_dyad, mediated):
    rows = _rows(timed_dyad, mediated)
    rows[0]["source"], rows[1]["source"] = "calls/a/call.vtt", "calls/b/call.vtt"
    page = render_overview("md", rows, {})
    assert "calls/a/call.vtt" in page and "calls/b/call.vtt" in page
    rows[1]["source"] = "calls/b/other.vtt"  # no clash: just the names
    page = render_overview("md", rows, {})
    assert "| call.vtt |" in page and "| other.vtt |" in page


def test_outcomes_all_inferred_say_so(timed_dyad):
    rows = _rows(timed_dyad, timed_dyad)
    for row in rows:
        row["outcome_basis"] = "talk"
    assert "agreement 2 (all inferred from the talk)" in render_overview("md", rows, {})


def test_a_batch_rerun_without_md_removes_the_old_markdown_overview(examples_dir, tmp_path):
    out = tmp_path / "batch"
    for reports in ("html,md", "html"):
        result = CliRunner().invoke(app, ["batch", str(examples_dir / "partnership.srt"),
                                          str(examples_dir / "zoom_salary.vtt"), "--out",
                                          str(out), "--workers", "1", "--reports", reports],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert (out / "reports" / "_index.html").is_file()
    assert not (out / "reports" / "_index.md").exists()


def test_one_inferred_outcome_reads_plainly(timed_dyad):
    rows = _rows(timed_dyad)
    rows[0]["outcome_basis"] = "talk"
    assert "agreement 1 (inferred from the talk)" in render_overview("md", rows, {})


def test_a_batch_overview_links_the_channels_of_a_slack_export(tmp_path):
    """A Slack export is one input (its folder) holding a session per channel: the worker
    files their reports under the export's name, not the channel's."""
    chats = Path(__file__).resolve().parents[1] / "data" / "chats"
    export = next(p for p in chats.iterdir() if p.is_dir() and (p / "users.json").is_file())
    out = tmp_path / "batch"
    result = CliRunner().invoke(app, ["batch", str(export), "--out", str(out), "--workers",
                                      "1", "--reports", "md"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    page = (out / "reports" / "_index.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(<([^>]+)>\)", page)
    assert links and all((out / "reports" / unquote(link)).is_file() for link in links)
    assert page.count("\n| ") - 1 == len(links)  # every session row is linked


def test_party_shares_come_in_the_sessions_order_of_parties():
    """The overview listed parties alphabetically, the report in order of speaking."""
    import json

    from analyzer.report.overview import party_shares

    row = {"parties": "Zoe,Adam", "orientation_by_party": json.dumps(
        {"Adam": {"integrative_share": 0.5}, "Zoe": {"integrative_share": 0.2}},
        sort_keys=True)}
    assert list(party_shares(row)) == ["Zoe", "Adam"]


def test_right_to_left_names_keep_their_figures_in_order(timed_dyad):
    """The overview's "محمد: 20% / 40%" rendered as "40 / %20 :محمد%": the name was not
    isolated, so a trainer read the two shares the wrong way round (trainer QA, 28 Nov
    2026). The sessions table keeps the names readable too, not as JSON escapes."""
    import json

    row = _rows(timed_dyad)[0]
    shares = json.loads(row["orientation_by_party"])
    first = next(iter(shares))
    row["orientation_by_party"] = json.dumps({"محمد": shares[first]}, ensure_ascii=False)
    row["parties"] = "محمد"
    page = render_overview("html", [row], {})
    assert "<bdi>محمد</bdi>:" in page
    text = render_overview("md", [row], {})
    assert "\u2068محمد\u2069 " in text
    assert "\\u" not in _rows(timed_dyad)[0]["orientation_by_party"]
