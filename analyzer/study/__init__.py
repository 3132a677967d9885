"""Corpus-level analyses for researchers: reliability, sequences, outcomes and exports.

Everything here works on the tables an ``analyze`` or ``batch`` run wrote (see
``analyzer.report.tables``), so a study can be re-run on saved results without running the
model again. Functions return pandas DataFrames and never print; the CLI prints.
"""

from .results import Results, load_results

__all__ = ["Results", "load_results"]
