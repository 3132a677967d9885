"""Loading a results folder (the output of ``analyzer analyze`` or ``analyzer batch``).

A study runs on saved tables, not on transcripts: the model ran once, and every later
question (agreement, sequences, outcomes) reads the same ``turns``/``stages``/``sessions``
tables. Parquet is preferred when present (types survive); CSV is the fallback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ReadError, UsageError

TABLES = ("turns", "units", "stages", "sessions")
_TEXT_COLUMNS = {"session_id": str, "speaker": str, "text": str, "gold": str, "labels": str}


@dataclass
class Results:
    """The tables of one results folder, plus its manifest when it has one."""

    root: Path
    turns: pd.DataFrame
    units: pd.DataFrame | None = None
    stages: pd.DataFrame | None = None
    sessions: pd.DataFrame | None = None
    manifest: dict = field(default_factory=dict)

    @property
    def model_info(self) -> dict:
        """What produced the labels: the manifest's model entry, else the sessions table's
        ``model``, ``model_version`` and ``model_hash`` (an ``analyze`` folder has no
        manifest; a study's provenance needs the hash, not only the name)."""
        model = self.manifest.get("model")
        if isinstance(model, dict) and model:
            return dict(model)
        info = {}
        if self.sessions is not None:
            for column, key in (("model", "name"), ("model_version", "version"),
                                ("model_hash", "hash")):
                if column in self.sessions.columns:
                    values = sorted({str(m) for m in self.sessions[column].dropna()
                                     if str(m)})
                    if values:
                        info[key] = ",".join(values)
        return info


def _find(root: Path, name: str) -> Path | None:
    """``name.parquet`` or ``name.csv`` in the folder or one level below (e.g. ``tables/``)."""
    for folder in (root, *sorted(p for p in root.iterdir() if p.is_dir())):
        for ext in ("parquet", "csv"):
            candidate = folder / f"{name}.{ext}"
            if candidate.is_file():
                return candidate
    return None


def read_table(path: Path) -> pd.DataFrame:
    """One table, Parquet or CSV, with ids and texts kept as text (``007`` stays ``007``)."""
    try:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            header = pd.read_csv(path, nrows=0).columns
            dtypes = {c: t for c, t in _TEXT_COLUMNS.items() if c in header}
            frame = pd.read_csv(path, dtype=dtypes, keep_default_na=True)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ReadError(path, f"cannot read table: {exc}", line=None,
                        hint="pass the folder an `analyzer analyze` or `batch` run wrote") from exc
    if "session_id" in frame.columns:
        frame["session_id"] = frame["session_id"].astype(str)
    return frame


def load_results(root: str | Path) -> Results:
    """The tables of a results folder; ``turns`` is required, the rest optional."""
    root = Path(root)
    if root.is_file() and root.stem == "turns":
        root = root.parent
    # A wrong path is a usage mistake (exit 2, docs/study.md); a results folder whose
    # tables cannot be read is an input problem (exit 1).
    if not root.is_dir():
        raise UsageError(f"{root}: no such results folder",
                         hint="give the --out folder of `analyzer analyze` or `analyzer batch`")
    found = {name: _find(root, name) for name in TABLES}
    if found["turns"] is None:
        if _unfinished_batch(root):
            raise ReadError(root, "no turns.parquet or turns.csv in this folder: its batch "
                                  "has not finished",
                            hint="if a batch was interrupted, rerun the same batch command "
                                 "to finish it (only the rest is done)")
        raise UsageError(f"{root}: not a results folder (no turns.parquet or turns.csv)",
                         hint="give the --out folder of `analyzer analyze` or "
                              "`analyzer batch`; if a batch was interrupted, rerun the same "
                              "batch command to finish it")
    tables = {name: read_table(path) if path else None for name, path in found.items()}
    turns = tables["turns"]
    if turns.empty:
        raise ReadError(found["turns"], "the turns table is empty: no session was analysed",
                        hint="see failures.csv in that folder for why the sessions failed")
    missing = [c for c in ("session_id", "turn", "speaker") if c not in turns.columns]
    if missing:
        raise ReadError(found["turns"], f"the turns table lacks columns {', '.join(missing)}",
                        line=1, hint="the file must be a turns table written by the analyser")
    if "is_action" in turns.columns:
        turns["is_action"] = turns["is_action"].map(_as_bool).astype(bool)
    manifest = {}
    manifest_path = found["turns"].parent / "manifest.json"
    if not manifest_path.is_file():
        manifest_path = root / "manifest.json"
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
    return Results(root=root, turns=turns, units=tables["units"], stages=tables["stages"],
                   sessions=tables["sessions"], manifest=manifest if isinstance(manifest, dict)
                   else {})


def _unfinished_batch(root: Path) -> bool:
    """A batch folder whose tables are not written yet: its work files (``.parts``) or a
    manifest that does not say ``complete``."""
    if (root / ".parts").is_dir():
        return True
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "status" in manifest and \
        manifest["status"] != "complete"


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    if value is None or (isinstance(value, float) and value != value):
        return False
    return bool(value)
