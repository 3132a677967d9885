"""Our skops reader builds the same model as ``skops.io.load``, and refuses what it should."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import ModelError
from analyzer.moves import skops_reader
from analyzer.moves.model import (
    MODEL_FILE,
    MoveModel,
    _check_trusted,
    default_model_dir,
    load_model,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def both():
    """The shipped model read by our reader and by skops, with the same allow-list; each
    given the folder's word-vector table (its own file, not part of the skops file), as
    ``load_model`` does."""
    import skops.io as sio

    from analyzer.moves.vectors import VECTORS_FILE, WordVectors

    path = default_model_dir() / MODEL_FILE
    trusted = _check_trusted(path)
    pair = skops_reader.load(path, trusted), sio.load(path, trusted=trusted)
    for est in pair:
        est.featurizer_.attach_vectors(WordVectors.load(default_model_dir() / VECTORS_FILE))
    return pair


def _walk(value, seen: dict[int, int], out: list) -> None:
    """A flat record of a tree: types, values, and which nodes are the same object."""
    if isinstance(value, (dict, list, tuple, np.ndarray)) or hasattr(value, "__dict__"):
        if id(value) in seen:  # a shared reference: record which earlier node it is
            out.append(("ref", seen[id(value)]))
            return
        seen[id(value)] = len(seen)
    out.append(type(value))
    if isinstance(value, np.ndarray):
        out.append((value.dtype.str, value.shape))
        if value.dtype == object:
            for item in value.ravel().tolist():
                _walk(item, seen, out)
        else:
            out.append(value.tobytes())
    elif isinstance(value, dict):
        for k, v in value.items():
            out.append(("key", type(k), k))
            _walk(v, seen, out)
    elif isinstance(value, (list, tuple)):
        out.append(len(value))
        for v in value:
            _walk(v, seen, out)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        _walk(vars(value), seen, out)
    else:
        out.append(value)


def test_reader_builds_the_same_tree_as_skops(both):
    ours, theirs = both
    a, b = [], []
    _walk(ours, {}, a)
    _walk(theirs, {}, b)
    assert len(a) > 100
    assert a == b  # same types, keys, values, array bytes and shared references
    assert sorted(vars(ours)) == sorted(vars(theirs))
    assert ours.featurizer_.word_.terms.dtype == theirs.featurizer_.word_.terms.dtype


def test_reader_model_predicts_the_same(both, examples_dir, casino_slice):
    from analyzer.io import expand_inputs, read_transcripts
    from analyzer.moves.data import read_casino
    from analyzer.moves.features import turn_frame
    from analyzer.nlp import make_nlp, split_units_many

    ours, theirs = both
    transcripts = [t for p in expand_inputs([examples_dir]) for t in read_transcripts(p)]
    transcripts += read_casino(casino_slice, annotated_only=False)[:8]
    frame = turn_frame(transcripts)
    frame = frame[~frame["is_action"]].reset_index(drop=True)
    for x, y in zip(ours.scores(ours.features(frame)), theirs.scores(theirs.features(frame)),
                    strict=True):
        assert np.array_equal(x, y)
    items = list(zip(transcripts, split_units_many(make_nlp(), transcripts), strict=True))
    meta = {"name": "x"}
    assert MoveModel(ours, meta).predict_sessions(items) == \
        MoveModel(theirs, meta).predict_sessions(items)


def _tampered(tmp_path, change) -> Path:
    """A copy of the shipped model folder whose schema.json went through ``change``."""
    folder = tmp_path / "m"
    shutil.copytree(default_model_dir(), folder)
    src = default_model_dir() / MODEL_FILE
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(folder / MODEL_FILE, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            if name == "schema.json":
                schema = json.loads(data)
                change(schema)
                data = json.dumps(schema).encode()
            new.writestr(name, data)
    meta = json.loads((folder / "meta.json").read_text())
    meta["model_file"].pop("sha256")
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


def _featurizer(schema):
    return schema["content"]["content"]["featurizer_"]


def test_unknown_class_is_refused_before_anything_is_imported(tmp_path):
    def evil(schema):
        _featurizer(schema)["__module__"] = "evil_module_xyz"

    folder = _tampered(tmp_path, evil)
    with pytest.raises(ModelError, match="allow-list"):
        load_model(folder)
    trusted = _check_trusted(default_model_dir() / MODEL_FILE)
    with pytest.raises(ModelError, match=re.escape("evil_module_xyz.TurnFeaturizer")):
        skops_reader.load(folder / MODEL_FILE, trusted)
    assert "evil_module_xyz" not in sys.modules


def test_a_node_of_another_kind_is_not_built_by_the_reader_and_refused(tmp_path):
    def pickled(schema):  # a node asking for a loader neither the reader nor skops has
        _featurizer(schema)["__loader__"] = "PickleNode"

    folder = _tampered(tmp_path, pickled)
    trusted = _check_trusted(folder / MODEL_FILE)
    with pytest.raises(skops_reader.UnsupportedFile, match="PickleNode"):
        skops_reader.load(folder / MODEL_FILE, trusted)
    with pytest.raises(ModelError, match="cannot load"):  # skops, the fallback, refuses too
        load_model(folder)


def test_files_the_reader_does_not_know_fall_back_to_skops(tmp_path):
    def older(schema):  # protocol 1: skops reads it, our reader leaves it to skops
        schema["protocol"] = 1

    folder = _tampered(tmp_path, older)
    trusted = _check_trusted(folder / MODEL_FILE)
    with pytest.raises(skops_reader.UnsupportedFile, match="protocol 1"):
        skops_reader.load(folder / MODEL_FILE, trusted)
    a, b = [], []
    ours, theirs = load_model(folder).estimator, load_model(estimator=True).estimator
    for est in (ours, theirs):  # the attached table names its file (here two folders)
        assert est.featurizer_.vectors_.sha256 == theirs.featurizer_.vectors_sha256_
        est.featurizer_.__dict__.pop("vectors_")
    _walk(ours, {}, a)  # skops builds the estimators, always
    _walk(theirs, {}, b)  # fresh: predicting fills caches
    assert a == b


def test_loading_the_shipped_model_does_not_import_skops():
    code = ("import sys; from analyzer.moves import load_model; load_model(); "
            "print('skops' in sys.modules, 'sklearn.ensemble' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, env={"PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"},
                         check=True)
    assert out.stdout.split() == ["False", "False"]


def test_labelling_a_transcript_imports_neither_scikit_learn_nor_pandas(examples_dir):
    """The prediction classes make the model: the import of scikit-learn (about a second,
    with scipy.stats and pandas) is paid only by training and evaluation."""
    code = ("import sys; from analyzer import Analyzer; from analyzer.io import read_transcripts; "
            f"t = list(read_transcripts({str(examples_dir / 'zoom_salary.vtt')!r}))[0]; "
            "r = Analyzer().analyze(t); assert r.moves; "
            "print(*(m in sys.modules for m in ('sklearn', 'pandas', 'scipy.stats', 'skops')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, env={"PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"},
                         check=True)
    assert out.stdout.split() == ["False"] * 4


def test_prediction_classes_hold_the_estimators_state_and_predict_the_same(casino_dir):
    from analyzer.io import read_transcripts
    from analyzer.moves.classifier import FittedClassifier, MoveClassifier
    from analyzer.moves.features import FittedFeaturizer, TurnFeaturizer, turn_frame

    lean, full = load_model().estimator, load_model(estimator=True).estimator
    assert type(lean) is FittedClassifier and type(lean.featurizer_) is FittedFeaturizer
    assert type(full) is MoveClassifier and type(full.featurizer_) is TurnFeaturizer
    assert isinstance(full, FittedClassifier)  # the estimator predicts with the same code
    for x, y in ((lean, full), (lean.featurizer_, full.featurizer_)):  # the same state
        a, b = [], []
        _walk({k: v for k, v in vars(x).items() if k != "featurizer_"}, {}, a)
        _walk({k: v for k, v in vars(y).items() if k != "featurizer_"}, {}, b)
        assert a == b
    transcripts = list(read_transcripts(casino_dir / "casino_valid.json"))[:10]
    X = turn_frame(transcripts)
    for got, want in zip(lean.scores(lean.features(X)), full.scores(full.features(X)),
                         strict=True):
        assert np.array_equal(got, want)


def test_estimators_keep_the_class_paths_model_files_name(tmp_path):
    """Model files name ``analyzer.moves.classifier.MoveClassifier`` and
    ``analyzer.moves.features.TurnFeaturizer``: a model saved now still does."""
    from analyzer.moves.classifier import MoveClassifier
    from analyzer.moves.features import TurnFeaturizer
    from analyzer.moves.model import file_types

    assert MoveClassifier.__module__ == "analyzer.moves.classifier"
    assert TurnFeaturizer.__module__ == "analyzer.moves.features"
    with pytest.raises(ModelError, match="estimator=True"):
        load_model().save(tmp_path / "lean")
    model = load_model(estimator=True)
    MoveModel(model.estimator, dict(model.meta)).save(tmp_path / "again")
    types = file_types(tmp_path / "again" / MODEL_FILE)
    assert {"analyzer.moves.classifier.MoveClassifier",
            "analyzer.moves.features.TurnFeaturizer"} <= types
