"""CPU seconds of ``analyzer batch`` per process role (driver, fork server, workers), for two
checkouts run alternately on the same corpus.

Why: on a machine shared with other jobs the wall time of a batch moves with their load, and
``bench_batch.py`` gives the whole tree's CPU; this says where it went, the same way for a
baseline copy and the working tree, so a change outside the workers' analysis loop (start-up,
transport, the driver) can be seen against the noise:

    git -C /work/main archive HEAD | tar -x -C /tmp/base
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_batch_cpu.py /tmp/base . --rounds 3

Each round runs ``python -m analyzer batch CORPUS --out TMP --workers N --quiet`` once per
checkout (ABBA order: base, branch, then branch, base in the next round), each into a fresh
folder that is removed afterwards. The driver's CPU is exact (``os.wait4``); its other children (the
fork server, and multiprocessing's resource tracker: ``server_s``) and the fork server's
workers are sampled from /proc every 0.1 s, and the workers' total is also read from
the fork server's count of its reaped children (so the last tenth of a second a worker ran is
not lost). ``/usr/bin/time`` cannot give this: the fork server is not the driver's waited-for
child, so its workers' CPU never reaches the driver's rusage.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PYTHON = sys.executable


def _stat(pid: int) -> tuple[int, float, float]:
    """(parent pid, own CPU s, CPU s of reaped children) of ``pid``."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS,
            (int(fields[13]) + int(fields[14])) / TICKS)


def _descendants(root: int) -> dict[int, tuple[int, float, float]]:
    """{pid: (depth below ``root``, own CPU s, reaped children's CPU s)}."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                children.setdefault(_stat(int(entry))[0], []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    found, stack = {}, [(c, 1) for c in children.get(root, ())]
    while stack:
        pid, depth = stack.pop()
        try:
            _, own, reaped = _stat(pid)
        except (OSError, IndexError, ValueError):
            continue
        found[pid] = (depth, own, reaped)
        stack.extend((c, depth + 1) for c in children.get(pid, ()))
    return found


def run_once(checkout: Path, corpus: str, workers: int, work: Path) -> dict:
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(checkout), "OPENBLAS_NUM_THREADS": "1"}
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen([PYTHON, "-m", "analyzer", "batch", corpus, "--out", str(out),
                                "--workers", str(workers), "--quiet"], env=env, cwd=checkout)
    seen: dict[int, tuple[int, float, float]] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            seen.update(_descendants(process.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"batch failed with exit code {process.returncode}")
    shutil.rmtree(out, ignore_errors=True)
    server = [v for v in seen.values() if v[0] == 1]
    workers_cpu = max(sum(v[1] for v in seen.values() if v[0] >= 2),
                      sum(v[2] for v in server))
    driver = usage.ru_utime + usage.ru_stime
    server_cpu = sum(v[1] for v in server)
    return {"checkout": str(checkout), "wall_s": round(wall, 2),
            "cpu_s": round(driver + server_cpu + workers_cpu, 2), "driver_s": round(driver, 2),
            "server_s": round(server_cpu, 2), "workers_s": round(workers_cpu, 2),
            "load_before": round(load, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the baseline checkout")
    parser.add_argument("branch", help="the checkout to compare with it")
    parser.add_argument("--corpus", default="/work/bench/corpus-x10")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    checkouts = [Path(args.base).resolve(), Path(args.branch).resolve()]
    results: dict[str, list[dict]] = {str(c): [] for c in checkouts}
    with tempfile.TemporaryDirectory(prefix="bench-batch-cpu-") as tmp:
        for round_ in range(args.rounds):
            for checkout in checkouts if round_ % 2 == 0 else checkouts[::-1]:
                result = run_once(checkout, args.corpus, args.workers, Path(tmp))
                results[str(checkout)].append(result)
                print(json.dumps(result), flush=True)
    keys = ("cpu_s", "driver_s", "server_s", "workers_s", "wall_s")
    for checkout, runs in results.items():
        medians = {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}
        print(f"{checkout}: median of {len(runs)} " + " ".join(f"{k} {v}" for k, v in
                                                                medians.items()))


if __name__ == "__main__":
    main()
