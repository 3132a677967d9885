"""``analyzer evaluate``: score a move model against human codes (or cross-validate)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from ..errors import AnalyzerError
from .common import EXIT_OK, ModelOption, err, fail, fail_usage
from .pipes import pipe_safe
from .train import (
    CodesOption,
    DataArgument,
    LabelColOption,
    NoCodesOption,
    OrientationMapOption,
    SessionColOption,
    SpeakerColOption,
    SpokenWeightOption,
    TextColOption,
    resolve_codes,
)


class Level(StrEnum):
    orientation = "orientation"
    strategy = "strategy"
    both = "both"


def evaluate(
    data: DataArgument,
    model: ModelOption = None,
    cv: Annotated[int, typer.Option(
        "--cv", help="Dialogue-level k-fold cross-validation of a fresh model on DATA "
                     "instead of scoring a trained one (0 = off).")] = 0,
    level: Annotated[Level, typer.Option("--level", help="Which figures to print.")]
    = Level.both,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the CV folds and models.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    text_col: TextColOption = "text",
    label_col: LabelColOption = "label",
    session_col: SessionColOption = None,
    speaker_col: SpeakerColOption = None,
    orientation_map: OrientationMapOption = None,
    codes: CodesOption = None,
    no_codes: NoCodesOption = False,
    spoken_weight: SpokenWeightOption = None,
) -> None:
    """Compare move predictions with the human labels in DATA.

    Prints per-class precision/recall/F1, macro-F1, Cohen's kappa and the confusion table
    for the orientation (integrative / distributive / neutral) and for the move labels.
    With --cv K a fresh model is trained and tested K times, never splitting a dialogue;
    for CaSiNo the project's own codes of the dialogues CaSiNo left uncoded, and of 100 spoken
    sessions, join every training fold (never scored; --no-codes leaves them out).

    Example:

        analyzer evaluate ../shared/corpora/casino --cv 5
    """
    from ..moves import load_model
    from ..moves.data import load_coded
    from ..moves.evaluation import cross_validate, evaluate_model, format_scores

    if cv == 1 or cv < 0:
        fail_usage("--cv must be 0 (off) or at least 2")
    if cv and model:
        fail_usage("--cv trains fresh models; it cannot be combined with --model")
    if spoken_weight is not None and not cv:
        fail_usage("--spoken-weight weighs turns in training: it applies with --cv K only",
                   "add --cv 5, or train a model with analyzer train --spoken-weight")
    try:
        code_files, named = resolve_codes(codes, no_codes)
        trained = None if cv else load_model(model)
        coded = load_coded(data, text_col=text_col, label_col=label_col,
                           orientation_map=orientation_map, codes=code_files,
                           codes_optional=not named, session_col=session_col,
                           speaker_col=speaker_col,
                           preferred_labels=trained.info["labels"] if trained else ())
        if cv:
            coded.check_trainable()
        for note in coded.notes + coded.rare_label_notes():
            err(note)
        if cv:
            def progress(done, total):
                err(f"  fold {done}/{total} done")
            scores = cross_validate(coded, k=cv, seed=seed, progress=progress,
                                    params={"spoken_weight": spoken_weight}
                                    if spoken_weight is not None else None)
        else:
            from ..moves.evaluation import training_overlap

            seen = training_overlap(trained.meta, coded)
            if seen:
                err(f"warning: the model card lists {', '.join(seen)} among the model's "
                    "training data, so these figures are in-sample (optimistic); use "
                    "--cv K for honest ones")
            scores = evaluate_model(trained, coded)
    except AnalyzerError as exc:
        fail(exc, 2)
    if as_json:
        from ..report.json_report import json_clean  # NaN is no JSON: null

        typer.echo(json.dumps(json_clean(scores.as_dict()), indent=2))
    else:
        typer.echo(format_scores(scores, level.value))
        table = label_confusion(scores.labels) if level.value in ("strategy", "both") else ""
        if table:
            typer.echo(table)
    raise typer.Exit(EXIT_OK)


#: The widest confusion table printed (a 100-column terminal); a wider one is left to --json.
MAX_CONFUSION_WIDTH = 100


def label_confusion(labels: dict) -> str:
    """The move labels' confusion table as text (it was only in --json): which code the
    model takes each code for, the first thing a researcher checks on a scheme of their own
    (training QA, 28 Nov 2026). Labels cut to 10 characters; a table wider than
    ``MAX_CONFUSION_WIDTH`` (CaSiNo's ten labels) points to --json instead."""
    conf = labels.get("confusion")
    if not conf or not conf.get("labels"):
        return ""  # multi-label scores have no single confusion table
    names = [str(c)[:10] for c in conf["labels"]]
    rows = conf["rows_true_cols_pred"]
    width = max(max(map(len, names)), len(str(max(max(r) for r in rows)))) + 2
    if 14 + width * len(names) > MAX_CONFUSION_WIDTH:
        return f"  confusion of the {len(names)} labels: too wide to print, see --json"
    lines = ["  confusion (rows = human, columns = model):",
             "  " + " " * 12 + "".join(f"{c:>{width}}" for c in names)]
    for name, row in zip(names, rows, strict=False):
        lines.append(f"  {name:<12}" + "".join(f"{v:>{width}d}" for v in row))
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(pipe_safe(evaluate))
