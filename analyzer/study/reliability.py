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


def _unit_counts(data: pd.DataFrame, values: list | None = None):
    """Per unit, how many coders gave each value: a sparse (units x values) matrix, the
    values, and each unit's number of codes. Why sparse and vectorised: the coincidence
    matrix was built unit by unit in Python, and the per-category alphas redid it once per
    category: 158 s for a 20x CaSiNo run with 302 label sets (study-at-scale QA, 28 Nov
    2026)."""
    from scipy import sparse

    present = data.apply(lambda col: col.map(_present)).to_numpy(dtype=bool)
    if values is None:
        values = sorted({v for v in data.to_numpy()[present]}, key=str)
    index = {v: i for i, v in enumerate(values)}
    rows, cols = np.nonzero(present)
    cells = data.to_numpy()[rows, cols]
    keep = np.fromiter((v in index for v in cells), dtype=bool, count=len(cells))
    codes = np.fromiter((index[v] for v in cells[keep]), dtype=np.int64,
                        count=int(keep.sum()))
    counts = sparse.csr_matrix((np.ones(len(codes)), (rows[keep], codes)),
                               shape=(len(data), len(values)))
    return counts, values, present.sum(axis=1).astype(float)


def _pair_weights(codes_per_unit: np.ndarray) -> np.ndarray:
    """1 / (m - 1) for a unit with m >= 2 codes, 0 for the others (not pairable)."""
    m = codes_per_unit
    return np.where(m >= 2, 1.0 / np.maximum(m - 1.0, 1.0), 0.0)


def coincidence_matrix(data: pd.DataFrame) -> pd.DataFrame:
    """Krippendorff's coincidence matrix of a units x coders frame (NaN/None = missing):
    the sum over pairable units of (c c' - diag(c)) / (m - 1), c the unit's value counts
    and m its number of codes (every ordered pair of its codes, weighted 1 / (m - 1))."""
    counts, values, m = _unit_counts(data)
    weighted = counts.multiply(_pair_weights(m)[:, None]).tocsr()
    matrix = (counts.T @ weighted).toarray()
    matrix -= np.diag(np.asarray(weighted.sum(axis=0)).ravel())
    return pd.DataFrame(matrix, index=values, columns=values)


def krippendorff_alpha(data: pd.DataFrame) -> float:
    """Krippendorff's alpha for nominal codes; rows are units, columns coders."""
    return _alpha_from(coincidence_matrix(data).to_numpy())


def _alpha_from(o: np.ndarray) -> float:
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    observed = (o.sum() - np.trace(o)) / n
    expected = (n_c.sum() ** 2 - (n_c ** 2).sum()) / (n * (n - 1))
    if expected == 0:
        return float("nan")
    return float(1.0 - observed / expected)


def category_alphas(data: pd.DataFrame, categories: list) -> dict:
    """Krippendorff's alpha of each category against all others (a coder's code is the
    category or not; a missing code stays missing), for all categories at once: for a unit
    with m codes, a of them the category, the binary coincidences are w (a^2 - a) both
    "yes", w a (m - a) mixed and w ((m-a)^2 - (m-a)) both "no", with w = 1 / (m - 1)."""
    counts, _, m = _unit_counts(data, list(categories))
    w = _pair_weights(m)
    a1 = np.asarray(counts.multiply(w[:, None]).sum(axis=0)).ravel()            # sum w a
    a2 = np.asarray(counts.multiply(counts).multiply(w[:, None]).sum(axis=0)).ravel()  # w a^2
    wm = np.asarray(counts.multiply((w * m)[:, None]).sum(axis=0)).ravel()     # sum w m a
    both_yes = a2 - a1
    mixed = wm - a2
    both_no = float((w * (m * m - m)).sum()) - 2 * wm + a2 + a1
    # (a difference of sums: a category every coder always used leaves a rounding residue
    # where the unit-by-unit matrix has an exact 0, and alpha must stay undefined there)
    both_no[np.abs(both_no) < 1e-9] = 0.0
    mixed[np.abs(mixed) < 1e-9] = 0.0
    return {cat: _alpha_from(np.array([[both_no[k], mixed[k]], [mixed[k], both_yes[k]]]))
            for k, cat in enumerate(categories)}


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
    pairs = [(a, b, frame[[a, b]].dropna()) for a, b in combinations(names, 2)]  # (once)
    alphas = category_alphas(frame, cats)
    for cat in cats:
        row = {"category": cat}
        for name in names:
            row[f"n_{name}"] = int((frame[name] == cat).sum())
        for name in names:  # the same counts on shared units only, which the agreement uses
            row[f"n_shared_{name}"] = int((shared[name] == cat).sum())
        both_sum = marg_sum = 0
        kappas = []
        for a, b, both in pairs:
            in_a, in_b = both[a] == cat, both[b] == cat
            both_sum += int((in_a & in_b).sum())
            marg_sum += int(in_a.sum() + in_b.sum())
            kappas.append(cohen_kappa(in_a, in_b))
        row["specific_agreement"] = 2 * both_sum / marg_sum if marg_sum else float("nan")
        row["kappa"] = float(np.nanmean(kappas)) if not all(np.isnan(kappas)) else float("nan")
        row["alpha"] = alphas[cat]
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
    columns = ["coder_a", "coder_b", "code_a", "code_b", "count"]
    parts = []
    for (a, b), table in result.confusion.items():  # each table's cells, row by row
        values = table.to_numpy()
        parts.append(pd.DataFrame({
            "coder_a": a, "coder_b": b,
            "code_a": np.repeat(np.asarray(table.index, dtype=object), values.shape[1]),
            "code_b": np.tile(np.asarray(table.columns, dtype=object), values.shape[0]),
            "count": values.ravel().astype(int)}, columns=columns))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)


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
