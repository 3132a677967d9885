"""The reports of the bundled examples, made by the real pipeline through ``analyzer analyze``."""

from __future__ import annotations

import json

import pytest


def _report(folder, ext="json"):
    [path] = sorted(folder.glob(f"*.{ext}"))
    return path.read_text(encoding="utf-8")


def test_spoken_example_reports(spoken_reports):
    data = json.loads(_report(spoken_reports))
    assert data["session"]["timed"] and len(data["session"]["parties"]) == 2
    assert data["turns"] and all(t["stage"] in ("opening", "exploring", "bargaining", "closing")
                                 for t in data["turns"])
    stages = [s["stage"] for s in data["stages"]]
    assert stages == sorted(stages, key=["opening", "exploring", "bargaining",
                                         "closing"].index)
    for stage in data["stages"]:
        if stage["conversation"]["party_words"]:
            assert sum(p["talk_share"] for p in stage["parties"]) == pytest.approx(1.0)
            assert sum(p["time_share"] for p in stage["parties"]) == pytest.approx(1.0)
    assert data["issues"]["issues"], "a supply contract has issues on the table"
    markdown = _report(spoken_reports, "md")
    for stage in stages:
        assert f"### {stage.capitalize()}" in markdown
    assert (spoken_reports / "turns.csv").exists()


def test_mediation_example_keeps_the_mediator_apart(mediation_reports):
    data = json.loads(_report(mediation_reports))
    assert data["session"]["third_parties"] == ["Mediator"]
    assert len(data["session"]["parties"]) == 3
    mediator_words = 0
    for stage in data["stages"]:
        assert "Mediator" not in [p["speaker"] for p in stage["parties"]]
        mediator_words += sum(t["words"] for t in stage["third_parties"])
        if stage["conversation"]["party_words"]:
            assert sum(p["talk_share"] for p in stage["parties"]) == pytest.approx(1.0)
            party_words = sum(p["words"] for p in stage["parties"])
            assert party_words == stage["conversation"]["party_words"]
    assert mediator_words > 0
    assert {r["party"] for r in data["reciprocity"]["parties"]} == set(data["session"]["parties"])
    assert "## Third parties" in _report(mediation_reports, "md")


def test_mediation_example_codes_the_mediator_by_process(mediation_reports):
    """The mediator's turns carry process codes, all neutral, each with its rule's reason;
    the parties' turns keep the model's moves."""
    from analyzer.moves.third_party import THIRD_PARTY_CODES

    turns = json.loads(_report(mediation_reports))["turns"]
    mediator = [t for t in turns if t["speaker"] == "Mediator"]
    parties = [t for t in turns if t["speaker"] != "Mediator"]
    assert len(mediator) == 15
    assert all(t["move"] in THIRD_PARTY_CODES and t["orientation"] == "neutral"
               for t in mediator)
    assert all(any(r.startswith("rule:third-party") for r in t["reasons"]) for t in mediator)
    assert {"probe", "summary", "procedure", "rapport"} <= {t["move"] for t in mediator}
    assert not any(t["move"] in THIRD_PARTY_CODES for t in parties)
    assert {t["orientation"] for t in parties} >= {"integrative", "distributive"}
    # its quotes are its longest turns of the most telling process codes, not the model's
    [third] = json.loads(_report(mediation_reports))["overview"]["third_parties"]
    quoted = third["quotes"]["neutral"]
    assert [q["move"] for q in quoted] == ["probe", "summary"]
    assert [q["turn"] for q in quoted] == sorted(q["turn"] for q in quoted)


def test_context_reasons_say_what_the_unit_followed(spoken_reports):
    """A long turn's move is decided by one of its units; when that unit is not the first,
    its "previous" context was the same speaker's sentence, so the reason must not claim
    the previous turn was by the same speaker."""
    turns = json.loads((spoken_reports / "supplier_contract.json").read_text())["turns"]
    said = [t for t in turns if "context:same speaker as the previous turn" in t["reasons"]]
    assert all(turns[t["turn"] - 1]["speaker"] == t["speaker"] for t in said)
    assert any("context:continues the turn" in t["reasons"] for t in turns)
