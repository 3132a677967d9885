"""How often do the hand-built stage cues fire too early, per gold file?

Not a test: run it by hand::

    python benchmarks/stage_cue_precision.py [FILES...] [--only ID ...]

Why: the evidence (``evidence.py``) was designed by reading errors on the 201 gold sessions;
if its cues are much less precise on sessions nobody read while designing them (annotator
d's 100, labelled again blind by e), a cross-validated score on the 201 overstates what the
segmenter does on new sessions. Per file: sessions whose ``proposal`` cue fires before the
gold start of bargaining, sessions whose first ``proposal`` turn is that start, and sessions
with an opening whose ``need`` cue fires inside it (move labels are not used: these columns
do not depend on them). ``--only``: count only these sessions (e.g. the DEV half of d's
dialogues, so the TEST half's cue errors stay unread: ``benchmarks/stage_dev_test.py``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT = ("gold_casino.tsv", "gold_casino_c.tsv", "casino_annotator_d.tsv",
           "casino_annotator_e.tsv")


def main() -> int:
    from analyzer.stages.evidence import FEATURES, session_evidence
    from analyzer.stages.gold import read_gold, resolve

    args = sys.argv[1:]
    only = None
    if "--only" in args:
        at = args.index("--only")
        only, args = set(args[at + 1:]), args[:at]
    files = args or [str(REPO / "corpora" / "stages" / f) for f in DEFAULT]
    proposal, need = FEATURES.index("proposal"), FEATURES.index("need")
    print("| gold file | sessions | proposal before bargaining | first proposal = bargaining "
          "start | need cue inside the opening |")
    print("| --- | --- | --- | --- | --- |")
    for f in files:
        early = first = opened = need_in = n = 0
        for entry, transcript in resolve(read_gold(f)):
            if only is not None and entry.session not in only:
                continue
            labels = entry.labels(len(transcript.turns))
            m = session_evidence(transcript, None).matrix
            n += 1
            p = m[:, proposal] > 0
            b = labels.index("bargaining") if "bargaining" in labels else len(labels)
            early += bool(p[:b].any())
            first += bool(b < len(labels) and p.any() and int(p.argmax()) == b)
            if labels and labels[0] == "opening":
                end = next((t for t, s in enumerate(labels) if s != "opening"), len(labels))
                opened += 1
                need_in += bool((m[:end, need] > 0).any())
        if not n:
            continue
        print(f"| {os.path.basename(f)} | {n} | {early} ({early / n:.0%}) | {first} "
              f"({first / n:.0%}) | {need_in} of {opened} ({need_in / max(opened, 1):.0%}) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
