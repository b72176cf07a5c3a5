"""What the `groundbot` commands share: ``Failure``, which ends a command, and the --knowledge and --data-dir options."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import click

from knowledge.activity.events import EVENTS_FILE

KNOWLEDGE_HELP = "Knowledge file or directory (default: $GROUNDBOT_KNOWLEDGE, else the bundled knowledge)."
knowledge_option = click.option(
    "--knowledge",
    "knowledge",
    type=click.Path(exists=True, path_type=Path),
    envvar="GROUNDBOT_KNOWLEDGE",
    default=None,
    help=KNOWLEDGE_HELP,
)


class Failure(click.ClickException):
    """A command that cannot go on: ``lines`` (e.g. every knowledge problem), then ``message``, then exit.

    Messages are written as the rest of groundbot's: ``groundbot: …`` on standard error.
    """

    def __init__(self, message: str | None, *, exit_code: int = 1, lines: Iterable[str] = (), to_stdout: bool = False):
        super().__init__(message or "")
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it from the instance too
        self.lines = list(lines)
        self.to_stdout = to_stdout

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines:
            click.echo(line, err=not self.to_stdout)
        if self.message:
            click.echo(self.message, err=True)


# The bot's data directory: the event log for the moderators' reports and backups, and the
# embeddings cache for --semantic.
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="GROUNDBOT_DATA_DIR",
    default=Path("data"),
    show_default=True,
    help=f"The bot's data directory, holding {EVENTS_FILE} and the embeddings cache "
    "(default: $GROUNDBOT_DATA_DIR, else ./data).",
)
