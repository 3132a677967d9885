"""analyzer: reads negotiation transcripts, labels every move as integrative, distributive or
neutral, breaks each session into stages and reports what each party did, stage by stage.

The public API a Python user needs::

    from analyzer import Analyzer, expand_inputs, read_transcripts
    engine = Analyzer()  # loads the model once; reuse it for every session
    for path in expand_inputs(["corpora/examples"]):  # a folder's transcript files
        for transcript in read_transcripts(path):     # a file may hold several sessions
            result = engine.analyze(transcript)
            print(result.transcript.session_id, result.stages.outcome, result.stages.boundaries())
"""

from __future__ import annotations

__version__ = "0.11.0"

from .errors import AnalyzerError, ReadError
from .pipeline import Analyzer
from .results import SessionAnalysis
from .transcript import Speaker, Transcript, Turn


def read_transcripts(path, format=None, **options):
    """Every session in the file ``path`` (or a ConvoKit corpus or Slack export folder);
    see ``analyzer.io.read_transcripts``. For a folder of files, ``expand_inputs`` first."""
    from .io import read_transcripts as _read

    return _read(path, format=format, **options)


def expand_inputs(paths):
    """The transcript files that files, folders and globs name, each once; see
    ``analyzer.io.expand_inputs``."""
    from .io import expand_inputs as _expand

    return _expand(paths)


__all__ = ["Analyzer", "AnalyzerError", "ReadError", "SessionAnalysis", "Speaker",
           "Transcript", "Turn", "expand_inputs", "read_transcripts", "__version__"]
