"""The per-stage, per-party breakdown a coach reads first.

For each stage present and each speaker: turns, words, talk and time share, the
integrative / distributive / neutral shares of their spoken turns, the move types behind those
shares and the most telling quotes. Parties and third parties are kept in separate lists:
a mediator's moves are reported in their own section and are never part of a party's shares.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from ..results import ORIENTATIONS, STAGES, SessionAnalysis
from ..transcript import is_third_party
from .conversation import conversation_metrics
from .facts import TurnFact
from .vocab import is_relational

QUOTE_CHARS = 240
QUOTES_PER_ORIENTATION = 2
QUOTE_MIN_WORDS = 3


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "\u2026"


def quote(fact: TurnFact) -> dict:
    return {"turn": fact.index, "speaker": fact.speaker, "start": fact.start,
            "stage": fact.stage, "move": fact.move, "orientation": fact.orientation,
            "confidence": round(fact.confidence, 4), "text": clip(fact.text)}


#: A quote stands for its orientation only when the model is more sure than not (with three
#: orientations, 0.39 is barely above chance: such a turn is no example to show a coach).
QUOTE_MIN_CONFIDENCE = 0.5
#: Candidates per quote beyond which a stage's quotes are spread over it (``telling_quotes``)
SPREAD_FROM = 10


def telling_quotes(facts: Sequence[TurnFact], orientation: str,
                   k: int = QUOTES_PER_ORIENTATION) -> list[dict]:
    """The clearest examples of ``orientation``: the model's most confident such turns, at
    least a few words long (so "ok" never stands for a whole stage) and labelled with at least
    ``QUOTE_MIN_CONFIDENCE``, substantive moves before relational ones (small talk says
    little about the deal); shown in turn order."""
    pool = [f for f in facts if f.spoken and f.orientation == orientation
            and f.words >= QUOTE_MIN_WORDS and f.confidence >= QUOTE_MIN_CONFIDENCE]
    rank = lambda f: (is_relational(f), -f.confidence, f.index)  # noqa: E731
    if len(pool) > SPREAD_FROM * k:
        # a long stage: the best of each of k stretches of it, so its quotes do not all
        # come from its first minutes (long-sessions QA, 28 Nov 2026: every quote of a
        # 13-hour bargaining stage came from its first 25 minutes, the confidences tied)
        pool.sort(key=lambda f: f.index)
        size = -(-len(pool) // k)
        best = [min(pool[j:j + size], key=rank) for j in range(0, len(pool), size)]
    else:
        best = sorted(pool, key=rank)[:k]
    return [quote(f) for f in sorted(best, key=lambda f: f.index)]


#: The third parties' process codes most worth quoting, in order: what they put on the table
#: and how they summed it up say more about the session than a welcome or a "Tom?".
QUOTED_PROCESS = ("suggestion", "summary", "probe", "procedure")


def process_quotes(facts: Sequence[TurnFact], k: int = QUOTES_PER_ORIENTATION) -> list[dict]:
    """A third party's telling quotes: its longest turn of each process code, the codes in
    ``QUOTED_PROCESS`` order (its orientation is neutral by rule, so the model's confidence
    cannot pick them); shown in turn order."""
    picked = []
    for code in QUOTED_PROCESS:
        pool = [f for f in facts if f.spoken and f.move == code and f.words >= QUOTE_MIN_WORDS]
        if pool:
            picked.append(max(pool, key=lambda f: (f.words, -f.index)))
        if len(picked) == k:
            break
    return [quote(f) for f in sorted(picked, key=lambda f: f.index)]


def nominal_orientations(model_info: Mapping, facts: Sequence[TurnFact]) -> dict[str, str]:
    """The orientation each move type stands for: the model's own map when it has one,
    else the orientation the model gave that move most often in this session.

    A turn's orientation and its move can disagree (the model predicts them separately and a
    turn's orientation rolls up from its units), so move types are listed with the
    orientation they nominally carry, not bucketed by the turn's orientation.
    """
    mapping = dict((model_info or {}).get("orientation_map") or {})
    seen: dict[str, Counter] = {}
    for fact in facts:
        seen.setdefault(fact.move, Counter())[fact.orientation] += 1
    for move, counts in seen.items():
        if move not in mapping:
            mapping[move] = counts.most_common(1)[0][0]
    return {m: o for m, o in mapping.items() if m in seen}


def orientation_profile(facts: Sequence[TurnFact], nominal: Mapping[str, str]) -> dict:
    """Counts and shares of each orientation over spoken turns, and the move types (with the
    orientation each stands for) behind them."""
    spoken = [f for f in facts if f.spoken]
    counts = Counter(f.orientation for f in spoken)
    total = sum(counts.values())
    moves = Counter(f.move for f in spoken)
    ordered = sorted(moves.items(), key=lambda kv: (
        ORIENTATIONS.index(nominal.get(kv[0], "neutral")), -kv[1], kv[0]))
    return {
        "orientation_counts": {o: counts.get(o, 0) for o in ORIENTATIONS},
        # None without a spoken turn (a party whose only turn in a stage is Accept-Deal):
        # 0 of 0, as in the stages table, not 0%
        "orientation_shares": {o: (counts.get(o, 0) / total if total else None)
                               for o in ORIENTATIONS},
        "moves": dict(ordered),
        "move_orientations": {m: nominal.get(m, "neutral") for m, _ in ordered},
    }


def speaker_rows(facts: Sequence[TurnFact], speakers: Sequence[tuple[str, str]],
                 timed: bool, nominal: Mapping[str, str]) -> tuple[list[dict], list[dict], dict]:
    """Parties' rows, third parties' rows (only those who spoke) and the stretch's metrics."""
    metrics = conversation_metrics(facts, speakers, timed)
    by_speaker: dict[str, list[TurnFact]] = {}  # grouped once (see conversation_metrics)
    for f in facts:
        by_speaker.setdefault(f.speaker, []).append(f)
    parties, third = [], []
    for row in metrics.pop("speakers"):
        mine = by_speaker.get(row["speaker"], [])
        third_party = is_third_party(row["role"])
        full = {**row, "actions": sum(1 for f in mine if f.is_action),
                **orientation_profile(mine, nominal),
                "quotes": {"neutral": process_quotes(mine)} if third_party else
                {o: telling_quotes(mine, o) for o in ("integrative", "distributive")}}
        if third_party:
            if mine:
                third.append(full)
        else:
            parties.append(full)
    return parties, third, metrics


def stage_breakdown(analysis: SessionAnalysis, facts: Sequence[TurnFact]) -> list[dict]:
    """One entry per stage present, in stage order."""
    t = analysis.transcript
    speakers = [(s.name, s.role) for s in t.speakers]
    timed = t.has_times
    nominal = nominal_orientations(analysis.model, facts)
    out = []
    for stage in STAGES:
        mine = [f for f in facts if f.stage == stage]
        if not mine:
            continue
        parties, third, metrics = speaker_rows(mine, speakers, timed, nominal)
        starts = [f.start for f in mine if f.start is not None]
        ends = [f.end for f in mine if f.end is not None]
        out.append({
            "stage": stage, "first_turn": mine[0].index, "last_turn": mine[-1].index,
            "turns": len(mine), "start": min(starts) if starts else None,
            "end": max(ends) if ends else None,
            "parties_combined": orientation_profile([f for f in mine if f.is_party], nominal),
            "parties": parties, "third_parties": third, "conversation": metrics,
        })
    return out


def session_overview(analysis: SessionAnalysis, facts: Sequence[TurnFact]) -> dict:
    """The same breakdown over the whole session."""
    t = analysis.transcript
    nominal = nominal_orientations(analysis.model, facts)
    parties, third, metrics = speaker_rows(facts, [(s.name, s.role) for s in t.speakers],
                                           t.has_times, nominal)
    return {"parties_combined": orientation_profile([f for f in facts if f.is_party], nominal),
            "parties": parties, "third_parties": third, "conversation": metrics}
