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

``EventLog`` is made of parts, each in its own module: the connection and its failure
guard (``connection``), the tables (``event_schema``), the id key (``keys``), the
reports' queries (``report_queries``) and the record of Telegram updates
(``update_records``). This module writes the events themselves.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from knowledge.activity.connection import Clock, utcnow
from knowledge.activity.event_schema import create_tables, forget_salt, stamp
from knowledge.activity.keys import KEY_FILE, id_key_file, keyed_id
from knowledge.activity.report_queries import ReportQueries
from knowledge.activity.update_records import UpdateRecords

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

# Pruning is cheap but not free: do it on open and then at most this often.
PRUNE_EVERY = dt.timedelta(hours=1)


class LoggedClaim(Protocol):
    """A claim as the log keeps it: by its id."""

    @property
    def id(self) -> str: ...


class LoggedCandidate(Protocol):
    """A claim the matcher considered, with its score."""

    @property
    def claim(self) -> LoggedClaim: ...

    @property
    def score(self) -> float: ...


class LoggedAnswer(Protocol):
    """What the log keeps of one answer: the matcher's ``Answer`` has all of it.

    Typed by shape, so that the activity room need not import the answering room.
    """

    @property
    def question(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def score(self) -> float: ...

    @property
    def claim(self) -> LoggedClaim | None: ...

    @property
    def candidates(self) -> Sequence[LoggedCandidate]: ...

    @property
    def reason(self) -> str: ...


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


class EventLog(UpdateRecords, ReportQueries):
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
        super().__init__(path, clock=clock, readonly=readonly, timeout=timeout, retry_every=retry_every)
        self.hash_users = hash_users
        self.retention_days = retention_days
        self._pruned: dt.datetime | None = None
        self._key = b""
        if readonly:
            return
        with self._lock:
            create_tables(self.db)
        if hash_users:
            self._key = id_key if id_key else id_key_file(self.path.parent / KEY_FILE)
        self._write("forgetting the old salt", lambda: forget_salt(self.db))
        self.prune()

    def pseudonym(self, some_id: int | None) -> str | None:
        """How a user or chat id is stored: an HMAC under the key kept outside the log, or the id itself if hashing is off."""
        if some_id is None:
            return None
        if not self.hash_users:
            return str(some_id)
        return keyed_id(self._key, some_id)

    def question(
        self,
        answer: LoggedAnswer,
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
            "at": stamp(now),
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
        row = {"at": stamp(self.clock()), "event_id": event_id, **fields, "user": user}

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
        cutoff = stamp(self._pruned - dt.timedelta(days=self.retention_days))

        def delete() -> int:
            with self.db.atomic():
                gone = self.db.execute("DELETE FROM questions WHERE at < ?", [cutoff]).rowcount
                gone += self.db.execute("DELETE FROM feedback WHERE at < ?", [cutoff]).rowcount
                gone += self.db.execute("DELETE FROM picks WHERE at < ?", [cutoff]).rowcount
                gone += self.db.execute("DELETE FROM dropped_updates WHERE at < ?", [cutoff]).rowcount
                return int(gone)

        return self._write("deleting old events", delete) or 0

    def writable(self) -> str | None:
        """Commit a heartbeat row, as a health check: None if it worked, else what went wrong.

        A real write, not a permission check: a full disk, a read-only mount or a closed
        log all fail here the way logging a question would. While the log is failing and
        not due a retry, it reports the failure without waiting on the lock again.
        """

        def beat() -> bool:
            with self.db.atomic():
                self.db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('heartbeat', ?)", [stamp(self.clock())]
                )
            return True

        return None if self._write("writing the health heartbeat", beat) else self.problem
