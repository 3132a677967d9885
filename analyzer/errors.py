"""One catalogue of the errors a user can meet, each with a code, a place and a fix.

A user's mistake (a broken file, a wrong option) must never end in a traceback: every
error here carries the file, the line (or cue, or JSON path) and what would fix it, and
the CLI prints exactly that. Library code raises; only the CLI prints and exits.
"""

from __future__ import annotations

from dataclasses import dataclass


class AnalyzerError(Exception):
    """Base of every error the analyser raises on purpose."""

    code = "E000"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:  # what the CLI shows
        text = f"[{self.code}] {self.message}"
        return f"{text}\n  fix: {self.hint}" if self.hint else text


class ReadError(AnalyzerError):
    """A transcript could not be read. Names the file and the place in it."""

    code = "E100"

    def __init__(self, path: str, message: str, *, line: int | None = None,
                 where: str | None = None, hint: str = "") -> None:
        self.path = str(path)
        self.line = line
        self.where = where
        place = self.path
        if line is not None:
            place += f":{line}"
        if where:
            place += f" ({where})"
        super().__init__(f"{place}: {message}", hint=hint)
        self.problem = message


class UnknownFormatError(ReadError):
    code = "E101"


class EmptyTranscriptError(ReadError):
    code = "E102"


class EncodingError(ReadError):
    code = "E103"


class MalformedError(ReadError):
    """The file is of a known format but broken (cut-off JSON, a broken CSV quote)."""

    code = "E104"


class MissingColumnsError(ReadError):
    """A table lacks the speaker or text column."""

    code = "E105"


class TimingError(ReadError):
    """A cue timing cannot be read, ends before it starts, or goes back in time."""

    code = "E106"


class NoSpeakerError(ReadError):
    """Text that belongs to no speaker (no ``Name:`` label, no speaker field)."""

    code = "E107"


class InputNotFoundError(ReadError):
    """A path or glob that names no transcript."""

    code = "E108"


class TurnTooLongError(ReadError):
    """One turn longer than the language pipeline takes (spaCy's ``max_length``)."""

    code = "E109"


class TooManyTurnsError(ReadError):
    """One session with more turns than the analyser takes (``io.base.MAX_TURNS``)."""

    code = "E110"


class PartialReadError(ReadError):
    """Some sessions of one input were read and some parts of it could not be (a Slack
    export with a broken channel). ``transcripts``: the sessions read; ``errors``: one
    ``ReadError`` per part that failed, each naming its own file and line.

    Why a ``ReadError``: a caller that reads an input whole (``list(read_transcripts(p))``)
    still gets one error naming the first broken part, as before; ``analyze`` and ``batch``
    catch this class first, analyse the sessions read and give each broken part its own
    failure row, so one bad file never loses the rest."""

    def __init__(self, errors: list[ReadError], transcripts: list) -> None:
        first = errors[0]
        self.code = first.code
        self.errors = list(errors)
        self.transcripts = list(transcripts)
        super().__init__(first.path, first.problem, line=first.line, where=first.where,
                         hint=first.hint)


class ModelError(AnalyzerError):
    """A model folder is missing, from an untrusted source, or made by incompatible versions."""

    code = "E200"


class UsageError(AnalyzerError):
    """The command's words are off (exit code 2)."""

    code = "E300"


class ClusterError(AnalyzerError):
    """The Dask cluster failed under a running batch (the scheduler went away, a worker
    runs other code). The work finished before it is kept."""

    code = "E500"


class OutputError(AnalyzerError):
    """Writing outside the output folder, or an output that cannot be written."""

    code = "E400"


@dataclass(frozen=True)
class Failure:
    """A file that could not be analysed, as it goes into the ``failures`` table."""

    file: str
    line: int | None
    error: str
    hint: str

    def row(self) -> dict:
        """The failure as a row of the ``failures`` table (its four columns)."""
        return {"file": self.file, "line": self.line, "error": self.error, "hint": self.hint}

    @classmethod
    def from_exception(cls, path: str, exc: BaseException) -> Failure:
        # the code and the place inside the line (a cue, a JSON path) as the CLI shows them
        # on a ``--quiet`` run: until 28 Nov 2026 the table and the summary dropped both
        if isinstance(exc, ReadError):
            where = f" ({exc.where})" if exc.where else ""
            return cls(exc.path, exc.line, f"[{exc.code}]{where} {exc.problem}", exc.hint)
        if isinstance(exc, AnalyzerError):
            return cls(str(path), None, f"[{exc.code}] {exc.message}", exc.hint)
        return cls(str(path), None, f"{type(exc).__name__}: {exc}",
                   "this looks like a bug in the analyser; please report it with the file")

    @classmethod
    def for_session(cls, path: str, session_id: str, exc: BaseException) -> Failure:
        """The failure of one session of ``path`` that was read but could not be analysed
        or reported: ``from_exception`` with the session named first. One helper for
        ``analyze`` and the batch worker, which wrote different rows for the same failed
        session (code review, 28 Nov 2026: analyze named no session)."""
        failure = cls.from_exception(path, exc)
        return cls(failure.file, failure.line, f"session {session_id}: {failure.error}",
                   failure.hint)
