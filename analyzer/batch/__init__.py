"""Batch analysis of many sessions: local workers or a Dask cluster, resumable, streamed.

``run_batch(paths, out, BatchOptions(...))`` writes ``turns``, ``units``, ``stages``,
``sessions`` and ``failures`` tables (Parquet and CSV) and ``manifest.json`` into ``out``.
Modules, in the order the work flows: ``plan`` (work items and their keys), ``worker``
(what runs in a worker), ``engines`` (in-process, local pool, Dask), ``store`` (finished
items on disk, the journal), ``tabular`` and ``assemble`` (chunk rows -> final tables),
``manifest``, and ``runner`` (the driver tying them together).
"""

from __future__ import annotations

__all__ = ["BatchOptions", "BatchResult", "Progress", "run_batch"]


def __getattr__(name: str):
    """The package's names, imported on first use: importing a light module of the package
    (``forkserver``, which ``analyzer batch`` starts first thing) must not import the runner,
    pyarrow and the rest."""
    if name in __all__:
        from . import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
