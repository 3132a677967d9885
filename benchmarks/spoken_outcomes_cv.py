"""Session outcomes of the spoken gold, out of fold: the outcome rule run on the stages a
cross-validation predicted, against how each writer says the session ends.

Not a test: run it by hand on the JSON of a CV run::

    analyzer evaluate-stages --cv 5 --seed 0 --oof-moves /tmp/stage-oof-moves/k5-s0.json \
        --json > /tmp/cv-s0.json
    python benchmarks/spoken_outcomes_cv.py /tmp/cv-s0.json [/tmp/cv-s1.json ...]

Why: ``spoken_outcomes.py`` runs the shipped segmenter, which was fitted on these very
sessions, so on the gold's spoken folders its figure is in-sample. Here every session's
stages come from a fit that never saw it (the CV's ``predicted`` starts), and the outcome
follows from them exactly as in the pipeline (``detect_outcome`` over the session's
evidence). Only the sessions in ``corpora/spoken*`` whose writer recorded an ending count
(the held-out set t/u, ``corpora/spoken_heldout2``, is not in the gold, so never here).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analyzer.io import read_transcripts  # noqa: E402
from analyzer.results import STAGES  # noqa: E402
from analyzer.stages.evidence import session_evidence  # noqa: E402
from analyzer.stages.segmenter import detect_outcome  # noqa: E402

sys.path.insert(0, str(REPO / "benchmarks"))
from spoken_outcomes import ENDINGS, writer_endings  # noqa: E402


def labels_from_starts(starts: dict[str, int | None], n: int) -> list[str]:
    """One stage per turn from the stage starts a CV run reports (stages never go back)."""
    begun = sorted((turn, STAGES.index(stage)) for stage, turn in starts.items()
                   if turn is not None)
    out, current = [], STAGES[begun[0][1]] if begun else STAGES[0]
    for i in range(n):
        for turn, stage in begun:
            if turn == i:
                current = STAGES[stage]
        out.append(current)
    return out


def score(cv_json: Path, truth: dict[tuple[str, str], str]) -> Counter:
    """(writer's ending, outcome) counts over the spoken gold sessions of one CV run."""
    pairs: Counter = Counter()
    for entry in json.loads(cv_json.read_text(encoding="utf-8"))["sessions"]:
        path, _, sub = entry["session"].partition("#")
        folder = path.split("/")[0]
        if not folder.startswith("spoken") or not (REPO / "corpora" / path).exists():
            continue
        transcript = next(t for t in read_transcripts(REPO / "corpora" / path)
                          if not sub or str(t.session_id) == sub)
        want = truth.get((folder, str(transcript.session_id)))
        if want is None:
            continue
        stages = labels_from_starts(entry["predicted"], len(transcript.turns))
        got, _ = detect_outcome(transcript, session_evidence(transcript), stages)
        pairs[(want, got)] += 1
    return pairs


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    truth = {(folder.name, session): ending
             for folder in sorted((REPO / "corpora").glob("spoken*"))
             if (folder / "README.md").exists()
             for session, ending in writer_endings(folder / "README.md").items()}
    for name in sys.argv[1:]:
        pairs = score(Path(name), truth)
        right = sum(n for (want, got), n in pairs.items() if want == got)
        print(f"{name}: {right} of {sum(pairs.values())} outcomes as the writer meant them")
        for want in ENDINGS:
            print(f"  writer {want:10s}: " + ", ".join(
                f"{got} {pairs[(want, got)]}" for got in ENDINGS if pairs[(want, got)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
