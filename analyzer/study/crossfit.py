"""Out-of-fold model labels for a corpus with human labels (the honest comparison).

A model trained on a corpus's annotated sessions labels those same sessions almost exactly
as the humans did (it has seen them), so "the same study on model labels" would agree with
the human-label study by construction. Cross-fitting removes that: the annotated sessions
are split into K folds by session, a fresh model is trained on K-1 folds (the shipped
model's settings) and labels the held-out fold. Every session is then labelled by a model
that never saw it, and the result is an ordinary results folder (``turns``, ``units``,
``stages``, ``sessions`` tables plus ``manifest.json``) on which ``analyzer outcomes
--labels both`` compares human and model labels on exactly the same sessions.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ..io.output import OutputFolder


def fold_of_sessions(session_ids: Iterable[str], folds: int, seed: int = 0) -> dict[str, int]:
    """Session id -> fold (0..folds-1), balanced and reproducible for a seed."""
    ids = sorted(set(session_ids))
    random.Random(seed).shuffle(ids)
    return {sid: i % folds for i, sid in enumerate(ids)}


def crossfit_results(paths: Iterable[str | Path], out: str | Path, *, folds: int = 5,
                     seed: int = 0, params: dict | None = None,
                     progress: Callable[[str], None] | None = None) -> Path:
    """Analyse the annotated sessions of ``paths`` with out-of-fold models into ``out``.

    Returns the results folder. ``params`` overrides classifier settings (default: those of
    the shipped model); ``progress`` receives one line per step (the library never prints).
    """
    from ..io import read_transcripts
    from ..moves.data import CodedData
    from ..moves.taxonomy import CASINO_ORIENTATION
    from ..moves.training import train
    from ..pipeline import Analyzer
    from ..report.tables import sessions_table, stages_table, turns_table, units_table
    from .provenance import write_manifest

    paths = [Path(p) for p in paths]
    transcripts = [t for p in paths for t in read_transcripts(p)
                   if any(turn.gold for turn in t.turns)]
    if not transcripts:
        from ..errors import UsageError

        raise UsageError("no session with human labels in the inputs",
                         hint="cross-fitting needs a corpus with human labels (CaSiNo)")
    assignment = fold_of_sessions((t.session_id for t in transcripts), folds, seed)
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.glob("*.json")))]
    analyses, fold_info = [], []
    with tempfile.TemporaryDirectory(prefix="analyzer-crossfit-") as tmp:
        for fold in range(folds):
            train_set = [t for t in transcripts if assignment[t.session_id] != fold]
            test_set = [t for t in transcripts if assignment[t.session_id] == fold]
            if progress:
                progress(f"fold {fold + 1}/{folds}: training on {len(train_set)} sessions, "
                         f"labelling {len(test_set)}")
            data = CodedData(train_set, files, dict(CASINO_ORIENTATION), "casino")
            model = train(data, seed=seed, name=f"crossfit-fold{fold + 1}", params=params)
            model_dir = model.save(Path(tmp) / f"fold{fold + 1}")
            engine = Analyzer(model_dir=model_dir)
            analyses.extend(engine.analyze(t) for t in test_set)
            fold_info.append({"fold": fold + 1, "train_sessions": len(train_set),
                              "test_sessions": len(test_set),
                              "model_hash": engine.info.get("hash")})
    order = {t.session_id: i for i, t in enumerate(transcripts)}
    analyses.sort(key=lambda a: order[a.transcript.session_id])
    folder = OutputFolder(out)
    written = [folder.write_csv("turns.csv", turns_table(analyses)),
               folder.write_csv("units.csv", units_table(analyses)),
               folder.write_csv("stages.csv", stages_table(analyses)),
               folder.write_csv("sessions.csv", sessions_table(analyses))]
    write_manifest(folder, "crossfit",
                   model={"name": "crossfit", "folds": fold_info},
                   options={"folds": folds, "seed": seed, "params": params or {}},
                   inputs=paths, outputs=[p.name for p in written])
    return folder.root
