"""Issue 26: replies sent at least once through 429s, 5xx and dropped connections; poison updates never stop intake.

`groundbot run` against the fake Bot API on 127.0.0.1, which injects the faults.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from collections import Counter
from pathlib import Path

from knowledge.activity.events import EventLog
from tests.conftest import ANSWERED, REFUSED, listening
from tests.e2e.test_webhook import free_port
from tests.telegram_fakes import FakeTelegram, Fault, private_message

TRANSIENT = [
    Fault(429, "Too Many Requests: retry after 1", retry_after=1),
    Fault(502, "Bad Gateway"),
    Fault(0, "connection dropped", drop=True),
]


def askers(first: int, n: int) -> list[dict]:
    return [{"id": first + i, "is_bot": False, "first_name": f"Asker {i}"} for i in range(n)]


def questions(people: list[dict]) -> list[dict]:
    return [private_message(ANSWERED if i % 2 else REFUSED, sender=p) for i, p in enumerate(people)]


def replies(telegram: FakeTelegram) -> Counter:
    return Counter(c.params["chat_id"] for c in telegram.api.calls_to("sendMessage") if c.status == 200)


def spool(data_dir: Path) -> list[int]:
    with sqlite3.connect(data_dir / "events.db") as db:
        return [row[0] for row in db.execute("SELECT update_id FROM pending_updates")]


def poison() -> dict:
    """A question whose message.from is a string: PTB cannot parse it."""
    data = private_message(ANSWERED)
    data["message"]["from"] = "mallory"
    return data


def test_every_10th_send_failing_with_429_502_or_a_drop_loses_no_answer_and_doubles_none(start_bot, fake_telegram):
    people = askers(30_000, 60)
    fake_telegram.api.fail_every("sendMessage", 10, TRANSIENT)
    bot = start_bot()
    fake_telegram.push(*questions(people))
    bot.wait_until(lambda: len(replies(fake_telegram)) == len(people), timeout=60, what="every question answered")
    assert bot.stop() == 0
    failed = Counter(c.status for c in fake_telegram.api.calls_to("sendMessage") if c.status != 200)
    assert failed[429] and failed[502] and failed[0]  # every kind of failure happened
    # Drops are not delivered by this fake, so a copy of any answer would be a bug.
    assert replies(fake_telegram) == {p["id"]: 1 for p in people}
    assert spool(bot.data_dir) == []


def test_a_reply_that_cannot_be_sent_is_answered_after_the_restart_not_forgotten(start_bot, fake_telegram, tmp_path):
    data_dir = tmp_path / "data"
    [alice, bob] = askers(31_000, 2)
    fake_telegram.api.fail("sendMessage", 502, "Bad Gateway", times=2)  # both of Alice's attempts
    first = start_bot(data_dir=str(data_dir), send_attempts="2")
    fake_telegram.push(private_message(ANSWERED, sender=alice))
    first.wait_until(lambda: "Bot API trouble" in first.log, what="the reply to fail")
    fake_telegram.push(private_message(ANSWERED, sender=bob))
    fake_telegram.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == bob["id"] and c.status == 200)
    assert alice["id"] not in replies(fake_telegram)
    assert first.stop() == 0
    assert len(spool(data_dir)) == 1  # Alice's question, kept for the restart

    second = start_bot(data_dir=str(data_dir))
    fake_telegram.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == alice["id"] and c.status == 200)
    assert second.stop() == 0
    assert replies(fake_telegram) == {alice["id"]: 1, bob["id"]: 1}
    assert spool(data_dir) == []


def test_a_poison_update_in_a_batch_is_dropped_and_counted_the_rest_answered_and_a_restart_finds_the_spool_empty(
    start_bot, fake_telegram, tmp_path
):
    data_dir, health = tmp_path / "data", free_port()
    people = askers(32_000, 5)
    bad = poison()
    fake_telegram.push(bad, *questions(people))  # one getUpdates batch, the poison first
    bot = start_bot(data_dir=str(data_dir), health_port=str(health), moderators="1001")
    bot.wait_until(lambda: len(replies(fake_telegram)) == 5, timeout=20, what="the 5 questions answered")
    assert f"Dropped update {bad['update_id']} unanswered: cannot be parsed (TypeError)" in bot.log
    assert "mallory" not in bot.log
    bot.wait_until(lambda: listening(health), what="the health endpoint")
    with urllib.request.urlopen(f"http://127.0.0.1:{health}/healthz", timeout=5) as response:
        assert json.load(response)["dropped_updates"] == 1
    mark = fake_telegram.api.mark()
    fake_telegram.push(private_message("/stats", sender={"id": 1001, "is_bot": False, "first_name": "Mod"}))
    stats = fake_telegram.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 1001, after=mark)
    assert "updates dropped unanswered (unreadable, or failing every time): 1" in stats.text
    assert bot.process.poll() is None  # still running
    assert bot.stop() == 0

    again = start_bot(data_dir=str(data_dir))
    assert again.stop() == 0
    assert spool(data_dir) == []
    assert "TypeError" not in again.log
    assert replies(fake_telegram)[people[0]["id"]] == 1  # nothing answered twice after the restart


def test_a_poison_update_kept_in_the_spool_is_dropped_at_start_instead_of_crash_looping(
    start_bot, fake_telegram, tmp_path
):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    bad, good = poison(), private_message(ANSWERED)
    log = EventLog(data_dir / "events.db")  # as a run that took both in hand and then stopped left it
    assert log.spool([(bad["update_id"], json.dumps(bad)), (good["update_id"], json.dumps(good))])
    log.close()
    bot = start_bot(data_dir=str(data_dir))
    fake_telegram.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == good["message"]["chat"]["id"])
    assert f"Dropped update {bad['update_id']} unanswered" in bot.log
    assert bot.stop() == 0
    assert spool(data_dir) == []


def test_an_update_that_failed_every_attempt_is_dropped_at_the_next_start(start_bot, fake_telegram, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    stuck = private_message(ANSWERED)
    log = EventLog(data_dir / "events.db")
    assert log.spool([(stuck["update_id"], json.dumps(stuck))])
    log.db.execute("UPDATE pending_updates SET attempts = 3")  # three starts that never got it answered
    log.db.conn.commit()
    log.close()
    bot = start_bot(data_dir=str(data_dir), update_attempts="3")
    bot.wait_until(lambda: "Dropped update" in bot.log, what="the update to be dropped")
    assert f"Dropped update {stuck['update_id']} unanswered: taken in hand 3 times without an answer" in bot.log
    assert bot.stop() == 0
    assert spool(data_dir) == [] and not fake_telegram.api.calls_to("sendMessage")


def test_polling_that_dies_makes_the_process_exit_non_zero(start_bot, fake_telegram):
    bot = start_bot()
    # Another process polling with this token: Telegram answers 409 and this poller gives up.
    fake_telegram.api.fail("getUpdates", 409, "Conflict: terminated by other getUpdates request", times=5)
    assert bot.process.wait(20) == 1
    assert "Polling stopped: Conflict" in bot.log
    assert "Stopped; event log closed." in bot.log
