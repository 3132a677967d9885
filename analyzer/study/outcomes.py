"""Relating what parties did to how the negotiation ended.

Per-party metrics come from the turns table (shares of integrative / distributive / neutral
turns, overall and in each stage); outcome variables come from the transcripts' metadata
(flattened into the sessions table as ``meta.*`` columns, e.g. CaSiNo's points, satisfaction
and liking per participant) or from the researcher's own CSV. The statistics are the ones a
paper reports: Pearson r with a Fisher-z 95% confidence interval, Spearman's rho, n, and an
ordinary least squares regression with standard errors, confidence intervals and R^2.

Party rows of the same session are not independent (both parties of a dyad share the joint
points); read p-values as descriptive, or use ``level="session"``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ReadError, UsageError
from ..results import ORIENTATIONS, STAGES
from .codes import turn_codes

#: Five-point text scales (CaSiNo's satisfaction and liking) and their 1..5 numbers.
LIKERT = {
    "extremely dissatisfied": 1, "slightly dissatisfied": 2, "undecided": 3,
    "slightly satisfied": 4, "extremely satisfied": 5,
    "extremely dislike": 1, "slightly dislike": 2, "slightly like": 4, "extremely like": 5,
    "strongly disagree": 1, "disagree": 2, "neutral": 3, "agree": 4, "strongly agree": 5,
    "neither agree nor disagree": 3,
    "very dissatisfied": 1, "dissatisfied": 2, "neither satisfied nor dissatisfied": 3,
    "satisfied": 4, "very satisfied": 5,
}
CORRELATION_COLUMNS = ["x", "y", "n", "pearson_r", "ci_low", "ci_high", "pearson_p",
                       "spearman_rho", "spearman_p"]
OLS_COLUMNS = ["outcome", "term", "coef", "se", "t", "p", "ci_low", "ci_high", "n", "r2",
               "adj_r2", "df", "note"]


# ---- metrics from the turns table ---------------------------------------------------------

def _counts(frame: pd.DataFrame, keys: list[str], index: pd.MultiIndex | pd.Index,
            prefix: str = "") -> pd.DataFrame:
    """turns, coded, and per orientation the count and share, for every group in ``index``."""
    groups = frame.groupby(keys, sort=True)
    out = pd.DataFrame(index=index)
    out[f"{prefix}turns"] = groups.size().reindex(index, fill_value=0).astype(int)
    coded = frame[frame["code"].notna()]
    counts = (coded.groupby([*keys, "code"]).size().unstack("code", fill_value=0)
              if len(coded) else pd.DataFrame(index=index))
    counts = counts.reindex(index, fill_value=0)
    total = sum((counts[o] if o in counts.columns else 0) for o in ORIENTATIONS)
    out[f"{prefix}coded"] = pd.Series(total, index=index).astype(int) if len(index) else []
    for o in ORIENTATIONS:
        n = (counts[o] if o in counts.columns else pd.Series(0, index=index)).astype(int)
        out[f"{prefix}{o}_n"] = n
        out[f"{prefix}{o}_share"] = (n / out[f"{prefix}coded"]).where(
            out[f"{prefix}coded"] > 0)
    return out


def duplicate_sessions(turns: pd.DataFrame) -> list[list[str]]:
    """Groups of sessions whose spoken turns say the same words in the same order (the same
    negotiation in two files: ``147`` and ``147-2``), each group sorted; an analysis of
    outcomes counts every copy, so n is inflated (researcher QA, 28 Nov 2026)."""
    if "text" not in turns.columns or turns.empty:
        return []
    frame = turns
    if "is_action" in frame.columns:
        frame = frame[~frame["is_action"].map(lambda v: str(v).strip().lower() in ("true", "1"))]
    said = frame.assign(text=frame["text"].fillna("").astype(str).str.split().str.join(" ")
                        .str.casefold())
    joined = said.groupby(said["session_id"].astype(str), sort=True)["text"].agg("\n".join)
    joined = joined[joined.str.len() > 0]
    groups = joined.index.to_series().groupby(joined.to_numpy()).agg(list)
    return sorted(sorted(g) for g in groups if len(g) > 1)


def _spoken(turns: pd.DataFrame, labels: str) -> pd.DataFrame:
    frame = turns.copy()
    frame["code"] = list(turn_codes(turns, labels=labels, code="orientation"))
    frame["code"] = frame["code"].where(frame["code"].isin(ORIENTATIONS))
    if "is_action" in frame.columns:
        frame = frame[~frame["is_action"].astype(bool)]
    if "role" in frame.columns:
        frame = frame[frame["role"].fillna("party") == "party"]
    if "stage" not in frame.columns:
        frame["stage"] = None
    if "words" not in frame.columns:
        frame["words"] = 0
    return frame


def _metrics(frame: pd.DataFrame, keys: list[str], words: bool) -> pd.DataFrame:
    index = frame.groupby(keys, sort=True).size().index
    overall = _counts(frame, keys, index)
    parts = [overall[["turns"]]]
    if words:
        parts.append(frame.groupby(keys, sort=True)["words"].sum().reindex(index)
                     .fillna(0).astype(int).to_frame("words"))
    parts.append(overall.drop(columns="turns"))
    for stage in STAGES:
        parts.append(_counts(frame[frame["stage"] == stage], keys, index, prefix=f"{stage}_"))
    return pd.concat(parts, axis=1).reset_index()


def party_metrics(turns: pd.DataFrame, labels: str = "model") -> pd.DataFrame:
    """One row per session and party: turns, words, orientation counts and shares, overall
    and per stage (``bargaining_integrative_share`` ...). Shares are over coded turns;
    actions and third parties are left out."""
    return _metrics(_spoken(turns, labels), ["session_id", "speaker"], words=True)


def session_metrics(turns: pd.DataFrame, labels: str = "model") -> pd.DataFrame:
    """The same metrics per session (all parties together)."""
    return _metrics(_spoken(turns, labels), ["session_id"], words=False)


# ---- outcome variables ---------------------------------------------------------------------

def to_number(value):
    """A number from a number or a known five-point text scale; else NaN."""
    if value is None:
        return float("nan")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text.lower() in LIKERT:
        return float(LIKERT[text.lower()])
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _numeric(frame: pd.DataFrame, keep: list[str], first_line: int = 2
             ) -> tuple[pd.DataFrame, dict[str, str]]:
    """The ``keep`` columns and every column whose values are mostly numbers (or five-point
    text scales), as floats, with what was not read: per column, a note naming the cells.

    A column is kept when at least half of its present values are numbers; its other cells
    ("-", "refused") become missing and the note says where (``first_line``: the file line
    of the first row). Until 28 Nov 2026 one such cell dropped the whole column in silence
    (QA: a "-" in ``points_scored`` left only satisfaction to study). A column of mostly
    text (a condition, a comment) is left out; its note says so, for a user who names it.
    """
    out = frame[keep].copy()
    notes: dict[str, str] = {}
    for column in frame.columns:
        if column in keep:
            continue
        values = frame[column].map(to_number)
        present = frame[column].notna()
        bad = present & values.isna()
        if not present.any():
            continue
        where = ", ".join(f"{frame[column].iloc[i]!r} on line {i + first_line}"
                          for i in np.flatnonzero(bad.to_numpy())[:3])
        more = " ..." if bad.sum() > 3 else ""
        if bad.sum() * 2 > present.sum():
            notes[column] = f"not numeric ({where}{more}); left out"
            continue
        out[column] = values
        if bad.any():
            notes[column] = (f"{int(bad.sum())} of {int(present.sum())} values not a number "
                             f"({where}{more}); read as missing")
    return out, notes


def outcomes_from_sessions(sessions: pd.DataFrame, parties: pd.DataFrame) -> pd.DataFrame:
    """Party-level outcome variables from the sessions table's ``meta.*`` columns.

    A column whose dotted path names a party (``meta.participants.mturk_agent_1.outcomes.
    points_scored``) gives that party the variable named by the rest of the path, with a
    leading ``outcomes.`` dropped (``points_scored``). Text scales become 1..5. ``parties``
    has ``session_id`` and ``speaker`` columns (one row per party).
    """
    meta_cols = [c for c in sessions.columns if str(c).startswith("meta.")]
    by_session = {str(r["session_id"]): r for r in sessions.to_dict("records")}
    rows = []
    for party in parties[["session_id", "speaker"]].drop_duplicates().to_dict("records"):
        record = by_session.get(str(party["session_id"]))
        row = {"session_id": str(party["session_id"]), "speaker": party["speaker"]}
        if record is not None:
            for column in meta_cols:
                parts = str(column).split(".")[1:]
                if str(party["speaker"]) not in parts:
                    continue
                rest = parts[parts.index(str(party["speaker"])) + 1:]
                if rest and rest[0] == "outcomes":
                    rest = rest[1:]
                if rest:
                    row[".".join(rest)] = record[column]
        rows.append(row)
    frame = pd.DataFrame(rows)
    return _numeric(frame, ["session_id", "speaker"])[0] if len(frame) else frame


def read_outcomes_csv(path: str | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The researcher's outcomes: ``session_id`` (+ ``speaker`` for party-level variables)
    and numeric or five-point text columns; and per column, what could not be read as a
    number (``_numeric``), for the command to show."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={"session_id": str, "speaker": str})
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ReadError(path, f"cannot read outcomes: {exc}",
                        hint="an outcomes file is a CSV with session_id (and speaker) "
                             "columns") from exc
    if "session_id" not in frame.columns:
        raise ReadError(path, "no session_id column", line=1,
                        hint="add a session_id column matching the turns table's session ids")
    keys = ["session_id", "speaker"] if "speaker" in frame.columns else ["session_id"]
    dup = frame.duplicated(keys)
    if dup.any():
        first = int(np.flatnonzero(dup.to_numpy())[0])
        raise ReadError(path, f"{', '.join(keys)} repeated", line=first + 2,
                        hint="one row per session (or per session and speaker)")
    return _numeric(frame, keys)


def study_parties(turns: pd.DataFrame, subset: str = "all") -> pd.DataFrame:
    """``session_id`` and ``speaker`` of every party a study of ``subset`` has rows for."""
    frame = _spoken(select_sessions(turns, subset), "model")
    return frame[["session_id", "speaker"]].astype(str).drop_duplicates().reset_index(
        drop=True)


def outcome_coverage(outcomes: pd.DataFrame, parties: pd.DataFrame) -> dict[str, list]:
    """Which sessions (and, for a file with ``speaker``, which parties) of the study's
    ``parties`` an outcomes frame has rows for: ``matched`` and ``results_only`` (session
    ids with / without a row), ``file_only`` (session ids not in the results) and
    ``parties_missing`` (``session_id/speaker`` of parties without a row), each sorted."""
    results = set(parties["session_id"].astype(str))
    found = set(outcomes["session_id"].dropna().astype(str))
    missing: list[str] = []
    if "speaker" in outcomes.columns:
        have = set(zip(outcomes["session_id"].astype(str), outcomes["speaker"].astype(str),
                       strict=True))
        missing = sorted(f"{sid}/{spk}" for sid, spk in zip(
            parties["session_id"].astype(str), parties["speaker"].astype(str), strict=True)
            if (sid, spk) not in have)
    return {"matched": sorted(results & found), "results_only": sorted(results - found),
            "file_only": sorted(found - results), "parties_missing": missing}


def add_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """``joint_points`` (sum of the parties' ``points_scored``) and ``partner_<var>`` (the
    other party's value) for every numeric outcome in two-party sessions."""
    frame = frame.copy()
    outcome_cols = [c for c in frame.columns if c not in ("session_id", "speaker")]
    if "points_scored" in frame.columns:
        sums = frame.groupby("session_id")["points_scored"].transform(
            lambda s: s.sum() if s.notna().all() else np.nan)
        frame["joint_points"] = sums
    sizes = frame.groupby("session_id")["speaker"].transform("count")
    groups = frame.groupby("session_id", sort=False)
    for column in outcome_cols:
        # the other row of a two-row session, read directly: a total minus one's own value
        # lost the partner's value whenever one's own was missing (QA, 28 Nov 2026)
        later, earlier = groups[column].shift(-1), groups[column].shift(1)
        frame[f"partner_{column}"] = later.where(later.notna(), earlier).where(sizes == 2)
    return frame


# ---- statistics ----------------------------------------------------------------------------

def correlate(x, y) -> dict:
    """Pearson r with Fisher-z 95% CI and p, Spearman rho and p, on complete pairs."""
    pair = pd.DataFrame({"x": pd.to_numeric(x, errors="coerce"),
                         "y": pd.to_numeric(y, errors="coerce")}).dropna()
    n = len(pair)
    out = {"n": n, "pearson_r": np.nan, "ci_low": np.nan, "ci_high": np.nan,
           "pearson_p": np.nan, "spearman_rho": np.nan, "spearman_p": np.nan}
    if n < 3 or pair["x"].nunique() < 2 or pair["y"].nunique() < 2:
        return out
    r, p = stats.pearsonr(pair["x"], pair["y"])
    rho, sp = stats.spearmanr(pair["x"], pair["y"])
    out.update(pearson_r=float(r), pearson_p=float(p), spearman_rho=float(rho),
               spearman_p=float(sp))
    if n > 3 and abs(r) < 1:
        z, se = np.arctanh(r), 1.0 / np.sqrt(n - 3)
        crit = stats.norm.ppf(0.975)
        out.update(ci_low=float(np.tanh(z - crit * se)), ci_high=float(np.tanh(z + crit * se)))
    return out


def correlations(frame: pd.DataFrame, xs: list[str], ys: list[str]) -> pd.DataFrame:
    """Every x (behaviour) against every y (outcome)."""
    rows = [{"x": x, "y": y, **correlate(frame[x], frame[y])} for x in xs for y in ys]
    return pd.DataFrame(rows, columns=CORRELATION_COLUMNS)


#: Relative tolerance of the rank check: a regressor whose unit-scaled column lies within
#: this of the span of the columns before it is aliased (R's ``lm`` uses 1e-7 in its QR).
RANK_TOLERANCE = 1e-7


def _rank(X: np.ndarray) -> int:
    """Numerical rank of ``X`` with its columns scaled to unit length (so a regressor's
    units do not decide), singular values below ``RANK_TOLERANCE`` × the largest ignored."""
    if X.shape[1] == 0:
        return 0
    norms = np.linalg.norm(X, axis=0)
    unit = X / np.where(norms > 0, norms, 1.0)
    top = float(np.linalg.svd(unit, compute_uv=False).max(initial=0.0))
    return int(np.linalg.matrix_rank(unit, tol=RANK_TOLERANCE * top)) if top > 0 else 0


def aliased_terms(X: np.ndarray, names: list[str]) -> list[str]:
    """Columns of the design ``X`` (intercept first) that are linear combinations of the
    columns before them, as R's ``lm`` finds them: the later one of a collinear set goes."""
    kept: list[int] = []
    aliased = []
    for j, name in enumerate(names):
        if _rank(X[:, [*kept, j]]) > len(kept):
            kept.append(j)
        else:
            aliased.append(name)
    return aliased


def _alias_reason(term: str, xs: list[str]) -> str:
    """Why ``term`` was dropped; the orientation shares of one stage always sum to 1."""
    for o in ORIENTATIONS:
        if term.endswith(f"{o}_share"):
            prefix = term[: -len(f"{o}_share")]
            if all(f"{prefix}{other}_share" in xs for other in ORIENTATIONS):
                return ("dropped: collinear with the others: the shares sum to 1 "
                        "(leave one out as the reference)")
    return "dropped: collinear with the intercept and the regressors before it"


def ols(frame: pd.DataFrame, y: str, xs: list[str]) -> pd.DataFrame:
    """Ordinary least squares ``y ~ 1 + xs`` on complete rows: one row per term.

    A rank-deficient design is handled as R's ``lm`` does: a regressor that is a linear
    combination of the intercept and the regressors before it (``integrative_share``,
    ``distributive_share`` and ``neutral_share`` sum to 1) is dropped, its row has no
    estimates and says why in ``note``, and the residual degrees of freedom (``df``) are
    n minus the rank."""
    data = frame[[y, *xs]].apply(pd.to_numeric, errors="coerce").dropna()
    n = len(data)
    terms = ["intercept", *xs]
    X_full = np.column_stack([np.ones(n), data[xs].to_numpy(dtype=float)])
    dropped = aliased_terms(X_full, terms) if n else []
    kept = [t for t in terms if t not in dropped]
    k = len(kept)
    if n <= k:
        raise UsageError(f"too few complete rows ({n}) to regress {y} on {', '.join(xs)}",
                         hint="choose fewer predictors or check the outcome has values")
    X = X_full[:, [terms.index(t) for t in kept]]
    Y = data[y].to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(X, Y, rcond=None)
    resid = Y - X @ beta
    df = n - k
    sigma2 = resid @ resid / df
    cov = sigma2 * np.linalg.pinv(X.T @ X)
    se = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = beta / se
    p = 2 * stats.t.sf(np.abs(t), df)
    crit = stats.t.ppf(0.975, df)
    ss_tot = ((Y - Y.mean()) ** 2).sum()
    r2 = 1 - (resid @ resid) / ss_tot if ss_tot else float("nan")
    adj = 1 - (1 - r2) * (n - 1) / df if df > 0 else float("nan")
    fits = {term: (float(b), float(s), float(tv), float(pv))
            for term, b, s, tv, pv in zip(kept, beta, se, t, p, strict=True)}
    nan = float("nan")
    rows = []
    for term in terms:
        b, s, tv, pv = fits.get(term, (nan, nan, nan, nan))
        rows.append({"outcome": y, "term": term, "coef": b, "se": s, "t": tv, "p": pv,
                     "ci_low": b - crit * s, "ci_high": b + crit * s, "n": n,
                     "r2": float(r2), "adj_r2": float(adj), "df": df,
                     "note": "" if term in fits else _alias_reason(term, xs)})
    return pd.DataFrame(rows, columns=OLS_COLUMNS)


# ---- the study in one call -----------------------------------------------------------------

DEFAULT_PREDICTORS = ["integrative_share", "bargaining_integrative_share", "distributive_share"]
DEFAULT_OUTCOMES = ["joint_points", "points_scored", "partner_satisfaction",
                    "partner_opponent_likeness", "satisfaction", "opponent_likeness",
                    "mean_satisfaction", "mean_opponent_likeness"]  # (mean_: session level)
DEFAULT_REGRESSORS = ["integrative_share", "distributive_share"]


def annotated_sessions(turns: pd.DataFrame) -> set[str]:
    """Sessions in which at least one turn carries a human label."""
    if "gold" not in turns.columns:
        return set()
    has = turns["gold"].map(lambda v: isinstance(v, str) and bool(v.strip()))
    return set(turns.loc[has, "session_id"].astype(str))


SUBSETS = ("all", "annotated", "unannotated")


def select_sessions(turns: pd.DataFrame, subset: str = "all") -> pd.DataFrame:
    """All turns, or only those of sessions with (``annotated``) or without
    (``unannotated``) human labels: the model was trained on a corpus's annotated sessions,
    so its labels there are in-sample; the unannotated ones are new to it."""
    if subset not in SUBSETS:
        raise UsageError(f"unknown subset {subset!r}", hint=f"choose {', '.join(SUBSETS)}")
    if subset == "all":
        return turns
    marked = turns["session_id"].astype(str).isin(annotated_sessions(turns))
    return turns[marked] if subset == "annotated" else turns[~marked]


def study_table(turns: pd.DataFrame, sessions: pd.DataFrame | None = None,
                outcomes: pd.DataFrame | None = None, labels: str = "model",
                level: str = "party", subset: str = "all") -> pd.DataFrame:
    """Behaviour metrics joined with outcome variables, one row per party (or session).

    Outcomes come from ``outcomes`` (a frame read with ``read_outcomes_csv``) when given,
    else from the sessions table's metadata. ``joint_points`` and ``partner_*`` are derived
    from party-level values only: an ``outcomes`` frame without a ``speaker`` column holds
    session values, which every party of the session gets unchanged. ``subset`` picks
    sessions with or without human labels (see ``select_sessions``). At
    ``level="session"`` party values are averaged and renamed (``session_outcome_names``).
    """
    turns = select_sessions(turns, subset)
    metrics = party_metrics(turns, labels=labels) if len(turns) else pd.DataFrame()
    if metrics.empty:
        raise UsageError("no party turns to study" + ("" if subset == "all" else
                                                       f" in the {subset} sessions"),
                         hint="--subset annotated and --labels gold/both need sessions whose "
                              "turns carry human labels (the gold column)")
    per_party = True
    if outcomes is not None:
        if "speaker" in outcomes.columns:
            party_out = metrics[["session_id", "speaker"]].merge(
                outcomes, on=["session_id", "speaker"], how="left")
        else:  # session values: each party gets its session's value, as it is
            per_party = False
            party_out = metrics[["session_id", "speaker"]].merge(
                outcomes, on="session_id", how="left")
    elif sessions is not None:
        party_out = outcomes_from_sessions(sessions, metrics)
    else:
        party_out = metrics[["session_id", "speaker"]].copy()
    if per_party:  # a session's value is no party's: summing or swapping it means nothing
        party_out = add_derived(party_out)
    joined = metrics.merge(party_out, on=["session_id", "speaker"], how="left")
    if level == "party":
        return joined
    if level != "session":
        raise UsageError(f"unknown level {level!r}", hint="choose party or session")
    sess = session_metrics(turns, labels=labels)
    shared = [c for c in party_out.columns if c not in ("session_id", "speaker")
              and not c.startswith("partner_")]
    per_session = party_out.groupby("session_id")[shared].mean(numeric_only=True)
    if per_party:
        per_session = session_outcome_names(per_session)
    return sess.merge(per_session, left_on="session_id", right_index=True, how="left")


#: Session-level outcomes that are the same for every party, so they keep their names.
SESSION_OUTCOMES = ("joint_points",)


def session_outcome_names(per_session: pd.DataFrame) -> pd.DataFrame:
    """Party values averaged over a session's parties, named for what they are:
    ``mean_<x>`` (``mean_satisfaction``); ``points_scored`` is left out when
    ``joint_points`` is there (their mean is half the joint points: the same variable
    under a name that reads like one party's score)."""
    if "joint_points" in per_session.columns:
        per_session = per_session.drop(columns=["points_scored"], errors="ignore")
    return per_session.rename(columns={c: f"mean_{c}" for c in per_session.columns
                                       if c not in SESSION_OUTCOMES})


def constant_columns(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Those of ``columns`` with fewer than two distinct values (missing ones ignored):
    a correlation with them is undefined (CaSiNo's item counts of a session always add up
    to 3, so their session mean is 1.5 everywhere)."""
    return [c for c in columns if frame[c].nunique(dropna=True) < 2]


def compare_labels(turns: pd.DataFrame, sessions: pd.DataFrame | None = None,
                   outcomes: pd.DataFrame | None = None, xs: list[str] | None = None,
                   ys: list[str] | None = None, level: str = "party") -> pd.DataFrame:
    """The same correlations on the model's labels and on the human labels, side by side,
    over the same parties: those of sessions with human labels that carry at least one."""
    tables = {src: study_table(turns, sessions, outcomes, labels=src, level=level,
                               subset="annotated") for src in ("model", "gold")}
    key = ["session_id", "speaker"] if level == "party" else ["session_id"]
    keep = tables["gold"].loc[tables["gold"]["coded"] > 0, key]
    xs = xs or [c for c in DEFAULT_PREDICTORS if c in tables["gold"].columns]
    ys = ys or [c for c in DEFAULT_OUTCOMES if c in tables["gold"].columns]
    merged = None
    for src, table in tables.items():
        corr = correlations(table.merge(keep, on=key), xs, ys)
        corr = corr.rename(columns={c: f"{c}_{src}" for c in corr.columns if c not in ("x", "y")})
        merged = corr if merged is None else merged.merge(corr, on=["x", "y"])
    merged["r_difference"] = merged["pearson_r_model"] - merged["pearson_r_gold"]
    return merged
