"""analyzer: reads negotiation transcripts, labels every move as integrative, distributive or
neutral, breaks each session into stages and reports what each party did, stage by stage.

The public API a Python user needs::

    from analyzer import Analyzer, read_transcripts
    analyzer = Analyzer()
    for transcript in read_transcripts("corpora/examples"):
        result = analyzer.analyze(transcript)
"""

from __future__ import annotations

__version__ = "0.9.0"

from .errors import AnalyzerError, ReadError  # noqa: E402
from .pipeline import Analyzer  # noqa: E402
from .results import SessionAnalysis  # noqa: E402
from .transcript import Speaker, Transcript, Turn  # noqa: E402


def read_transcripts(path, format=None, **options):
    """Every transcript in ``path`` (a file or a folder); see ``analyzer.io``."""
    from .io import read_transcripts as _read

    return _read(path, format=format, **options)


__all__ = ["Analyzer", "AnalyzerError", "ReadError", "SessionAnalysis", "Speaker",
           "Transcript", "Turn", "read_transcripts", "__version__"]
