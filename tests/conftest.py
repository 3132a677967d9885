"""Shared fixtures. Tests that need CaSiNo read it from ../shared/corpora/casino (or
$ANALYZER_CASINO) and skip with a clear reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (CI must not pass or fail by chance);
# ANALYZER_HYPOTHESIS=explore draws new ones, to look for bugs by hand.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("ANALYZER_HYPOTHESIS") == "explore"
                      else "repeatable")

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
EXAMPLES = REPO / "corpora" / "examples"


def find_casino() -> Path | None:
    candidates = [os.environ.get("ANALYZER_CASINO"), REPO.parent / "shared" / "corpora" / "casino"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "casino_train.json").exists():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def casino_dir() -> Path:
    found = find_casino()
    if found is None:
        pytest.skip("CaSiNo not found: expected ../shared/corpora/casino beside the repository "
                    "or $ANALYZER_CASINO")
    return found
