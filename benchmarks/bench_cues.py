"""Scan time of each cue rule as written, anchored, and over its anchor texts only (CaSiNo).

Not a test: run it by hand (one core)::

    python benchmarks/bench_cues.py [CASINO_DIR] [--repeat 5]

The texts are joined and lower-cased as ``count_cues`` joins them; each rule's regex (the
part not looked up in the word table) is timed as written and as ``cues.anchored`` rewrites
it, best CPU time of ``--repeat`` scans, and the two lists of match spans are compared; then
the anchored regex over only the texts that hold the rule's anchors (``cues.ANCHORS``, as
``count_cues`` scans them), with the share of characters scanned and its match count compared
with the full scan's. The last line times ``count_cues`` itself, anchors on and off.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def best_cpu(repeat: int, rx: re.Pattern, text: str) -> tuple[float, list]:
    times, spans = [], []
    for _ in range(repeat):
        t0 = time.process_time()
        spans = [m.span() for m in rx.finditer(text)]
        times.append(time.process_time() - t0)
    return min(times), spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("casino", nargs="?", default=str(REPO.parent / "shared" / "corpora" /
                                                          "casino"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from analyzer.moves.data import casino_files, read_casino
    from analyzer.nlp import cues

    texts = list(dict.fromkeys(turn.text for f in casino_files(Path(args.casino))
                               for t in read_casino(f, annotated_only=False) for turn in t.turns))
    joined = "\n\0\n".join(t.replace("\n", " ").replace("\r", " ").lower() for t in texts)
    rest = [r for _, r in cues._PLANS.values()]
    lowered = [t.replace("\n", " ").replace("\r", " ").lower() for t in texts]
    tokens = [set(re.findall(r"\w+|\?", t)) for t in lowered]
    total_plain = total_fast = total_some = 0.0
    print(f"{len(texts):,} distinct texts, {len(joined):,} characters; CPU ms, best of "
          f"{args.repeat}")
    print(f"{'rule':24s} {'as written':>10s} {'anchored':>9s}  same spans  "
          f"{'anchor texts':>12s} {'share':>6s}  same count")
    for j, fast in cues._REST.items():
        plain_s, plain_spans = best_cpu(args.repeat, re.compile(rest[j], re.MULTILINE), joined)
        fast_s, fast_spans = best_cpu(args.repeat, fast, joined)
        alts = cues.ANCHORS.get(cues.CUE_NAMES[j])
        some = joined if alts is None else "\n\0\n".join(
            t for t, k in zip(lowered, tokens, strict=True)
            if any(all(g & k for g in alt) for alt in alts))
        some_s, some_spans = best_cpu(args.repeat, fast, some)
        total_plain += plain_s
        total_fast += fast_s
        total_some += some_s
        print(f"{cues.CUE_NAMES[j]:24s} {plain_s * 1000:10.1f} {fast_s * 1000:9.1f}  "
              f"{plain_spans == fast_spans!s:10s}  {some_s * 1000:12.1f} "
              f"{len(some) / len(joined):6.2f}  {len(some_spans) == len(fast_spans)}")
    print(f"{'all rules':24s} {total_plain * 1000:10.1f} {total_fast * 1000:9.1f}  "
          f"{'':10s}  {total_some * 1000:12.1f}")
    for on in (False, True):
        times = []
        for _ in range(args.repeat):
            t0 = time.process_time()
            cues.count_cues(texts, anchors=on)
            times.append(time.process_time() - t0)
        print(f"count_cues, anchors {'on ' if on else 'off'}: {min(times) * 1000:.1f} ms "
              "(incl. its own tokenisation and word table)")


if __name__ == "__main__":
    main()
