"""Checking the command line's report formats must stay light: the batch driver does it
before every run, and importing the report builder pulls in spaCy (~1 s of CPU and ~40 MB in
a process that never analyses a turn)."""

import subprocess
import sys


def test_report_format_check_does_not_import_spacy():
    code = ("import sys; from analyzer.cli.common import parse_report_formats; "
            "print(parse_report_formats(' MD,html ', '--reports'), 'spacy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["['md',", "'html']", "False"]
