"""Agreement between coders: Cohen's kappa, Krippendorff's alpha, per-category agreement.

A researcher who codes turns by hand (or checks the model against human codes) needs the
agreement statistics journals ask for, computed on exactly the turns both coders coded.
Codes are pandas Series indexed by ``(session_id, turn)``; a missing code is simply absent
(or ``None``). Kappa is for two coders; alpha (nominal) takes any number and allows missing
codes. Both are implemented here from their definitions and checked in the tests against
scikit-learn's ``cohen_kappa_score`` and the ``krippendorff`` package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ReadError

KEY = ["session_id", "turn"]


# ---- statistics -------------------------------------------------------------------------

def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two equally long code sequences (NaN when chance agreement is 1)."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if len(a) != len(b):
        raise ValueError("both coders must code the same items")
    n = len(a)
    if n == 0:
        return float("nan")
    observed = float(np.mean(a == b))
    cats = sorted(set(a) | set(b), key=str)
    expected = sum((np.sum(a == c) / n) * (np.sum(b == c) / n) for c in cats)
    if expected >= 1.0:
        return float("nan")
    return (observed - expected) / (1.0 - expected)


def coincidence_matrix(data: pd.DataFrame) -> pd.DataFrame:
    """Krippendorff's coincidence matrix of a units x coders frame (NaN/None = missing)."""
    values = sorted({v for v in data.to_numpy().ravel() if _present(v)}, key=str)
    index = {v: i for i, v in enumerate(values)}
    matrix = np.zeros((len(values), len(values)))
    for row in data.itertuples(index=False):
        codes = [v for v in row if _present(v)]
        m = len(codes)
        if m < 2:
            continue
        for i, j in ((i, j) for i in range(m) for j in range(m) if i != j):
            matrix[index[codes[i]], index[codes[j]]] += 1.0 / (m - 1)
    return pd.DataFrame(matrix, index=values, columns=values)


def krippendorff_alpha(data: pd.DataFrame) -> float:
    """Krippendorff's alpha for nominal codes; rows are units, columns coders."""
    o = coincidence_matrix(data).to_numpy()
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    observed = (o.sum() - np.trace(o)) / n
    expected = (n_c.sum() ** 2 - (n_c ** 2).sum()) / (n * (n - 1))
    if expected == 0:
        return float("nan")
    return float(1.0 - observed / expected)


def _present(value) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


# ---- the report -------------------------------------------------------------------------

@dataclass
class Reliability:
    """Agreement tables for a set of coders."""

    coders: list[str]
    pairs: pd.DataFrame            # coder_a, coder_b, n, agreement, kappa
    alpha: pd.DataFrame            # one row: coders, units, pairable_units, alpha
    per_category: pd.DataFrame     # category, count per coder, specific_agreement, kappa, alpha
    confusion: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)


def coder_frame(coders: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Coders side by side on the union of their (session_id, turn) keys."""
    if len(coders) < 2:
        raise ValueError("agreement needs at least two coders")
    cols = {}
    for name, codes in coders.items():
        codes = codes[[_present(v) for v in codes]]
        cols[name] = codes.astype(object).map(str)
    frame = pd.concat(cols, axis=1, join="outer", sort=True)
    return frame.astype(object).where(frame.notna(), None)


def reliability(coders: Mapping[str, pd.Series], categories: list[str] | None = None
                ) -> Reliability:
    """Pairwise kappa and confusion tables, overall alpha and per-category agreement."""
    frame = coder_frame(coders)
    names = list(frame.columns)
    cats = categories or sorted({v for v in frame.to_numpy().ravel() if _present(v)}, key=str)

    pair_rows, confusion = [], {}
    for a, b in combinations(names, 2):
        both = frame[[a, b]].dropna()
        pair_rows.append({"coder_a": a, "coder_b": b, "n": len(both),
                          "agreement": float((both[a] == both[b]).mean()) if len(both)
                          else float("nan"),
                          "kappa": cohen_kappa(both[a], both[b])})
        table = pd.crosstab(pd.Categorical(both[a], categories=cats),
                            pd.Categorical(both[b], categories=cats), dropna=False)
        table.index.name, table.columns.name = a, b
        confusion[(a, b)] = table.reindex(index=cats, columns=cats, fill_value=0).astype(int)

    pairable = int((frame.notna().sum(axis=1) >= 2).sum())
    alpha = pd.DataFrame([{"coders": len(names), "units": len(frame),
                           "pairable_units": pairable, "alpha": krippendorff_alpha(frame)}])

    cat_rows = []
    shared = frame[frame.notna().sum(axis=1) >= 2]  # the units agreement is computed on
    for cat in cats:
        row = {"category": cat}
        for name in names:
            row[f"n_{name}"] = int((frame[name] == cat).sum())
        for name in names:  # the same counts on shared units only, which the agreement uses
            row[f"n_shared_{name}"] = int((shared[name] == cat).sum())
        both_sum = marg_sum = 0
        kappas = []
        for a, b in combinations(names, 2):
            both = frame[[a, b]].dropna()
            in_a, in_b = both[a] == cat, both[b] == cat
            both_sum += int((in_a & in_b).sum())
            marg_sum += int(in_a.sum() + in_b.sum())
            kappas.append(cohen_kappa(in_a, in_b))
        row["specific_agreement"] = 2 * both_sum / marg_sum if marg_sum else float("nan")
        row["kappa"] = float(np.nanmean(kappas)) if not all(np.isnan(kappas)) else float("nan")
        binary = frame.apply(lambda col, c=cat: col.map(
            lambda v: None if v is None else v == c))
        row["alpha"] = krippendorff_alpha(binary)
        cat_rows.append(row)
    return Reliability(coders=names, pairs=pd.DataFrame(pair_rows), alpha=alpha,
                       per_category=pd.DataFrame(cat_rows), confusion=confusion)


def disjoint_pairs(result: Reliability) -> list[tuple[str, str, list[str], list[str]]]:
    """Pairs of coders who coded the same turns but never used the same category.

    Their agreement is 0 and kappa/alpha are meaningless numbers rather than a finding:
    almost always the two codings are on different scales (exact label sets against
    orientations, moves against orientations). Returns ``(a, b, a's codes, b's codes)``.
    """
    found = []
    for (a, b), table in result.confusion.items():
        used_a = [str(c) for c in table.index[table.sum(axis=1) > 0]]
        used_b = [str(c) for c in table.columns[table.sum(axis=0) > 0]]
        if used_a and used_b and not set(used_a) & set(used_b):
            found.append((a, b, used_a, used_b))
    return found


def confusion_long(result: Reliability) -> pd.DataFrame:
    """All confusion tables as one tidy table (coder_a, coder_b, code_a, code_b, count)."""
    rows = []
    for (a, b), table in result.confusion.items():
        for code_a in table.index:
            for code_b in table.columns:
                rows.append({"coder_a": a, "coder_b": b, "code_a": code_a, "code_b": code_b,
                             "count": int(table.loc[code_a, code_b])})
    return pd.DataFrame(rows, columns=["coder_a", "coder_b", "code_a", "code_b", "count"])


# ---- reading codes ----------------------------------------------------------------------

def read_codes_csv(path: str | Path, code_column: str = "code") -> pd.Series:
    """A coder's CSV (``session_id``, ``turn``, code column) as codes keyed by turn."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={"session_id": str, code_column: str})
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ReadError(path, f"cannot read codes: {exc}",
                        hint="a codes file is a CSV with columns session_id, turn, code") from exc
    missing = [c for c in (*KEY, code_column) if c not in frame.columns]
    if missing:
        raise ReadError(path, f"missing column(s) {', '.join(missing)}; found "
                              f"{', '.join(map(str, frame.columns))}", line=1,
                        hint=f"name the columns session_id, turn and {code_column} "
                             "(or pass --code-column)")
    turns = pd.to_numeric(frame["turn"], errors="coerce")
    bad = turns.isna() | (turns != turns.round())
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise ReadError(path, f"turn {frame['turn'].iloc[first]!r} is not a whole number",
                        line=first + 2, hint="turn is the 0-based turn index of the turns table")
    frame["turn"] = turns.astype(int)
    dup = frame.duplicated(KEY)
    if dup.any():
        first = int(np.flatnonzero(dup.to_numpy())[0])
        raise ReadError(path, f"turn {frame['turn'].iloc[first]} of session "
                              f"{frame['session_id'].iloc[first]} is coded twice",
                        line=first + 2, hint="keep one code per session_id and turn")
    codes = frame.set_index(KEY)[code_column]
    return codes.where(codes.notna(), None).map(lambda v: v.strip() if isinstance(v, str) else v)


def codes_from_turns(turns: pd.DataFrame, labels: str = "model", code: str = "orientation"
                     ) -> pd.Series:
    """A coder's codes from a turns table: the model's labels, or the corpus's gold labels.

    ``code="labels"`` keeps the whole label set as one code (agreement on the exact set):
    the human set with ``labels="gold"``, the model's ``labels`` column with
    ``labels="model"`` (its strategy labels, not the rule-based offer kind that ``move``
    may hold); ``code="orientation"`` maps a human set to orientation. Formal
    actions (Submit-Deal, Accept-Deal...) are left out: they are not talk a coder codes,
    and the model's "neutral" on each of them inflated its neutral count and the units.
    """
    from .codes import split_labels, turn_codes

    if "is_action" in turns.columns:
        spoken = ~turns["is_action"].map(lambda v: str(v).strip().lower() in ("true", "1"))
        turns = turns[spoken]

    if code == "labels":  # the whole label set, sorted, as one code (model or gold)
        column = "gold" if labels == "gold" else "labels"
        values = turns[column].map(lambda v: ",".join(sorted(split_labels(v))) or None)
    else:
        values = turn_codes(turns, labels=labels, code=code)
    keyed = pd.Series(list(values), index=pd.MultiIndex.from_arrays(
        [turns["session_id"].astype(str), turns["turn"].astype(int)], names=KEY))
    return keyed[[_present(v) for v in keyed]]
