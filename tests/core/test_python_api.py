"""The Python API as the package docstring and the docs show it (Python API QA, 28 Nov 2026:
the docstring's example read a folder with ``read_transcripts`` and failed)."""

from __future__ import annotations

import os

import pytest

import analyzer
from analyzer import Analyzer, expand_inputs


def test_the_package_docstring_example_runs(repo, capsys):
    code = "\n".join(line[4:] for line in analyzer.__doc__.split("::", 1)[1].splitlines())
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        exec(compile(code, "analyzer.__doc__", "exec"), {})
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 11 and any(line.startswith("zoom_salary ") for line in printed)


def test_one_path_is_one_path_not_its_letters(examples_dir):
    assert expand_inputs(str(examples_dir)) == expand_inputs([str(examples_dir)])
    assert expand_inputs(examples_dir / "zoom_salary.vtt") == [examples_dir / "zoom_salary.vtt"]


def test_analyze_says_what_it_takes():
    with pytest.raises(TypeError, match="takes a Transcript, not str"):
        Analyzer().analyze("corpora/examples/zoom_salary.vtt")


@pytest.mark.casino
def test_threads_sharing_an_analyzer_get_the_results_of_one_thread(casino_dir):
    """Cluster QA, 28 Nov 2026: a Dask worker with --nthreads 2 runs two items at once on
    its one Analyzer, and the moves differed from run to run (shared caches and buffers:
    here 34 turns of 60 CaSiNo dialogues without the lock). Calls now take turns; every
    thread gets what a lone call gets."""
    import queue
    import threading

    from analyzer import Analyzer, read_transcripts

    sessions = list(read_transcripts(casino_dir / "casino_valid.json"))[:60]

    def run(analyzer, part):
        return {t.session_id: [(m.move, m.orientation) for m in a.moves]
                for t, a, _ in analyzer.analyze_each(part)}

    alone = run(Analyzer(explain=False), sessions)
    shared, parts, got = Analyzer(explain=False), queue.Queue(), {}
    for k in range(0, len(sessions), 5):
        parts.put(sessions[k:k + 5])

    def work():
        while True:
            try:
                part = parts.get_nowait()
            except queue.Empty:
                return
            got.update(run(shared, part))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == alone
