"""A cache of values built for one spaCy pipeline, that lets the pipeline go.

Why: the stage evidence keeps per-pipeline tables (the cue matcher, each text's facts, each
word's flags). Held in ``functools.lru_cache(maxsize=8)`` they kept up to eight pipelines
alive after their ``Analyzer`` was gone: a notebook that re-ran ``Analyzer()`` ten times
grew by ~140 MB (Python API QA, 28 Nov 2026). Here the pipeline is a weak key: when it is
collected, its values go with it. (The values must not refer to the pipeline itself.)
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from spacy.language import Language

T = TypeVar("T")


def per_pipeline(build: Callable[[Language], T]) -> Callable[[Language], T]:
    """``build(nlp)`` once per live pipeline ``nlp``."""
    built: weakref.WeakKeyDictionary[Language, T] = weakref.WeakKeyDictionary()

    @wraps(build)
    def get(nlp: Language) -> T:
        value = built.get(nlp)
        if value is None:
            value = built[nlp] = build(nlp)
        return value

    get.cache_clear = built.clear  # type: ignore[attr-defined]
    return get
