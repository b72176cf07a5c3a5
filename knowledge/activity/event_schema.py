"""The event log's tables, how it writes a time, and the migrations: forgetting an old salt, counting attempts.

A log written by an older version kept a salt in its own ``meta`` table, from which anyone
holding the file could recover ids: ``forget_salt`` deletes it (securely, and out of the
WAL), so the rows it hashed stay as they are but can no longer be linked to anyone. A log from
before update attempts were counted gets the ``attempts`` column, each kept update at 1.
"""

from __future__ import annotations

import datetime as dt

import sqlite_utils

# Marks a log whose ids are HMAC-keyed by a key outside the file.
ID_HASH = "hmac-sha256:key-outside-db"


def stamp(moment: dt.datetime) -> str:
    """``moment`` as the log stores it: one fixed format, so timestamps compare correctly as text in SQL."""
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def create_tables(db: sqlite_utils.Database) -> None:
    """Create whichever of the log's tables and indexes are missing, in one transaction."""
    with db.atomic():
        db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        db["questions"].create(
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
        db["feedback"].create(
            {"id": int, "at": str, "event_id": int, "claim_id": str, "value": int, "user": str},
            pk="id",
            not_null={"at", "event_id", "value"},
            if_not_exists=True,
        )
        db["picks"].create(
            {"id": int, "at": str, "event_id": int, "claim_id": str, "user": str},
            pk="id",
            not_null={"at", "event_id", "claim_id"},
            if_not_exists=True,
        )
        # Updates answered (so a redelivery is skipped) and updates taken in hand (so a crash loses none).
        db.execute("CREATE TABLE IF NOT EXISTS handled_updates (update_id INTEGER PRIMARY KEY, at TEXT NOT NULL)")
        db.execute("CREATE INDEX IF NOT EXISTS handled_updates_at ON handled_updates (at)")
        # attempts: how often the update was taken in hand, across restarts (dropped past a limit).
        db.execute(
            "CREATE TABLE IF NOT EXISTS pending_updates "
            "(update_id INTEGER PRIMARY KEY, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 1)"
        )
        if "attempts" not in {row[1] for row in db.execute("PRAGMA table_info(pending_updates)").fetchall()}:
            # A log from before attempts were counted: each row it kept was taken in hand once.
            db.execute("ALTER TABLE pending_updates ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1")
        # Updates dropped unanswered because they could not be handled (reason: a DropReason code).
        db.execute(
            "CREATE TABLE IF NOT EXISTS dropped_updates (update_id INTEGER PRIMARY KEY, at TEXT NOT NULL, reason TEXT NOT NULL)"
        )
        db["questions"].create_index(["at"], if_not_exists=True)
        db["questions"].create_index(["status", "at"], if_not_exists=True)
        db["feedback"].create_index(["event_id"], if_not_exists=True)
        db["feedback"].create_index(["at"], if_not_exists=True)
        db["picks"].create_index(["event_id"], if_not_exists=True)
        db["picks"].create_index(["at"], if_not_exists=True)


def forget_salt(db: sqlite_utils.Database) -> None:
    """Drop an older version's salt: with it, a copy of the file alone gave the ids away."""
    with db.conn:
        salted = db.execute("DELETE FROM meta WHERE key = 'salt'").rowcount
        db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('id_hash', ?)", [ID_HASH])
    if salted:
        # The deleted row is still in the WAL until it is copied back and truncated.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
