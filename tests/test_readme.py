"""The README is the front door: its set-up commands and its command list stay true."""

from __future__ import annotations

import re
from pathlib import Path

import click

from bot.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    first_block = re.search(r"```sh\n(.*?)```", README, re.DOTALL)
    assert first_block, "the README has no set-up block"
    return [line for line in first_block.group(1).splitlines() if line and not line.startswith("#")]


def test_the_first_screen_has_exactly_two_setup_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:40])
    commands = setup_commands()
    assert len(commands) == 2
    assert all(c in first_screen for c in commands)
    assert "groundbot ask" in commands[0]
    assert commands[1].endswith("pytest")


def test_ci_runs_the_readmes_test_command_word_for_word() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_commands()[1] in ci.splitlines()


def test_every_command_is_documented_in_the_readme() -> None:
    for name in cli.commands:
        assert f"### `groundbot {name}`" in README, f"README has no section for groundbot {name}"


def test_every_command_and_option_has_help_text() -> None:
    for name, command in cli.commands.items():
        assert command.help, f"groundbot {name} has no help"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"groundbot {name} {param.opts[0]} has no help"
