"""Sequential analysis of moves: who answers what with what.

Transition tables count how often a code at turn t is followed by a code k turns later,
either across speakers (the other side's response) or within a speaker (what the same
speaker does next). Following Bakeman & Quera (Sequential Analysis and Observational
Methods, 2011) each cell gets its expected count from the row and column totals
(E = row * col / N), the transition probability O / row, and the adjusted residual

    z = (O - E) / sqrt(E * (1 - row / N) * (1 - col / N))

(Allison & Liker 1982), which is approximately standard normal under independence, so
|z| > 1.96 marks a transition that happens more (or less) often than chance.

Reciprocity (Weingart et al. 1990): per session and party, how often the party answers the
other side's integrative move integratively and a distributive move distributively.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..results import ORIENTATIONS
from .codes import turn_codes

SCOPES = ("across", "within")
TRANSITION_COLUMNS = ["from", "to", "observed", "expected", "row_total", "col_total",
                      "probability", "adjusted_residual", "p_value", "pairs", "caution"]
#: Below these a table's z and p are not to be trusted (the normal approximation of the
#: adjusted residual needs enough expected counts; Bakeman & Quera 2011 advise caution
#: with small expected frequencies): fewer pairs in the table, or an expected count of a
#: cell whose row and column occur below ``MIN_EXPECTED``.
MIN_PAIRS = 20
MIN_EXPECTED = 1.0


def _sequence_frame(turns: pd.DataFrame, labels: str, code: str,
                    include_actions: bool) -> pd.DataFrame:
    """session_id, turn, speaker, stage, code; ordered; actions dropped unless asked."""
    frame = turns.copy()
    frame["code"] = list(turn_codes(turns, labels=labels, code=code))
    if not include_actions and "is_action" in frame.columns:
        frame = frame[~frame["is_action"].astype(bool)]
    if "stage" not in frame.columns:
        frame["stage"] = None
    return frame.sort_values(["session_id", "turn"], kind="stable")[
        ["session_id", "turn", "speaker", "stage", "code"]]


def transition_pairs(turns: pd.DataFrame, *, lag: int = 1, scope: str = "across",
                     labels: str = "model", code: str = "orientation",
                     include_actions: bool = False) -> pd.DataFrame:
    """Every (antecedent, consequent) pair at ``lag``, one row per pair.

    ``across``: turn t and turn t+lag of the session when a different speaker says the
    latter. ``within``: a speaker's turn and that speaker's lag-th next turn. Pairs where
    either turn has no code are left out, without closing the gap (the positions stay).
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}")
    if lag < 1:
        raise ValueError("lag must be at least 1")
    seq = _sequence_frame(turns, labels, code, include_actions).reset_index(drop=True)
    keys = ["session_id"] if scope == "across" else ["session_id", "speaker"]
    nxt = seq.groupby(keys, sort=False)[["turn", "speaker", "code"]].shift(-lag)
    pairs = pd.DataFrame({
        "session_id": seq["session_id"], "turn": seq["turn"], "next_turn": nxt["turn"],
        "speaker": seq["speaker"], "next_speaker": nxt["speaker"], "stage": seq["stage"],
        "from": seq["code"], "to": nxt["code"]})
    keep = pairs["next_turn"].notna() & pairs["from"].notna() & pairs["to"].notna()
    if scope == "across":
        keep &= pairs["speaker"] != pairs["next_speaker"]
    pairs = pairs[keep].reset_index(drop=True)
    pairs["next_turn"] = pairs["next_turn"].astype(int)
    pairs["session_id"] = pairs["session_id"].astype(str)
    pairs["from"] = pairs["from"].astype(object)
    pairs["to"] = pairs["to"].astype(object)
    return pairs.sort_values(["session_id", "turn"], kind="stable").reset_index(drop=True)


def transition_table(pairs: pd.DataFrame, categories: list[str] | None = None) -> pd.DataFrame:
    """Observed and expected counts, probabilities and adjusted residuals, one row per cell."""
    cats = categories or _categories(pd.concat([pairs["from"], pairs["to"]]))
    observed = pd.crosstab(pd.Categorical(pairs["from"], categories=cats),
                           pd.Categorical(pairs["to"], categories=cats), dropna=False)
    observed = observed.reindex(index=cats, columns=cats, fill_value=0).to_numpy(dtype=float)
    return _cells(observed, cats)


def _cells(observed: np.ndarray, cats: list[str]) -> pd.DataFrame:
    n = observed.sum()
    rows_t, cols_t = observed.sum(axis=1), observed.sum(axis=0)
    expected = np.outer(rows_t, cols_t) / n if n else np.zeros_like(observed)
    present = expected[expected > 0]
    caution = bool(n and (n < MIN_PAIRS or present.min() < MIN_EXPECTED))
    out = []
    for i, a in enumerate(cats):
        for j, b in enumerate(cats):
            o = observed[i, j]
            e = rows_t[i] * cols_t[j] / n if n else 0.0
            denom = e * (1 - rows_t[i] / n) * (1 - cols_t[j] / n) if n else 0.0
            z = (o - e) / np.sqrt(denom) if denom > 0 else float("nan")
            out.append({"from": a, "to": b, "observed": int(o), "expected": e,
                        "row_total": int(rows_t[i]), "col_total": int(cols_t[j]),
                        "probability": o / rows_t[i] if rows_t[i] else float("nan"),
                        "adjusted_residual": z,
                        "p_value": float(2 * stats.norm.sf(abs(z))) if z == z
                        else float("nan"), "pairs": int(n), "caution": caution})
    return pd.DataFrame(out, columns=TRANSITION_COLUMNS)


def caution_text(table: pd.DataFrame) -> str:
    """Why a transition table's z and p are unreliable ("" when they are not): for one
    table (one lag, scope and stage) of ``transitions``."""
    if not len(table) or not bool(table["caution"].any()):
        return ""
    n = int(table["pairs"].iloc[0])
    positive = table.loc[table["expected"] > 0, "expected"]
    reasons = []
    if n < MIN_PAIRS:
        reasons.append(f"only {n} pair{'' if n == 1 else 's'} (< {MIN_PAIRS})")
    if len(positive) and positive.min() < MIN_EXPECTED:
        small = int((positive < MIN_EXPECTED).sum())
        reasons.append(f"{small} expected count(s) below {MIN_EXPECTED:g} "
                       f"(smallest {positive.min():.2f})")
    return ("caution: " + " and ".join(reasons) + ": z and p are unreliable with small "
            "expected counts (Bakeman & Quera 2011); read the counts, not the z")


def _categories(values: pd.Series) -> list[str]:
    present = [v for v in pd.unique(values.dropna())]
    if set(present) <= set(ORIENTATIONS):
        return list(ORIENTATIONS)
    return sorted(present, key=str)


def transitions(turns: pd.DataFrame, *, lag: int = 1, scope: str = "across",
                labels: str = "model", code: str = "orientation", by_stage: bool = False,
                include_actions: bool = False) -> pd.DataFrame:
    """The transition table (optionally one per stage of the antecedent turn).

    Columns: [stage,] from, to, observed, expected, row_total, col_total, probability,
    adjusted_residual, p_value; plus lag and scope so tables of several runs can be stacked.
    """
    pairs = transition_pairs(turns, lag=lag, scope=scope, labels=labels, code=code,
                             include_actions=include_actions)
    cats = _categories(pd.concat([pairs["from"], pairs["to"]])) if len(pairs) else (
        list(ORIENTATIONS) if code == "orientation" else [])
    if by_stage:
        from ..results import STAGES

        frames = []
        stages = [s for s in STAGES if s in set(pairs["stage"])] + sorted(
            {s for s in pairs["stage"].dropna() if s not in STAGES})
        for stage in stages:
            table = transition_table(pairs[pairs["stage"] == stage], cats)
            table.insert(0, "stage", stage)
            frames.append(table)
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["stage", *TRANSITION_COLUMNS])
    else:
        table = transition_table(pairs, cats)
    table.insert(0, "scope", scope)
    table.insert(0, "lag", lag)
    return table


def as_matrix(table: pd.DataFrame, value: str = "adjusted_residual") -> pd.DataFrame:
    """A long transition table as a from x to matrix of ``value``."""
    cats = list(dict.fromkeys(table["from"]))
    return table.pivot(index="from", columns="to", values=value).reindex(index=cats,
                                                                         columns=cats)


RECIPROCITY_COLUMNS = [
    "session_id", "speaker", "responses", "integrative_prompts",
    "integrative_answered_integrative", "integrative_reciprocity", "distributive_prompts",
    "distributive_answered_distributive", "distributive_reciprocity",
]


def reciprocity(turns: pd.DataFrame, *, labels: str = "model", lag: int = 1,
                include_actions: bool = False) -> pd.DataFrame:
    """Per session and responding party: integrative answered integratively, distributive
    answered distributively (counts and shares), from across-speaker lag pairs.

    Third parties (mediators, chairs...), as in the session report's reciprocity: a
    mediator is neither answered nor answering, and a pair that has a third party's turn at
    either end is dropped (a party speaking after the mediator answers the mediator; until
    0.4.0 the parties' turns around a mediator's turn were paired)."""
    pairs = transition_pairs(turns, lag=lag, scope="across", labels=labels,
                             code="orientation", include_actions=include_actions)
    if "role" in turns.columns and len(pairs):
        from ..transcript import is_third_party

        third = turns["role"].fillna("party").map(is_third_party).astype(bool)
        outside = set(zip(turns.loc[third, "session_id"].astype(str),
                          turns.loc[third, "speaker"], strict=True))
        if outside:
            ends = [(s, a) in outside or (s, b) in outside for s, a, b in zip(
                pairs["session_id"], pairs["speaker"], pairs["next_speaker"], strict=True)]
            pairs = pairs[~pd.Series(ends, index=pairs.index)]
    if not len(pairs):
        return pd.DataFrame(columns=RECIPROCITY_COLUMNS)
    # one grouped sum over indicator columns (a filter per session and party took ~1 ms a
    # group: 48 s for a 20x CaSiNo run; study-at-scale QA, 28 Nov 2026)
    came_i = pairs["from"] == "integrative"
    came_d = pairs["from"] == "distributive"
    flags = pd.DataFrame({
        "session_id": pairs["session_id"], "speaker": pairs["next_speaker"],
        "responses": 1, "integrative_prompts": came_i.astype(int),
        "integrative_answered_integrative": (came_i & (pairs["to"] == "integrative")).astype(int),
        "distributive_prompts": came_d.astype(int),
        "distributive_answered_distributive": (came_d & (pairs["to"] == "distributive")
                                               ).astype(int)})
    out = flags.groupby(["session_id", "speaker"], sort=True).sum().reset_index()
    for kind, answered in (("integrative", "integrative_answered_integrative"),
                           ("distributive", "distributive_answered_distributive")):
        prompts = out[f"{kind}_prompts"]
        out[f"{kind}_reciprocity"] = (out[answered] / prompts.where(prompts > 0)).astype(float)
    return out[RECIPROCITY_COLUMNS]
