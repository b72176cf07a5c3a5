"""The event log: what it stores, how it hashes users, how long it keeps things, and that it survives a kill."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.activity.events import EventLog

RUSSIA = "How many shells does Russia fire per day?"
FRANCE = "What is the capital of France?"
START = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = START):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def log(tmp_path: Path, clock: FakeClock) -> EventLog:
    events = EventLog(tmp_path / "events.db", clock=clock)
    yield events
    events.close()


def test_a_logged_question_reads_back_with_its_outcome_and_candidates(log: EventLog, kb: KnowledgeBase):
    answer = kb.answer(RUSSIA)
    event_id = log.question(answer, chat_type="private", user_id=42, chat_id=42, latency_ms=3.5)
    event = log.question_event(event_id)
    assert event is not None
    assert event.id == event_id
    assert event.question == RUSSIA
    assert event.chat_type == "private"
    assert event.status == "answered"
    assert event.claim_id == "russia-daily-shell-use"
    assert event.score == answer.score
    assert event.candidate_ids == [c.claim.id for c in answer.candidates]
    assert event.at == START


def test_a_refused_question_is_logged_without_a_claim(log: EventLog, kb: KnowledgeBase):
    event = log.question_event(log.question(kb.answer(FRANCE), chat_type="group"))
    assert event.status == "refused"
    assert event.claim_id is None
    assert event.candidate_ids == []


def test_an_unknown_event_id_reads_as_none(log: EventLog):
    assert log.question_event(12345) is None


def test_event_ids_increase_with_each_question(log: EventLog, kb: KnowledgeBase):
    first = log.question(kb.answer(RUSSIA), chat_type="private")
    second = log.question(kb.answer(FRANCE), chat_type="private")
    assert second > first


def test_the_log_runs_in_wal_mode_with_synchronous_normal(log: EventLog):
    assert log.db.journal_mode == "wal"
    # 1 is NORMAL: a commit reaches the WAL file before it returns.
    assert log.db.execute("PRAGMA synchronous").fetchone()[0] == 1


def user_column(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT user FROM questions ORDER BY id")]


def test_user_ids_are_stored_as_keyed_hashes_that_survive_a_restart(tmp_path: Path, kb: KnowledgeBase):
    path = tmp_path / "events.db"
    with_hashes = EventLog(path)
    with_hashes.question(kb.answer(RUSSIA), chat_type="private", user_id=424242, chat_id=424242)
    with_hashes.close()
    again = EventLog(path)
    again.question(kb.answer(FRANCE), chat_type="private", user_id=424242)
    again.close()
    first, second = user_column(path)
    assert "424242" not in first
    assert first == second


def test_the_same_user_hashes_differently_in_another_data_directory(tmp_path: Path):
    one, two = EventLog(tmp_path / "a" / "events.db"), EventLog(tmp_path / "b" / "events.db")
    assert one.pseudonym(7) != two.pseudonym(7)
    one.close(), two.close()


def test_user_ids_are_stored_as_they_are_when_hashing_is_off(tmp_path: Path, kb: KnowledgeBase):
    path = tmp_path / "events.db"
    log = EventLog(path, hash_users=False)
    log.question(kb.answer(RUSSIA), chat_type="private", user_id=424242)
    log.close()
    assert user_column(path) == ["424242"]


def test_feedback_is_only_thumbs_up_or_down(log: EventLog, kb: KnowledgeBase):
    event_id = log.question(kb.answer(RUSSIA), chat_type="private")
    with pytest.raises(ValueError, match="not 2"):
        log.feedback(event_id, claim_id="russia-daily-shell-use", value=2)


def test_a_second_vote_by_the_same_user_replaces_the_first(log: EventLog, kb: KnowledgeBase):
    event_id = log.question(kb.answer(RUSSIA), chat_type="private", user_id=1)
    log.feedback(event_id, claim_id="russia-daily-shell-use", value=-1, user_id=1)
    log.feedback(event_id, claim_id="russia-daily-shell-use", value=1, user_id=1)
    log.feedback(event_id, claim_id="russia-daily-shell-use", value=1, user_id=2)
    stats = log.stats(days=1)
    assert (stats.helpful, stats.unhelpful) == (2, 0)


def test_a_did_you_mean_pick_is_logged_against_its_question_once_per_user(log: EventLog, kb: KnowledgeBase):
    event_id = log.question(kb.answer(RUSSIA), chat_type="private", user_id=1)
    log.pick(event_id, claim_id="russia-daily-shell-use", user_id=1)
    log.pick(event_id, claim_id="ukraine-daily-shell-use", user_id=1)
    log.pick(event_id, claim_id="russia-daily-shell-use", user_id=2)
    rows = list(log.db["picks"].rows_where(order_by="id"))
    assert [(r["event_id"], r["claim_id"]) for r in rows] == [
        (event_id, "ukraine-daily-shell-use"),
        (event_id, "russia-daily-shell-use"),
    ]
    assert all(r["user"] not in ("1", "2") for r in rows)  # hashed like every other user id
    assert log.stats(days=1).picked == 2


def test_stats_of_a_log_written_before_picks_existed_count_no_picks(tmp_path: Path, kb: KnowledgeBase):
    path = tmp_path / "events.db"
    log = EventLog(path)
    log.question(kb.answer(RUSSIA), chat_type="private", user_id=1)
    log.db["picks"].drop()  # as the table is in a log an older version wrote
    log.close()
    reader = EventLog(path, readonly=True)
    stats = reader.stats(days=None)
    assert (stats.questions, stats.picked) == (1, 0)
    reader.close()


def test_retention_deletes_events_older_than_the_period(tmp_path: Path, clock: FakeClock, kb: KnowledgeBase):
    log = EventLog(tmp_path / "events.db", retention_days=30, clock=clock)
    old = log.question(kb.answer(RUSSIA), chat_type="private")
    log.feedback(old, claim_id="russia-daily-shell-use", value=1)
    log.pick(old, claim_id="russia-daily-shell-use")
    clock.advance(days=20)
    recent = log.question(kb.answer(FRANCE), chat_type="private")
    clock.advance(days=15)
    assert log.prune() == 3
    assert log.question_event(old) is None
    assert log.question_event(recent) is not None
    log.close()


def test_retention_is_applied_when_the_log_is_opened(tmp_path: Path, clock: FakeClock, kb: KnowledgeBase):
    path = tmp_path / "events.db"
    log = EventLog(path, clock=clock)
    old = log.question(kb.answer(RUSSIA), chat_type="private")
    log.close()
    clock.advance(days=8)
    reopened = EventLog(path, retention_days=7, clock=clock)
    assert reopened.question_event(old) is None
    reopened.close()


def test_without_retention_nothing_is_deleted(tmp_path: Path, clock: FakeClock, kb: KnowledgeBase):
    log = EventLog(tmp_path / "events.db", retention_days=None, clock=clock)
    event_id = log.question(kb.answer(RUSSIA), chat_type="private")
    clock.advance(days=3650)
    assert log.prune() == 0
    assert log.question_event(event_id) is not None
    log.close()


def test_by_default_events_are_kept_for_90_days(log: EventLog, clock: FakeClock, kb: KnowledgeBase):
    event_id = log.question(kb.answer(RUSSIA), chat_type="private")
    clock.advance(days=89)
    assert log.prune() == 0
    clock.advance(days=2)
    assert log.prune() == 1
    assert log.question_event(event_id) is None


def test_questions_logged_from_many_threads_are_all_kept(log: EventLog, kb: KnowledgeBase):
    answer = kb.answer(RUSSIA)
    ids: list[int] = []

    def ask_ten() -> None:
        for _ in range(10):
            ids.append(log.question(answer, chat_type="group"))

    threads = [threading.Thread(target=ask_ten) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(set(ids)) == 80
    assert log.stats(days=None).questions == 80


def test_unanswered_lists_refused_and_downvoted_questions(log: EventLog, kb: KnowledgeBase):
    for _ in range(3):
        log.question(kb.answer(FRANCE), chat_type="private")
    disliked = log.question(kb.answer(RUSSIA), chat_type="private")
    log.feedback(disliked, claim_id="russia-daily-shell-use", value=-1, user_id=5)
    liked = log.question(kb.answer(RUSSIA + " "), chat_type="private")
    log.feedback(liked, claim_id="russia-daily-shell-use", value=1, user_id=5)
    groups = log.unanswered(days=7)
    assert [(g.question, g.count, g.refused, g.downvoted) for g in groups] == [
        (FRANCE, 3, 3, 0),
        (RUSSIA, 1, 0, 1),
    ]
    assert groups[1].claim_id == "russia-daily-shell-use"


def test_reports_leave_out_what_happened_before_the_period(log: EventLog, clock: FakeClock, kb: KnowledgeBase):
    log.question(kb.answer(FRANCE), chat_type="private")
    clock.advance(days=10)
    log.question(kb.answer("Who won the 1998 World Cup?"), chat_type="private")
    assert [g.question for g in log.unanswered(days=7)] == ["Who won the 1998 World Cup?"]
    assert len(log.unanswered(days=None)) == 2
    assert log.stats(days=7).questions == 1
    assert log.stats(days=None).questions == 2


def test_stats_count_outcomes_people_top_claims_and_feedback(log: EventLog, kb: KnowledgeBase):
    for user in (1, 2, 3):
        event_id = log.question(kb.answer(RUSSIA), chat_type="private", user_id=user, latency_ms=10.0 * user)
    log.feedback(event_id, claim_id="russia-daily-shell-use", value=-1, user_id=3)
    log.question(kb.answer(FRANCE), chat_type="supergroup", user_id=1)
    stats = log.stats(days=7)
    assert stats.questions == 4
    assert stats.outcomes == {"answered": 3, "ambiguous": 0, "refused": 1}
    assert stats.share("answered") == 0.75
    assert stats.people == 3
    assert stats.chat_types == {"private": 3, "supergroup": 1}
    assert stats.top_claims == [("russia-daily-shell-use", 3)]
    assert (stats.helpful, stats.unhelpful) == (0, 1)
    assert stats.latency_ms_median == 20.0


KILLED_WRITER = """
import os, signal, sys
from knowledge import KnowledgeBase
from knowledge.activity.events import EventLog
log = EventLog(sys.argv[1])
answer = KnowledgeBase.load().answer("How many shells does Russia fire per day?")
for _ in range(200):
    event_id = log.question(answer, chat_type="private", user_id=1)
    # "Acknowledged": the id is reported only after question() returned.
    print(event_id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_every_acknowledged_event_survives_a_sigkill(tmp_path: Path):
    path = tmp_path / "events.db"
    done = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    acknowledged = [int(line) for line in done.stdout.split()]
    assert len(acknowledged) == 200
    # The WAL file was never checkpointed: recovery on open must bring every commit back.
    assert os.path.exists(str(path) + "-wal")
    reopened = EventLog(path)
    assert all(reopened.question_event(i) is not None for i in acknowledged)
    reopened.close()


def test_a_read_only_log_reports_but_writes_nothing(tmp_path: Path, kb: KnowledgeBase):
    path = tmp_path / "events.db"
    writer = EventLog(path)
    writer.question(kb.answer(FRANCE), chat_type="private")
    before = path.read_bytes(), Path(str(path) + "-wal").read_bytes()

    reader = EventLog(path, readonly=True, retention_days=1, clock=FakeClock(START + dt.timedelta(days=30)))
    assert reader.stats(days=None).questions == 1
    assert [g.question for g in reader.unanswered(days=None)] == [FRANCE]
    assert reader.question(kb.answer(RUSSIA), chat_type="private") is None
    assert "readonly" in reader.problem
    reader.close()

    assert (path.read_bytes(), Path(str(path) + "-wal").read_bytes()) == before
    writer.close()


def test_a_read_only_log_that_does_not_exist_is_an_error_not_a_new_file(tmp_path: Path):
    with pytest.raises(sqlite3.OperationalError):
        EventLog(tmp_path / "missing.db", readonly=True).stats()
    assert not (tmp_path / "missing.db").exists()
