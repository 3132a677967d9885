"""Session outcomes (agreement / impasse / unfinished) on corpora/spoken against how the writer
says each session ends (the "ends in" column of corpora/spoken/README.md).

Not a test: run it by hand::

    python benchmarks/spoken_outcomes.py                          # corpora/spoken
    python benchmarks/spoken_outcomes.py corpora/spoken_test      # the held-out spoken set

Why: without formal deal actions, the outcome comes from where the segmenter opens closing:
at an acceptance, at a declared impasse, or nowhere. So an adjourned meeting that the
segmenter closes is reported as an agreement. The writer of the spoken transcripts recorded
how each one ends, independently of the stage annotators. That gives an outcome gold the
stage gold has no column for. It prints one line per session the analyser gets wrong, then
the confusion counts.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

ENDINGS = ("agreement", "impasse", "unfinished")


def writer_endings(readme: Path) -> dict[str, str]:
    """Session id -> ending, from the README table (a file holding two sessions names the
    ending of each in brackets: "unfinished (meeting 1), agreement (meeting 2)", or split
    by semicolons)."""
    out: dict[str, str] = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        # (a file holding two sessions may give the second its own row, its file cell empty)
        if len(cells) < 6 or not (cells[0].startswith("`") or cells[0] in ("(same file)", "")):
            continue
        sessions = re.findall(r"`([^`]+)`", cells[2])
        ending = cells[5]
        if not sessions or not _first_ending(ending):
            continue
        if len(sessions) == 1:
            out[sessions[0]] = _first_ending(ending)
            continue
        # one ending per session, in order, split by ";" ("round 1 unfinished (...); round 2
        # agreement (...)") or by ","
        parts = next((ps for ps in (_split_outside_brackets(ending, sep) for sep in ";,")
                      if len(ps) == len(sessions) and all(map(_first_ending, ps))), None)
        if parts:
            for session, part in zip(sessions, parts, strict=True):
                out[session] = _first_ending(part)
        else:  # one ending for all of them
            for session in sessions:
                out[session] = _first_ending(ending)
    return out


def _split_outside_brackets(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` where no bracket is open ("impasse (fixed at 490; buyer
    walks); unfinished (...)" is two parts)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _first_ending(text: str) -> str | None:
    """The ending named first ("impasse: no agreement, ..." is an impasse)."""
    found = [(text.find(e), e) for e in ENDINGS if e in text]
    return min(found)[1] if found else None


def main() -> int:
    from analyzer.io import expand_inputs, read_transcripts
    from analyzer.pipeline import Analyzer

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "corpora" / "spoken"
    truth = writer_endings(folder / "README.md")
    engine = Analyzer(explain=False)
    pairs = Counter()
    for path in expand_inputs([str(folder)]):
        for transcript in read_transcripts(path):
            analysis = engine.analyze(transcript)
            got, want = analysis.stages.outcome, truth.get(str(transcript.session_id), "?")
            pairs[(want, got)] += 1
            if got != want:
                print(f"{transcript.session_id}: writer {want}, analyser {got} "
                      f"(turn {analysis.stages.outcome_turn})")
    right = sum(n for (w, g), n in pairs.items() if w == g)
    print(f"\n{right} of {sum(pairs.values())} outcomes as the writer meant them")
    for want in ENDINGS:
        print(f"  writer {want:10s}: " + ", ".join(f"{g} {pairs[(want, g)]}" for g in ENDINGS
                                                   if pairs[(want, g)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
