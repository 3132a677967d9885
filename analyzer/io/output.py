"""Writing results: only inside the folder the user named, and atomically.

Every file the analyser writes goes through ``OutputFolder``: a name that would land outside
the folder (``../x``, an absolute path, a session id with slashes) is refused or made safe,
and each file is written to a temporary name and renamed, so an interrupted run never
leaves a half-written table behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from ..errors import OutputError

#: Characters never kept in a file name: path separators and the ones Windows reserves.
_RESERVED = set('\\/:*?"<>|')
#: Names Windows reserves for devices, whatever the extension ("con.html" cannot be made).
_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                      *(f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10))})
#: Longest name kept before the suffix, in UTF-8 bytes (file systems allow 255 bytes).
_MAX_BYTES = 120


def _file_mode() -> int:
    """The mode a plainly created file gets (0666 less the umask): ``mkstemp`` makes 0600
    files, which would leave a user's results unreadable to their group."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _unsafe(ch: str) -> bool:
    """Separators, reserved, control, format (zero-width, bidi) and space characters."""
    return ch in _RESERVED or unicodedata.category(ch)[0] in "CZ"


def safe_name(name: str, default: str = "session") -> str:
    """A file-name-safe form of ``name`` that two different names never share.

    Why: reports are named after session ids, which may hold slashes, colons or spaces, and
    each report must get its own file. Letters and digits of any script are kept (``会议``
    stays ``会议``); runs of unsafe characters (path separators, ``:*?"<>|``, control
    characters, whitespace) become ``_``, leading and trailing dots and underscores go, and
    long names are cut. Whenever the name had to change, a short hash of the original is
    appended (``x/y`` -> ``x_y-1a2b3c4d``), so ``x/y``, ``x:y`` and ``x_y`` land in three
    files; so is it to a name Windows reserves for a device (``con``, ``nul``, ``com1``),
    which no file there can have. The result depends on ``name`` alone: the same session
    gets the same file name in every run, whatever else is in it (``batch`` resumes rely on
    that).
    """
    name = str(name)
    cleaned = re.sub("_+", "_", "".join("_" if _unsafe(ch) else ch for ch in name))
    cleaned = cleaned.strip("._")
    encoded = cleaned.encode("utf-8")
    if len(encoded) > _MAX_BYTES:
        cleaned = encoded[:_MAX_BYTES].decode("utf-8", errors="ignore").rstrip("._")
    if cleaned and cleaned == name and cleaned.split(".")[0].upper() not in _DEVICES:
        return cleaned
    digest = hashlib.sha256(name.encode("utf-8", errors="surrogatepass")).hexdigest()[:8]
    return f"{cleaned or default}-{digest}" if name else default


class OutputFolder:
    """The one folder a run may write into."""

    def __init__(self, root: str | Path) -> None:
        try:
            self.root = Path(root).expanduser().resolve()
        except RuntimeError:  # "~x" with no user x: a folder name as given
            self.root = Path(root).resolve()
        if self.root.exists() and not self.root.is_dir():
            raise OutputError(f"{root} exists and is not a folder",
                              hint="name a folder for --out")
        # a file higher up (``good.txt/x``) would end in NotADirectoryError: say so plainly
        above = next((p for p in self.root.parents if p.exists()), None)
        if above is not None and not above.is_dir():
            raise OutputError(f"{root} cannot be a folder: {above} is a file",
                              hint="name a folder for --out that is not inside a file")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # no permission, read-only disk, ...
            raise OutputError(f"cannot create the folder {root}: {exc.strerror or exc}",
                              hint="name a folder for --out that you can write to") from exc
        self.protected: set[Path] = set()

    def protect(self, paths) -> None:
        """Never write over or delete these files (the run's inputs).

        Why: ``analyze . --out .`` wrote the JSON report of ``call.json`` over the
        transcript ``call.json`` itself, and a later run deleted it as a stale report (fresh
        user QA, 28 Nov 2026). Writing one is now an error of that session."""
        for path in paths:
            try:
                self.protected.add(Path(path).resolve())
            except (OSError, RuntimeError):
                continue

    def path(self, *parts: str) -> Path:
        """The path of ``parts`` inside the folder; refuses anything that would leave it."""
        target = self._inside(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _inside(self, *parts: str) -> Path:
        target = self.root.joinpath(*parts).resolve()
        if target != self.root and self.root not in target.parents:
            raise OutputError(f"refusing to write {target}: it is outside {self.root}",
                              hint="output names must stay inside the --out folder")
        return target

    def remove(self, relative: str, first_line: str | None = None) -> bool:
        """Delete the file ``relative`` left by an earlier run; True if it was there.

        Why: a rerun into the same folder must not leave outputs that contradict it (a
        ``failures.csv`` listing a file that no longer fails). ``first_line``: delete only
        if the file starts with it (the analyser's header), so a file of the user's that
        happens to have the same name is left alone.
        """
        target = self._inside(relative)
        if not target.is_file() or target in self.protected:
            return False
        if first_line is not None:
            with open(target, encoding="utf-8", errors="replace", newline="") as handle:
                header = handle.readline().rstrip("\r\n")
                if header not in (first_line, first_line.replace('"', "")):
                    return False  # (with or without the quotes of the CSV writer)
        target.unlink()
        return True

    def check_writable(self, relative: str) -> Path:
        """The path of ``relative``, or an ``OutputError`` if it is outside the folder or
        one of the protected input files (``protect``)."""
        target = self.path(relative)
        if target in self.protected:
            raise OutputError(f"refusing to write {target}: it is one of the input files",
                              hint="choose an --out folder apart from the transcripts "
                                   "(e.g. --out reports)")
        return target

    def write_atomic(self, relative: str, write: Callable[[Path], None]) -> Path:
        """Call ``write(tmp_path)`` and rename the result into place."""
        target = self.check_writable(relative)
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
        """A pandas DataFrame as CSV, or an Arrow table as the batch writes its CSVs
        (``pyarrow.csv``: ``true``/``false``, ``1`` for a whole float, strings quoted)."""
        if hasattr(frame, "to_csv"):
            return self.write_atomic(relative, lambda p: frame.to_csv(p, index=False))
        from pyarrow import csv as pacsv

        return self.write_atomic(relative, lambda p: pacsv.write_csv(frame, p))

    def write_parquet(self, relative: str, frame) -> Path:
        return self.write_atomic(relative, lambda p: frame.to_parquet(p, index=False))
