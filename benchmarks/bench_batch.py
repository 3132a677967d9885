"""Benchmark of ``analyzer batch``: wall time, sessions/s, turns/s and peak memory, against a floor.

For each scale (x1 = the 930 CaSiNo dialogues of ../shared plus the example transcripts;
x10 and x100 = that many renamed copies, every session id unique) and each worker count,
it runs ``python -m analyzer batch CORPUS --out TMP --workers N --quiet`` in a fresh
process and samples the memory of the whole process tree (driver, fork server, workers)
from /proc. In the same run it measures the floor: reading the same files and running
spaCy's blank English tokenizer over every turn, in one process. Targets (docs/batch.md):
2 workers within 3x the floor's time, 2 workers at least 1.7x faster than 1, peak memory at
x100 within 20% of x10.

    python benchmarks/bench_batch.py --scales 1,10 --workers 1,2 --json bench.json
    python benchmarks/bench_batch.py --scales 10 --workers 1,2 --repeat 5   # medians of 5 rounds

The synthetic corpora are built under --work (default: a temporary folder), never in the
repository. CaSiNo: Chawla et al., NAACL 2021, CC BY 4.0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASINO = Path(os.environ.get("ANALYZER_CASINO", REPO.parent / "shared" / "corpora" / "casino"))
CASINO_FILES = ("casino_train.json", "casino_valid.json")
PAGE = os.sysconf("SC_PAGE_SIZE")


# -- the corpus ----------------------------------------------------------------------------

def build_corpus(scale: int, work: Path, examples: Path) -> Path:
    """``scale`` copies of CaSiNo (dialogue ids renumbered per copy) and of the examples
    (file names suffixed per copy, so their session ids differ too)."""
    root = work / f"corpus-x{scale}"
    marker = root / ".complete"
    if marker.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    dialogues = {name: json.loads((CASINO / name).read_text(encoding="utf-8"))
                 for name in CASINO_FILES}
    example_entries = sorted(examples.iterdir()) if examples.is_dir() else []
    for copy in range(scale):
        folder = root / f"copy{copy:03d}"
        folder.mkdir()
        for name, data in dialogues.items():
            if copy:
                data = [{**d, "dialogue_id": d["dialogue_id"] + copy * 100_000} for d in data]
            (folder / name).write_text(json.dumps(data), encoding="utf-8")
        for path in example_entries:  # a folder (a ConvoKit corpus) is copied whole
            target = folder / f"{path.stem}-c{copy}{path.suffix}"
            if path.is_dir():
                shutil.copytree(path, target)
            else:
                shutil.copyfile(path, target)
    marker.write_text("")
    return root


# -- memory of a process tree ---------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry))
    return tree


TICKS = os.sysconf("SC_CLK_TCK")


def tree_usage(pid: int) -> dict[int, tuple[int, float]]:
    """Resident bytes and CPU seconds so far of ``pid`` and each of its descendants."""
    tree, found, stack = _children(), {}, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                rss = int(handle.read().split()[1]) * PAGE
            with open(f"/proc/{current}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            found[current] = (rss, (int(fields[11]) + int(fields[12])) / TICKS)
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(tree.get(current, ()))
    return found


def run_measured(command: list[str], env: dict, max_seconds: float | None = None
                 ) -> tuple[float, int, dict[int, float], subprocess.CompletedProcess]:
    """Wall time, peak memory of the process tree (sum of resident memory, sampled every
    0.2 s) and CPU seconds of each process of the tree (its last sample; the command's own
    process is the first key). With
    ``max_seconds``, the command gets SIGTERM when that time is up (not SIGINT: a job started
    in the background by a shell ignores it); ``analyzer batch`` stops as on Ctrl-C."""
    peak, cpu, stopped = 0, {}, False
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    cpu[process.pid] = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, stopped
        while not done.is_set():
            usage = tree_usage(process.pid)
            peak = max(peak, sum(rss for rss, _ in usage.values()))
            cpu.update({p: c for p, (_, c) in usage.items()})
            if max_seconds and not stopped and time.perf_counter() - start > max_seconds:
                process.send_signal(signal.SIGTERM)
                stopped = True
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    return wall, peak, cpu, subprocess.CompletedProcess(
        command, process.returncode, stdout, stderr)


# -- the floor and the batch ----------------------------------------------------------------

FLOOR = """
import json, sys, time
import spacy
from analyzer.io import expand_inputs, read_transcripts
start = time.perf_counter()
nlp = spacy.blank("en")
sessions = turns = 0
for path in expand_inputs([sys.argv[1]]):
    try:
        transcripts = list(read_transcripts(path))
    except Exception:
        continue
    for transcript in transcripts:
        sessions += 1
        for doc in nlp.tokenizer.pipe(t.text for t in transcript.turns):
            turns += 1
print(json.dumps({"sessions": sessions, "turns": turns,
                  "inner_seconds": time.perf_counter() - start}))
"""


PIPELINE = """
import json, sys, time
from analyzer import Analyzer
from analyzer.io import expand_inputs, read_transcripts
from analyzer.report.tables import session_row, stage_rows, turn_rows, unit_rows
start = time.perf_counter()
analyzer = Analyzer()
sessions = turns = 0
for path in expand_inputs([sys.argv[1]]):
    try:
        transcripts = list(read_transcripts(path))
    except Exception:
        continue
    for transcript in transcripts:
        result = analyzer.analyze(transcript)
        turn_rows(result), unit_rows(result), stage_rows(result), session_row(result)
        sessions += 1
        turns += len(transcript.turns)
print(json.dumps({"sessions": sessions, "turns": turns,
                  "inner_seconds": time.perf_counter() - start}))
"""


def measure_script(name: str, script: str, corpus: Path, env: dict) -> dict:
    """A one-process baseline: the floor, or the bare analysis loop (no batch machinery)."""
    load = os.getloadavg()[0]
    wall, peak, cpu, done = run_measured([sys.executable, "-c", script, str(corpus)], env)
    if done.returncode:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    return {"engine": name, "workers": 1, "wall_s": wall, "cpu_s": sum(cpu.values()),
            "driver_cpu_s": cpu[next(iter(cpu))], "load_1min_before": round(load, 1),
            "peak_mb": peak / 2**20, "complete": True, **counts}


def measure_floor(corpus: Path, env: dict) -> dict:
    return measure_script("floor", FLOOR, corpus, env)


def measure_batch(corpus: Path, workers: int, work: Path, env: dict,
                  max_seconds: float | None = None) -> dict:
    out = work / f"out-{corpus.name}-w{workers}"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "analyzer", "batch", str(corpus), "--out", str(out),
               "--workers", str(workers), "--quiet"]
    load = os.getloadavg()[0]
    wall, peak, cpu, done = run_measured(command, env, max_seconds)
    if done.returncode not in (0, 1, 130):
        raise SystemExit(f"batch failed ({done.returncode}):\n{done.stderr}")
    # what was finished, from the journal (a run stopped by --max-seconds has no counts)
    records = [json.loads(line) for line in
               (out / ".parts" / "journal.jsonl").read_text().splitlines()]
    items = [r for r in records if r.get("type") == "item"]
    if done.returncode != 130:  # a stopped run is kept: the same command resumes it
        shutil.rmtree(out, ignore_errors=True)
    return {"engine": "batch", "workers": workers, "wall_s": wall, "cpu_s": sum(cpu.values()),
            # the driver (reading, committing, assembling) apart from fork server + workers
            "driver_cpu_s": cpu[next(iter(cpu))], "load_1min_before": round(load, 1),
            "peak_mb": peak / 2**20, "complete": done.returncode != 130,
            "sessions": sum(r.get("sessions", 0) for r in items),
            "turns": sum(r.get("turns", 0) for r in items),
            "failures": sum(r.get("failures", 0) for r in items)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10", help="comma-separated, e.g. 1,10,100")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--examples", type=Path, default=REPO / "corpora" / "examples")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for corpora and outputs (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep --work afterwards")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--pipeline", action="store_true",
                        help="also time the bare analysis loop in one process (no batch)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds per scale (floor, then each worker count, every round); "
                             "each run is compared with its own round's floor, and medians "
                             "over the rounds are printed at the end")
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="stop each batch (SIGTERM) after this long and report the part "
                             "done; its output folder is kept for resuming")
    args = parser.parse_args()
    if not (CASINO / CASINO_FILES[0]).exists():
        raise SystemExit(f"CaSiNo not found in {CASINO} (set $ANALYZER_CASINO)")
    work = args.work or Path(tempfile.mkdtemp(prefix="analyzer-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    results = []
    try:
        for scale, round_ in ((int(s), r) for s in args.scales.split(",")
                              for r in range(args.repeat)):
            corpus = build_corpus(scale, work, args.examples)
            rows = [measure_floor(corpus, env)]
            if args.pipeline:
                rows.append(measure_script("loop", PIPELINE, corpus, env))
            for workers in [int(w) for w in args.workers.split(",")]:
                rows.append(measure_batch(corpus, workers, work, env, args.max_seconds))
            floor = rows[0]
            for row in rows:
                row["round"] = round_
                row["load_1min_after"] = round(os.getloadavg()[0], 1)
                # the floor's time for the share of the corpus this run finished
                share = row["sessions"] / floor["sessions"] if floor["sessions"] else 1.0
                share = share or float("nan")
                row.update(scale=scale, sessions_per_s=row["sessions"] / row["wall_s"],
                           cores_used=row["cpu_s"] / row["wall_s"],
                           turns_per_s=row["turns"] / row["wall_s"],
                           x_floor=row["wall_s"] / (floor["wall_s"] * share),
                           x_floor_cpu=row["cpu_s"] / (floor["cpu_s"] * share))
                results.append(row)
                print(f"x{scale:<4} {row['engine']:<6} workers={row['workers']} "
                      f"wall={row['wall_s']:8.1f}s sessions/s={row['sessions_per_s']:8.1f} "
                      f"turns/s={row['turns_per_s']:9.0f} peak={row['peak_mb']:7.0f}MB "
                      f"cpu={row['cpu_s']:8.1f}s (driver {row['driver_cpu_s']:.1f}s) "
                      f"x_floor={row['x_floor']:5.2f} "
                      f"load={row['load_1min_before']}->{row['load_1min_after']}"
                      + ("" if row["complete"] else " (stopped early)"), flush=True)
    finally:
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n")
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"{os.cpu_count()} cores; load = 1-minute load average before the run and when "
          "the scale finished; cores = CPU s / wall s")
    print("| scale | run | workers | sessions | turns | wall s | CPU s | cores | sessions/s "
          "| turns/s | peak MB | x floor (wall) | x floor (CPU) | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        mark = "" if r["complete"] else " (stopped)"
        print(f"| x{r['scale']} | {r['engine']}{mark} | {r['workers']} | {r['sessions']:,} | "
              f"{r['turns']:,} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['cores_used']:.2f} | "
              f"{r['sessions_per_s']:.1f} | {r['turns_per_s']:,.0f} | {r['peak_mb']:.0f} | "
              f"{r['x_floor']:.2f} | {r['x_floor_cpu']:.2f} | "
              f"{r['load_1min_before']}-{r['load_1min_after']} |")
    if args.repeat > 1:
        print_medians(results)


def print_medians(results: list[dict]) -> None:
    """Per scale and worker count: the median over the rounds of the wall time, of the
    ratio to the same round's floor, and of 1 worker's time over this one's (same round).
    Why: on a shared machine the floor itself moves by 20-25% between runs, so one pair of
    runs can land on either side of a target."""
    import statistics

    print()
    print("| scale | workers | rounds | median wall s | median x floor (range) "
          "| median speed-up vs 1 worker (range) |")
    print("|---|---|---|---|---|---|")
    keys = sorted({(r["scale"], r["workers"]) for r in results if r["engine"] == "batch"})
    for scale, workers in keys:
        runs = [r for r in results if r["engine"] == "batch" and r["scale"] == scale
                and r["workers"] == workers]
        ratios = [r["x_floor"] for r in runs]
        ones = {r["round"]: r["wall_s"] for r in results if r["engine"] == "batch"
                and r["scale"] == scale and r["workers"] == 1}
        ups = [ones[r["round"]] / r["wall_s"] for r in runs if r["round"] in ones]
        up = (f"{statistics.median(ups):.2f} ({min(ups):.2f}-{max(ups):.2f})"
              if ups and workers != 1 else "")
        print(f"| x{scale} | {workers} | {len(runs)} | "
              f"{statistics.median(r['wall_s'] for r in runs):.1f} | "
              f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) | {up} |")


if __name__ == "__main__":
    main()
