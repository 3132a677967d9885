"""``python -m analyzer.stages.fit`` prints errors as the CLI does, and a missing
``--oof-moves`` file is built only when needed, and never without saying so (QA, 28 Nov
2026)."""

from __future__ import annotations

import pytest

from analyzer.stages import fit, oof_moves
from analyzer.stages.evaluate import out_of_fold_moves
from analyzer.stages.gold import read_gold, resolve


def test_fit_main_prints_a_gold_error_and_exits_2(tmp_path, capsys):
    gold = tmp_path / "gold.tsv"
    gold.write_text("938\topening=0\texplorin=-\tbargaining=3\tclosing=10\n", encoding="utf-8")
    assert fit.main([str(gold), "--out", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert "[E100]" in err and f"{gold}:1" in err and "fix:" in err
    assert "Traceback" not in err
    assert not (tmp_path / "p.json").exists()


def test_fit_main_prints_an_unknown_session_and_exits_2(tmp_path, capsys):
    gold = tmp_path / "gold.tsv"
    gold.write_text("nosuch.txt\topening=0\texploring=-\tbargaining=3\tclosing=10\n",
                    encoding="utf-8")
    assert fit.main([str(gold), "--casino", str(tmp_path), "--out",
                     str(tmp_path / "p.json")]) == 2
    assert "[E300]" in capsys.readouterr().err


def examples_pairs(repo, examples_dir, tmp_path):
    return resolve(read_gold(repo / "corpora/stages/gold_examples.tsv"), casino=tmp_path,
                   examples=examples_dir)


def test_no_out_of_fold_build_for_gold_without_casino(repo, examples_dir, tmp_path,
                                                      monkeypatch):
    def no_build(*args, **kwargs):
        raise AssertionError("built out-of-fold labels no session needs")

    monkeypatch.setattr(oof_moves, "build", no_build)
    said = []
    got = out_of_fold_moves(tmp_path / "missing.json", examples_pairs(repo, examples_dir,
                                                                      tmp_path),
                            casino=tmp_path, log=said.append)
    assert got is None
    assert "not needed" in said[0]
    assert not (tmp_path / "missing.json").exists()


def test_out_of_fold_build_is_announced_first(repo, examples_dir, tmp_path, monkeypatch):
    from dataclasses import replace

    pairs = examples_pairs(repo, examples_dir, tmp_path)
    pairs[0] = (pairs[0][0], replace(pairs[0][1], format="casino"))  # a CaSiNo dialogue
    said = []

    def build(*args, **kwargs):
        assert said and "minutes" in said[0], "the build started before it was announced"
        raise RuntimeError("stop here")

    monkeypatch.setattr(oof_moves, "build", build)
    monkeypatch.setattr("analyzer.stages.gold.find_casino", lambda casino=None: tmp_path)
    with pytest.raises(RuntimeError, match="stop here"):
        out_of_fold_moves(tmp_path / "missing.json", pairs, log=said.append)
    assert "building out-of-fold move labels" in said[0]
