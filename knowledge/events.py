"""The event log: every question asked, its outcome, every "Did you mean…" pick, and every 👍/👎.

One SQLite file (``<data dir>/events.db``) written through sqlite-utils. It runs in WAL
mode with ``synchronous=NORMAL``: each event is its own committed transaction, and a
committed transaction survives the process being killed (only a power cut can drop
the last few). So an event logged before the user sees the reply is never lost.

User and chat ids are stored as salted hashes by default. The salt is made once and
kept in the database's own ``meta`` table, so the same person hashes the same way
across restarts, and the hashes mean nothing without this file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from knowledge.matcher import Answer
from knowledge.reports import Asked, Stats, UnansweredGroup, build_stats, group_unanswered

Clock = Callable[[], dt.datetime]

# Pruning is cheap but not free: do it on open and then at most this often.
PRUNE_EVERY = dt.timedelta(hours=1)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _stamp(moment: dt.datetime) -> str:
    # One fixed format, so timestamps compare correctly as text in SQL.
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class QuestionEvent:
    """One logged question and what the bot did with it."""

    id: int
    at: dt.datetime
    question: str
    chat_type: str
    status: str
    claim_id: str | None
    score: float
    candidate_ids: list[str]


class EventLog:
    """Questions and feedback, in SQLite (WAL, synchronous=NORMAL: a committed event survives a killed process) via sqlite-utils."""

    def __init__(
        self,
        path: Path | str,
        *,
        hash_users: bool = True,
        retention_days: int | None = None,
        clock: Clock = utcnow,
        readonly: bool = False,
    ):
        """Open (creating if need be) the log at ``path``.

        ``readonly`` opens an existing log for reports only, writing nothing: what
        `groundbot unanswered` and `groundbot stats` use beside the running bot.
        """
        self.path = Path(path)
        self.hash_users = hash_users
        self.retention_days = retention_days
        self.clock = clock
        # The bot logs from the event loop and builds reports in worker threads; one lock
        # keeps the connection's transactions from interleaving.
        self._lock = threading.RLock()
        self._pruned: dt.datetime | None = None
        if readonly:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=10)
            self.db = sqlite_utils.Database(conn)
            self._salt = b""
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10)
        self.db = sqlite_utils.Database(conn)
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._create()
        self._salt = self._meta("salt", secrets.token_hex(16)).encode()
        self.prune()

    def _create(self) -> None:
        with self._lock, self.db.atomic():
            self.db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
            self.db["questions"].create(
                {
                    "id": int,
                    "at": str,
                    "question": str,
                    "chat_type": str,
                    "status": str,
                    "claim_id": str,
                    "score": float,
                    "candidate_ids": str,
                    "candidate_scores": str,
                    "reason": str,
                    "user": str,
                    "chat": str,
                    "latency_ms": float,
                },
                pk="id",
                not_null={"at", "question", "chat_type", "status"},
                if_not_exists=True,
            )
            self.db["feedback"].create(
                {"id": int, "at": str, "event_id": int, "claim_id": str, "value": int, "user": str},
                pk="id",
                not_null={"at", "event_id", "value"},
                if_not_exists=True,
            )
            self.db["picks"].create(
                {"id": int, "at": str, "event_id": int, "claim_id": str, "user": str},
                pk="id",
                not_null={"at", "event_id", "claim_id"},
                if_not_exists=True,
            )
            self.db["questions"].create_index(["at"], if_not_exists=True)
            self.db["questions"].create_index(["status", "at"], if_not_exists=True)
            self.db["feedback"].create_index(["event_id"], if_not_exists=True)
            self.db["feedback"].create_index(["at"], if_not_exists=True)
            self.db["picks"].create_index(["event_id"], if_not_exists=True)
            self.db["picks"].create_index(["at"], if_not_exists=True)

    def _meta(self, key: str, default: str) -> str:
        """The value stored under ``key``, storing ``default`` first if there is none."""
        with self._lock:
            # INSERT OR IGNORE: two processes opening a new log at once agree on one salt.
            self.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [key, default])
            return self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()[0]

    def pseudonym(self, some_id: int | None) -> str | None:
        """How a user or chat id is stored: a salted hash, or the id itself if hashing is off."""
        if some_id is None:
            return None
        if not self.hash_users:
            return str(some_id)
        return hmac.new(self._salt, str(some_id).encode(), hashlib.sha256).hexdigest()[:16]

    def question(
        self,
        answer: Answer,
        *,
        chat_type: str,
        user_id: int | None = None,
        chat_id: int | None = None,
        latency_ms: float = 0.0,
    ) -> int:
        """Log one question and its outcome (status, claim id, score, and the ids of answer.candidates in order); returns its event id."""
        now = self.clock()
        row = {
            "at": _stamp(now),
            "question": answer.question,
            "chat_type": chat_type,
            "status": answer.status,
            "claim_id": answer.claim.id if answer.claim else None,
            "score": float(answer.score),
            "candidate_ids": json.dumps([c.claim.id for c in answer.candidates]),
            "candidate_scores": json.dumps([c.score for c in answer.candidates]),
            "reason": answer.reason,
            "user": self.pseudonym(user_id),
            # A private chat's id is its user's id, so it is hashed the same way.
            "chat": self.pseudonym(chat_id),
            "latency_ms": float(latency_ms),
        }
        # A prepared INSERT: Table.insert re-reads the table's schema on every call, which
        # cost as much as the rest of logging together (~0.15 ms a question).
        sql = f"INSERT INTO questions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
        with self._lock, self.db.conn:
            event_id = self.db.conn.execute(sql, list(row.values())).lastrowid
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            self.prune()
        return int(event_id)

    def question_event(self, event_id: int) -> QuestionEvent | None:
        """One logged question (id, at, question, chat_type, status, claim_id, score, candidate_ids: list[str]) or None."""
        with self._lock:
            rows = list(self.db["questions"].rows_where("id = ?", [event_id], limit=1))
        if not rows:
            return None
        r = rows[0]
        return QuestionEvent(
            id=r["id"],
            at=dt.datetime.fromisoformat(r["at"]),
            question=r["question"],
            chat_type=r["chat_type"],
            status=r["status"],
            claim_id=r["claim_id"],
            score=r["score"],
            candidate_ids=json.loads(r["candidate_ids"] or "[]"),
        )

    def feedback(self, event_id: int, *, claim_id: str | None, value: int, user_id: int | None = None) -> int:
        """Log a 👍 (+1) or 👎 (-1) on the answer to question ``event_id`` showing ``claim_id``.

        A user who votes again on the same answer changes their vote rather than adding one.
        Returns the feedback's id.
        """
        if value not in (1, -1):
            raise ValueError(f"feedback is +1 or -1, not {value!r}")
        return self._vote("feedback", event_id, user_id, claim_id=claim_id, value=value)

    def pick(self, event_id: int, *, claim_id: str, user_id: int | None = None) -> int:
        """Log a "Did you mean…" tap: whoever tapped it took question ``event_id`` to mean ``claim_id``.

        For moderators it is a phrasing the claim lacks. A user who picks again on the same
        question changes their pick rather than adding one. Returns the pick's id.
        """
        return self._vote("picks", event_id, user_id, claim_id=claim_id)

    def _vote(self, table: str, event_id: int, user_id: int | None, **fields: object) -> int:
        """Insert one row of a user's say on question ``event_id``, replacing what they said before."""
        user = self.pseudonym(user_id)
        row = {"at": _stamp(self.clock()), "event_id": event_id, **fields, "user": user}
        with self._lock, self.db.atomic():
            if user is not None:
                self.db.execute(f"DELETE FROM {table} WHERE event_id = ? AND user = ?", [event_id, user])
            inserted = self.db[table].insert(row)
            return int(inserted.last_pk)

    def prune(self) -> int:
        """Delete events older than the retention period; returns how many went. No-op without one."""
        self._pruned = self.clock()
        if self.retention_days is None:
            return 0
        cutoff = _stamp(self._pruned - dt.timedelta(days=self.retention_days))
        with self._lock, self.db.atomic():
            gone = self.db.execute("DELETE FROM questions WHERE at < ?", [cutoff]).rowcount
            gone += self.db.execute("DELETE FROM feedback WHERE at < ?", [cutoff]).rowcount
            gone += self.db.execute("DELETE FROM picks WHERE at < ?", [cutoff]).rowcount
        return gone

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
        cutoff = _stamp(since) if since else ""
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
            Asked(question=q, at=at, kind="downvoted", claim_id=claim, score=s)
            for _, at, q, claim, s, _c in downvoted
        ]
        return group_unanswered(rows)

    def stats(self, days: float | None = 7) -> Stats:
        """Questions, outcome shares, picks, top claims and feedback counts over the last ``days`` days."""
        since = self.since(days)
        cutoff = _stamp(since) if since else ""
        with self._reader() as conn:
            questions = conn.execute(
                "SELECT status, claim_id, chat_type, user, latency_ms FROM questions WHERE at >= ?", [cutoff]
            ).fetchall()
            votes = conn.execute("SELECT value, claim_id FROM feedback WHERE at >= ?", [cutoff]).fetchall()
            # A log last written by a version without picks, read-only here, has no such table.
            has_picks = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'picks'").fetchone()
            picked = conn.execute("SELECT count(*) FROM picks WHERE at >= ?", [cutoff]).fetchone()[0] if has_picks else 0
        return build_stats(questions, votes, picked, days=days, since=since, until=self.clock())

    def writable(self) -> str | None:
        """Commit a heartbeat row, as a health check: None if it worked, else what went wrong.

        A real write, not a permission check: a full disk, a read-only mount or a closed
        log all fail here the way logging a question would.
        """
        try:
            with self._lock, self.db.atomic():
                self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('heartbeat', ?)",
                                [_stamp(self.clock())])
        except sqlite3.Error as err:
            return f"{type(err).__name__}: {err}"
        return None

    def close(self) -> None:
        """Close the database; every event already logged is on disk."""
        with self._lock:
            self.db.close()

    # --- Updates handled: so one Telegram delivers again is not answered twice -----------

    # Telegram keeps an unconfirmed update for 24 hours; a record older than that can never match.
    HANDLED_KEEP = dt.timedelta(days=2)

    def _handled_table(self) -> None:
        if getattr(self, "_has_handled_table", False):
            return
        with self._lock, self.db.atomic():
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS handled_updates (update_id INTEGER PRIMARY KEY, at TEXT NOT NULL)")
            self.db.execute("CREATE INDEX IF NOT EXISTS handled_updates_at ON handled_updates (at)")
        self._has_handled_table = True

    def mark_handled(self, update_ids: list[int]) -> None:
        """Record that these Telegram updates are answered (or deliberately dropped), in one commit."""
        if not update_ids:
            return
        self._handled_table()
        now = self.clock()
        with self._lock, self.db.atomic():
            self.db.conn.executemany("INSERT OR IGNORE INTO handled_updates (update_id, at) VALUES (?, ?)",
                                [(u, _stamp(now)) for u in update_ids])
            self.db.execute("DELETE FROM handled_updates WHERE at < ?", [_stamp(now - self.HANDLED_KEEP)])
            if getattr(self, "_has_spool_table", False):
                self.db.conn.executemany("DELETE FROM pending_updates WHERE update_id = ?", [(u,) for u in update_ids])

    def handled(self, update_ids: list[int]) -> set[int]:
        """Which of these update ids are recorded as handled."""
        if not update_ids:
            return set()
        self._handled_table()
        marks = ",".join("?" * len(update_ids))
        with self._lock:
            rows = self.db.execute(f"SELECT update_id FROM handled_updates WHERE update_id IN ({marks})",
                                   list(update_ids)).fetchall()
        return {row[0] for row in rows}

    # --- Updates taken in hand: kept until handled, so a crash loses none -------------------

    def _spool_table(self) -> None:
        if getattr(self, "_has_spool_table", False):
            return
        with self._lock, self.db.atomic():
            self.db.execute("CREATE TABLE IF NOT EXISTS pending_updates (update_id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        self._has_spool_table = True

    def spool(self, updates: list[tuple[int, str]]) -> None:
        """Keep these (update_id, JSON) updates until ``mark_handled``; one commit for all."""
        if not updates:
            return
        self._spool_table()
        with self._lock, self.db.atomic():
            self.db.conn.executemany("INSERT OR IGNORE INTO pending_updates (update_id, body) VALUES (?, ?)", updates)

    def spooled(self) -> list[tuple[int, str]]:
        """The kept updates not yet handled, oldest first."""
        self._spool_table()
        self._handled_table()
        with self._lock:
            return [tuple(row) for row in self.db.execute(
                "SELECT update_id, body FROM pending_updates WHERE update_id NOT IN "
                "(SELECT update_id FROM handled_updates) ORDER BY update_id").fetchall()]
