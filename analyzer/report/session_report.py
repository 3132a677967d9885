"""Everything a coach's report says about one session, as plain data (dicts, lists, numbers).

``build_report`` is the single source every renderer reads: the JSON report is this dict as
it is, Markdown, HTML and the terminal only choose what to show and how. Keeping the
numbers here means the three formats can never disagree.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..nlp.language import check_language, language_note
from ..results import SessionAnalysis
from ..transcript import outcome_basis
from . import wording
from .arc import MARGIN, WINDOW, arc, climate, turning_points
from .by_stage import session_overview, stage_breakdown
from .facts import CHAT_FORMATS, TurnFact, turn_facts
from .headlines import headlines
from .issues import issues_on_the_table
from .opportunities import missed_opportunities
from .reciprocity import reciprocity

SCHEMA = "analyzer.session-report/1"


def _round(value: Any) -> Any:
    return round(float(value), 4) if isinstance(value, float) else value


def turn_details(analysis: SessionAnalysis, facts: list[TurnFact]) -> list[dict]:
    """Every turn with its stage, move, orientation, confidence, why, and its units."""
    climate_after = dict(climate(facts))
    units_by_turn: dict[int, list[dict]] = {}
    for unit, move in zip(analysis.units, analysis.unit_moves, strict=True):
        units_by_turn.setdefault(unit.turn, []).append({
            "unit": unit.index, "start_char": unit.start_char, "end_char": unit.end_char,
            "text": unit.text, "move": move.move, "orientation": move.orientation,
            "confidence": _round(move.confidence)})
    stage_probs = analysis.stages.probabilities
    rows = []
    for pos, (fact, move) in enumerate(zip(facts, analysis.moves, strict=True)):
        turn = analysis.transcript.turns[pos]
        rows.append({
            "turn": fact.index, "speaker": fact.speaker, "role": fact.role,
            "text": fact.text, "start": fact.start, "end": fact.end,
            "end_estimated": fact.end_estimated,
            "source_line": turn.source_line, "is_action": fact.is_action,
            "action": fact.action,
            "action_terms": dict(turn.action.terms) if turn.action else None,
            "words": fact.words, "questions": fact.questions, "stage": fact.stage,
            "stage_probabilities": ({k: _round(v) for k, v in stage_probs[pos].items()}
                                    if pos < len(stage_probs) else None),
            "move": move.move, "orientation": move.orientation,
            "confidence": _round(move.confidence), "labels": list(move.labels),
            "probabilities": {k: _round(v) for k, v in move.probabilities.items()},
            "reasons": list(move.reasons), "offer": move.offer,
            "gold": list(turn.gold) or None,
            "climate": climate_after.get(fact.index),
            "units": units_by_turn.get(pos, []),
        })
    return rows


def build_report(analysis: SessionAnalysis, nlp=None) -> dict:
    """The whole report of one session as JSON-ready data."""
    t = analysis.transcript
    facts = turn_facts(analysis)
    model = dict(analysis.model or {})
    notes = {
        "orientation": wording.ORIENTATION_NOTE,
        "stages": wording.STAGE_NOTE,
        "reciprocity": wording.RECIPROCITY_NOTE,
        "climate": wording.CLIMATE_NOTE.format(window=WINDOW, margin=MARGIN),
        "third_parties": wording.THIRD_PARTY_NOTE,
        "model": wording.model_note(model),
    }
    if any(f.end_estimated for f in facts):
        notes["times"] = (wording.CHAT_ENDS_NOTE if t.format in CHAT_FORMATS
                          else wording.ESTIMATED_ENDS_NOTE)
    basis = outcome_basis(t)
    if basis == "talk":
        notes["outcome"] = wording.INFERRED_OUTCOME_NOTE
    if wording.uses_casino(model):
        notes["data"] = "The move model was trained on CaSiNo: " + wording.CASINO_CREDIT
    language = check_language(t)
    not_english = language_note(language)
    if not_english:
        notes["language"] = not_english
    report = {
        "schema": SCHEMA,
        "software": {"analyzer": __version__},
        "session": {
            "id": t.session_id, "source": t.source, "format": t.format,
            "turns": len(t.turns), "timed": t.has_times,
            "duration": _duration(facts),
            "speakers": [{"name": s.name, "role": s.role} for s in t.speakers],
            "parties": list(t.parties), "third_parties": list(t.third_parties),
            "outcome": analysis.stages.outcome, "outcome_turn": analysis.stages.outcome_turn,
            "outcome_basis": basis, "english_share": language.english_share,
            "not_english": not language.english,
            "outcome_text": wording.OUTCOMES.get(analysis.stages.outcome,
                                                 analysis.stages.outcome),
            "meta": dict(t.meta),
        },
        "model": model,
        "overview": session_overview(analysis, facts),
        "stages": stage_breakdown(analysis, facts),
        "arc": arc(facts),
        "turning_points": turning_points(facts),
        "climate_window": {"turns": WINDOW, "margin": MARGIN},
        "reciprocity": reciprocity(facts, t.parties),
        "missed_opportunities": missed_opportunities(facts),
        "issues": issues_on_the_table(facts, nlp),
        "turns": turn_details(analysis, facts),
        "notes": notes,
        "references": dict(wording.REFERENCES),
    }
    report["headlines"] = headlines(report)
    return report


def _duration(facts: list[TurnFact]) -> float | None:
    starts = [f.start for f in facts if f.start is not None]
    ends = [f.end if f.end is not None else f.start for f in facts if f.start is not None]
    return round(max(ends) - min(starts), 3) if starts else None
