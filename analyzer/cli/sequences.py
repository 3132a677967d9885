"""``analyzer sequences``: transition tables, adjusted residuals and reciprocity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalyzerError, UsageError
from .common import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, err, fail, fail_usage
from .pipes import pipe_safe, study_console, write_outputs_first


def _lags(text: str) -> list[int]:
    try:
        lags = sorted({int(p) for p in text.split(",") if p.strip()})
    except ValueError:
        fail_usage(f"--lag: cannot read {text!r}", "give whole numbers, e.g. 1 or 1,2,3")
    if not lags or lags[0] < 1:
        fail_usage(f"--lag: {text!r}", "lags start at 1")
    return lags


def sequences(
    results_dir: Annotated[Path, typer.Argument(
        help="The --out folder of `analyzer analyze` or `analyzer batch`.",
        show_default=False)],
    code: Annotated[str, typer.Option(
        "--code", help="What to sequence: orientation or move.")] = "orientation",
    lag: Annotated[str, typer.Option(
        "--lag", help="Lag(s), comma-separated: 1 is the next turn.")] = "1",
    scope: Annotated[str, typer.Option(
        "--scope", help="across (the other side's response), within (the same speaker's "
                        "next turn) or both.")] = "both",
    by_stage: Annotated[bool, typer.Option(
        "--by-stage", help="One table per stage of the first turn of each pair.")] = False,
    labels: Annotated[str, typer.Option(
        "--labels", help="model (the analyser's labels) or gold (human labels, e.g. "
                         "CaSiNo's, mapped to orientation; with --code move a turn with "
                         "several human labels counts under its first listed label only).")]
    = "model",
    subset: Annotated[str, typer.Option(
        "--subset", help="Sessions: all, annotated (with human labels) or unannotated "
                         "(without: new to a model trained on the annotated ones).")] = "all",
    include_actions: Annotated[bool, typer.Option(
        "--include-actions", help="Keep formal actions (Submit-Deal, ...) in the sequence.")]
    = False,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for transitions.csv, reciprocity.csv, heatmap SVGs and "
                            "manifest.json.", show_default=False)] = None,
) -> None:
    """Transition tables, adjusted residuals and reciprocity of moves.

    Lag-k transitions between move types or orientations, across speakers (the other
    side's response) and within a speaker: observed and expected counts, transition
    probabilities and adjusted residuals (Bakeman & Quera), plus reciprocity per session
    and party (integrative answered integratively, distributive answered distributively).

    |z| > 1.96 marks a transition more (z > 0) or less (z < 0) frequent than chance.
    A table with fewer than 20 pairs or an expected count below 1 gets a caution (and
    caution = true in transitions.csv): its z and p are unreliable.

    --labels gold --code move: a turn with several human labels (CaSiNo's are multi-label,
    listed in no particular order) counts under its first listed label only; the others
    are left out. --code orientation maps all of them.

    Example:

        analyzer sequences reports/study --lag 1,2 --by-stage \\
            --out reports/sequences
    """

    from ..study.codes import CODES, LABEL_SOURCES, split_labels
    from ..study.display import frame_table
    from ..study.heatmap import transition_heatmap_svg
    from ..study.html import study_page
    from ..study.outcomes import select_sessions
    from ..study.results import load_results
    from ..study.sequences import (
        MIN_EXPECTED,
        MIN_PAIRS,
        as_matrix,
        caution_text,
        reciprocity,
        transitions,
    )

    if code not in CODES:
        fail_usage(f"--code: unknown code {code!r}", f"choose {' or '.join(CODES)}")
    if subset not in ("all", "annotated", "unannotated"):
        fail_usage(f"--subset: unknown value {subset!r}", "choose all, annotated or unannotated")
    if labels not in LABEL_SOURCES:
        fail_usage(f"--labels: unknown source {labels!r}", f"choose {' or '.join(LABEL_SOURCES)}")
    scopes = {"both": ["across", "within"], "across": ["across"], "within": ["within"]}.get(scope)
    if scopes is None:
        fail_usage(f"--scope: unknown scope {scope!r}", "choose across, within or both")
    lags = _lags(lag)
    try:
        results = load_results(results_dir)
        turns = results.turns
        turns = select_sessions(turns, subset)
        tables = [transitions(turns, lag=k, scope=s, labels=labels, code=code,
                              by_stage=by_stage, include_actions=include_actions)
                  for k in lags for s in scopes]
        recip = reciprocity(turns, labels=labels, include_actions=include_actions) \
            if code == "orientation" else None
    except UsageError as exc:
        fail(exc, EXIT_USAGE)
    except AnalyzerError as exc:
        fail(exc, EXIT_SOME_FAILED)
    if labels == "gold" and code == "move" and "gold" in turns.columns:
        multi = int(turns["gold"].map(lambda v: len(split_labels(v)) > 1).sum())
        if multi:
            err(f"note: {multi} turns carry several human labels; each counts under its "
                "first listed label only")

    import pandas as pd

    table = pd.concat(tables, ignore_index=True)
    if table["observed"].sum() == 0:
        fail_usage("no coded turn pairs found",
                   "with --labels gold the results need human labels (the gold column)")
    groups = ["lag", "scope", "stage"] if by_stage else ["lag", "scope"]
    svgs, shown_tables = {}, []  # printed after the --out files are written
    cautions = 0
    empty = []
    for key, part in table.groupby(groups, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        if part["observed"].sum() == 0:
            empty.append(", ".join(f"{g} {v}" for g, v in zip(groups, key, strict=True)))
            continue
        title = ", ".join(f"{g} {v}" for g, v in zip(groups, key, strict=True))
        # the count always; z only where defined (a NaN z made the whole cell "-", hiding
        # the counts the caution says to read: fresh user QA, 28 Nov 2026)
        observed = as_matrix(part, "observed")
        residual = as_matrix(part, "adjusted_residual")
        shown = observed.combine(residual, lambda o, z: pd.Series(
            [("-" if pd.isna(a) else f"{int(a)}") + ("" if pd.isna(b) else f"  z={b:.2f}")
             for a, b in zip(o, z, strict=True)], index=o.index))
        printed = frame_table(shown.reset_index().rename(columns={"from": "from \\ to"}),
                              f"Transitions ({title}): observed, adjusted residual")
        caution = caution_text(part)
        if caution:
            printed.caption, printed.caption_justify = caution, "left"
            cautions += 1
        shown_tables.append(printed)
        name = "transitions_" + "_".join(str(v) for v in key) + ".svg"
        svgs[name] = transition_heatmap_svg(part, f"Transitions ({title})")
    if empty:  # said, not left out in silence (researcher QA, 28 Nov 2026)
        why = ("; with two speakers who take turns, an even lag pairs a speaker with "
               "themselves (scope within), never across" if any(
                   "scope across" in e and f"lag {k}," in e + "," for e in empty
                   for k in lags if k % 2 == 0) else "")
        err(f"note: no turn pairs for {'; '.join(empty[:4])}"
            f"{'; ...' if len(empty) > 4 else ''}, so no table for them{why}")
    if recip is not None and len(recip):
        rows = []
        for kind in ("integrative", "distributive"):
            prompts = recip[f"{kind}_prompts"]
            answered = recip[f"{kind}_answered_{kind}"]
            rows.append({"answered in kind": kind, "parties": int((prompts > 0).sum()),
                         "mean of party shares": recip[f"{kind}_reciprocity"].mean(),
                         "pooled share": answered.sum() / prompts.sum() if prompts.sum()
                         else float("nan")})
        recip_summary = pd.DataFrame(rows)
        shown_tables.append(frame_table(recip_summary, "Reciprocity (lag 1, across speakers)"))
    else:
        recip_summary = None
    note = ""
    if out is not None:
        csvs = {"transitions.csv": table}
        if recip is not None:
            csvs["reciprocity.csv"] = recip
        page_tables = {"Transitions": table}
        if recip_summary is not None:
            page_tables = {"Reciprocity (lag 1, across speakers)": recip_summary,
                           **page_tables}
        page = study_page(
            f"Sequences of {code} ({labels} labels)", {n[:-4]: s for n, s in svgs.items()},
            page_tables, note="Colour: adjusted residual (blue above chance, red below); "
                              "|z| > 1.96 is unlikely under independence.")
        note = write_outputs_first(out, "sequences", csvs,
                                   texts={**svgs, "sequences.html": page},
                                   model=results.model_info,
                                   options={"code": code, "lags": lags, "scopes": scopes,
                                            "by_stage": by_stage, "labels": labels,
                                            "subset": subset,
                                            "include_actions": include_actions},
                                   inputs=[results_dir])
    console = study_console()
    for shown_table in shown_tables:
        console.print(shown_table)
    if cautions:
        console.print(f"caution: {cautions} table(s) have fewer than {MIN_PAIRS} pairs or "
                      f"expected counts below {MIN_EXPECTED:g}: their z and p are unreliable "
                      "(column caution in transitions.csv)", markup=False, highlight=False)
    typer.echo(note, nl=False)
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("sequences")(pipe_safe(sequences))
