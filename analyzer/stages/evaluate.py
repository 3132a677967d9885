"""Evaluating the stage segmenter on gold sessions, with cross-validation when fitted.

``evaluate_gold`` returns data (the CLI prints it): Pk, WindowDiff and boundary hits of the
shipped segmenter (or of dialogue-level k-fold cross-validation, refitting on the other
folds) and of the naive keyword baseline, on the same sessions in the same run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..results import STAGES
from ..transcript import Transcript
from .baseline import keyword_stages
from .evidence import session_evidence
from .gold import GoldEntry, project_roots
from .metrics import SegmentationScores, starts, summarise
from .segmenter import Segmenter, load_segmenter, talk_end


def default_gold_files() -> list[Path]:
    """The project's merged gold files (``corpora/stages/gold_*.tsv`` of the checkout the
    command runs in, else of the source tree the package sits in)."""
    for root in project_roots():
        found = sorted((root / "corpora" / "stages").glob("gold_*.tsv"))
        if found:
            return found
    return []


def run_moves(transcripts: Sequence[Transcript], model_dir: str | Path | None = None,
              nlp=None) -> list[list | None]:
    """TurnMoves of each transcript from the move model (the segmenter's input)."""
    from ..moves import load_model
    from ..nlp import make_nlp, split_units

    nlp = nlp or make_nlp()
    model = load_model(model_dir)
    out = []
    for transcript in transcripts:
        units = split_units(nlp, transcript)
        _, moves = model.predict_session(transcript, units)
        out.append(list(moves))
    return out


def gold_evidence(pairs: Sequence[tuple[GoldEntry, Transcript]],
                  model_dir: str | Path | None = None, use_moves: bool = True,
                  oof_moves: dict[str, list] | None = None
                  ) -> tuple[list[np.ndarray], list[list[str]]]:
    """Evidence matrices and gold label sequences of the gold sessions.

    ``oof_moves`` (``oof_moves.load``): out-of-fold move labels by CaSiNo dialogue id, used
    instead of the move model's for the sessions they cover (the dialogues the shipped move
    model was trained on), so no session's ``mv_*`` columns are in-sample."""
    transcripts = [t for _, t in pairs]
    moves = run_moves(transcripts, model_dir) if use_moves else [None] * len(transcripts)
    if use_moves and oof_moves is not None:
        from .oof_moves import apply

        moves, _ = apply(transcripts, moves, oof_moves)
    matrices = [session_evidence(t, m).matrix for t, m in zip(transcripts, moves, strict=True)]
    labels = [e.labels(len(t.turns)) for e, t in pairs]
    return matrices, labels


#: Roughly how long ``oof_moves.build`` takes (5 move models, on two cores).
OOF_BUILD_MINUTES = 15


def needs_out_of_fold_moves(transcripts: Sequence[Transcript]) -> bool:
    """Whether any of ``transcripts`` is a session the shipped move model was trained on
    (a CaSiNo dialogue, or a spoken session of the project's codes): only those have
    out-of-fold move labels (``oof_moves``); every other session keeps the model's."""
    from ..moves.codes import SPOKEN_CODES, SPOKEN_CODES_MORE, corpus_key, read_codes

    if any(t.format == "casino" for t in transcripts):
        return True
    keys = {corpus_key(t) for t in transcripts}
    return any(row.dialogue in keys for codes in (SPOKEN_CODES, SPOKEN_CODES_MORE)
               if codes.exists() for row in read_codes(codes))


def out_of_fold_moves(path: str | Path, pairs: Sequence[tuple[GoldEntry, Transcript]],
                      casino: str | Path | None = None, log=print) -> dict[str, list] | None:
    """The out-of-fold move labels at ``path`` for the gold ``pairs`` (``oof_moves.ensure``).

    A missing file is built only when the gold holds a session they cover, and the user is
    told first that it takes ~15 minutes; otherwise None (nothing to replace). Until 28 Nov
    2026 a missing file started the build without a word, even for gold with no CaSiNo
    dialogue (QA)."""
    from .oof_moves import ensure

    path = Path(path)
    if not path.exists():
        if not needs_out_of_fold_moves([t for _, t in pairs]):
            log(f"note: {path} does not exist and is not needed (no CaSiNo dialogue or coded "
                "spoken session in the gold): scoring with the move model's labels")
            return None
        from .gold import find_casino

        if find_casino(casino) is None:
            from ..errors import UsageError

            raise UsageError(f"{path} does not exist, and building out-of-fold move labels "
                             "needs CaSiNo, which was not found",
                             hint="pass --casino DIR (with casino_train.json) or set "
                                  "ANALYZER_CASINO, or give an existing --oof-moves file")
        log(f"{path} does not exist: building out-of-fold move labels first (trains 5 move "
            f"models; roughly {OOF_BUILD_MINUTES} minutes on two cores; stop with Ctrl-C and "
            "drop --oof-moves to skip them)")
    return ensure(path, casino=casino, log=log)


def folds(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    """Dialogue indices split into ``k`` folds, shuffled with a fixed seed."""
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(order[i::k]) for i in range(k)]


def min_sessions(cv: int) -> int:
    """The fewest gold sessions ``--cv cv`` can run on: every refit needs at least two
    training sessions (the text model's inner folds fit on all but one of them), and the
    folds are ``min(cv, sessions)``: 4 for ``--cv 2``, 3 for any larger K."""
    n = 2
    while n - -(-n // min(cv, n)) < 2:
        n += 1
    return n


def check_folds(n: int, cv: int) -> None:
    """A usage error when ``n`` gold sessions are too few for ``cv`` folds (until 28 Nov
    2026, 2 sessions with ``--cv 2`` crashed with a ValueError deep in the text model)."""
    need = min_sessions(cv)
    if n < need:
        from ..errors import UsageError

        raise UsageError(f"too few sessions for {cv} folds: --cv {cv} needs at least {need} "
                         f"gold sessions (every refit trains on at least 2), found {n}",
                         hint="annotate more sessions, or use --cv 0 to score the shipped "
                              "parameters as they are"
                              + (" (or --cv 3 with 3 sessions)" if cv == 2 and n == 3 else ""))


def check_refit(n: int) -> None:
    """A usage error when ``n`` gold sessions are too few to fit parameters on (the text
    columns are filled out-of-fold, so at least 2; one crashed in numpy)."""
    if n < 2:
        from ..errors import UsageError

        raise UsageError(f"too few sessions to fit stage parameters: at least 2 are needed, "
                         f"found {n}", hint="annotate more sessions")


@dataclass
class StageEvaluation:
    """Scores of the model and the baseline on the same gold sessions."""

    model: SegmentationScores
    baseline: SegmentationScores
    mode: str  # "shipped" or "cv<k>"
    sessions: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"mode": self.mode, "model": self.model.as_dict(),
                "baseline": self.baseline.as_dict(), "sessions": self.sessions}


def evaluate_gold(pairs: Sequence[tuple[GoldEntry, Transcript]], *,
                  model_dir: str | Path | None = None, cv: int = 0,
                  segmenter: Segmenter | None = None, C: float | None = None,
                  use_moves: bool = True, seed: int = 0,
                  oof_moves: dict[str, list] | None = None) -> StageEvaluation:
    """Score stage segmentation on gold sessions.

    ``cv=0`` scores the shipped (or given) segmenter as it is; ``cv=k`` refits the HMM on
    k-1 folds of dialogues and decodes the held-out fold, k times. ``oof_moves``: see
    ``gold_evidence`` (fitted and scored on out-of-fold move labels).
    """
    from .fit import DEFAULT_C, fit_stacked
    from .text import turn_tokens

    if cv and cv > 1:
        check_folds(len(pairs), cv)
    matrices, labels = gold_evidence(pairs, model_dir, use_moves=use_moves,
                                     oof_moves=oof_moves)
    transcripts = [t for _, t in pairs]
    n = len(pairs)
    predicted: list[list[str]] = [[] for _ in range(n)]
    if cv and cv > 1:
        k = min(cv, n)
        for test in folds(n, k, seed):
            train = [i for i in range(n) if i not in set(test.tolist())]
            # the text model too is fitted on the training folds only, and the text columns
            # of the training sessions are out-of-fold within them (``fit_stacked``)
            params = fit_stacked([matrices[i] for i in train], [labels[i] for i in train],
                                 [turn_tokens(transcripts[i]) for i in train], seed=seed,
                                 C=C if C is not None else DEFAULT_C)
            seg = Segmenter(params)
            for i in test:
                path, _ = seg.decode(seg.ready_to_decode(matrices[i], transcripts[i]),
                                 end=talk_end(transcripts[i]))
                predicted[i] = [STAGES[s] for s in path]
        mode = f"cv{k}"
    else:
        seg = segmenter or load_segmenter()
        for i in range(n):
            path, _ = seg.decode(seg.ready_to_decode(matrices[i], transcripts[i]),
                                 end=talk_end(transcripts[i]))
            predicted[i] = [STAGES[s] for s in path]
        mode = "shipped"
    base = [keyword_stages(t) for _, t in pairs]
    sessions = []
    for (entry, _), gold, hyp, kw in zip(pairs, labels, predicted, base, strict=True):
        one = summarise([(gold, hyp)])
        sessions.append({"session": entry.session, "turns": len(gold), "pk": one.pk,
                         "windowdiff": one.windowdiff,
                         "gold": starts(gold), "predicted": starts(hyp),
                         "baseline": starts(kw)})
    return StageEvaluation(model=summarise(zip(labels, predicted, strict=True)),
                           baseline=summarise(zip(labels, base, strict=True)),
                           mode=mode, sessions=sessions)

