"""What the `groundbot` commands share: ``Failure``, which ends a command, and the --knowledge and --data-dir options."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import click

from bot.config import Settings
from knowledge.activity.events import EVENTS_FILE, EventLog

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


# A start-up that cannot use its data directory or event log: one line, exit 2, as a bad setting.
SETUP_EXIT = 2


def safe_url(url: str | None) -> str:
    """``url`` fit for a message or a log: any ``user:password@`` replaced by ``***@``."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an unreadable URL)"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def _reason(err: OSError) -> str:
    return (err.strerror or type(err).__name__).lower()


def check_data_dir(settings: Settings) -> Path:
    """Make sure the data directory and its event log can be used, as `run` will; the event log's path.

    Raises ``Failure`` (exit 2, one ``groundbot: …`` line naming the place) when the data
    directory is a file, cannot be made or written in, or the event log is not a database
    or cannot be written: a start-up that would fail later with a traceback fails here.
    """
    data_dir, path = settings.data_dir, settings.events_path
    where = "(GROUNDBOT_DATA_DIR)"
    if data_dir.exists() and not data_dir.is_dir():
        raise Failure(f"groundbot: the data directory {data_dir} is a file, not a directory {where}", exit_code=2)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise Failure(
            f"groundbot: cannot make the data directory {data_dir}: {_reason(err)} {where}", exit_code=2
        ) from None
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise Failure(
            f"groundbot: cannot write in the data directory {data_dir}: permission denied {where}", exit_code=2
        )
    if path.exists() and not path.is_file():
        raise Failure(f"groundbot: the event log {path} is not a file", exit_code=2)
    try:
        log = EventLog(
            path,
            hash_users=settings.hash_user_ids,
            retention_days=None,
            id_key=settings.id_key.get_secret_value().encode() if settings.id_key else None,
        )
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err) or "malformed" in str(err):
            raise Failure(
                f"groundbot: the event log {path} is not an SQLite database ({err}): "
                "move it aside, or restore it from a backup",
                exit_code=2,
            ) from None
        raise Failure(f"groundbot: cannot open the event log {path}: {err}", exit_code=2) from None
    except OSError as err:
        raise Failure(f"groundbot: cannot open the event log {path}: {_reason(err)}", exit_code=2) from None
    except ValueError as err:
        raise Failure(f"groundbot: cannot open the event log {path}: {err}", exit_code=2) from None
    try:
        problem = log.writable()
    finally:
        log.close()
    if problem is not None:
        raise Failure(f"groundbot: the event log {path} is not writable: {problem}", exit_code=2)
    return path
