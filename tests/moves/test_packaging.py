"""A fresh install carries the shipped move model (setup.py copies models/ into the package)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.slow
def test_build_puts_the_default_model_and_data_files_inside_the_package(repo, tmp_path):
    from analyzer.moves.model import DEFAULT_MODEL

    result = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib",
                             str(tmp_path)], cwd=repo, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    shipped = tmp_path / "analyzer" / "_models" / DEFAULT_MODEL
    for name in ("model.skops", "meta.json", "README.md", "word_vectors.npz"):
        assert (shipped / name).read_bytes() == (repo / "models" / DEFAULT_MODEL /
                                                 name).read_bytes()
    assert (tmp_path / "analyzer" / "stages" / "params.json").exists()
    # the spoken codes and every transcript they name, so a fresh install trains the same
    corpora = tmp_path / "analyzer" / "_corpora"
    codes = corpora / "spoken_codes" / "spoken_strategies.tsv"
    assert codes.read_bytes() == (repo / "corpora" / "spoken_codes" / codes.name).read_bytes()
    named = {line.split("\t")[0].partition("#")[0]
             for line in codes.read_text(encoding="utf-8").splitlines()[1:]}
    assert len(named) >= 40 and all((corpora / name).is_file() for name in named)
    assert not (corpora / "spoken_heldout2").exists()  # the held-out stage test set


@pytest.mark.slow
def test_the_sdist_holds_what_the_build_hook_copies(repo, tmp_path):
    """Packaging QA, 28 Nov 2026: without MANIFEST.in the sdist had no models/ nor codes,
    so ``python -m build`` (wheel from sdist) and ``pip install analyzer-X.tar.gz`` failed
    with "No such file or directory: .../models"."""
    import tarfile

    from analyzer.moves.model import DEFAULT_MODEL

    result = subprocess.run([sys.executable, "setup.py", "-q", "sdist", "--dist-dir",
                             str(tmp_path)], cwd=repo, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    [archive] = tmp_path.glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    for name in ("model.skops", "meta.json", "word_vectors.npz"):
        assert f"models/{DEFAULT_MODEL}/{name}" in names
    assert "corpora/casino_codes/strategies.tsv" in names
    codes = repo / "corpora" / "spoken_codes" / "spoken_strategies.tsv"
    assert "corpora/spoken_codes/spoken_strategies.tsv" in names
    named = {line.split("\t")[0].partition("#")[0]
             for line in codes.read_text(encoding="utf-8").splitlines()[1:]}
    assert all(f"corpora/{name}" in names for name in named)
