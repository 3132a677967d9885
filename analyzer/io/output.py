"""Writing results: only inside the folder the user named, and atomically.

Every file the analyser writes goes through ``OutputFolder``: a name that would land outside
the folder (``../x``, an absolute path, a session id with slashes) is refused or made safe,
and each file is written to a temporary name and renamed, so an interrupted run never
leaves a half-written table behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import OutputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _file_mode() -> int:
    """The mode a plainly created file gets (0666 less the umask): ``mkstemp`` makes 0600
    files, which would leave a user's results unreadable to their group."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def safe_name(name: str, default: str = "session") -> str:
    """A file-name-safe form of ``name`` (a session id may hold slashes or spaces)."""
    cleaned = _UNSAFE.sub("_", str(name)).strip("._")
    return cleaned[:120] or default


class OutputFolder:
    """The one folder a run may write into."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().resolve()
        if self.root.exists() and not self.root.is_dir():
            raise OutputError(f"{root} exists and is not a folder",
                              hint="name a folder for --out")
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, *parts: str) -> Path:
        """The path of ``parts`` inside the folder; refuses anything that would leave it."""
        target = self.root.joinpath(*parts).resolve()
        if target != self.root and self.root not in target.parents:
            raise OutputError(f"refusing to write {target}: it is outside {self.root}",
                              hint="output names must stay inside the --out folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_atomic(self, relative: str, write: Callable[[Path], None]) -> Path:
        """Call ``write(tmp_path)`` and rename the result into place."""
        target = self.path(relative)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        tmp_path = Path(tmp)
        try:
            write(tmp_path)
            os.chmod(tmp_path, _file_mode())
            os.replace(tmp_path, target)
        finally:
            if tmp_path.exists():
                tmp_path.unlink()
        return target

    def write_text(self, relative: str, text: str) -> Path:
        return self.write_atomic(relative, lambda p: p.write_text(text, encoding="utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> Path:
        return self.write_atomic(relative, lambda p: p.write_bytes(data))

    def write_csv(self, relative: str, frame) -> Path:
        return self.write_atomic(relative, lambda p: frame.to_csv(p, index=False))

    def write_parquet(self, relative: str, frame) -> Path:
        return self.write_atomic(relative, lambda p: frame.to_parquet(p, index=False))
