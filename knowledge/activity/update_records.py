"""The event log's record of Telegram updates: those taken in hand, and those handled.

An update is kept (``spool``) before it is confirmed to Telegram, so a crash loses none,
and marked handled once answered, so one Telegram delivers again is not answered twice.
"""

from __future__ import annotations

import datetime as dt

from knowledge.activity.connection import EventConnection
from knowledge.activity.event_schema import stamp


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
