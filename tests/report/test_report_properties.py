"""Any session, however odd, gives a complete report in every format (hypothesis)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.report.html import render_html
from analyzer.report.markdown import render_markdown
from analyzer.report.session_report import build_report
from analyzer.results import ORIENTATIONS, STAGES

SPEAKERS = ["Ana", "Ben", "Mediator", "<b>Cy</b> & Co"]
MOVES = ["elicit-pref", "self-need", "small-talk", "package_offer", "single_issue_offer",
         "promote-coordination", "non-strategic", "accept"]
TEXTS = ["", "ok", "What matters most to you?", "I need 3 water & all the firewood.",
         "<script>alert(1)</script>", "How about 2 food for you and 1 water for me?",
         "Submit-Deal", "Accept-Deal"]


@st.composite
def sessions(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    timed = draw(st.booleans())
    rows, t = [], 0.0
    for _ in range(n):
        start = t if timed else None
        t += draw(st.floats(min_value=0, max_value=20))
        end = (t if draw(st.booleans()) else None) if timed else None
        rows.append((draw(st.sampled_from(SPEAKERS)), draw(st.sampled_from(TEXTS)), start, end,
                     draw(st.sampled_from(MOVES)), draw(st.sampled_from(ORIENTATIONS)),
                     draw(st.floats(min_value=0, max_value=1))))
    cuts = sorted(draw(st.lists(st.integers(0, n), min_size=3, max_size=3)))
    bounds = [0, *cuts, n]
    stages = [STAGES[k] for k in range(4) for _ in range(bounds[k], bounds[k + 1])]
    return rows, stages


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=sessions())
def test_every_session_reports_in_every_format(session_factory, data):
    rows, stages = data
    analysis = session_factory("prop", rows, stages, "unfinished")
    report = build_report(analysis)
    assert json.loads(json.dumps(report, default=str))["session"]["turns"] == len(rows)
    assert len(report["turns"]) == len(rows)
    for stage in report["stages"]:
        assert all(r["role"] == "party" for r in stage["parties"])
        if stage["conversation"]["party_words"]:
            assert sum(r["talk_share"] for r in stage["parties"]) == pytest.approx(1.0)
    page = render_html(report)
    assert "<script>alert" not in page and page.count("<section") >= 8
    assert "<script>" not in render_markdown(report)
