"""What the moderators' reports read from the event log: a period's questions, votes, picks and dropped updates.

The rows go to the pure functions of ``reports`` (grouping, counting), so the CLI and the
bot show the same numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from knowledge.activity.connection import EventConnection
from knowledge.activity.event_schema import stamp
from knowledge.activity.reports import Asked, Stats, UnansweredGroup, build_stats, group_unanswered


class ReportQueries(EventConnection):
    """The reports over the log: ``unanswered`` and ``stats`` for the last so many days."""

    def since(self, days: float | None) -> dt.datetime | None:
        """The start of a report period of ``days`` days ending now (None: all time)."""
        return None if days is None else self.clock() - dt.timedelta(days=days)

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        # Reports read through their own connection: under WAL a reader never blocks the
        # writer, so a long report cannot hold up logging on the event loop.
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            yield conn
        finally:
            conn.close()

    def unanswered(self, days: float | None = 7) -> list[UnansweredGroup]:
        """Refused and 👎 questions of the last ``days`` days, grouped by meaning, most asked first."""
        since = self.since(days)
        cutoff = stamp(since) if since else ""
        with self._reader() as conn:
            refused = conn.execute(
                "SELECT id, at, question, claim_id, score, candidate_ids FROM questions "
                "WHERE status = 'refused' AND at >= ? ORDER BY id",
                [cutoff],
            ).fetchall()
            # A 👎 counts once per answer: the latest vote of each voter, net negative.
            downvoted = conn.execute(
                "SELECT q.id, max(f.at), q.question, coalesce(max(f.claim_id), q.claim_id), q.score, "
                "q.candidate_ids FROM feedback f JOIN questions q ON q.id = f.event_id "
                "WHERE f.at >= ? AND q.status != 'refused' GROUP BY q.id HAVING sum(f.value) < 0 ORDER BY q.id",
                [cutoff],
            ).fetchall()
        rows = [
            Asked(question=q, at=at, kind="refused", claim_id=(json.loads(c or "[]") or [None])[0], score=s)
            for _, at, q, _claim, s, c in refused
        ]
        rows += [
            Asked(question=q, at=at, kind="downvoted", claim_id=claim, score=s) for _, at, q, claim, s, _c in downvoted
        ]
        return group_unanswered(rows)

    def stats(self, days: float | None = 7) -> Stats:
        """Questions, outcome shares, picks, top claims and feedback counts over the last ``days`` days."""
        since = self.since(days)
        cutoff = stamp(since) if since else ""
        with self._reader() as conn:
            questions = conn.execute(
                "SELECT status, claim_id, chat_type, user, latency_ms FROM questions WHERE at >= ?", [cutoff]
            ).fetchall()
            votes = conn.execute("SELECT value, claim_id FROM feedback WHERE at >= ?", [cutoff]).fetchall()
            # A log last written by a version without picks, read-only here, has no such table.
            has_picks = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'picks'").fetchone()
            picked = (
                conn.execute("SELECT count(*) FROM picks WHERE at >= ?", [cutoff]).fetchone()[0] if has_picks else 0
            )
            # Likewise a log from before updates were ever dropped.
            has_dropped = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dropped_updates'"
            ).fetchone()
            dropped = (
                conn.execute("SELECT count(*) FROM dropped_updates WHERE at >= ?", [cutoff]).fetchone()[0]
                if has_dropped
                else 0
            )
        return build_stats(questions, votes, picked, days=days, since=since, until=self.clock(), dropped=dropped)
