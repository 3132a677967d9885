"""``manifest.json``: what produced a batch's tables, so a reader can trust or redo them.

Versions of everything that shapes the numbers (analyser, model and its hash, spaCy,
scikit-learn, pandas, pyarrow), the options, every input with its hash, start and end
time and counts. Written once when the run starts (``status: running``) and again at the
end, so a folder from an interrupted run says so.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from ..io.output import OutputFolder

_PACKAGES = ("spacy", "scikit-learn", "pandas", "pyarrow", "numpy", "dask", "distributed")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str | None]:
    from .. import __version__

    found: dict[str, str | None] = {"analyzer": __version__, "python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def write_manifest(folder: OutputFolder, manifest: dict) -> None:
    folder.write_text("manifest.json", json.dumps(manifest, indent=2, sort_keys=False,
                                                  default=str) + "\n")
