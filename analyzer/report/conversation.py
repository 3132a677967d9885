"""Conversation metrics that sales-call tools made familiar, for any stretch of turns.

Definitions (also in docs/reports.md):

- talk share: a speaker's words over the parties' words in the stretch; a third party's
  share is over everyone's words, so the parties' shares always exclude mediators and chairs;
- time share: the same with seconds spoken (turn end minus start, less the silences between
  the turn's merged caption cues), only when timed;
- longest monologue: the longest run of consecutive spoken turns by one speaker (actions do
  not interrupt a run), by seconds spoken when timed (the sum of its turns' durations, so a
  break between two of them is not counted), else by words; its words, seconds and first
  turn are the same run's;
- questions: the question marks in the speaker's turns, a run such as "?!?" once
  (``facts._questions``);
- interactivity: speaker switches between consecutive spoken turns, per 100 words and, when
  timed, per minute of the stretch.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from ..transcript import is_third_party
from .facts import TurnFact


def _share(part: float, whole: float) -> float | None:
    """``part / whole``; None (shown "-") when there is no whole: in a stage where only
    the mediator spoke, every party's "0%" read as a measured share (multi-party QA)."""
    return part / whole if whole else None


def monologues(facts: Sequence[TurnFact]) -> list[dict]:
    """Runs of consecutive spoken turns by the same speaker, with words and seconds."""
    runs: list[dict] = []
    for fact in (f for f in facts if f.spoken):
        if runs and runs[-1]["speaker"] == fact.speaker:
            run = runs[-1]
            run["last_turn"] = fact.index
            run["words"] += fact.words
            run["turns"] += 1
            run["durations"].append(fact.duration)
        else:
            runs.append({"speaker": fact.speaker, "first_turn": fact.index,
                         "last_turn": fact.index, "turns": 1, "words": fact.words,
                         "durations": [fact.duration]})
    for run in runs:
        durations = run.pop("durations")
        # the seconds of its turns: a break between two of them (a caucus the speaker
        # called and then spoke first after) is not talk (long-sessions QA, 28 Nov 2026:
        # "50 words / 914 s")
        run["seconds"] = None if any(d is None for d in durations) else sum(durations)
    return runs


def conversation_metrics(facts: Sequence[TurnFact], speakers: Sequence[tuple[str, str]],
                         timed: bool) -> dict:
    """Metrics of one stretch (a stage or the whole session).

    ``speakers`` is ``(name, role)`` in transcript order; a speaker absent from the stretch
    still gets a row of zeros so tables line up across stages.
    """
    spoken = [f for f in facts if f.spoken]
    party_words = sum(f.words for f in spoken if f.is_party)
    all_words = sum(f.words for f in spoken)
    party_seconds = sum(f.duration or 0.0 for f in spoken if f.is_party)
    all_seconds = sum(f.duration or 0.0 for f in spoken)
    runs = monologues(facts)
    switches = sum(1 for a, b in pairwise(spoken) if a.speaker != b.speaker)
    starts = [f.start for f in facts if f.start is not None]
    ends = [f.end for f in facts if f.end is not None]
    span = (max(ends) - min(starts)) if timed and starts and ends else None

    # each speaker's turns and runs, grouped once: picking them out of every turn per speaker
    # was turns x speakers, and a file of 20,000 one-turn speakers did not finish in 300 s
    # (fuzzing QA, 28 Nov 2026)
    spoken_by: dict[str, list[TurnFact]] = {}
    for f in spoken:
        spoken_by.setdefault(f.speaker, []).append(f)
    runs_by: dict[str, list[dict]] = {}
    for r in runs:
        runs_by.setdefault(r["speaker"], []).append(r)
    rows = []
    for name, role in speakers:
        mine = spoken_by.get(name, [])
        party = not is_third_party(role)
        my_runs = runs_by.get(name, [])
        # one run gives words, seconds and turn (sales QA, 28 Nov 2026: "33 words, 38 s" took
        # the words of one turn and the seconds of another); the longest in time when timed
        longest = max(my_runs, key=(lambda r: (r["seconds"] or 0.0, r["words"])) if timed
                      else (lambda r: r["words"]), default=None)
        seconds = sum(f.duration or 0.0 for f in mine)
        rows.append({
            "speaker": name, "role": role, "turns": len(mine),
            "words": sum(f.words for f in mine),
            "talk_share": _share(sum(f.words for f in mine), party_words if party else all_words),
            "seconds": round(seconds, 3) if timed else None,
            "time_share": _share(seconds, party_seconds if party else all_seconds)
            if timed else None,
            "longest_monologue_words": longest["words"] if longest else 0,
            "longest_monologue_seconds": ((longest["seconds"] or 0.0) if longest else 0.0)
            if timed else None,
            "longest_monologue_turn": longest["first_turn"] if longest else None,
            "questions": sum(f.questions for f in mine),
        })
    return {
        "turns": len(facts), "spoken_turns": len(spoken), "words": all_words,
        "party_words": party_words,
        "seconds": round(span, 3) if span is not None else None,
        "speaker_switches": switches,
        "interactivity_per_100_words": round(100 * switches / all_words, 3) if all_words
        else 0.0,
        "interactivity_per_minute": round(60 * switches / span, 3) if span else None,
        "speakers": rows,
    }
