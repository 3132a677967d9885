"""Every command's ``--help`` ends with a real example, and the README documents it."""

from __future__ import annotations

import re

import pytest
import typer
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


def _example_commands(help_text: str) -> list[str]:
    """The example commands of a help text: its indented lines, continuations joined."""
    commands, current = [], ""
    for line in help_text.splitlines():
        if line[:1].isspace() and line.strip():
            current += line.strip()
            if current.endswith("\\"):
                current = current[:-1]
            else:
                commands.append(current)
                current = ""
    return commands


@pytest.mark.parametrize("command", [None, *_commands()])
def test_examples_are_intact_and_paragraphs_reflow_at_80_columns(command):
    """At 80 columns every example line shows whole, on its own line (so it can be pasted),
    and prose is wrapped once: no line of the help is a lone word or two left over from a
    docstring's own line breaks."""
    args = ["--help"] if command is None else [command, "--help"]
    result = runner.invoke(app, args, terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    shown = [line.strip().strip("│").strip() for line in result.output.splitlines()]
    info = next((c for c in app.registered_commands if c.name == command), None)
    source = app.info.help if info is None else info.help
    examples = _example_commands(source)
    assert examples and all(e.startswith("analyzer ") for e in examples), source
    for line in source.splitlines():
        if line[:1].isspace() and line.strip():
            assert line.strip() in shown, f"{line.strip()!r} is wrapped at 80 columns"
    usage = result.output.index("Usage")
    body = result.output[usage:result.output.index("╭")].splitlines()[1:]
    prose = [line.strip() if not line.startswith("  ") else "" for line in body]
    # a short line followed by more of its paragraph: a docstring line break re-wrapped
    orphans = [a for a, b in zip(prose, prose[1:], strict=False) if a and b and len(a) < 50]
    assert not orphans, orphans
    assert "…" not in result.output


def test_version():
    from typer.testing import CliRunner

    from analyzer import __version__
    from analyzer.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"analyzer {__version__}"


def test_read_options_are_checked_and_formats_takes_them(tmp_path):
    from typer.testing import CliRunner

    from analyzer.cli import app

    table = tmp_path / "chat.csv"
    table.write_text("Name,Message,When\nAna,Hello there,soon\nBen,Hi Ana,later\n",
                     encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(app, ["formats", str(table), "--read-option", "speaker_col=Name",
                             "--read-option", "text_col=Message"])
    assert ok.exit_code == 0, ok.output
    assert "2 turns" in ok.output and "Ana (party)" in ok.output
    typo = runner.invoke(app, ["formats", str(table), "--read-option", "speker_col=Name"])
    assert typo.exit_code == 2 and "no reader knows 'speker_col'" in typo.output
    assert "speaker_col" in typo.output


def test_help_on_a_narrow_terminal_cuts_no_option_name():
    """Accessibility and terminal QA, 28 Nov 2026: at 60 columns rich cut option names and
    example values with "…" (``--orientatio…``, ``tcp://10.0.0.5:878…``)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TERMINAL_WIDTH"}
    for command in ("train", "batch", "evaluate-stages"):
        done = subprocess.run([sys.executable, "-m", "analyzer", command, "--help"],
                              capture_output=True, text=True, timeout=120,
                              env={**env, "COLUMNS": "60"})
        assert done.returncode == 0, done.stderr
        assert "\u2026" not in done.stdout, command
        assert "--orientation-map" in done.stdout or command != "train"



@pytest.mark.parametrize("command", _commands())
def test_hand_written_defaults_survive_rich_markup(command):
    """A help text's hand-written "[default: ...]" is shown, not parsed as rich markup.

    Why: rich took ``[default: ...]`` for a markup tag and dropped it, so ``outcomes --help``
    said "Behaviour columns, comma-separated ." and hid the defaults (code review); the
    brackets must be escaped (``\\[default: ...]``). Checked on a wide terminal so that no
    wrapping splits the words being looked for."""
    result = runner.invoke(app, [command, "--help"], terminal_width=200,
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0
    rows = [line.strip("│ ").rstrip() for line in result.output.splitlines()]
    option, help_of = None, {}
    for row in rows:  # each options-table row, continuation rows joined to their option
        if row.startswith("--"):
            option = row.split()[0]
        if option is not None:
            help_of[option] = " ".join([help_of.get(option, ""), *row.split()])
    problems = {name for name, text in help_of.items() if text.endswith(" .")}
    for param in typer.main.get_command(app).commands[command].params:
        name = max(getattr(param, "opts", []) or [""], key=len)
        for default in re.findall(r"\[default: ([^\]]*)\]", getattr(param, "help", "") or ""):
            if "[default: " + " ".join(default.split()[:2]) not in help_of.get(name, ""):
                problems.add(name)
    assert not problems, (sorted(problems), result.output)
