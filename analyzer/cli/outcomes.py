"""``analyzer outcomes``: relate parties' behaviour to outcomes (correlations, OLS)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalyzerError, UsageError
from .common import EXIT_OK, EXIT_SOME_FAILED, err, fail, fail_usage
from .pipes import pipe_safe, study_console, write_outputs_first


def _names(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _ci(low, high) -> str:
    return "-" if low != low else f"[{low:.2f}, {high:.2f}]"


def _compact_corr(corr):
    import pandas as pd

    return pd.DataFrame({
        "behaviour": corr["x"], "outcome": corr["y"], "n": corr["n"],
        "r": corr["pearson_r"].round(3),
        "95% CI": [_ci(a, b) for a, b in zip(corr["ci_low"], corr["ci_high"], strict=True)],
        "p": corr["pearson_p"].round(4), "rho": corr["spearman_rho"].round(3)})


def _compact_ols(reg):
    import pandas as pd

    return pd.DataFrame({
        "outcome": reg["outcome"],
        "term": [f"{t} (dropped)" if note else t
                 for t, note in zip(reg["term"], reg["note"].fillna(""), strict=True)],
        "coef": reg["coef"].round(3),
        "se": reg["se"].round(3),
        "95% CI": [_ci(a, b) for a, b in zip(reg["ci_low"], reg["ci_high"], strict=True)],
        "p": reg["p"].round(4), "R2": reg["r2"].round(3), "n": reg["n"]})


def _dropped_notes(reg) -> list[str]:
    """One line per regressor the regressions dropped as aliased (``ols``'s ``note``)."""
    lines = []
    dropped = reg[reg["note"].fillna("").astype(str) != ""]
    for (term, note), rows in dropped.groupby(["term", "note"], sort=False):
        lines.append(f"note: {term} {note}; no coefficient for it in the regression of "
                     f"{', '.join(dict.fromkeys(rows['outcome']))} (df = n - rank)")
    return lines


def _examples(ids: list[str], k: int = 3) -> str:
    shown = ", ".join(repr(i) for i in ids[:k])
    return shown + (f" (and {len(ids) - k} more)" if len(ids) > k else "")


def _check_coverage(extra, turns, subset, outcomes_csv, results_dir) -> None:
    """Stop when no session of the results has a row in the outcomes file; warn when only
    some sessions (or parties) have one: theirs are empty, so n shrinks."""
    from ..study.outcomes import outcome_coverage, study_parties

    parties = study_parties(turns, subset)
    cover = outcome_coverage(extra, parties)
    total = len(cover["matched"]) + len(cover["results_only"])
    if not cover["matched"]:
        fail_usage(f"{outcomes_csv}: none of its {len(cover['file_only'])} session_id(s) "
                   f"matches a session of the results in {results_dir}",
                   f"the file has {_examples(cover['file_only'])}; the results have "
                   f"{_examples(cover['results_only'])}; use the turns table's session_id "
                   "values")
    if cover["results_only"]:
        err(f"warning: {len(cover['results_only'])} of {total} sessions of the results have "
            f"no row in {outcomes_csv} ({_examples(cover['results_only'])}); their outcome "
            "values are empty, so they drop out of n")
    no_row = set(cover["results_only"])
    lost = [p for p in cover["parties_missing"] if p.split("/", 1)[0] not in no_row]
    if lost:
        err(f"warning: {len(lost)} of {len(parties)} parties of the results have no row in "
            f"{outcomes_csv} although their session has one ({_examples(lost)}); check their "
            "session_id and speaker values; their outcome values are empty, so they drop out of n")
    if cover["file_only"]:
        err(f"warning: {len(cover['file_only'])} session_id(s) of {outcomes_csv} are not in "
            f"the results ({_examples(cover['file_only'])}); those rows are not used")


def _warn_duplicates(turns) -> None:
    """A warning when sessions of the results repeat one another word for word."""
    from ..study.outcomes import duplicate_sessions

    groups = duplicate_sessions(turns)
    if groups:
        copies = sum(len(g) - 1 for g in groups)
        shown = "; ".join(" = ".join(g) for g in groups[:3]) + ("; ..." if len(groups) > 3 else "")
        err(f"warning: {copies} session(s) repeat another session word for word ({shown}); "
            "each copy counts in n; if they are the same negotiation, analyse one copy")


def _compare(results, extra, level, xs, ys, out, outcomes_csv, results_dir,
             constant_note="") -> None:
    """``--labels both``: the correlations on model and human labels side by side."""
    import pandas as pd

    from ..study.display import frame_table
    from ..study.outcomes import compare_labels

    table = compare_labels(results.turns, results.sessions, extra, xs, ys, level=level)
    shown = pd.DataFrame({
        "behaviour": table["x"], "outcome": table["y"], "n": table["n_gold"],
        "r model": table["pearson_r_model"].round(3),
        "95% CI model": [_ci(a, b) for a, b in zip(table["ci_low_model"],
                                                   table["ci_high_model"], strict=True)],
        "r human": table["pearson_r_gold"].round(3),
        "95% CI human": [_ci(a, b) for a, b in zip(table["ci_low_gold"],
                                                   table["ci_high_gold"], strict=True)],
        "difference": table["r_difference"].round(3)})
    note = write_outputs_first(out, "outcomes", {"correlations_model_vs_human.csv": table},
                               model=results.model_info,
                               options={"labels": "both", "level": level, "predictors": xs,
                                        "targets": ys, "outcomes": outcomes_csv},
                               inputs=[results_dir,
                                       *([outcomes_csv] if outcomes_csv else [])])
    console = study_console()
    console.print(frame_table(shown, "Pearson r on the model's vs the human labels (same "
                                     "parties)", max_rows=60))
    typer.echo(constant_note, nl=False)
    typer.echo(note, nl=False)


def outcomes(
    results_dir: Annotated[Path, typer.Argument(
        help="The --out folder of `analyzer analyze` or `analyzer batch`.",
        show_default=False)],
    outcomes_csv: Annotated[Path | None, typer.Option(
        "--outcomes", help="CSV of outcomes keyed by session_id (and speaker); default: the "
                           "transcripts' metadata (CaSiNo: points, satisfaction, liking). "
                           "Without a speaker column the values are session values: no "
                           "joint_points or partner_* is derived from them.",
        show_default=False)] = None,
    labels: Annotated[str, typer.Option(
        "--labels", help="model (the analyser's labels), gold (human labels mapped to "
                         "orientation; only turns that carry them) or both (side by side, "
                         "on the sessions with human labels).")] = "model",
    subset: Annotated[str, typer.Option(
        "--subset", help="Sessions: all, annotated (with human labels) or unannotated "
                         "(without: new to a model trained on the annotated ones).")] = "all",
    level: Annotated[str, typer.Option(
        "--level", help="party (one row per party) or session (one row per session; "
                        "party outcomes averaged as mean_<x>, points_scored left out for "
                        "joint_points).")] = "party",
    predictors: Annotated[str | None, typer.Option(
        "--predictors", help="Behaviour columns, comma-separated \\[default: "
                             "integrative_share, bargaining_integrative_share, "
                             "distributive_share].", show_default=False)] = None,
    targets: Annotated[str | None, typer.Option(
        "--targets", help="Outcome columns, comma-separated \\[default: those of joint_points, "
                          "points_scored, partner_satisfaction, partner_opponent_likeness, "
                          "satisfaction, opponent_likeness that exist; at --level session "
                          "joint_points, mean_satisfaction, mean_opponent_likeness].",
        show_default=False)] = None,
    regressors: Annotated[str | None, typer.Option(
        "--regressors", help="Predictors of the OLS regression of each target \\[default: "
                             "integrative_share, distributive_share].", show_default=False)]
    = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for study_table.csv, correlations.csv, regression.csv and "
                            "manifest.json (with --labels both: "
                            "correlations_model_vs_human.csv and manifest.json).",
        show_default=False)] = None,
) -> None:
    """Relate parties' behaviour to outcomes: correlations and regression.

    Joins session and party metrics (overall and by stage) with outcome variables and
    reports Pearson r (Fisher-z 95% CI), Spearman rho, n, and an OLS regression (coefficients,
    standard errors, CIs, R^2).

    Outcomes come from the transcripts' metadata (the sessions table's meta.* columns; text
    scales such as "Slightly satisfied" become 1..5; joint_points and partner_* are derived
    for two-party sessions) or from --outcomes (party-level values with a speaker column;
    session values, used as they are, without one). Party rows of one session are not
    independent: read p-values as descriptive, or use --level session.

    Example:

        analyzer outcomes reports/casino --labels gold \\
            --out reports/casino_outcomes_gold
    """

    from ..study.codes import LABEL_SOURCES
    from ..study.display import frame_table
    from ..study.outcomes import (
        DEFAULT_OUTCOMES,
        DEFAULT_PREDICTORS,
        DEFAULT_REGRESSORS,
        constant_columns,
        correlations,
        ols,
        read_outcomes_csv,
        study_table,
    )
    from ..study.results import load_results

    if subset not in ("all", "annotated", "unannotated"):
        fail_usage(f"--subset: unknown value {subset!r}", "choose all, annotated or unannotated")
    if labels not in (*LABEL_SOURCES, "both"):
        fail_usage(f"--labels: unknown source {labels!r}", "choose model, gold or both")
    if level not in ("party", "session"):
        fail_usage(f"--level: unknown level {level!r}", "choose party or session")
    if outcomes_csv is not None and not outcomes_csv.is_file():  # as reliability does
        fail_usage(f"--outcomes {outcomes_csv}: no such file", "check the path")
    try:
        results = load_results(results_dir)
        extra, cell_notes = read_outcomes_csv(outcomes_csv) if outcomes_csv else (None, {})
        data = study_table(results.turns, results.sessions, extra,
                           labels="gold" if labels == "both" else labels, level=level,
                           subset="annotated" if labels == "both" else subset)
    except UsageError as exc:
        fail(exc, 2)
    except AnalyzerError as exc:
        fail(exc, EXIT_SOME_FAILED)
    for column, note in cell_notes.items():
        if not note.endswith("left out"):
            err(f"warning: {outcomes_csv}: column {column}: {note}")
    if extra is not None:
        _check_coverage(extra, results.turns, subset if labels != "both" else "annotated",
                        outcomes_csv, results_dir)
    _warn_duplicates(results.turns)
    if labels in ("gold", "both"):  # parties without any human label say nothing about human labels
        data = data[data["coded"] > 0]
        if data.empty:
            fail_usage("no turn carries human labels",
                       "--labels gold needs a corpus with human labels (the gold column)")
    xs = _names(predictors) or [c for c in DEFAULT_PREDICTORS if c in data.columns]
    ys = _names(targets) or [c for c in DEFAULT_OUTCOMES if c in data.columns]
    regs = _names(regressors) or [c for c in DEFAULT_REGRESSORS if c in data.columns]
    missing = [c for c in {*xs, *ys, *regs} if c not in data.columns]
    text = [c for c in sorted(missing) if c in cell_notes]
    if text:
        fail_usage(f"{outcomes_csv}: column(s) {', '.join(text)} not numeric: "
                   + "; ".join(f"{c} {cell_notes[c]}" for c in text),
                   "outcomes must be numbers or five-point scales (\"Strongly agree\", "
                   "\"Slightly satisfied\"); blank or write NA where there is no value")
    if missing:
        fail_usage(f"unknown column(s): {', '.join(sorted(missing))}",
                   "available: " + ", ".join(c for c in data.columns
                                             if c not in ("session_id", "speaker")))
    if not ys and extra is not None:
        own = [c for c in extra.columns if c not in ("session_id", "speaker")]
        fail_usage(f"{outcomes_csv}: none of the default outcome columns "
                   f"({', '.join(DEFAULT_OUTCOMES)}) is there",
                   "name the outcomes to study with --targets"
                   + (f" (its numeric columns: {', '.join(own)})" if own else
                      "; the file has no numeric or five-point scale column"))
    if not ys:
        fail_usage("no outcome variables found in the results' metadata",
                   "pass --outcomes FILE.csv (session_id[, speaker], outcome columns)")
    constant = constant_columns(data, list(dict.fromkeys([*xs, *ys])))
    xs = [c for c in xs if c not in constant]
    ys = [c for c in ys if c not in constant]
    if not xs or not ys:
        fail_usage(f"every {'behaviour' if not xs else 'outcome'} column has the same value "
                   f"in every {level} row: {', '.join(constant)}",
                   "a correlation with a constant is undefined; choose other "
                   + ("--predictors" if not xs else "--targets"))
    constant_note = (f"note: left out of the correlations and regressions (the same value "
                     f"in every {level} row): {', '.join(constant)}\n" if constant else "")
    if labels == "both":
        _compare(results, extra, level, xs, ys, out, outcomes_csv, results_dir,
                 constant_note)
        raise typer.Exit(EXIT_OK)
    corr = correlations(data, xs, ys)
    import pandas as pd

    fits, too_few = [], []
    for y in ys:
        try:
            fits.append(ols(data, y, regs))
        except UsageError as exc:  # too few complete rows for this outcome: the others go on
            too_few.append(f"{y} ({exc.message})")
    if not fits:
        fail_usage("no outcome has enough complete rows for the regression: "
                   + "; ".join(too_few),
                   "choose fewer --regressors, or outcomes with more values")
    reg = pd.concat(fits, ignore_index=True)
    if too_few:
        constant_note += ("note: no regression of " + "; ".join(too_few)
                          + " (its correlations are in correlations.csv)\n")
    note = write_outputs_first(out, "outcomes", {"study_table.csv": data,
                                                 "correlations.csv": corr,
                                                 "regression.csv": reg},
                               model=results.model_info,
                               options={"labels": labels, "level": level, "predictors": xs,
                                        "subset": subset,
                                        "targets": ys, "regressors": regs,
                                        "left_out_constant": constant,
                                        "outcomes": outcomes_csv},
                               inputs=[results_dir,
                                       *([outcomes_csv] if outcomes_csv else [])])
    console = study_console()
    console.print(f"{len(data)} {level} rows, labels: {labels}")
    console.print(frame_table(_compact_corr(corr), "Correlations: Pearson r [95% CI], "
                                                   "Spearman rho", max_rows=60))
    console.print(frame_table(_compact_ols(reg), "OLS regression: coef [95% CI]",
                              max_rows=60))
    for line in _dropped_notes(reg):
        console.print(line, markup=False, highlight=False)
    typer.echo(constant_note, nl=False)
    typer.echo(note, nl=False)
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("outcomes")(pipe_safe(outcomes))
