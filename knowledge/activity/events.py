"""The event log: every question asked, its outcome, every "Did you mean…" pick, and every 👍/👎.

One SQLite file (``<data dir>/events.db``) written through sqlite-utils. It runs in WAL
mode with ``synchronous=NORMAL``: each event is its own committed transaction, and a
committed transaction survives the process being killed (only a power cut can drop
the last few). So an event logged before the user sees the reply is never lost.

User and chat ids are stored as keyed hashes (HMAC-SHA256) by default. The key lives
outside the database: a key file (``id.key``, mode 0600) made once beside it, or one
given by the operator. So the same person hashes the same way across restarts, and a
copy of events.db alone reveals no id. A log written by an older version kept a salt in
its own ``meta`` table, from which anyone holding the file could recover ids: opening
such a log deletes that salt (securely, and out of the WAL), so the rows it hashed stay
as they are but can no longer be linked to anyone, not even a person's own newer rows.

The log never holds up an answer. Every write waits at most ``timeout`` seconds for
SQLite's lock; a write that fails (locked, disk full, I/O error) is dropped, the
failure is logged once per distinct error and kept in ``problem``, and later writes
skip straight past the log, trying it again every ``retry_every`` seconds, until
one works.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from knowledge.activity.reports import Asked, Stats, UnansweredGroup, build_stats, group_unanswered
from knowledge.answering.matcher import Answer

Clock = Callable[[], dt.datetime]
T = TypeVar("T")

logger = logging.getLogger(__name__)

# How long a write waits for another connection's lock before the event is dropped.
TIMEOUT = 1.5
# After a failed write, the log is tried again at most this often; writes in between are dropped.
RETRY_EVERY = 5.0
# Keep this many days by default: the moderators' reports look back a week or a month.
RETENTION_DAYS = 90
# Question text beyond this is not kept: enough for any real question, and a flood of
# 4,096-character messages cannot fill the disk.
QUESTION_CHARS = 1000
# The event log's file name in the bot's data directory (the bot, its reports and backups).
EVENTS_FILE = "events.db"
# The key file beside events.db that keys the id hashes.
KEY_FILE = "id.key"
# Marks a log whose ids are HMAC-keyed by a key outside the file.
ID_HASH = "hmac-sha256:key-outside-db"

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
    user: str | None = None  # the asker, as the log stores ids (see ``EventLog.pseudonym``)

    def candidate(self, n: int) -> str | None:
        """The claim id of candidate ``n`` shown for this question, or None if there is no such candidate."""
        return self.candidate_ids[n] if 0 <= n < len(self.candidate_ids) else None


class EventLog:
    """Questions and feedback, in SQLite (WAL, synchronous=NORMAL: a committed event survives a killed process) via sqlite-utils.

    Writes never raise: one that fails returns None, and ``problem`` says why until a
    later write works (``healthy`` is then True again).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        hash_users: bool = True,
        retention_days: int | None = RETENTION_DAYS,
        clock: Clock = utcnow,
        readonly: bool = False,
        timeout: float = TIMEOUT,
        retry_every: float = RETRY_EVERY,
        id_key: bytes | None = None,
    ):
        """Open (creating if need be) the log at ``path``.

        ``readonly`` opens an existing log for reports only, writing nothing: what
        `groundbot unanswered` and `groundbot stats` use beside the running bot.
        ``timeout`` bounds each write's wait for a lock. ``id_key`` keys the id hashes;
        without one, the key file ``id.key`` beside the log is used (made if missing).
        """
        self.path = Path(path)
        self.hash_users = hash_users
        self.retention_days = retention_days
        self.clock = clock
        self.timeout = timeout
        self.retry_every = retry_every
        # The bot logs from the event loop and builds reports in worker threads; one lock
        # keeps the connection's transactions from interleaving.
        self._lock = threading.RLock()
        self._pruned: dt.datetime | None = None
        self.problem: str | None = None
        self.dropped = 0
        self._retry_at = 0.0
        self._reported: set[str] = set()
        self._key = b""
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
        self._create()
        if hash_users:
            self._key = id_key if id_key else id_key_file(self.path.parent / KEY_FILE)
        self._forget_salt()
        self.prune()

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

    def _forget_salt(self) -> None:
        """Drop an older version's salt: with it, a copy of the file alone gave the ids away."""

        def forget() -> None:
            with self.db.conn:
                salted = self.db.execute("DELETE FROM meta WHERE key = 'salt'").rowcount
                self.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('id_hash', ?)", [ID_HASH])
            if salted:
                # The deleted row is still in the WAL until it is copied back and truncated.
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        self._write("forgetting the old salt", forget)

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
            # Updates answered (so a redelivery is skipped) and updates taken in hand (so a crash loses none).
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS handled_updates (update_id INTEGER PRIMARY KEY, at TEXT NOT NULL)"
            )
            self.db.execute("CREATE INDEX IF NOT EXISTS handled_updates_at ON handled_updates (at)")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS pending_updates (update_id INTEGER PRIMARY KEY, body TEXT NOT NULL)"
            )
            self.db["questions"].create_index(["at"], if_not_exists=True)
            self.db["questions"].create_index(["status", "at"], if_not_exists=True)
            self.db["feedback"].create_index(["event_id"], if_not_exists=True)
            self.db["feedback"].create_index(["at"], if_not_exists=True)
            self.db["picks"].create_index(["event_id"], if_not_exists=True)
            self.db["picks"].create_index(["at"], if_not_exists=True)

    def pseudonym(self, some_id: int | None) -> str | None:
        """How a user or chat id is stored: an HMAC under the key kept outside the log, or the id itself if hashing is off."""
        if some_id is None:
            return None
        if not self.hash_users:
            return str(some_id)
        return hmac.new(self._key, str(some_id).encode(), hashlib.sha256).hexdigest()[:32]

    def question(
        self,
        answer: Answer,
        *,
        chat_type: str,
        user_id: int | None = None,
        chat_id: int | None = None,
        latency_ms: float = 0.0,
    ) -> int | None:
        """Log one question and its outcome (status, claim id, score, and the ids of answer.candidates in order).

        Returns its event id, or None if the log failed (see ``problem``). Only the first
        1,000 characters of the question are kept.
        """
        now = self.clock()
        row = {
            "at": _stamp(now),
            "question": answer.question[:QUESTION_CHARS],
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

        def insert() -> int:
            with self.db.conn:
                event_id = self.db.conn.execute(sql, list(row.values())).lastrowid
            assert event_id is not None  # an INSERT always sets lastrowid
            return event_id

        event_id = self._write("logging a question", insert)
        if event_id is not None and (self._pruned is None or now - self._pruned >= PRUNE_EVERY):
            self.prune()
        return event_id

    def question_event(self, event_id: int) -> QuestionEvent | None:
        """One logged question (id, at, question, chat_type, status, claim_id, score, candidate_ids: list[str], user) or None."""
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
            user=r["user"],
        )

    def asked_by(self, event: QuestionEvent, user_id: int | None) -> bool:
        """Whether ``user_id`` asked ``event``'s question: only they may press its buttons.

        A question logged without its asker, or hashed under a key since forgotten (an old
        log's salt), belongs to no one.
        """
        mine = self.pseudonym(user_id)
        return mine is not None and event.user is not None and hmac.compare_digest(mine, event.user)

    def feedback(self, event_id: int, *, claim_id: str | None, value: int, user_id: int | None = None) -> int | None:
        """Log a 👍 (+1) or 👎 (-1) on the answer to question ``event_id`` showing ``claim_id``.

        A user who votes again on the same answer changes their vote rather than adding one.
        Returns the feedback's id (None if the log failed).
        """
        if value not in (1, -1):
            raise ValueError(f"feedback is +1 or -1, not {value!r}")
        return self._vote("feedback", event_id, user_id, claim_id=claim_id, value=value)

    def pick(self, event_id: int, *, claim_id: str, user_id: int | None = None) -> int | None:
        """Log a "Did you mean…" tap: whoever tapped it took question ``event_id`` to mean ``claim_id``.

        For moderators it is a phrasing the claim lacks. A user who picks again on the same
        question changes their pick rather than adding one. Returns the pick's id (None if the log failed).
        """
        return self._vote("picks", event_id, user_id, claim_id=claim_id)

    def _vote(self, table: str, event_id: int, user_id: int | None, **fields: object) -> int | None:
        """Insert one row of a user's say on question ``event_id``, replacing what they said before."""
        user = self.pseudonym(user_id)
        row = {"at": _stamp(self.clock()), "event_id": event_id, **fields, "user": user}

        def vote() -> int:
            with self.db.atomic():
                if user is not None:
                    self.db.execute(f"DELETE FROM {table} WHERE event_id = ? AND user = ?", [event_id, user])
                inserted = self.db[table].insert(row)
            assert inserted.last_pk is not None  # an INSERT always has a key
            return int(inserted.last_pk)

        return self._write(f"logging a {table} row", vote)

    def prune(self) -> int:
        """Delete events older than the retention period; returns how many went. No-op without one."""
        self._pruned = self.clock()
        if self.retention_days is None:
            return 0
        cutoff = _stamp(self._pruned - dt.timedelta(days=self.retention_days))

        def delete() -> int:
            with self.db.atomic():
                gone = self.db.execute("DELETE FROM questions WHERE at < ?", [cutoff]).rowcount
                gone += self.db.execute("DELETE FROM feedback WHERE at < ?", [cutoff]).rowcount
                gone += self.db.execute("DELETE FROM picks WHERE at < ?", [cutoff]).rowcount
                return int(gone)

        return self._write("deleting old events", delete) or 0

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
            Asked(question=q, at=at, kind="downvoted", claim_id=claim, score=s) for _, at, q, claim, s, _c in downvoted
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
            picked = (
                conn.execute("SELECT count(*) FROM picks WHERE at >= ?", [cutoff]).fetchone()[0] if has_picks else 0
            )
        return build_stats(questions, votes, picked, days=days, since=since, until=self.clock())

    def writable(self) -> str | None:
        """Commit a heartbeat row, as a health check: None if it worked, else what went wrong.

        A real write, not a permission check: a full disk, a read-only mount or a closed
        log all fail here the way logging a question would. While the log is failing and
        not due a retry, it reports the failure without waiting on the lock again.
        """

        def beat() -> bool:
            with self.db.atomic():
                self.db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('heartbeat', ?)", [_stamp(self.clock())]
                )
            return True

        return None if self._write("writing the health heartbeat", beat) else self.problem

    # --- Updates handled: so one Telegram delivers again is not answered twice -----------

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
                    [(u, _stamp(now)) for u in update_ids],
                )
                self.db.execute("DELETE FROM handled_updates WHERE at < ?", [_stamp(now - self.HANDLED_KEEP)])
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

    # --- Updates taken in hand: kept until handled, so a crash loses none -------------------

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

    def close(self) -> None:
        """Close the database; every event already logged is on disk."""
        with self._lock:
            self.db.close()


def id_key_file(path: Path) -> bytes:
    """The id-hash key kept in ``path`` (mode 0600), made there first if there is none.

    Written to a private temporary file and linked into place, so two processes starting
    at once agree on one key and neither ever reads half of one.
    """
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        scratch.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"{path}: the id-hash key is too short (want 64 hex characters); delete it to make a new one")
    return key.encode()
