"""Writing a session's reports and the end-of-run summary: the two calls ``analyze`` makes.

Every file goes through ``OutputFolder`` (inside ``--out``, atomic), named after the session
id made file-safe. The report data is built once per session and rendered per format.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError
from ..io.output import OutputFolder, safe_name
from ..results import SessionAnalysis

#: The report formats ``analyze --format`` and ``batch --reports`` accept. This module imports
#: the report builder (and through it spaCy) only when it writes, so the command line can
#: check a format without paying ~1 s of imports in the batch driver.
REPORT_FORMATS = ("md", "json", "html")


def render(report: dict, fmt: str) -> str:
    """The report in one format: ``md``, ``json`` or ``html``."""
    if fmt == "md":
        from .markdown import render_markdown
        return render_markdown(report)
    if fmt == "json":
        from .json_report import render_json
        return render_json(report)
    if fmt == "html":
        from .html import render_html
        return render_html(report)
    raise UsageError(f"unknown report format {fmt!r}",
                     hint=f"choose from {', '.join(REPORT_FORMATS)}")


def write_session_reports(analysis: SessionAnalysis, folder: OutputFolder,
                          formats: Sequence[str], nlp=None) -> list[Path]:
    """Write ``<safe session id>.<fmt>`` for each format; returns the paths written."""
    if not formats:
        return []
    from .session_report import build_report

    report = build_report(analysis, nlp=nlp)
    name = safe_name(analysis.transcript.session_id)
    return [folder.write_text(f"{name}.{fmt}", render(report, fmt)) for fmt in formats]


def print_summary(analyses: Sequence[SessionAnalysis], failures: Sequence, out_root,
                  console=None) -> None:
    """The terminal summary of a run (rich on a terminal, plain text otherwise)."""
    from .terminal import print_summary as _print

    _print(analyses, failures, out_root, console=console)
