"""The fork server local workers are forked from, and starting it early.

Local workers are forked from a server process that has imported spaCy, pyarrow and the
analyser's modules once (~1.1 s), so each worker starts warm. ``start`` starts that server
at once; ``analyzer batch`` calls it first thing, so the server imports its modules while
the driver imports its own (~0.25 s) and scans the inputs, instead of after. This module
imports nothing heavy, so calling it costs the driver nothing.
"""

from __future__ import annotations

#: Modules the fork server imports once, so every worker starts from a warm copy of them.
#: Not ``skops.io``: ``load_model`` reads model files with its own reader, and importing
#: skops (it walks every scikit-learn estimator, ~1 s of CPU) would only slow the start; a
#: model only skops can read (rare: ``analyzer train`` never makes one) imports it per worker.
#: Not scikit-learn either: the model is built from its prediction-only classes, which need
#: none of it (``classifier.FittedClassifier``); preloading it cost ~1 s before any work.
#: pandas, although no worker code imports it: pyarrow does, at a process's first
#: ``pa.array`` (each work item's tables), so every worker paid ~0.25 CPU s for it at its
#: first item; imported once here, the workers get it with the fork.
#: Not ``pyarrow.parquet``: workers encode their tables as Arrow IPC (``parts``), only the
#: driver writes Parquet; preloading it cost the server ~14 ms and each process ~5.5 MB.
#: The first and the last two are for the server alone: ``fork_server_quiet`` makes it ignore
#: Ctrl-C while it imports (the driver handles it), ``fork_server_freeze`` moves everything loaded
#: before it out of the garbage collector's walks (so no worker walks it again), and
#: ``fork_server_exit`` makes the server end without finalising.
PRELOAD = ["analyzer.batch.fork_server_quiet", "analyzer.batch.worker", "analyzer.pipeline",
           "spacy", "pyarrow", "pandas", "analyzer.moves.model", "analyzer.nlp",
           "analyzer.stages.segmenter", "analyzer.report.tables",
           "analyzer.batch.fork_server_freeze", "analyzer.batch.fork_server_exit"]


def default_workers() -> int:
    """The cores this process may use (a container or ``taskset`` may allow fewer than the
    machine has): the default number of local workers. Here, not in the runner, so that
    ``analyzer batch`` can decide to start the fork server before importing the runner."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def context():
    """The ``forkserver`` multiprocessing context, with ``PRELOAD`` set."""
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start() -> None:
    """Start the fork server now (it is one per process, and the pool uses it later). Only
    where it exists (not on Windows); harmless if it runs already."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    context()
    import signal
    import threading
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()  # (signal handlers can only be set in the main thread)
        return
    # the server is born ignoring Ctrl-C: a new interpreter keeps an inherited SIG_IGN. Its
    # first preload module ignored it too, but only after ``import analyzer`` had run, and
    # a Ctrl-C 0.3 s into a run still printed a traceback from that import (CI, 28 Nov 2026)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
