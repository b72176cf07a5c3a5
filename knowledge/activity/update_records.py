"""The event log's record of Telegram updates: those taken in hand, those handled, and those dropped.

An update is kept (``spool``) before it is confirmed to Telegram, so a crash loses none,
and marked handled once answered, so one Telegram delivers again is not answered twice.
Each start takes the kept ones in hand again (``retake``), counting the attempts, so one
that can never be answered is dropped (``record_dropped``) instead of replayed for ever.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from knowledge.activity.connection import EventConnection
from knowledge.activity.event_schema import stamp

# Why an update was dropped unanswered: it could not be read as an update, or it was taken
# in hand GROUNDBOT_UPDATE_ATTEMPTS times without being answered.
DropReason = Literal["unreadable", "attempts"]


@dataclass(frozen=True)
class KeptUpdate:
    """A kept update taken in hand again: its JSON, and how often it has been taken in hand, this time included."""

    update_id: int
    body: str
    attempts: int


class UpdateRecords(EventConnection):
    """Updates taken in hand (``spool``, ``spooled``) and updates handled (``mark_handled``, ``handled``)."""

    # Telegram keeps an unconfirmed update for 24 hours; a record older than that can never match.
    HANDLED_KEEP = dt.timedelta(days=2)

    def mark_handled(self, update_ids: list[int]) -> bool:
        """Record that these Telegram updates are answered (or deliberately dropped), in one commit.

        False if the log failed (see ``problem``): a redelivery of them may then be answered again.
        """
        if not update_ids:
            return True
        now = self.clock()

        def mark() -> bool:
            with self.db.atomic():
                self.db.conn.executemany(
                    "INSERT OR IGNORE INTO handled_updates (update_id, at) VALUES (?, ?)",
                    [(u, stamp(now)) for u in update_ids],
                )
                self.db.execute("DELETE FROM handled_updates WHERE at < ?", [stamp(now - self.HANDLED_KEEP)])
                self.db.conn.executemany("DELETE FROM pending_updates WHERE update_id = ?", [(u,) for u in update_ids])
            return True

        return bool(self._write("recording handled updates", mark))

    def handled(self, update_ids: list[int]) -> set[int]:
        """Which of these update ids are recorded as handled (none, if the log cannot be read)."""
        if not update_ids:
            return set()
        marks = ",".join("?" * len(update_ids))
        rows = self._read(
            "reading handled updates",
            lambda: self.db.execute(
                f"SELECT update_id FROM handled_updates WHERE update_id IN ({marks})", list(update_ids)
            ).fetchall(),
        )
        return {row[0] for row in rows or []}

    def spool(self, updates: list[tuple[int, str]]) -> bool:
        """Keep these (update_id, JSON) updates until ``mark_handled``; one commit for all.

        False if the log failed (see ``problem``): then they must not be confirmed to Telegram.
        """
        if not updates:
            return True

        def keep() -> bool:
            with self.db.atomic():
                self.db.conn.executemany(
                    "INSERT OR IGNORE INTO pending_updates (update_id, body) VALUES (?, ?)", updates
                )
            return True

        return bool(self._write("keeping updates", keep))

    def spooled(self) -> list[tuple[int, str]]:
        """The kept updates not yet handled, oldest first (none, if the log cannot be read)."""
        rows = self._read(
            "reading kept updates",
            lambda: self.db.execute(
                "SELECT update_id, body FROM pending_updates WHERE update_id NOT IN "
                "(SELECT update_id FROM handled_updates) ORDER BY update_id"
            ).fetchall(),
        )
        return [(int(u), str(body)) for u, body in rows or []]

    def unhandled(self) -> int | None:
        """How many kept updates are not yet handled: in hand now, or left for a restart (None if the log cannot be read)."""
        row = self._read(
            "counting kept updates",
            lambda: self.db.execute(
                "SELECT COUNT(*) FROM pending_updates WHERE update_id NOT IN (SELECT update_id FROM handled_updates)"
            ).fetchone(),
        )
        return None if row is None else int(row[0])

    def retake(self) -> list[KeptUpdate]:
        """The kept updates not yet handled, oldest first, each with one more attempt counted (one commit).

        None counted and none returned if the log fails: Telegram still has those it was not told of.
        """

        def count() -> list[KeptUpdate]:
            with self.db.atomic():
                unhandled = "update_id NOT IN (SELECT update_id FROM handled_updates)"
                self.db.execute(f"UPDATE pending_updates SET attempts = attempts + 1 WHERE {unhandled}")
                rows = self.db.execute(
                    f"SELECT update_id, body, attempts FROM pending_updates WHERE {unhandled} ORDER BY update_id"
                ).fetchall()
            return [KeptUpdate(int(u), str(body), int(n)) for u, body, n in rows]

        return self._write("counting the attempts of kept updates", count) or []

    def record_dropped(self, update_id: int, reason: DropReason) -> bool:
        """Note that ``update_id`` was dropped unanswered, and why (for /stats); it leaves the spool.

        False if the log failed: a restart may then take it in hand once more.
        """

        def note() -> bool:
            with self.db.atomic():
                self.db.execute(
                    "INSERT OR REPLACE INTO dropped_updates (update_id, at, reason) VALUES (?, ?, ?)",
                    [update_id, stamp(self.clock()), reason],
                )
                self.db.execute("DELETE FROM pending_updates WHERE update_id = ?", [update_id])
            return True

        return bool(self._write("recording a dropped update", note))
