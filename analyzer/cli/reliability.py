"""``analyzer reliability``: agreement between coders, or between the model and human codes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalyzerError, UsageError
from .common import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, err, fail, fail_usage
from .pipes import pipe_safe, study_console, write_outputs_first

GOLD_AS = ("orientation", "labels")


def _coder_from_path(path: Path, code_column: str, gold_as: str):
    """(name, codes) for one CODES argument: a coder's CSV, a results folder / turns table
    (its gold column) or a corpus with human labels (CaSiNo)."""
    import pandas as pd

    from ..study.reliability import codes_from_turns, read_codes_csv
    from ..study.results import load_results, read_table

    if path.is_dir() and any((path / f"turns.{e}").exists() for e in ("csv", "parquet")):
        turns = load_results(path).turns
        return f"gold:{path.name}", codes_from_turns(turns, labels="gold", code=gold_as)
    if path.suffix.lower() in (".csv", ".parquet") and path.is_file():
        header = (pd.read_csv(path, nrows=0).columns if path.suffix.lower() == ".csv"
                  else read_table(path).columns)
        if code_column in header or "gold" not in header:
            return path.stem, read_codes_csv(path, code_column)
        return f"gold:{path.stem}", codes_from_turns(read_table(path), labels="gold",
                                                     code=gold_as)
    return f"gold:{path.stem}", _gold_from_corpus(path, gold_as)


def _gold_from_corpus(path: Path, gold_as: str):
    import pandas as pd

    from ..io import read_transcripts
    from ..study.codes import gold_orientation
    from ..study.reliability import KEY

    keys, values = [], []
    for transcript in read_transcripts(path):
        for turn in transcript.turns:
            if not turn.gold:
                continue
            joined = ",".join(turn.gold)
            keys.append((str(transcript.session_id), int(turn.index)))
            values.append(gold_orientation(joined) if gold_as == "orientation"
                          else ",".join(sorted(turn.gold)))
    return pd.Series(values, index=pd.MultiIndex.from_tuples(keys, names=KEY), dtype=object)


def _some(codes: list[str], k: int = 4) -> str:
    """The first ``k`` codes, comma-separated, with an ellipsis when there are more."""
    return ", ".join(codes[:k]) + (", ..." if len(codes) > k else "")


def reliability(
    codes: Annotated[list[Path], typer.Argument(
        help="Codes: one CSV per coder (session_id, turn, code), a results folder or turns "
             "table (its human 'gold' labels), or a corpus with human labels (CaSiNo).",
        show_default=False)],
    against: Annotated[Path | None, typer.Option(
        "--against", help="A results folder or turns.csv: the analyser's own labels become "
                          "one more coder.", show_default=False)] = None,
    code_column: Annotated[str, typer.Option(
        "--code-column", help="Name of the code column in the coders' CSVs.")] = "code",
    against_column: Annotated[str, typer.Option(
        "--against-column", help="Which model label to compare: orientation, labels (the "
                                 "model's label set, to compare with --gold-as labels) or "
                                 "move (one label; may be a rule-based offer kind).")]
    = "orientation",
    gold_as: Annotated[str, typer.Option(
        "--gold-as", help="Human multi-labels as 'orientation' (mapped) or 'labels' (the "
                          "exact label set).")] = "orientation",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for the CSV tables and manifest.json.",
        show_default=False)] = None,
) -> None:
    """Agreement between coders, or between the analyser and human codes.

    Cohen's kappa per pair, Krippendorff's alpha (nominal, any number of coders,
    missing codes allowed), per-category agreement and confusion tables. Only turns
    both coders coded count for a pair; alpha uses every turn with two or more codes.
    With --out, writes reliability_pairs.csv, reliability_alpha.csv,
    reliability_categories.csv, reliability_confusion.csv and manifest.json.

    Example:

        analyzer reliability coder_a.csv coder_b.csv --against reports/study \\
            --out reports/agreement
    """

    from ..study.display import frame_table
    from ..study.reliability import codes_from_turns, confusion_long, disjoint_pairs
    from ..study.reliability import reliability as compute
    from ..study.results import load_results

    if gold_as not in GOLD_AS:
        fail_usage(f"--gold-as: unknown value {gold_as!r}", f"choose {' or '.join(GOLD_AS)}")
    if against_column not in ("orientation", "labels", "move"):
        fail_usage(f"--against-column: unknown value {against_column!r}",
                   "choose orientation, labels or move")
    coders, model = {}, {}
    try:
        for path in codes:
            if not path.exists():
                fail_usage(f"{path}: no such file or folder", "check the path")
            name, values = _coder_from_path(path, code_column, gold_as)
            base, i = name, 2
            while name in coders:
                name, i = f"{base}_{i}", i + 1
            coders[name] = values
        if against is not None:
            results = load_results(against)
            model = results.model_info
            coders["analyzer"] = codes_from_turns(results.turns, labels="model",
                                                  code=against_column)
    except UsageError as exc:
        fail(exc, EXIT_USAGE)
    except AnalyzerError as exc:
        fail(exc, EXIT_SOME_FAILED)
    if len(coders) < 2:
        fail_usage("agreement needs at least two coders",
                   "give two or more codes files, or one plus --against RESULTS")
    empty = [n for n, c in coders.items() if len(c) == 0]
    if empty:
        fail_usage(f"no codes found for {', '.join(empty)}",
                   "check the code column and that the corpus carries human labels")
    for warning in [*unmatched_warnings(coders), *case_variant_warnings(coders)]:
        err(warning)
    result = compute(coders)
    if (result.pairs["n"] == 0).all():
        fail_usage("the coders share no coded turns",
                   "session_id and turn must match the turns table (turn is 0-based)")
    disjoint = disjoint_pairs(result)
    if disjoint:
        a, b, codes_a, codes_b = disjoint[0]
        fail_usage(
            f"{a} and {b} have no category in common ({a}: {_some(codes_a)}; "
            f"{b}: {_some(codes_b)}), so their agreement would be 0 by construction",
            "code both on the same scale: --gold-as orientation (the default) with "
            "--against-column orientation, or --gold-as labels --against-column labels; "
            "coders' CSVs must use the same category names")

    note = write_outputs_first(out, "reliability", {
        "reliability_pairs.csv": result.pairs,
        "reliability_alpha.csv": result.alpha,
        "reliability_categories.csv": result.per_category,
        "reliability_confusion.csv": confusion_long(result),
    }, model=model,
        options={"code_column": code_column, "against_column": against_column,
                 "gold_as": gold_as, "coders": list(coders)},
        inputs=[*codes, *([against] if against else [])])
    console = study_console()
    console.print(frame_table(result.pairs, "Agreement per pair of coders"))
    console.print(frame_table(result.alpha, "Krippendorff's alpha (nominal)"))
    console.print(frame_table(result.per_category, "Per category"))
    for (a, b), table in result.confusion.items():
        if len(table.columns) > MAX_SHOWN_CATEGORIES:  # unreadable in a terminal (QA)
            where = "reliability_confusion.csv in --out" if out is None else \
                f"{out / 'reliability_confusion.csv'}"
            typer.echo(f"Confusion: {a} x {b}: {len(table.columns)} categories, too many to "
                       f"show here; see {where}.")
            continue
        shown = table.reset_index().rename(columns={"index": f"{a} \\ {b}"})
        shown.columns = [str(c) for c in shown.columns]
        console.print(frame_table(shown, f"Confusion: {a} (rows) x {b} (columns)"))
    typer.echo(note, nl=False)
    raise typer.Exit(EXIT_OK)


def unmatched_warnings(coders: dict) -> list[str]:
    """A warning per coder whose coded turns match no other coder's (a session id that is
    not in the results, a turn past a session's end): they take no part in the agreement,
    and until 28 Nov 2026 were left out without a word (researcher QA)."""
    from ..study.reliability import coder_frame

    frame = coder_frame(coders)
    coded = frame.notna()
    sessions = frame.index.get_level_values(0)
    warnings = []
    for name in frame.columns:
        others = coded.drop(columns=name).sum(axis=1) > 0
        alone = coded[name] & ~others
        if not alone.any():
            continue
        # turns in sessions no other coder coded at all are no mismatch: the documented
        # `--against RESULTS` codes every session, the human coder a sample (study-at-scale
        # QA, 28 Nov 2026: "134060 of 215000 turns ... match no other coder's turns")
        shared_sessions = set(sessions[others])
        stray = alone & sessions.isin(shared_sessions)
        unshared = int(alone.sum() - stray.sum())
        if unshared:
            only = sorted(set(sessions[alone & ~stray]), key=str)
            shown = ", ".join(map(str, only[:3])) + (", ..." if len(only) > 3 else "")
            warnings.append(
                f"note: {unshared} turns coded by {name} are in {len(only)} sessions no other "
                f"coder coded ({shown}) and take no part in the agreement; if a session id "
                "is misspelled, correct it")
        if stray.any():
            keys = [f"session {s} turn {t}" for s, t in list(frame.index[stray])[:3]]
            more = ", ..." if stray.sum() > 3 else ""
            warnings.append(
                f"warning: {int(stray.sum())} of {int(coded[name].sum())} turns coded by "
                f"{name} match no other coder's turns in sessions both coded "
                f"({', '.join(keys)}{more}) and are left out; check session_id and turn "
                "(0-based, as in the turns table)")
    return warnings


def case_variant_warnings(coders: dict) -> list[str]:
    """A warning when two category names differ only in case ("Neutral", "neutral"): they
    count as two categories, which lowers agreement, and are most likely one (QA, 28 Nov
    2026). Not merged: a scheme may mean them apart, the researcher decides."""
    names = sorted({str(v) for c in coders.values() for v in c.dropna()})
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.casefold(), []).append(name)
    clashes = [g for g in groups.values() if len(g) > 1]
    if not clashes:
        return []
    shown = "; ".join(" / ".join(repr(n) for n in g) for g in clashes[:3])
    return [f"warning: categories that differ only in case count as different categories "
            f"({shown}{'; ...' if len(clashes) > 3 else ''}); if they are one category, "
            "write it the same way in every codes file"]


#: Confusion tables wider than this are left to the CSV: in an 80-100 column terminal
#: their headers shrink to one letter and columns drop out.
MAX_SHOWN_CATEGORIES = 8


def register(app: typer.Typer) -> None:
    app.command("reliability")(pipe_safe(reliability))
