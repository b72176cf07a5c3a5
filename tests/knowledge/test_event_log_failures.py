"""The event log under a lock, a full disk and a leaked copy: answers never wait long, ids never leak."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.activity.events import KEY_FILE, EventLog

QUESTION = "How many shells does Russia fire per day?"
USER = 12_345_678  # an 8-digit Telegram id
# The ids a brute force tries: a slice of the 8-digit space that holds USER, so the
# legacy log shows the attack works and the new one that it finds nothing.
GUESSES = range(12_340_000, 12_350_000)

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('held', 'yes')")
print("locked", flush=True)
time.sleep(15)
"""


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture
def locker(tmp_path: Path):
    """Start another process that holds the log's write lock for 15 s (stopped at the end)."""
    procs: list[subprocess.Popen] = []

    def lock(path: Path) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "locked"
        return proc

    yield lock
    for proc in procs:
        proc.kill()
        proc.wait()


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "knowledge.activity.events" and r.levelno >= logging.ERROR]


def test_a_write_lock_held_by_another_process_delays_a_question_by_at_most_the_timeout(
    tmp_path: Path, kb: KnowledgeBase, locker, caplog
):
    path = tmp_path / "events.db"
    log = EventLog(path, timeout=1.0, retry_every=60)
    answer = kb.answer(QUESTION)
    locker(path)

    started = time.monotonic()
    assert log.question(answer, chat_type="private", user_id=USER) is None
    assert time.monotonic() - started < 1.5
    assert not log.healthy and "locked" in log.problem

    # While it fails, later writes skip the log instead of each waiting out the lock.
    started = time.monotonic()
    for _ in range(20):
        assert log.question(answer, chat_type="private", user_id=USER) is None
    assert log.feedback(1, claim_id=None, value=1, user_id=USER) is None
    assert log.writable() == log.problem
    assert time.monotonic() - started < 0.5
    assert len(errors(caplog)) == 1  # once per failure, not once per question
    log.close()


def test_the_log_recovers_once_the_lock_is_released(tmp_path: Path, kb: KnowledgeBase, locker, caplog):
    path = tmp_path / "events.db"
    log = EventLog(path, timeout=0.2, retry_every=0.3)
    answer = kb.answer(QUESTION)
    holder = locker(path)
    assert log.question(answer, chat_type="private") is None
    holder.kill()
    holder.wait()
    time.sleep(0.35)

    event_id = log.question(answer, chat_type="private")
    assert event_id is not None and log.question_event(event_id).question == QUESTION
    assert log.healthy and log.problem is None
    assert any("writable again" in r.getMessage() for r in caplog.records)
    log.close()


def test_a_full_database_drops_events_logs_it_once_and_recovers_when_there_is_room(
    tmp_path: Path, kb: KnowledgeBase, caplog
):
    log = EventLog(tmp_path / "events.db", retry_every=0)
    answer = kb.answer("x" * 900)
    # SQLite's own cap on the file's size makes the disk "full" without filling a real one.
    pages = log.db.execute("PRAGMA page_count").fetchone()[0]
    log.db.execute(f"PRAGMA max_page_count = {pages + 2}")
    results = [log.question(answer, chat_type="private") for _ in range(40)]
    assert None in results
    assert "full" in log.problem
    assert len(errors(caplog)) == 1

    log.db.execute(f"PRAGMA max_page_count = {pages + 1000}")
    assert log.question(answer, chat_type="private") is not None
    assert log.healthy
    log.close()


def test_a_stored_question_is_cut_to_1000_characters(tmp_path: Path, kb: KnowledgeBase):
    log = EventLog(tmp_path / "events.db")
    long = "Why " + "very " * 1000 + "long?"
    event_id = log.question(kb.answer(long), chat_type="private")
    assert log.question_event(event_id).question == long[:1000]
    log.close()


def test_a_question_deleted_by_retention_is_gone_from_the_file_not_just_unlinked(tmp_path: Path, kb: KnowledgeBase):
    path = tmp_path / "events.db"
    now = [dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)]
    log = EventLog(path, retention_days=30, clock=lambda: now[0])
    secret = "What did Zyxwvut Quorble say about the budget?"
    log.question(kb.answer(secret), chat_type="private")
    log.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert secret.encode() in path.read_bytes()
    now[0] += dt.timedelta(days=31)
    assert log.prune() == 1
    log.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log.close()
    assert secret.encode() not in path.read_bytes()


# --- Ids: keyed hashes with the key outside the file --------------------------------------


def brute_force(db: Path) -> set[int]:
    """What someone holding only a copy of ``db`` recovers: every guess whose hash is in it.

    Tries the old scheme (the salt in the meta table) and every other meta value as a key,
    at the lengths both versions stored.
    """
    conn = sqlite3.connect(db)
    stored = {u for (u,) in conn.execute("SELECT user FROM questions WHERE user IS NOT NULL")}
    keys = [v.encode() for (v,) in conn.execute("SELECT value FROM meta")] + [b""]
    conn.close()
    found = set()
    for key in keys:
        for guess in GUESSES:
            digest = hmac.new(key, str(guess).encode(), hashlib.sha256).hexdigest()
            if digest[:16] in stored or digest[:32] in stored:
                found.add(guess)
    return found


def legacy_log(path: Path) -> None:
    """A log as the previous version wrote it: the salt in meta, ids hashed with it."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('salt', '00112233445566778899aabbccddeeff')")
    conn.execute(
        "CREATE TABLE questions (id INTEGER PRIMARY KEY, at TEXT NOT NULL, question TEXT NOT NULL, "
        "chat_type TEXT NOT NULL, status TEXT NOT NULL, claim_id TEXT, score FLOAT, candidate_ids TEXT, "
        "candidate_scores TEXT, reason TEXT, user TEXT, chat TEXT, latency_ms FLOAT)"
    )
    old = hmac.new(b"00112233445566778899aabbccddeeff", str(USER).encode(), hashlib.sha256).hexdigest()[:16]
    conn.execute(
        "INSERT INTO questions (at, question, chat_type, status, user, chat) VALUES "
        "('2024-05-01T12:00:00.000000+00:00', 'old', 'private', 'refused', ?, ?)",
        [old, old],
    )
    conn.commit()
    conn.close()


def test_a_copy_of_the_old_salted_log_gives_an_id_away(tmp_path: Path):
    # The attack the keyed hash defends against, shown to work on the old format.
    legacy_log(tmp_path / "events.db")
    assert brute_force(tmp_path / "events.db") == {USER}


def test_a_copy_of_events_db_alone_reveals_no_user_id(tmp_path: Path, kb: KnowledgeBase):
    data = tmp_path / "data"
    log = EventLog(data / "events.db")
    log.question(kb.answer(QUESTION), chat_type="private", user_id=USER, chat_id=USER)
    log.close()
    copy = tmp_path / "copy.db"
    copy.write_bytes((data / "events.db").read_bytes())
    assert brute_force(copy) == set()
    assert stat.S_IMODE((data / KEY_FILE).stat().st_mode) == 0o600


def test_an_old_log_loses_its_salt_on_opening_so_old_rows_link_to_no_one(tmp_path: Path, kb: KnowledgeBase):
    path = tmp_path / "events.db"
    legacy_log(path)
    log = EventLog(path)
    log.question(kb.answer(QUESTION), chat_type="private", user_id=USER)
    log.close()
    assert brute_force(path) == set()
    salt = b"00112233445566778899aabbccddeeff"
    assert salt not in path.read_bytes()
    assert not Path(f"{path}-wal").exists() or salt not in Path(f"{path}-wal").read_bytes()


def test_a_key_given_in_the_settings_is_used_instead_of_a_key_file(tmp_path: Path):
    one = EventLog(tmp_path / "a" / "events.db", id_key=b"k" * 64)
    two = EventLog(tmp_path / "b" / "events.db", id_key=b"k" * 64)
    assert one.pseudonym(USER) == two.pseudonym(USER)
    assert not (tmp_path / "a" / KEY_FILE).exists()
    one.close(), two.close()


def test_the_update_tables_exist_as_soon_as_the_log_opens(tmp_path: Path):
    log = EventLog(tmp_path / "events.db")
    tables = {row[0] for row in log.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"handled_updates", "pending_updates"} <= tables
    log.close()


def test_keeping_and_recording_updates_under_a_held_lock_wait_at_most_the_timeout_and_never_raise(
    tmp_path: Path, locker, caplog
):
    path = tmp_path / "events.db"
    log = EventLog(path, timeout=0.5, retry_every=60)
    assert log.spool([(1, '{"update_id": 1}')])
    locker(path)

    started = time.monotonic()
    assert log.spool([(2, '{"update_id": 2}')]) is False
    assert log.mark_handled([1]) is False
    assert time.monotonic() - started < 1.0  # one wait for the lock, then the log is skipped
    assert not log.healthy and "locked" in log.problem
    assert len(errors(caplog)) == 1
    # Reads still work under WAL: update 1 is kept and not handled, 2 was never kept.
    assert log.handled([1, 2]) == set()
    assert log.spooled() == [(1, '{"update_id": 1}')]
    log.close()


def test_a_closed_log_reads_no_updates_and_logs_why_once(tmp_path: Path, caplog):
    log = EventLog(tmp_path / "events.db")
    log.close()
    assert log.handled([1, 2, 3]) == set()
    assert log.spooled() == []
    assert log.spool([(4, "{}")]) is False
    assert log.mark_handled([4]) is False
    assert len([r for r in errors(caplog) if "handled updates" in r.getMessage()]) == 1
