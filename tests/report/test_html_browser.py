"""The HTML report as a real browser renders it (headless Chromium, offline).

Checks what a coach sees (stage sections, inline SVG charts) and that a transcript holding
``<script>``, ``<img onerror>`` or other HTML cannot run or inject anything. A control page
proves the check would catch a script that runs. Skips with a clear reason when Chromium is
not on PATH (CI's ``.ci/run`` installs Debian's ``chromium`` package).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from analyzer.io.output import OutputFolder
from analyzer.report.writers import write_session_reports

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found on PATH "
                       "(CI's .ci/run installs Debian's chromium package)"),
]
TIMEOUT = 60


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium once, offline and sandboxed from the user's profile; returns
    stdout. The whole process group is killed on timeout."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-extensions", "--mute-audio",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"chromium did not finish in {TIMEOUT} s")
    assert proc.returncode == 0, err[-2000:]
    return out


def dump_dom(tmp_path: Path, page: Path) -> str:
    return chromium(tmp_path, "--virtual-time-budget=2000", "--dump-dom", page.as_uri())


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _elements(dom: str) -> list[tuple[str, dict]]:
    """Every element of the rendered DOM with its attributes."""
    parser = _Parser()
    parser.feed(dom)
    return parser.elements


def _title(dom: str) -> str:
    match = re.search(r"<title>(.*?)</title>", dom, re.S)
    return match.group(1) if match else ""


def test_control_a_script_that_runs_is_caught(tmp_path):
    page = tmp_path / "control.html"
    page.write_text("<html><head><title>marker</title></head><body>"
                    "<script>document.title='pwned'</script></body></html>")
    assert _title(dump_dom(tmp_path, page)) == "pwned"


def test_hostile_transcript_cannot_run_or_inject(tmp_path, hostile):
    [page] = write_session_reports(hostile, OutputFolder(tmp_path / "out"), ["html"])
    dom = dump_dom(tmp_path, page)
    title = _title(dom)
    assert "pwned" != title and title.startswith("Negotiation report: s&lt;1&gt;&amp;")
    elements = _elements(dom)
    assert not [t for t, _ in elements if t in ("img", "script", "i")]
    assert not [a for _, a in elements if any(k.startswith("on") for k in a)]  # no handlers
    assert not [a for t, a in elements if t == "a" and not a.get("href", "").startswith("#")]
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom  # shown as text
    assert "Eve &amp; &lt;b&gt;Co&lt;/b&gt;" in dom


def test_rendered_page_has_stage_sections_charts_and_every_turn(tmp_path, timed_dyad):
    [page] = write_session_reports(timed_dyad, OutputFolder(tmp_path / "out"), ["html"])
    dom = dump_dom(tmp_path, page)
    for stage in ("opening", "exploring", "bargaining", "closing"):
        assert f'id="stage-{stage}"' in dom
    assert dom.count("<svg") >= 10 and 'class="chart timeline"' in dom
    assert len(re.findall(r'<tr class="[a-z ]+" id="turn-\d+"', dom)) == 13
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000",
             "--hide-scrollbars", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_spoken_example_page_in_the_browser(tmp_path, spoken_reports):
    """The page `analyzer analyze corpora/examples/<spoken example> --format html` writes."""
    [page] = sorted(spoken_reports.glob("*.html"))
    dom = dump_dom(tmp_path, page)
    elements = _elements(dom)
    stages = [a["data-stage"] for t, a in elements if t == "section" and "data-stage" in a]
    assert stages and set(stages) <= {"opening", "exploring", "bargaining", "closing"}
    assert sum(1 for t, _ in elements if t == "svg") >= 2 * len(stages)
    assert not [t for t, _ in elements if t in ("script", "img", "iframe")]
    assert _title(dom).startswith("Negotiation report: ")


def test_overview_page_in_the_browser(tmp_path, hostile, timed_dyad, mediated):
    """The overview of a run (``_index.html``): a row and a working link per session, and a
    hostile session id or speaker name cannot run or inject anything."""
    from analyzer.report.tables import sessions_table
    from analyzer.report.writers import write_overview

    folder = OutputFolder(tmp_path / "out")
    for analysis in (hostile, timed_dyad, mediated):
        write_session_reports(analysis, folder, ["html"])
    rows = sessions_table([hostile, timed_dyad, mediated]).to_dict("records")
    failures = [{"file": "x<script>document.title='pwned'</script>.vtt", "line": 3,
                 "error": "<img src=x onerror=alert(1)>", "hint": ""}]
    [page] = write_overview(folder, rows, failures, ["html"])
    dom = dump_dom(tmp_path, page)
    assert _title(dom) == "Sessions overview"
    elements = _elements(dom)
    assert not [t for t, _ in elements if t in ("script", "img", "iframe", "b")]
    assert not [a for _, a in elements if any(k.startswith("on") for k in a)]
    links = [a["href"] for t, a in elements if t == "a"]
    assert len(links) == 3
    for href in links:  # relative links to the three reports, which exist
        assert "://" not in href and (page.parent / unquote(href)).is_file()
    assert dom.count('class="strip"') == 3 and dom.count('class="obar"') == 3
