"""Out-of-fold move labels for the stage gold's coded sessions (CaSiNo dialogues, spoken sessions).

Why: the stage segmenter reads the move model's labels as evidence (``mv_*`` columns). The
shipped move model was trained on CaSiNo's 354 annotated dialogues (train + valid) and,
since ``casino-moves-4``, on the project's codes of the other 576 (``moves/codes.py``): every
stage gold CaSiNo session is among them, so the shipped model's labels of them are in-sample
(near the codes) while a new dialogue's never are. Fitting the stage parameters on such labels
teaches them to trust the ``mv_*`` columns more than they should, and scoring on them
flatters the CV figure. Here every coded dialogue gets its labels from a move model
that never saw it: the coded dialogues are split into ``k`` seeded folds, a move model is
trained on the other folds the way ``analyzer train`` builds the shipped one
(``moves.training.train``, its default settings, seed 0) and labels the held-out fold.
Since ``casino-moves-6`` the model also learns from coded spoken sessions (40, then 100
since ``casino-moves-7``; ``corpora/spoken_codes``), which are stage gold sessions too: they
are folded the same way and found by ``codes.corpus_key`` (``folder/file#session_id``).
Every other session (the examples, spoken sessions no one coded, any CaSiNo dialogue coded
by no one) keeps the shipped model's labels: for those they are already out-of-sample.

The labels are cached as JSON (per dialogue, per turn: move, offer kind, labels; only what
the stage evidence reads), by default under /tmp, never in the repository::

    python -m analyzer.stages.oof_moves --out /tmp/stage-oof-moves/k5-s0.json

Then ``analyzer evaluate-stages --oof-moves FILE`` and ``python -m analyzer.stages.fit
--oof-moves FILE`` fit and score with them (a missing FILE is built first).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..errors import UsageError
from .gold import CASINO_FILES, find_casino

#: Folds and fold seed of the standard out-of-fold labels (each move model sees 80%).
DEFAULT_K = 5
DEFAULT_SEED = 0
DEFAULT_PATH = Path("/tmp/stage-oof-moves/k5-s0.json")
FORMAT = "stage-oof-moves/1"


def _annotated(casino: Path):
    """CaSiNo's coded dialogues as ``analyzer train`` reads them (train + valid), with the
    project's own codes of the dialogues CaSiNo left uncoded (``moves/codes.py``): the
    shipped move model is trained on both, so both need out-of-fold labels."""
    from ..moves.codes import project_codes
    from ..moves.data import load_coded

    return load_coded([casino / name for name in CASINO_FILES if (casino / name).exists()],
                      codes=project_codes())


def dialogue_folds(ids: Sequence[str], k: int = DEFAULT_K, seed: int = DEFAULT_SEED
                   ) -> list[list[str]]:
    """Dialogue ids split into ``k`` folds: one seeded shuffle of the sorted ids, dealt out."""
    order = sorted(ids)
    perm = np.random.default_rng(seed).permutation(len(order))
    return [sorted(order[j] for j in perm[i::k]) for i in range(k)]


def _trained_on(folder: Path) -> int | None:
    """How many dialogues the model in ``folder`` was trained on (None: no model there)."""
    meta = folder / "meta.json"
    if not meta.exists():
        return None
    return json.loads(meta.read_text(encoding="utf-8")).get("training_data", {}).get("dialogues")


def build(casino: str | Path | None = None, k: int = DEFAULT_K, seed: int = DEFAULT_SEED,
          models_dir: str | Path | None = None, log=print, data=None) -> dict:
    """Train ``k`` move models, each on all annotated dialogues but one fold, and label
    every dialogue of its held-out fold. Returns the cache's content (see ``save``).

    The fold models are saved to ``models_dir`` (default: ``models_beside`` the default
    cache under /tmp; a fold model already there is reused) and labelling goes through
    ``load_model``, the same prediction path as the shipped model. ``data``: the coded
    dialogues (default: CaSiNo's annotated train + valid dialogues, what the shipped model
    was trained on)."""
    from dataclasses import replace

    from ..moves import load_model
    from ..moves.training import DEFAULT_PARAMS, train
    from ..nlp import make_nlp, split_units_many

    if data is None:
        folder = find_casino(casino)
        if folder is None:
            raise UsageError("CaSiNo not found",
                             hint="pass --casino DIR (with casino_train.json)")
        data = _annotated(folder)
    by_id = {str(t.session_id): t for t in data.transcripts}
    models = Path(models_dir) if models_dir else models_beside(DEFAULT_PATH)
    nlp = make_nlp()
    sessions: dict[str, list] = {}
    fold_of: dict[str, int] = {}
    for i, held in enumerate(dialogue_folds(list(by_id), k, seed)):
        held_set = set(held)
        out = models / f"fold{i}"
        rest = replace(data, transcripts=[t for t in data.transcripts
                                          if str(t.session_id) not in held_set])
        if _trained_on(out) != len(rest.transcripts):
            start = time.time()
            train(rest, seed=0, name=f"casino-moves-oof{i}", version="0").save(out)
            log(f"fold {i}: trained on {len(rest.transcripts)} dialogues "
                f"({time.time() - start:.0f} s) -> {out}")
        model = load_model(out)
        items = [by_id[d] for d in held]
        units = split_units_many(nlp, items)
        for t, (_, moves) in zip(items, model.predict_sessions(list(zip(items, units,
                                                                        strict=True)),
                                                               explain=False), strict=True):
            sessions[str(t.session_id)] = [[m.move, m.offer, list(m.labels)] for m in moves]
            fold_of[str(t.session_id)] = i
        log(f"fold {i}: labelled {len(held)} held-out dialogues")
    return {"format": FORMAT, "k": k, "seed": seed, "casino_sha256": data.sha256(),
            "move_params": {k_: str(v) for k_, v in DEFAULT_PARAMS.items()},
            "dialogues": len(sessions), "fold": dict(sorted(fold_of.items())),
            "sessions": dict(sorted(sessions.items()))}


def models_beside(path: str | Path) -> Path:
    """Where the fold models of the cache at ``path`` live: next to it (``k5-s0.json`` ->
    ``k5-s0-models/``), so nothing is written outside the folder the user named."""
    path = Path(path)
    return path.parent / f"{path.stem}-models"


def save(cache: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cache, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def load(path: str | Path) -> dict[str, list]:
    """The cached labels by dialogue id, as objects the stage evidence reads
    (``move``, ``offer``, ``labels``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise UsageError(f"{path} is not a cache of out-of-fold move labels",
                         hint="build one with python -m analyzer.stages.oof_moves --out FILE")
    return {sid: [SimpleNamespace(move=m, offer=o, labels=tuple(lab)) for m, o, lab in turns]
            for sid, turns in data["sessions"].items()}


def info(path: str | Path) -> dict:
    """What a stage parameter file records of the out-of-fold labels it was fitted on."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: data.get(k) for k in ("format", "k", "seed", "casino_sha256", "dialogues")}


def ensure(path: str | Path, casino: str | Path | None = None, k: int = DEFAULT_K,
           seed: int = DEFAULT_SEED, log=print) -> dict[str, list]:
    """The cache at ``path``, built first when it does not exist yet."""
    path = Path(path)
    if not path.exists():
        save(build(casino, k, seed, models_dir=models_beside(path), log=log), path)
        log(f"out-of-fold move labels -> {path}")
    return load(path)


def apply(transcripts: Sequence, moves: list, oof: dict[str, list]) -> tuple[list, int]:
    """``moves`` (one list per transcript, the shipped model's) with the out-of-fold labels
    put in for every transcript whose session is in ``oof``; and how many were replaced."""
    from ..moves.codes import corpus_key

    out, replaced = [], 0
    for t, m in zip(transcripts, moves, strict=True):
        got = oof.get(corpus_key(t))
        if got is not None and len(got) == len(t.turns):
            out.append(got)
            replaced += 1
        else:
            out.append(m)
    return out, replaced


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analyzer.stages.oof_moves",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(DEFAULT_PATH))
    parser.add_argument("--casino", default=None)
    parser.add_argument("--k", type=int, default=DEFAULT_K)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--models", default=None,
                        help="folder for the fold models (default: beside --out)")
    args = parser.parse_args(argv)
    cache = build(args.casino, args.k, args.seed,
                  models_dir=args.models or models_beside(args.out))
    save(cache, args.out)
    print(f"{cache['dialogues']} dialogues -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
