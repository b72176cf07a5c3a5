"""The ledger (bot/ledger.py) and the spool under it: what may be confirmed, what is left, what is dropped."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from telegram import Bot

from bot.ledger import Ledger
from knowledge.activity.events import EventLog
from tests.conftest import ANSWERED
from tests.telegram_fakes import TOKEN, private_message


@pytest.fixture
def log(tmp_path: Path):
    events = EventLog(tmp_path / "events.db", hash_users=False)
    yield events
    events.close()


@pytest.fixture
def bot() -> Bot:
    return Bot(TOKEN)  # only parses here: it never sends


def poison() -> dict:
    """An update whose message.from is a string: the JSON Telegram never sends, and PTB cannot parse."""
    data = private_message(ANSWERED)
    data["message"]["from"] = "alice"
    return data


async def test_oldest_names_an_update_in_hand_that_is_not_kept(log):
    ledger = Ledger(lambda: log)
    ledger.take(7)  # in hand, never kept: confirming past it would lose it
    assert ledger.oldest() == 7
    ledger.take(5)
    assert ledger.oldest() == 5
    assert ledger.keep([{"update_id": 5}, {"update_id": 7}])
    assert ledger.oldest() is None  # both kept: a restart answers them
    ledger.take(9)
    assert ledger.oldest() == 9
    ledger.finish(9)
    assert ledger.oldest() is None


async def test_oldest_names_the_unkept_update_when_the_event_log_cannot_keep_it(log):
    ledger = Ledger(lambda: log)
    log.close()  # every write now fails
    assert not ledger.keep([{"update_id": 3}])
    ledger.take(3)
    assert ledger.oldest() == 3

    without_log = Ledger(lambda: None)
    assert not without_log.keep([{"update_id": 4}])
    without_log.take(4)
    assert without_log.oldest() == 4


async def test_an_update_left_unsent_is_out_of_hand_but_stays_in_the_spool(log):
    ledger = Ledger(lambda: log)
    data = private_message(ANSWERED)
    assert ledger.keep([data])
    future = ledger.take(data["update_id"])
    ledger.leave(data["update_id"])
    ledger.record()
    assert future.done() and not ledger.in_hand
    assert [u for u, _ in log.spooled()] == [data["update_id"]]
    assert log.handled([data["update_id"]]) == set()


async def test_an_unkept_update_left_unsent_stays_in_hand_so_it_is_never_confirmed():
    ledger = Ledger(lambda: None)
    ledger.take(11)
    ledger.leave(11)
    assert ledger.oldest() == 11


async def test_each_start_counts_an_attempt_and_drops_the_update_past_the_limit(log, bot):
    dropped = []
    data = private_message(ANSWERED)
    assert Ledger(lambda: log).keep([data])  # taken in hand once, then the bot stopped
    for _ in range(2):  # two more starts: still answered
        assert Ledger(lambda: log).kept_earlier(3) == [data]
    ledger = Ledger(lambda: log, on_drop=lambda: dropped.append(1))
    assert ledger.kept_earlier(3) == []  # the fourth time: dropped
    ledger.record()
    assert dropped == [1]
    assert log.spooled() == [] and log.handled([data["update_id"]]) == {data["update_id"]}
    assert log.stats(None).dropped == 1


async def test_an_update_that_cannot_be_parsed_is_dropped_logged_by_id_and_counted(log, bot, caplog):
    dropped = []
    ledger = Ledger(lambda: log, on_drop=lambda: dropped.append(1))
    bad = poison()
    assert ledger.parsed(bad, bot) is None
    ledger.record()
    assert dropped == [1]
    assert f"Dropped update {bad['update_id']} unanswered: cannot be parsed (TypeError)" in caplog.text
    assert "alice" not in caplog.text  # its content is never logged
    assert log.handled([bad["update_id"]]) == {bad["update_id"]}
    good = private_message(ANSWERED)
    assert ledger.parsed(good, bot).update_id == good["update_id"]


async def test_a_poison_update_in_the_spool_is_dropped_at_start_and_the_rest_replayed(log, bot):
    bad, good = poison(), private_message(ANSWERED)
    assert log.spool([(bad["update_id"], json.dumps(bad)), (99, "{not json"), (good["update_id"], json.dumps(good))])
    ledger = Ledger(lambda: log)
    kept = ledger.kept_earlier(3)
    assert [ledger.parsed(d, bot) is not None for d in kept] == [False, True]  # bad parsed and dropped
    ledger.record()
    assert [u for u, _ in log.spooled()] == [good["update_id"]]
    assert log.stats(None).dropped == 2


def test_a_log_written_before_attempts_were_counted_opens_and_counts_them(tmp_path):
    path = tmp_path / "events.db"
    with sqlite3.connect(path) as db:  # the table as the previous version made it, with a kept update
        db.execute("CREATE TABLE pending_updates (update_id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        db.execute("INSERT INTO pending_updates VALUES (5, '{\"update_id\": 5}')")
    log = EventLog(path, hash_users=False)
    try:
        assert log.spooled() == [(5, '{"update_id": 5}')]
        [kept] = log.retake()
        assert (kept.update_id, kept.attempts) == (5, 2)
        assert log.spool([(6, '{"update_id": 6}')])
        assert [(k.update_id, k.attempts) for k in log.retake()] == [(5, 3), (6, 2)]
    finally:
        log.close()
