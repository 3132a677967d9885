"""The table rows equal what the per-stage / per-speaker form gave, key order and number
types included.

Why: ``stage_rows`` and ``session_row`` were rewritten for speed (one pass over the turns
filling every stage x speaker cell; orientation shares by ``list.count``; metadata
flattened with a stack instead of a call per level). This file keeps the form before
(commit 9100cb1) as the reference and compares ``repr`` of the rows (so 0 vs 0.0 or a
reordered key would fail too; with the changes of 27 Nov 2026: shares of 0 turns and a
talk share of 0 words are None, durations use the reports' estimated ends, the model's
version and hash are columns; since 0.4.0 an action's terms are a turns column) on the
examples (mediated, timed, untimed sessions, formal actions), CaSiNo valid (nested
metadata) and the hand-made report fixtures.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

import pytest

from analyzer.report import tables as T
from analyzer.report.facts import turn_ends
from analyzer.results import ORIENTATIONS, STAGES, SessionAnalysis
from analyzer.transcript import PARTY, is_third_party

# -- the reference: the row builders as of 9100cb1 -------------------------------------------



def _csv_join(names) -> str:
    """Names as one CSV line (a name holding a comma or quote quoted), as ``join_names``."""
    import csv
    import io

    if not names:
        return ""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(names)
    return buffer.getvalue()

def ref_role_lookup(t):
    roles: dict[str, str] = {}
    for speaker in t.speakers:
        roles.setdefault(speaker.name, speaker.role)
    return lambda name: roles.get(name, PARTY)


def ref_shares(orientations: Iterable[str]) -> dict[str, float]:
    counts = Counter(orientations)
    total = sum(counts.values())
    return {f"{o}_share": (counts[o] / total if total else None) for o in ORIENTATIONS}


def ref_flatten(meta, prefix: str = "meta") -> dict:
    flat: dict = {}
    for key, value in (meta or {}).items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict):
            flat.update(ref_flatten(value, name))
        elif isinstance(value, (list, tuple)):
            flat[name] = json.dumps(value)
        else:
            flat[name] = value
    return flat


def ref_stage_rows(analysis: SessionAnalysis) -> list[dict]:
    t = analysis.transcript
    turns = t.turns
    role_of = ref_role_lookup(t)
    n_words = [0 if turn.is_action else T.words(turn.text) for turn in turns]
    ends = [end for end, _ in turn_ends(analysis)]
    by_stage: dict[str, list[int]] = {}
    for i, s in enumerate(analysis.stages.stages):
        by_stage.setdefault(s, []).append(i)
    rows = []
    for stage in STAGES:
        idx = by_stage.get(stage)
        if not idx:
            continue
        spoken = [i for i in idx if not turns[i].is_action]
        party_words = sum(n_words[i] for i in spoken
                          if not is_third_party(role_of(turns[i].speaker)))
        all_words = sum(n_words[i] for i in spoken)
        by_speaker: dict[str, list[int]] = {}
        for i in idx:
            by_speaker.setdefault(turns[i].speaker, []).append(i)
        for speaker in t.speakers:
            mine = by_speaker.get(speaker.name)
            if not mine:
                continue
            w = sum(n_words[i] for i in mine if not turns[i].is_action)
            denom = all_words if is_third_party(speaker.role) else party_words
            # seconds spoken: less the silences between a turn's merged cues (0.11.0)
            times = [(turns[i].start, ends[i], turns[i].meta.get("pause_seconds", 0.0))
                     for i in mine]
            duration = round(sum((e - s - p) for s, e, p in times
                                 if s is not None and e is not None), 3) \
                if t.has_times else None
            rows.append({
                "session_id": t.session_id, "stage": stage, "speaker": speaker.name,
                "role": speaker.role, "first_turn": mine[0], "last_turn": mine[-1],
                "turns": len(mine), "words": w, "talk_share": (w / denom) if denom else None,
                **ref_shares(analysis.moves[i].orientation for i in mine
                             if not turns[i].is_action),
                "duration": duration,
            })
    return rows


def _report_duration(analysis: SessionAnalysis) -> float | None:
    """The session's length as the report gives it: table and report must agree."""
    from analyzer.report.facts import turn_facts
    from analyzer.report.session_report import _duration

    return _duration(turn_facts(analysis)) if analysis.transcript.has_times else None


def _ref_language(t) -> dict:
    """The English check of ``nlp/language.py`` written plainly: the first 200 characters
    of every k-th spoken turn, one stop-word set per language."""
    import re
    from importlib import import_module

    from analyzer.nlp.language import OTHER_LANGUAGES

    def stops(code):
        return {w.lower().replace("\u2019", "'") for w in
                import_module(f"spacy.lang.{code}.stop_words").STOP_WORDS}

    spoken = [turn.text[:200] for turn in t.turns if not turn.is_action]
    step = max(1, round(sum(len(x) for x in spoken) / 1000))
    text = " ".join(spoken[::step]).lower().replace("\u2019", "'")
    plain = "".join(" " if c.isascii() and (c.isdigit() or (not c.isalnum() and c != "'"))
                    else c for c in text).split()
    if len(plain) < 30:
        return {"english_share": None, "not_english": False}
    en = stops("en")
    share = round(sum(w in en for w in plain) / len(plain), 3)
    if share >= 0.3:
        return {"english_share": share, "not_english": False}
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", text)
    margin = max(sum(w in stops(code) for w in words) for code in OTHER_LANGUAGES)
    margin = round((margin - sum(w in en for w in words)) / max(len(words), 1), 3)
    return {"english_share": share, "not_english": share < 0.15 or margin > 0.15}


def ref_session_row(analysis: SessionAnalysis) -> dict:
    t = analysis.transcript
    role_of = ref_role_lookup(t)
    bounds = analysis.stages.boundaries()
    spoken = [i for i, turn in enumerate(t.turns) if not turn.is_action]
    moves = analysis.moves
    by_party = {name: ref_shares(moves[i].orientation for i in spoken
                                 if t.turns[i].speaker == name) for name in t.parties}
    row = {
        "session_id": t.session_id, "source": t.source, "format": t.format,
        "turns": len(t.turns), "duration": _report_duration(analysis),
        "speakers": len(t.speakers), "parties": _csv_join(t.parties),
        "third_parties": _csv_join(t.third_parties), "outcome": analysis.stages.outcome,
        "outcome_turn": analysis.stages.outcome_turn,
        "outcome_basis": "formal" if any(turn.is_action and turn.action.kind in
                                         ("accept", "walk_away") for turn in t.turns)
        else "talk",
        **{f"{s}_start": bounds[s] for s in STAGES},
        **ref_shares(moves[i].orientation for i in spoken
                     if not is_third_party(role_of(t.turns[i].speaker))),
        "orientation_by_party": json.dumps(by_party, sort_keys=True),
        **_ref_language(t),
        "model": analysis.model.get("name"), "model_version": analysis.model.get("version"),
        "model_hash": analysis.model.get("hash"),
    }
    row.update(ref_flatten(t.meta))
    return row


def ref_turn_rows(analysis: SessionAnalysis) -> list[dict]:
    t = analysis.transcript
    role_of = ref_role_lookup(t)
    return [{
        "session_id": t.session_id, "turn": turn.index, "speaker": turn.speaker,
        "role": role_of(turn.speaker), "text": turn.text, "start": turn.start,
        "end": turn.end, "is_action": turn.is_action,
        "action": turn.action.kind if turn.action else None,
        "action_terms": json.dumps(dict(turn.action.terms), sort_keys=True,
                                   separators=(",", ":"))
        if turn.action and turn.action.terms else None,
        "source_line": turn.source_line, "stage": stage, "move": move.move,
        "orientation": move.orientation, "confidence": round(float(move.confidence), 4),
        "labels": ",".join(move.labels), "offer": move.offer,
        "gold": ",".join(turn.gold) if turn.gold else None,
        "words": 0 if turn.is_action else T.words(turn.text),
    } for turn, move, stage in zip(t.turns, analysis.moves, analysis.stages.stages,
                                   strict=True)]


# -- the comparison ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analyses(examples_dir, casino_dir) -> list[SessionAnalysis]:
    from analyzer.io import expand_inputs, read_transcripts
    from analyzer.pipeline import Analyzer

    transcripts = [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]
    transcripts += list(read_transcripts(casino_dir / "casino_valid.json"))[:12]
    return list(Analyzer().analyze_many(transcripts))


def _check(analysis: SessionAnalysis) -> None:
    name = analysis.transcript.session_id
    assert repr(T.turn_rows(analysis)) == repr(ref_turn_rows(analysis)), name
    assert repr(T.stage_rows(analysis)) == repr(ref_stage_rows(analysis)), name
    assert repr(T.session_row(analysis)) == repr(ref_session_row(analysis)), name


def test_rows_equal_the_reference_on_examples_and_casino(analyses):
    assert any(a.transcript.third_parties for a in analyses)  # a mediated session
    assert any(a.transcript.has_times for a in analyses)
    assert any(len(T.flatten_meta(a.transcript.meta)) > 20 for a in analyses)  # CaSiNo
    for analysis in analyses:
        _check(analysis)


def test_rows_equal_the_reference_on_hand_made_sessions(timed_dyad, mediated, hostile):
    for analysis in (timed_dyad, mediated, hostile):
        _check(analysis)


def test_flatten_meta_equals_the_reference_on_odd_metadata():
    from collections import OrderedDict

    meta = {"a": {"b": 1, "c": {"d": [1, 2], "e": {}}}, "a.b": 2, "e": (3,), "f": None,
            "g": OrderedDict(h=True), "i": {"j": {"k": {"l": 1.5}}, "m": "x"}, "n": b"y"}
    for prefix in ("meta", "x"):
        flat = T.flatten_meta(meta, prefix)
        assert list(flat.items()) == list(ref_flatten(meta, prefix).items())
    assert T.flatten_meta(None) == {} == ref_flatten(None)
