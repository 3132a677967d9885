"""``analyzer evaluate-stages``: score stage segmentation against gold stage annotations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalyzerError
from .common import EXIT_OK, ModelOption, fail, fail_usage


def evaluate_stages(
    gold: Annotated[list[Path] | None, typer.Argument(
        help="Gold TSVs in the guideline format (default: corpora/stages/gold_*.tsv).",
        show_default=False)] = None,
    model: ModelOption = None,
    cv: Annotated[int, typer.Option(
        "--cv", help="Dialogue-level k-fold cross-validation (refit on the other folds); "
                     "0 scores the shipped parameters as they are.")] = 5,
    casino: Annotated[Path | None, typer.Option(
        "--casino", help="CaSiNo folder with casino_train.json (default: "
                         "../shared/corpora/casino or $ANALYZER_CASINO).",
        show_default=False)] = None,
    examples: Annotated[Path | None, typer.Option(
        "--examples", help="Folder where a gold line's transcript name is looked for "
                           "first (default: <the gold file's folder>/../examples, which is "
                           "corpora/examples for the project's gold); a name with a / or an "
                           "extension not found there is then looked for from <the gold "
                           "file's folder>/..; absolute paths are used as they are.",
        show_default=False)] = None,
    moves: Annotated[bool, typer.Option(
        "--moves/--no-moves", help="Run the move model and give its moves to the segmenter, "
                                   "as the pipeline does (the shipped parameters use them; "
                                   "--no-moves scores without).")] = True,
    c: Annotated[float | None, typer.Option(
        "--C", help="Regularisation of the emission classifier when refitting.",
        show_default=False)] = None,
    fit_out: Annotated[Path | None, typer.Option(
        "--fit-out", help="Also refit on ALL gold sessions and write the parameters here "
                          "(analyzer/stages/params.json is the shipped file).",
        show_default=False)] = None,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the shuffle that splits dialogues into folds.")] = 0,
    oof_moves: Annotated[Path | None, typer.Option(
        "--oof-moves", help="Out-of-fold move labels (JSON of python -m "
                            "analyzer.stages.oof_moves; built there first if missing) for the "
                            "CaSiNo dialogues the move model was trained on, for fitting and "
                            "scoring (the standard fit since 2026-11-26).",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score stages against gold: Pk, WindowDiff and stage boundaries found exactly / within
    one turn, for the stage segmenter and the naive keyword baseline in the same run.

    Gold lines name a CaSiNo dialogue id, or a transcript file (FILE#ID for one session of
    a file holding several): an absolute path, or a name looked for in --examples, then
    from the folder above the gold file's. With --cv K the segmenter is refitted on K-1
    folds of dialogues and scored on the held-out fold (K=2 needs 4 sessions, more folds 3).

    Examples:

        analyzer evaluate-stages corpora/stages/gold_casino.tsv --cv 5

        analyzer evaluate-stages --cv 5 \\
            --oof-moves /tmp/stage-oof-moves/k5-s0.json

        analyzer evaluate-stages corpora/stages/heldout_casino_jk.tsv --cv 0 \\
            --oof-moves /tmp/stage-oof-moves/k5-s0.json

    (the second is the standard figure on all the gold; the third scores the shipped
    parameters on the held-out test set, which nothing was fitted on)
    """
    from ..stages.evaluate import (
        check_folds,
        check_refit,
        default_gold_files,
        evaluate_gold,
        gold_evidence,
    )
    from ..stages.fit import DEFAULT_C, fit_stacked
    from ..stages.gold import read_gold, resolve
    from ..stages.text import turn_tokens

    files = list(gold or []) or default_gold_files()
    if not files:
        fail_usage("no gold files given and none in corpora/stages/",
                   "pass gold TSVs, e.g. corpora/stages/gold_casino.tsv")
    if cv < 0 or cv == 1:
        fail_usage("--cv must be 0 (no refitting) or at least 2")
    try:
        entries = [e for f in files for e in read_gold(f)]
        if not entries:
            fail_usage("the gold files hold no annotated sessions")
        pairs = resolve(entries, casino=casino, examples=examples)
        if cv:
            check_folds(len(pairs), cv)
        if fit_out is not None:
            check_refit(len(pairs))
        use_moves = moves or model is not None
        oof = None
        if oof_moves is not None and use_moves:
            from ..stages.evaluate import out_of_fold_moves
            from ..stages.oof_moves import info

            oof = out_of_fold_moves(oof_moves, pairs, casino=casino,
                                    log=lambda m: typer.echo(m, err=True))
        result = evaluate_gold(pairs, model_dir=model, cv=cv, C=c, use_moves=use_moves,
                               seed=seed, oof_moves=oof)
        if fit_out is not None:
            matrices, labels = gold_evidence(pairs, model, use_moves=use_moves, oof_moves=oof)
            # the standard fit (the same as ``python -m analyzer.stages.fit``): text
            # columns out-of-fold over all sessions (inner folds of seed 0), text model on all
            params = fit_stacked(matrices, labels, [turn_tokens(t) for _, t in pairs],
                                 C=c if c is not None else DEFAULT_C,
                                 meta={"gold": [Path(f).name for f in files],
                                       "moves": use_moves,
                                       "oof_moves": info(oof_moves) if oof else None,
                                       "cv": {"folds": cv, "pk": round(result.model.pk, 4),
                                              "windowdiff": round(result.model.windowdiff, 4),
                                              "seed": seed}
                                       if cv else None})
            params.save(fit_out)
    except AnalyzerError as exc:
        fail(exc, 2)
    if as_json:
        from ..report.json_report import json_clean  # NaN is no JSON: null

        typer.echo(json.dumps(json_clean(result.as_dict()), indent=1, default=float))
    else:
        _print_table(result, files)
        if fit_out is not None:
            typer.echo(f"parameters fitted on all {len(pairs)} sessions -> {fit_out}")
    raise typer.Exit(EXIT_OK)


def _print_table(result, files) -> None:
    from ..results import STAGES

    typer.echo(f"gold: {', '.join(str(f) for f in files)}")
    typer.echo(f"sessions: {result.model.sessions}   mode: {result.mode} "
               f"(k = half the mean gold segment length per session; lower is better)")
    typer.echo(f"{'':<22}{'segmenter':>10}{'keywords':>10}")
    typer.echo(f"{'Pk':<22}{result.model.pk:>10.3f}{result.baseline.pk:>10.3f}")
    typer.echo(f"{'WindowDiff':<22}{result.model.windowdiff:>10.3f}"
               f"{result.baseline.windowdiff:>10.3f}")
    rows = [(s, result.model.boundaries[s], result.baseline.boundaries[s]) for s in STAGES]
    rows.append(("all", result.model.overall, result.baseline.overall))
    for stage, mine, base in rows:
        if not mine.gold:
            continue
        typer.echo(f"{stage + ' start exact':<22}{mine.exact_share:>10.1%}"
                   f"{base.exact_share:>10.1%}   ({mine.gold} gold boundaries)")
        typer.echo(f"{stage + ' start +-1':<22}{mine.within1_share:>10.1%}"
                   f"{base.within1_share:>10.1%}")


def register(app: typer.Typer) -> None:
    app.command("evaluate-stages")(evaluate_stages)
