"""Exports of a results folder for the tools researchers use: R, SPSS, Stata, ConvoKit.

* ``csv``: tidy tables R's ``readr::read_csv`` reads as is (UTF-8, one header row, ``NA``-free
  empty cells, ``TRUE``/``FALSE``), plus ``party_metrics_long.csv`` (one row per session x
  party x stage x measure) for ``ggplot``.
* ``parquet``: the same tables, types kept.
* ``sav`` / ``dta``: SPSS and Stata files (pyreadstat) in which the categorical codes (stage,
  move, orientation, role, action) are integers with value labels, variable names are made
  legal (letters, digits, underscore, <= 32 characters, unique) and the original column
  name is the variable label.
* ``convokit``: a ConvoKit corpus folder (``analyzer.io.convokit_export``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..batch.tabular import DECLARED_TYPES
from ..errors import UsageError
from ..results import ORIENTATIONS, STAGES
from ..transcript import ROLES

EXPORT_FORMATS = ("csv", "parquet", "sav", "dta", "convokit")


def _move_names() -> tuple[str, ...]:
    """The taxonomy's move names in its order (the shipped models' label set and the offer
    and action moves); empty when the model package is not importable."""
    try:
        from ..moves.taxonomy import MOVES
    except ImportError:  # exports of saved tables do not need the model package
        return ()
    return tuple(m.name for m in MOVES)


#: The action kinds ``analyzer.transcript.Action`` normalises to.
ACTION_KINDS = ("submit", "accept", "reject", "walk_away", "other")
#: Categorical columns and their fixed codebooks: codes 1..k follow this order whatever the
#: data holds, so two exports (say of two batches) give a label the same number and pool
#: safely in SPSS or Stata. Labels outside the codebook (a custom scheme's moves) get the
#: next codes in sorted order.
CATEGORICAL = {"stage": STAGES, "orientation": ORIENTATIONS, "role": ROLES,
               "move": _move_names(), "action": ACTION_KINDS, "offer": _move_names()}
#: Columns that hold words, whatever they look like: never turned into numbers, even when a
#: table's every value happens to read as one (a session whose turns are all "1", "2"),
#: and text also when every cell is empty: an empty ``gold`` was a numeric variable in one
#: export and a string in another, and Stata's ``append`` and SPSS's ``ADD FILES`` refuse
#: to pool the two (researcher QA, 28 Nov 2026). The documented text columns of the tables
#: (``batch.tabular.DECLARED_TYPES``) and the study tables' own.
TEXT_COLUMNS = frozenset({"text", "speaker", "session_id", "source", "format", "parties",
                          "third_parties", "model", "labels", "gold", "file", "error", "hint",
                          "action_terms"}) | frozenset(
    name for name, kind in DECLARED_TYPES.items() if kind == pa.string()) - frozenset(
    CATEGORICAL)
_STATA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in",
                   "int", "long", "_n", "_N", "_pi", "_pred", "_rc", "_se", "_skip",
                   "strL", "using", "with"}


def legal_names(columns, max_len: int = 32) -> dict[str, str]:
    """Column -> a Stata/SPSS-legal, unique variable name."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:
        name = re.sub(r"[^A-Za-z0-9_]", "_", str(column))
        name = re.sub(r"_+", "_", name).strip("_") or "v"
        if not re.match(r"[A-Za-z]", name):
            name = f"v_{name}"
        if name in _STATA_RESERVED:
            name = f"{name}_"
        if len(name) > max_len:
            name = _shorten(name, max_len)
        base, i = name, 2
        while name.lower() in used:
            suffix = f"_{i}"
            name = base[: max_len - len(suffix)] + suffix
            i += 1
        used.add(name.lower())
        names[str(column)] = name
    return names


def _shorten(name: str, max_len: int) -> str:
    """``meta_participants_mturk_agent_1_outcomes_points_scored`` ->
    ``par_mtu_age_1_out_points_scored``: drop ``meta_``, then cut the longest early parts to
    three letters, keeping the last two parts whole; cut the end only as a last resort."""
    parts = name.split("_")
    if parts[0] == "meta" and len(parts) > 1:
        parts = parts[1:]
    while len("_".join(parts)) > max_len:
        early = [i for i in range(max(0, len(parts) - 2)) if len(parts[i]) > 3]
        if not early:
            break
        longest = max(early, key=lambda i: len(parts[i]))
        parts[longest] = parts[longest][:3]
    short = "_".join(parts)[:max_len].strip("_")
    return short if re.match(r"[A-Za-z]", short) else f"v{short}"[:max_len]


def value_labels(frame: pd.DataFrame) -> dict[str, dict[int, str]]:
    """For each categorical column present: code -> label, 1-based: the column's fixed
    codebook first (every entry, used or not, so codes never depend on the data), then any
    other value seen, sorted."""
    labels = {}
    for column, order in CATEGORICAL.items():
        if column not in frame.columns:
            continue
        present = [v for v in pd.unique(frame[column].dropna()) if str(v).strip()]
        known = list(order or ())  # fixed codes for the fixed vocabularies
        rest = sorted(str(v) for v in present if v not in set(known))
        labels[column] = {i + 1: str(v) for i, v in enumerate([*known, *rest])}
    return labels


def labelled_frame(frame: pd.DataFrame, max_str: int | None = None
                   ) -> tuple[pd.DataFrame, dict, dict]:
    """The frame with categorical codes as integers, legal names, and its labels.

    Returns (frame, variable_value_labels, column_labels) keyed by the new names.
    """
    out = frame.copy()
    labels = value_labels(out)
    for column, mapping in labels.items():
        code = {v: k for k, v in mapping.items()}
        out[column] = out[column].map(lambda v, c=code: c.get(str(v)) if pd.notna(v)
                                      else np.nan).astype(float)
    for column in out.columns:
        if column in labels:
            continue
        series = out[column]
        present = series.dropna()
        if column in TEXT_COLUMNS:  # words, also when every cell is empty or looks numeric
            text = series.map(lambda v: "" if pd.isna(v) else str(v)).astype(object)
            out[column] = text.str.slice(0, max_str) if max_str else text
        elif pd.api.types.is_bool_dtype(series) or (
                len(present) and all(isinstance(v, (bool, np.bool_)) for v in present)):
            out[column] = series.map(lambda v: np.nan if pd.isna(v) else float(bool(v)))
        elif pd.api.types.is_numeric_dtype(series):
            out[column] = series.astype(float)
        else:
            numeric = pd.to_numeric(series, errors="coerce")
            if len(present) and numeric[series.notna()].notna().all():
                out[column] = numeric.astype(float)
            elif not len(present):
                out[column] = pd.Series(np.nan, index=series.index, dtype=float)
            else:
                text = series.map(lambda v: "" if pd.isna(v) else str(v)).astype(object)
                if max_str:
                    text = text.str.slice(0, max_str)
                out[column] = text
    names = legal_names(out.columns)
    out = out.rename(columns=names)
    return (out, {names[c]: m for c, m in labels.items()},
            {names[c]: str(c)[:80] for c in frame.columns})


def r_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Booleans as TRUE/FALSE so readr guesses logical columns."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == bool:
            out[column] = series.map({True: "TRUE", False: "FALSE"})
    return out


def metrics_long(turns: pd.DataFrame, labels: str = "model") -> pd.DataFrame:
    """Party metrics overall and per stage, long: session_id, speaker, stage, measure, value."""
    from .outcomes import party_metrics

    wide = party_metrics(turns, labels=labels)
    rows = []
    measures = ["coded", *[f"{o}_{k}" for o in ORIENTATIONS for k in ("n", "share")]]
    for row in wide.to_dict("records"):
        for stage in ("all", *STAGES):
            prefix = "" if stage == "all" else f"{stage}_"
            for measure in measures:
                rows.append({"session_id": row["session_id"], "speaker": row["speaker"],
                             "stage": stage, "measure": measure,
                             "value": row.get(f"{prefix}{measure}")})
    return pd.DataFrame(rows, columns=["session_id", "speaker", "stage", "measure", "value"])


def _pyreadstat():
    """pyreadstat, or a usage error saying how to install it (a partial install without it
    failed with a 41-line traceback: packaging QA, 28 Nov 2026)."""
    try:
        import pyreadstat
    except ImportError as exc:
        raise UsageError("SPSS and Stata files need the pyreadstat package, which is not "
                         "installed", hint="pip install pyreadstat (a dependency of "
                         "analyzer: reinstall it with its dependencies)") from exc
    return pyreadstat


def write_exports(results, folder, formats, *, unique_speakers: bool = False,
                  warn=None) -> list[Path]:
    """Write each requested format of every table of ``results`` into ``folder``.

    ``warn`` receives a line about anything the export could not keep (the library never
    prints): for ConvoKit, sources whose action terms could not be read again."""
    from ..io.convokit_export import source_actions, write_convokit

    tables = {name: getattr(results, name) for name in ("turns", "units", "stages", "sessions")
              if getattr(results, name) is not None}
    written: list[Path] = []
    for fmt in formats:
        if fmt == "csv":
            for name, frame in tables.items():
                written.append(folder.write_csv(f"csv/{name}.csv", r_ready(frame)))
            written.append(folder.write_csv("csv/party_metrics_long.csv",
                                            metrics_long(results.turns)))
        elif fmt == "parquet":
            for name, frame in tables.items():
                written.append(folder.write_parquet(f"parquet/{name}.parquet", frame))
        elif fmt in ("sav", "dta"):
            pyreadstat = _pyreadstat()  # only these two need it (packaging QA: --to csv did)
            sub = "spss" if fmt == "sav" else "stata"
            for name, frame in tables.items():
                # (long texts go to Stata as strL: pyreadstat writes them whole)
                data, vlabels, clabels = labelled_frame(frame)
                if fmt == "sav":
                    def write(p, d=data, v=vlabels, c=clabels, rs=pyreadstat):
                        rs.write_sav(d, str(p), column_labels=c, variable_value_labels=v)
                else:
                    def write(p, d=data, v=vlabels, c=clabels, rs=pyreadstat):
                        rs.write_dta(d, str(p), column_labels=c, variable_value_labels=v,
                                     version=15)
                written.append(folder.write_atomic(f"{sub}/{name}.{fmt}", write))
        elif fmt == "convokit":
            # terms come from ``action_terms``; only older tables need the sources again
            has_actions = "action" in results.turns.columns and \
                "action_terms" not in results.turns.columns and \
                results.turns["action"].notna().any()
            actions, unreadable = (source_actions(results.sessions) if has_actions
                                   else ({}, []))
            if unreadable and warn:
                warn(f"convokit: could not read {', '.join(unreadable)} again, so their "
                     "action turns keep only their kind, not their terms (a re-analysis "
                     "may label them differently); run the export where the sources are")
            written.extend(write_convokit(results.turns, folder, "convokit",
                                          sessions=results.sessions,
                                          unique_speakers=unique_speakers,
                                          corpus_meta={"model": results.model_info},
                                          actions=actions))
        else:
            raise ValueError(f"unknown export format {fmt!r}")
    return written
