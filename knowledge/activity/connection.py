"""The event log's SQLite connection, and the guard that keeps a failing log from holding up an answer.

Writing, the connection runs in WAL mode with ``synchronous=NORMAL`` and ``secure_delete``.
A write that fails is dropped and its failure kept in ``problem``; later writes skip the
log until ``retry_every`` seconds have passed (``events`` tells the whole story).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sqlite_utils

Clock = Callable[[], dt.datetime]
T = TypeVar("T")

# Failures are reported under the event log's own name, whichever of its parts fails:
# logging set-ups and the tests filter on it.
logger = logging.getLogger("knowledge.activity.events")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class EventConnection:
    """The open log file (``db``) and its failure guard: ``_write`` and ``_read`` never raise.

    A write that fails returns None, and ``problem`` says why until a later write works
    (``healthy`` is then True again).
    """

    def __init__(self, path: Path | str, *, clock: Clock, readonly: bool, timeout: float, retry_every: float):
        """Connect to the log at ``path``: read-only, or for writing in WAL mode (creating its directory)."""
        self.path = Path(path)
        self.clock = clock
        self.timeout = timeout
        self.retry_every = retry_every
        # The bot logs from the event loop and builds reports in worker threads; one lock
        # keeps the connection's transactions from interleaving.
        self._lock = threading.RLock()
        self.problem: str | None = None
        self.dropped = 0
        self._retry_at = 0.0
        self._reported: set[str] = set()
        if readonly:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=10)
            self.db = sqlite_utils.Database(conn)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=timeout)
        self.db = sqlite_utils.Database(conn)
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        # Deleted questions (retention, the old salt) are overwritten, not left in free pages.
        self.db.execute("PRAGMA secure_delete=ON")

    @property
    def healthy(self) -> bool:
        """False from a failed write until a write works again."""
        return self.problem is None

    def _write(self, what: str, write: Callable[[], T]) -> T | None:
        """Run ``write`` unless the log is failing and not due a retry; None if it did not happen."""
        with self._lock:
            if self.problem is not None and time.monotonic() < self._retry_at:
                self.dropped += 1
                return None
            try:
                result = write()
            except sqlite3.Error as err:
                self._failed(what, err)
                return None
            if self.problem is not None:
                logger.warning(
                    "The event log %s is writable again; %d event(s) were not logged meanwhile.",
                    self.path,
                    self.dropped,
                )
                self.problem, self.dropped = None, 0
                self._reported.clear()
            return result

    def _failed(self, what: str, err: sqlite3.Error) -> None:
        self.problem = f"{type(err).__name__}: {err}"
        self.dropped += 1
        self._retry_at = time.monotonic() + self.retry_every
        # Once per distinct failure, not once per question: a flood must not flood the log.
        if self.problem not in self._reported:
            self._reported.add(self.problem)
            logger.error(
                "The event log %s failed (%s); answering without logging until it works again: %s",
                self.path,
                what,
                self.problem,
            )

    def _read(self, what: str, read: Callable[[], T]) -> T | None:
        """Run ``read``; None if it failed, logged once per distinct error (a read proves no write works)."""
        with self._lock:
            try:
                return read()
            except sqlite3.Error as err:
                problem = f"{type(err).__name__}: {err}"
                if problem not in self._reported:
                    self._reported.add(problem)
                    logger.error("The event log %s failed (%s): %s", self.path, what, problem)
                return None

    def close(self) -> None:
        """Close the database; every event already logged is on disk."""
        with self._lock:
            self.db.close()
