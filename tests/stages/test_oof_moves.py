"""Out-of-fold move labels for the stage gold (``analyzer/stages/oof_moves.py``): every
dialogue is labelled by a move model that never saw it, and the stage evidence reads them
only for the CaSiNo sessions they cover."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from analyzer.errors import UsageError
from analyzer.stages import oof_moves
from analyzer.stages.evaluate import gold_evidence
from analyzer.stages.evidence import FEATURES
from analyzer.stages.gold import read_gold, resolve

SMALLTALK = FEATURES.index("mv_smalltalk")


def test_folds_are_a_seeded_partition_whatever_the_order_of_the_ids():
    ids = [str(i) for i in range(23)]
    folds = oof_moves.dialogue_folds(ids, k=5, seed=3)
    assert sorted(d for f in folds for d in f) == sorted(ids)
    assert sorted(len(f) for f in folds) == [4, 4, 5, 5, 5]
    assert oof_moves.dialogue_folds(list(reversed(ids)), k=5, seed=3) == folds
    assert oof_moves.dialogue_folds(ids, k=5, seed=4) != folds


def test_a_cache_of_another_kind_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"sessions": {}}), encoding="utf-8")
    with pytest.raises(UsageError):
        oof_moves.load(path)


@pytest.mark.casino
def test_each_dialogue_is_labelled_by_a_model_trained_without_it(tmp_path, casino_dir,
                                                                monkeypatch):
    from analyzer.moves import training
    from analyzer.moves.data import load_coded

    valid = load_coded([casino_dir / "casino_valid.json"])
    small = replace(valid, transcripts=valid.transcripts[:9])
    seen: list[set[str]] = []
    real_train = training.train

    def spy(data, *args, **kwargs):  # the real training, recording what it saw
        seen.append({str(t.session_id) for t in data.transcripts})
        return real_train(data, *args, **kwargs)

    monkeypatch.setattr(training, "train", spy)
    cache = oof_moves.build(k=3, seed=0, models_dir=tmp_path / "models", data=small,
                            log=lambda _: None)
    ids = {str(t.session_id) for t in small.transcripts}
    assert set(cache["sessions"]) == ids and len(seen) == 3
    for sid, fold in cache["fold"].items():
        assert sid not in seen[fold]
        assert seen[fold] == ids - {d for d, f in cache["fold"].items() if f == fold}
    by_id = {str(t.session_id): t for t in small.transcripts}
    assert all(len(turns) == len(by_id[sid].turns) for sid, turns in cache["sessions"].items())
    # a second build reuses the fold models and gives the same labels
    path = oof_moves.save(cache, tmp_path / "oof.json")
    assert oof_moves.build(k=3, seed=0, models_dir=tmp_path / "models", data=small,
                           log=lambda _: None) == json.loads(path.read_text())
    assert len(seen) == 3


@pytest.mark.casino
def test_gold_evidence_reads_the_labels_of_coded_sessions_only(tmp_path, casino_dir,
                                                              examples_dir):
    gold = tmp_path / "gold.tsv"
    gold.write_text("938\topening=0\texploring=-\tbargaining=3\tclosing=10\n"
                    "404\topening=-\texploring=-\tbargaining=0\tclosing=11\n"
                    "supplier_contract.txt\topening=0\texploring=10\tbargaining=28\t"
                    "closing=53\n", encoding="utf-8")
    pairs = resolve(read_gold(gold), casino=casino_dir, examples=examples_dir)
    first, second, example = (t for _, t in pairs)
    cache = {"format": oof_moves.FORMAT, "sessions": {
        "938": [["small-talk", None, ["small-talk"]]] * len(first.turns),
        "404": [["small-talk", None, ["small-talk"]]] * (len(second.turns) - 1),  # stale
        "supplier_contract.txt": [["small-talk", None, ["small-talk"]]] * 99}}
    oof_moves.save(cache, tmp_path / "oof.json")
    shipped, _ = gold_evidence(pairs)
    moved, _ = gold_evidence(pairs, oof_moves=oof_moves.load(tmp_path / "oof.json"))
    assert shipped[0][:, SMALLTALK].min() == 0.0 and moved[0][:, SMALLTALK].min() == 1.0
    assert (moved[1] == shipped[1]).all()  # the labels do not fit the turns: not used
    assert (moved[2] == shipped[2]).all()  # not a CaSiNo session


def test_a_spoken_session_takes_its_labels_by_its_path_under_corpora(tmp_path, repo):
    """Spoken sessions the move model trains on (corpora/spoken_codes) are found by
    ``folder/file#session_id``: session ids alone repeat across the spoken folders."""
    gold = tmp_path / "gold.tsv"
    gold.write_text("spoken/agency_retainer_marketing.txt\topening=0\texploring=-\t"
                    "bargaining=2\tclosing=23\n", encoding="utf-8")
    (pair,) = resolve(read_gold(gold), examples=repo / "corpora")
    n = len(pair[1].turns)
    row = [["small-talk", None, ["small-talk"]]]
    for key, used in (("spoken/agency_retainer_marketing.txt#agency_retainer_marketing", True),
                      ("agency_retainer_marketing", False)):
        oof_moves.save({"format": oof_moves.FORMAT, "sessions": {key: row * n}},
                       tmp_path / "oof.json")
        shipped, _ = gold_evidence([pair])
        moved, _ = gold_evidence([pair], oof_moves=oof_moves.load(tmp_path / "oof.json"))
        assert bool(moved[0][:, SMALLTALK].min() == 1.0) is used
        assert bool((moved[0] == shipped[0]).all()) is not used
