"""Copying the event log safely while the bot writes to it: SQLite's online backup, checked, then renamed."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


class BackupError(Exception):
    """The copy could not be made or failed its check; nothing was left at the destination."""


def copy_event_log(source: Path, dest: Path, partial: Path) -> tuple[int, int]:
    """Copy ``source`` to ``partial`` with SQLite's backup API, check it, rename it to ``dest``.

    Returns the number of questions and of feedback votes copied.
    """
    partial.unlink(missing_ok=True)
    try:
        # closing(): a sqlite3 connection's own `with` commits but leaves the file open.
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=10)) as src,
            closing(sqlite3.connect(partial)) as copy,
        ):
            src.backup(copy)
            counts = [copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("questions", "feedback")]
            ok = copy.execute("PRAGMA quick_check").fetchone()[0]
    except (sqlite3.Error, OSError) as err:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup failed: {err}") from None
    if ok != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its check: {ok}")
    partial.replace(dest)
    return counts[0], counts[1]
