"""Writing a session's reports and the end-of-run summary: the two calls ``analyze`` makes.

Every file goes through ``OutputFolder`` (inside ``--out``, atomic), named after the session
id made file-safe. The report data is built once per session and rendered per format.
"""

from __future__ import annotations

import os
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

    name = safe_name(analysis.transcript.session_id)
    for fmt in formats:  # all or none: no md left behind when the json may not be written
        folder.check_writable(f"{name}.{fmt}")
    report = build_report(analysis, nlp=nlp)
    return [folder.write_text(f"{name}.{fmt}", render(report, fmt)) for fmt in formats]


def write_overview(folder: OutputFolder, sessions, failures, formats: Sequence[str],
                   report_dir: str = "", report_of=None) -> list[Path]:
    """Write the overview of a run (``_index.html``, ``_index.md``: ``overview.py``) for the
    html and md formats among ``formats`` into ``report_dir`` of ``folder``; returns the
    paths written.

    ``sessions`` and ``failures`` are rows of the sessions and failures tables: lists, or
    functions giving a fresh iterable on each call (``batch`` reads them back from Parquet
    in batches, so the page is streamed to its file and never held whole).
    ``report_of(row, fmt)`` is the path of a session's report relative to ``folder``
    (default ``<safe session id>.<fmt>``, where ``write_session_reports`` puts it); a link
    is made only to a report that exists.
    """
    from .. import __version__
    from .overview import OVERVIEW_FORMATS, OVERVIEW_NAME, overview_parts

    def default_report(row, fmt):
        return f"{safe_name(row['session_id'])}.{fmt}"

    report_of = report_of or default_report
    rows = sessions if callable(sessions) else (lambda: sessions)
    failed = failures if callable(failures) else (lambda: failures)
    base = folder.root / report_dir
    written = []
    for fmt in (f for f in formats if f in OVERVIEW_FORMATS):
        def link_of(row, fmt=fmt):
            target = report_of(row, fmt)
            if not target or not (folder.root / target).is_file():
                return None
            return Path(os.path.relpath(folder.root / target, base)).as_posix()

        def write(path: Path, fmt=fmt, link_of=link_of) -> None:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                for part in overview_parts(fmt, rows, link_of, failed, version=__version__):
                    handle.write(part)

        name = f"{report_dir}/{OVERVIEW_NAME}.{fmt}" if report_dir else f"{OVERVIEW_NAME}.{fmt}"
        written.append(folder.write_atomic(name, write))
    return written


def print_summary(analyses: Sequence[SessionAnalysis], failures: Sequence, out_root,
                  console=None, overview: Sequence[Path] = (),
                  reports: Sequence[Path] = ()) -> None:
    """The terminal summary of a run (rich on a terminal, plain text otherwise)."""
    from .terminal import print_summary as _print

    _print(analyses, failures, out_root, console=console, overview=overview, reports=reports)
