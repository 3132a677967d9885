"""The manifest that sits beside every study output: what made these numbers.

A table of kappas or correlations is only worth citing if one can say which model, which
software versions and which options produced it. ``write_manifest`` records exactly that as
``manifest.json`` in the output folder (the same shape as a batch run's manifest: ``tool``,
``command``, ``created``, ``versions``, ``model``, ``options``, ``inputs``, ``outputs``).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

_PACKAGES = ("analyzer", "spacy", "scikit-learn", "pandas", "numpy", "scipy", "pyarrow",
             "pyreadstat")


def versions() -> dict[str, str | None]:
    """Python and the versions of the packages whose behaviour shapes the numbers."""
    from .. import __version__

    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    # the code that ran, not the installed metadata: an editable install keeps the version
    # it was installed at, so a manifest said 0.8.0 for 0.10.0 (study-at-scale QA, 28 Nov
    # 2026); the batch's manifest has always read ``__version__``
    found["analyzer"] = __version__
    return found


def build_manifest(command: str, *, options: Mapping[str, Any] | None = None,
                   inputs: Iterable[str | Path] = (), model: Mapping[str, Any] | None = None,
                   outputs: Iterable[str] = ()) -> dict:
    return {
        "tool": "analyzer",
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        "model": dict(model or {}),
        "options": {k: _plain(v) for k, v in (options or {}).items()},
        "inputs": [str(Path(p)) for p in inputs],
        "outputs": sorted(str(o) for o in outputs),
    }


def write_manifest(folder, command: str, **kwargs) -> Path:
    """Write ``manifest.json`` into ``folder`` (an ``OutputFolder``) and return its path.

    The outputs an earlier run of the same command listed in its manifest and this run did
    not write are removed first: a rerun without ``--by-stage`` left the per-stage charts
    beside the new ones, an export to fewer formats the old ``csv/`` folder (fresh user QA,
    28 Nov 2026). Only files that manifest names are touched."""
    manifest = build_manifest(command, **kwargs)
    _remove_earlier_outputs(folder, command, set(manifest["outputs"]))
    return folder.write_text("manifest.json", json.dumps(manifest, indent=2, sort_keys=True)
                             + "\n")


def _plain(value):
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _remove_earlier_outputs(folder, command: str, keep: set[str]) -> None:
    from ..errors import OutputError

    try:
        earlier = json.loads((folder.root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(earlier, dict) or earlier.get("tool") != "analyzer" or \
            earlier.get("command") != command:
        return
    for name in earlier.get("outputs") or []:
        if not isinstance(name, str) or name in keep or name == "manifest.json":
            continue
        try:
            if folder.remove(name):
                parent = folder.path(name).parent
                while parent != folder.root and not any(parent.iterdir()):
                    parent.rmdir()  # an emptied csv/ or parquet/ of an export
                    parent = parent.parent
        except (OutputError, OSError):  # a name pointing outside, or a busy folder
            continue
