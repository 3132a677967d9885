"""The end-of-run summary in the terminal: per session the stages, each party's orientation
shares and the outcome; then the failures, one line each, and a count. A run of one session
(a coach reading one meeting) also gets the report's "At a glance" lines and the paths of its
report files, so the first look needs no second command.

Rich tables on a terminal; plain lines when the output is a file or a pipe, so logs and
scripts get readable text without box drawing or colour codes. Long batch runs list the
first ``MAX_SESSIONS`` sessions and point to ``sessions.csv`` for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..nlp.language import check_language
from ..results import ORIENTATIONS, SessionAnalysis
from ..transcript import outcome_basis
from .facts import turn_facts
from .wording import OUTCOMES, isolate, orientation_pcts, outcome_line, printable

MAX_SESSIONS = 20
SHORT = {"integrative": "I", "distributive": "D", "neutral": "N"}
STYLE = {"integrative": "bold green", "distributive": "bold dark_orange", "neutral": "grey50"}


def not_english_warning(session_ids: Sequence[str], total: int | None = None) -> str:
    """One line naming (up to 10 of) the sessions that do not look like English."""
    total = len(session_ids) if total is None else total
    shown = ", ".join(session_ids[:10]) + (f" and {total - 10} more" if total > 10 else "")
    return (f"warning: {total} session(s) do not look like English ({shown}): the models "
            "are English-only, so their moves, stages and outcomes are not meaningful "
            "(see not_english and english_share in sessions.csv)")


def session_summary(analysis: SessionAnalysis) -> dict:
    """What the summary shows for one session, as data (stage rows with party shares)."""
    t = analysis.transcript
    facts = turn_facts(analysis)
    rows = []
    for stage in dict.fromkeys(f.stage for f in facts):
        mine = [f for f in facts if f.stage == stage]
        shares = {}
        for party in t.parties:
            spoken = [f for f in mine if f.speaker == party and f.spoken]
            shares[party] = ({o: sum(f.orientation == o for f in spoken) / len(spoken)
                              for o in ORIENTATIONS} if spoken else None)
        rows.append({"stage": stage, "first_turn": mine[0].index, "last_turn": mine[-1].index,
                     "shares": shares})
    outcome = outcome_line({
        "outcome_text": OUTCOMES.get(analysis.stages.outcome, analysis.stages.outcome),
        "outcome_turn": analysis.stages.outcome_turn, "outcome_basis": outcome_basis(t)})
    return {"session_id": t.session_id, "turns": len(t.turns), "parties": list(t.parties),
            "third_parties": list(t.third_parties), "outcome": outcome, "stages": rows}


def _plain_shares(shares: dict | None) -> str:
    if shares is None:
        return "-"
    labels = orientation_pcts(shares)
    return " ".join(f"{SHORT[o]} {labels[o]}" for o in ORIENTATIONS)


def _rich_shares(shares: dict | None) -> Text:
    if shares is None:
        return Text("-", style="grey50")
    text = Text()
    labels = orientation_pcts(shares)
    for o in ORIENTATIONS:
        text.append(f"{SHORT[o]} {labels[o]} ", style=STYLE[o])
    return text


def _span(row) -> str:
    """A stage's turns, "3-9", or "4" for a stage of one turn."""
    first, last = row["first_turn"], row["last_turn"]
    return str(first) if first == last else f"{first}-{last}"


def glance_lines(analysis: SessionAnalysis) -> list[str]:
    """The report's "At a glance" sentences but the first (outcome and stage lengths, which
    the stage table above them already shows)."""
    from .session_report import build_report

    return build_report(analysis)["headlines"][1:]


def print_summary(analyses: Sequence[SessionAnalysis], failures: Sequence, out_root,
                  console: Console | None = None, overview: Sequence = (),
                  reports: Sequence = ()) -> None:
    """``reports``: the report files written, named under a run of one session."""
    console = console or Console()
    plain = not console.is_terminal

    def say(text) -> None:  # transcript text is never read as rich markup, nor as escapes
        console.print(printable(str(text)), markup=False, highlight=False, soft_wrap=True)

    for analysis in list(analyses)[:MAX_SESSIONS]:
        s = session_summary(analysis)
        head = f"session {s['session_id']}: {s['turns']} turns, {s['outcome']}"
        if s["third_parties"]:
            head += f"; third parties (reported apart): {', '.join(s['third_parties'])}"
        if plain:
            say(head)
            for row in s["stages"]:
                parts = " | ".join(f"{isolate(p)} {_plain_shares(v)}"
                                   for p, v in row["shares"].items())
                span = f"turns {_span(row)}" if row["first_turn"] != row["last_turn"] \
                    else f"turn {_span(row)}"
                say(f"  {row['stage']:<10} {span:<12} {parts}")
            continue
        table = Table(title=Text(printable(head), style="bold"), title_justify="left",
                      show_edge=False)
        table.add_column("stage")
        table.add_column("turns", justify="right")
        for party in s["parties"]:
            table.add_column(Text(printable(party)))
        for row in s["stages"]:
            table.add_row(row["stage"], _span(row),
                          *[_rich_shares(v) for v in row["shares"].values()])
        console.print(table)
    if len(analyses) == 1:
        for line in glance_lines(analyses[0]):
            say(f"  - {line}")
        for path in reports:
            say(f"report: {path}")
    if len(analyses) > MAX_SESSIONS:
        say(f"... and {len(analyses) - MAX_SESSIONS} more sessions (see sessions.csv)")
    foreign = [a.transcript.session_id for a in analyses
               if not check_language(a.transcript).english]
    if foreign:
        say(not_english_warning(foreign))
    for failure in failures:
        line = f":{failure.line}" if failure.line is not None else ""
        message = f"failed: {failure.file}{line}: {failure.error}" + (
            f" (fix: {failure.hint})" if failure.hint else "")
        if plain:
            say(message)
        else:
            console.print(Text(printable(message), style="red"))
    say(f"{len(analyses)} session(s) analysed, {len(failures)} failed; results in {out_root}")
    for page in overview:
        say(f"overview of every session: {page}")
