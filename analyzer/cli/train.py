"""``analyzer train``: fit a move model on coded data (CaSiNo or your own CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalyzerError
from .common import EXIT_OK, err, fail, fail_usage

DataArgument = Annotated[list[str], typer.Argument(
    help="CaSiNo JSON files/folders, or CSV files with text,label[,session_id,speaker].",
    show_default=False)]
TextColOption = Annotated[str, typer.Option("--text-col", help="CSV column holding the text.")]
LabelColOption = Annotated[str, typer.Option(
    "--label-col", help="CSV column holding the codes (comma-separated for several).")]
SessionColOption = Annotated[str | None, typer.Option(
    "--session-col", help="CSV column naming each row's session (rows of one session give "
    "each other context, and --cv never splits a session). Default: session_id, session, "
    "conversation_id, dialogue_id or another name the transcript readers accept; without "
    "one every row is a session of its own.", show_default=False)]
SpeakerColOption = Annotated[str | None, typer.Option(
    "--speaker-col", help="CSV column naming who speaks (a feature: same speaker as the "
    "turn before?). Default: speaker, name, participant or another name the transcript "
    "readers accept.", show_default=False)]
CodesOption = Annotated[list[Path] | None, typer.Option(
    # no long paths: rich cuts a word wider than the help column with "..." (at 80 columns)
    "--codes", help="Project strategy codes for CaSiNo dialogues the corpus left uncoded, or "
    "for spoken sessions named folder/file#session_id under corpora/ (dialogue_id, utterance, "
    "labels, annotator): trained on, never scored. Default for CaSiNo data: the project's "
    "strategies.tsv in corpora/casino_codes and the two spoken_strategies files "
    "(100 sessions) in corpora/spoken_codes.",
    show_default=False)]
NoCodesOption = Annotated[bool, typer.Option(
    "--no-codes", help="Train on the corpus's own codes only.")]


def resolve_codes(codes: list[Path] | None, no_codes: bool) -> tuple[list[Path], bool]:
    """The codes files to use, and whether the user named them: none with --no-codes, the
    ones named, or the project's own when they exist (those apply to CaSiNo data only, so
    a run on CSV data leaves them out instead of failing; named codes must apply)."""
    if no_codes:
        return [], False
    if codes:
        return list(codes), True
    from ..moves.codes import project_codes

    return project_codes(), False


OrientationMapOption = Annotated[str | None, typer.Option(
    "--orientation-map", help="CSV (label,orientation) or JSON file: how each of your labels "
    "counts (integrative, distributive, neutral); unmapped labels are neutral.",
    show_default=False)]


SpokenWeightOption = Annotated[float | None, typer.Option(
    "--spoken-weight", min=0.0, show_default=False,
    help="Weight of the turns of the project's spoken sessions (codes that name a "
         "folder, file and session) in the fit, against 1 for every other turn "
         "\\[default: 0.4, the shipped model's].")]


def train(
    data: DataArgument,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the new model.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same data + seed = same "
                                                     "model).")] = 0,
    text_col: TextColOption = "text",
    label_col: LabelColOption = "label",
    session_col: SessionColOption = None,
    speaker_col: SpeakerColOption = None,
    orientation_map: OrientationMapOption = None,
    name: Annotated[str, typer.Option("--name", help="Model name stored in meta.json.")]
    = "custom-moves",
    version: Annotated[str, typer.Option("--version", help="Model version.")] = "1",
    codes: CodesOption = None,
    no_codes: NoCodesOption = False,
    spoken_weight: SpokenWeightOption = None,
) -> None:
    r"""Train a move model on coded turns and write it to a model folder.

    The folder holds model.skops, meta.json (labels, versions, data hash), a model card
    README.md and the word-vector table the features read (word_vectors.npz, a copy of the
    shipped model's); use it with `analyzer analyze --model DIR` or
    `analyzer evaluate --model DIR`.

    Example:

        analyzer train corpora/custom_scheme/coded.csv --out my-models/my-scheme \
            --orientation-map corpora/custom_scheme/orientation_map.csv
    """
    from ..moves.card import model_card
    from ..moves.data import load_coded
    from ..moves.training import train as fit

    if out.exists() and not out.is_dir():
        fail_usage(f"--out {out} exists and is not a folder", "name a folder for the model")
    above = next((p for p in out.resolve().parents if p.exists()), None)
    if above is not None and not above.is_dir():
        fail_usage(f"--out {out} cannot be a folder: {above} is a file",
                   "name a folder for the model that is not inside a file")
    if out.exists() and any(out.iterdir()) and not (out / "meta.json").exists():
        fail_usage(f"--out {out} exists and is not a model folder",
                   "choose a new or empty folder (an existing model folder is replaced)")
    try:
        code_files, named = resolve_codes(codes, no_codes)
        coded = load_coded(data, text_col=text_col, label_col=label_col,
                           orientation_map=orientation_map, codes=code_files,
                           codes_optional=not named, session_col=session_col,
                           speaker_col=speaker_col)
        coded.check_trainable()
        for note in coded.notes + coded.rare_label_notes():
            err(note)
        extra = f", {len(coded.train_only)} of them coded by the project" \
            if coded.train_only else ""
        err(f"training on {coded.labelled_turns} coded turns from "
            f"{coded.coded_sessions} sessions{extra} ({len(coded.labels)} labels)...")
        model = fit(coded, seed=seed, name=name, version=version,
                    params=None if spoken_weight is None else {"spoken_weight": spoken_weight})
        model.save(out, card=model_card)  # one save: the card quotes the file on disk
    except AnalyzerError as exc:
        fail(exc, 2)
    typer.echo(f"model written to {out} (labels: {', '.join(model.info['labels'])})")
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("train")(train)
