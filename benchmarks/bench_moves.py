"""Speed of the move classifier on every CaSiNo turn, next to bare spaCy tokenization.

Not a test: run it by hand on a quiet machine (one core is used)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_moves.py [CASINO_DIR] [--repeat 3]

Prints, for the same texts in the same run: turns/s of ``spacy.blank("en").tokenizer``
alone; turns/s of classification including feature extraction (``feature_parts`` +
``scores``, as ``predict_sessions`` runs them: n-grams, cues, context, word vectors, both
heads) over the whole corpus as one batch, both
also as CPU time (steadier than wall time when other processes share the machine); on 200
sessions: units + moves session by session (``split_units`` + ``MoveModel.predict_session``,
with explanations and offer rules) and batched (``split_units_many`` +
``predict_sessions``), and the whole analyze path (units, moves, stages) through
``Analyzer.analyze`` one by one and ``Analyzer.analyze_many``; the time to load the
shipped model in this process, and in fresh processes (import, load, total): ``load_model()``
(prediction classes, no scikit-learn) next to ``load_model(estimator=True)`` and
``skops.io.load``, the paths before it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


CPU: dict[str, float] = {}


def best_of(repeat: int, fn, name: str | None = None) -> float:
    """Best wall time of ``repeat`` runs; with ``name``, the best CPU time of the process
    (``time.process_time``) is kept in ``CPU`` too: on a shared machine other processes
    stretch wall times, much less the CPU time a run needs."""
    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if name:
        CPU[name] = min(cpu)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("casino", nargs="?", default=str(REPO.parent / "shared" / "corpora" /
                                                          "casino"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from analyzer.moves import load_model
    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = load_model()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_model()
    warm_s = time.perf_counter() - t0

    import spacy

    from analyzer.moves.data import casino_files, read_casino
    from analyzer.moves.features import turn_frame
    from analyzer.nlp import make_nlp, split_units

    transcripts = [t for f in casino_files(Path(args.casino))
                   for t in read_casino(f, annotated_only=False)]
    frame = turn_frame(transcripts)
    frame = frame[~frame["is_action"]].reset_index(drop=True)
    texts = frame["text"].tolist()
    n = len(texts)

    tokenizer = spacy.blank("en").tokenizer
    tok_s = best_of(args.repeat, lambda: [tokenizer(t) for t in texts], "tokenizer")
    est = model.estimator

    def classify():
        # a fresh featurizer cache each time: no help from an earlier run
        for vocab in (est.featurizer_.word_, est.featurizer_.char_):
            if vocab is not None:
                vocab.__dict__.pop("_cache", None)
        parts = est.feature_parts(frame)  # as labelling does (word vectors kept dense)
        est.scores(parts.matrix, parts.dense)

    clf_s = best_of(args.repeat, classify, "classification")
    nlp = make_nlp()
    sample = transcripts[:200]
    sample_turns = sum(len(t.turns) for t in sample)

    def sessions():
        for t in sample:
            model.predict_session(t, split_units(nlp, t))

    def sessions_batched():
        from analyzer.nlp import split_units_many

        for k in range(0, len(sample), 64):
            chunk = sample[k:k + 64]
            model.predict_sessions(list(zip(chunk, split_units_many(nlp, chunk),
                                            strict=True)))

    from analyzer.pipeline import Analyzer

    analyzer = Analyzer()
    analyzer.analyze(sample[0])  # warm: lazy imports, caches of the stage segmenter
    sess_s = best_of(args.repeat, sessions)
    batch_s = best_of(args.repeat, sessions_batched) if hasattr(model, "predict_sessions") \
        else float("nan")
    one_s = best_of(args.repeat, lambda: [analyzer.analyze(t) for t in sample])
    many_s = best_of(args.repeat, lambda: list(analyzer.analyze_many(sample)))
    print(f"turns (CaSiNo chat turns, all dialogues): {n}")
    print(f"spaCy blank('en') tokenizer alone:   {n / tok_s:>9,.0f} turns/s")
    print(f"classification incl. features:       {n / clf_s:>9,.0f} turns/s  "
          f"({clf_s / tok_s:.2f}x the tokenizer's time)")
    tok_cpu, clf_cpu = CPU["tokenizer"], CPU["classification"]
    print(f"  the same in CPU time:  tokenizer {tok_cpu * 1000:,.0f} ms, classification "
          f"{clf_cpu * 1000:,.0f} ms ({clf_cpu / tok_cpu:.2f}x)")
    print(f"{len(sample)} sessions, {sample_turns} turns:")
    print(f"  units + moves, session by session: {sample_turns / sess_s:>9,.0f} turns/s  "
          "(units, moves, reasons, offers)")
    print(f"  units + moves, batched:            {sample_turns / batch_s:>9,.0f} turns/s")
    print(f"  Analyzer.analyze, one by one:      {sample_turns / one_s:>9,.0f} turns/s  "
          "(units, moves, stages)")
    print(f"  Analyzer.analyze_many:             {sample_turns / many_s:>9,.0f} turns/s")
    print(f"load shipped model: first {load_s:.3f} s, again {warm_s:.3f} s "
          f"(importing analyzer.moves before: {import_s:.3f} s)")
    print(f"fresh process, best of {args.repeat} (import analyzer.moves / then load / total):")
    names = {"reader": "load_model()", "estimator": "load_model(estimator=True)",
             "skops": "skops.io.load"}
    for how in ("reader", "estimator", "skops"):
        runs = [fresh_load(how) for _ in range(args.repeat)]
        imp, load, total = (min(r[k] for r in runs) for k in range(3))
        print(f"  {names[how]:<26} {imp:.3f} s / {load:.3f} s / {total:.3f} s")


_FRESH = """
import sys, time
t0 = time.perf_counter()
import analyzer.moves
from analyzer.moves.model import MODEL_FILE, _check_trusted, default_model_dir, load_model
if sys.argv[1] == "estimator":  # the scikit-learn classes (what every load built before)
    import analyzer.moves.estimators
t1 = time.perf_counter()
if sys.argv[1] == "reader":
    load_model()
elif sys.argv[1] == "estimator":
    load_model(estimator=True)
else:  # what load_model did before it had its own reader
    import skops.io as sio
    path = default_model_dir() / MODEL_FILE
    sio.load(path, trusted=_check_trusted(path))
t2 = time.perf_counter()
print(t1 - t0, t2 - t1, t2 - t0)
"""


def fresh_load(how: str) -> tuple[float, float, float]:
    """Seconds to import ``analyzer.moves``, then to load the shipped model, and both, in a
    new Python process: what a command-line run pays once. ``how``: "reader" is
    ``load_model()`` (the prediction classes, no scikit-learn); "estimator" builds the
    scikit-learn estimators (importing scikit-learn: what every load did before the
    prediction classes); "skops" loads the same file with ``skops.io.load`` (importing
    skops), the path before our own reader; the last two are baselines of the same run."""
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", _FRESH, how], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    imp, load, total = map(float, out)
    return imp, load, total


if __name__ == "__main__":
    main()
