"""Every command's ``--help`` ends with a real example, and the README documents it."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from analyzer.cli import app

runner = CliRunner()


def _commands() -> list[str]:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    return sorted(set(re.findall(r"^│ ([a-z][a-z-]+)\s", result.output, re.M)))


def test_all_expected_commands_exist():
    commands = _commands()
    for name in ("analyze", "formats", "train", "evaluate", "batch"):
        assert name in commands


@pytest.mark.parametrize("command", _commands())
def test_help_ends_with_an_example(command, repo):
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = result.output
    assert "Example" in text, f"{command} --help has no example"
    tail = text[text.rindex("Example"):]
    assert f"analyzer {command}" in tail
    readme = (repo / "README.md").read_text()
    assert f"analyzer {command}" in readme, f"README does not show `analyzer {command}`"
