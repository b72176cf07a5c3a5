"""Copies of the event log that are safe to take while the bot writes it.

SQLite's online backup API copies a consistent snapshot (a plain ``cp`` of a WAL
database is not one) into a private temporary file beside the destination, checks it,
and renames it into place. The destination is refused when it is the live log itself
under any name (a symlink, a hard link, its WAL or shared-memory file) or anything but a
regular file or a directory (a device node, a FIFO, a socket): renaming over those
corrupts the running bot's log or replaces something that is not a backup.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """A backup that was refused or failed; the message says why, and nothing was replaced."""


@dataclass(frozen=True)
class Backup:
    """A finished copy: where it is and what it holds."""

    path: Path
    questions: int
    feedback: int


def target(source: Path, dest: Path, *, directory: bool = False) -> Path:
    """The file a backup of ``source`` to ``dest`` writes: ``dest``, or a timestamped name inside it.

    ``directory`` says ``dest`` is meant as a directory even if it does not exist yet (it is
    made). Raises BackupError if the file would be the live log or is not a regular file.
    """
    if directory or dest.is_dir():
        try:
            dest.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise NoPlace(f"cannot make the folder {dest}: {_reason(err)}") from None
        dest = dest / f"events-{dt.datetime.now(dt.timezone.utc):%Y%m%d-%H%M%S}.db"
    _refuse_unsafe(source, dest)
    return dest


class NoPlace(BackupError):
    """The backup has nowhere to go: its folder is missing or cannot be written in."""


def _reason(err: OSError) -> str:
    """An OSError's reason, lower case and without the file name (the message has it)."""
    return (err.strerror or type(err).__name__).lower()


def _refuse_unsafe(source: Path, dest: Path) -> None:
    live = [source, Path(f"{source}-wal"), Path(f"{source}-shm"), Path(f"{source}-journal")]
    resolved = dest.resolve()
    for path in live:
        if resolved == path.resolve():
            raise BackupError(
                f"{dest} is the live event log{'' if path == source else ' ' + path.name}; back up to another file"
            )
    try:
        mode = os.stat(dest)
    except FileNotFoundError:
        return
    except OSError as err:
        raise BackupError(f"cannot check {dest}: {err.strerror or err}") from None
    for path in live:
        try:
            other = os.stat(path)
        except OSError:
            continue
        if (mode.st_dev, mode.st_ino) == (other.st_dev, other.st_ino):
            raise BackupError(f"{dest} is the live event log (a hard link to {path}); back up to another file")
    if not stat.S_ISREG(mode.st_mode):
        raise BackupError(f"{dest} exists and is not a regular file or a directory; not replacing it")


def backup(source: Path, dest: Path) -> Backup:
    """Copy the log at ``source`` to the file ``dest`` (see ``target``) through a temporary file.

    The copy is checked (``PRAGMA quick_check``) before it is renamed into place; on any
    failure the temporary file is removed and ``dest`` is left as it was.
    """
    _refuse_unsafe(source, dest)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    except FileNotFoundError:
        raise NoPlace(
            f"no folder {dest.parent} to write {dest.name} in: make it first, or end DEST with / to have it made"
        ) from None
    except OSError as err:
        raise NoPlace(f"cannot write in {dest.parent}: {_reason(err)}") from None
    os.close(fd)
    partial = Path(name)
    try:
        # closing(): a sqlite3 connection's own `with` commits but leaves the file open.
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=10)) as src,
            closing(sqlite3.connect(partial)) as copy,
        ):
            src.backup(copy)
            # One self-contained file: opening the copy must not need or make a -wal beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            questions, feedback = (
                copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("questions", "feedback")
            )
            ok = copy.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"the copy failed its check: {ok}")
        # Checked again just before the rename: dest may have changed since.
        _refuse_unsafe(source, dest)
        partial.replace(dest)
    except (sqlite3.Error, OSError) as err:
        raise BackupError(f"backup failed: {err}") from None
    finally:
        partial.unlink(missing_ok=True)
    return Backup(dest, questions, feedback)
