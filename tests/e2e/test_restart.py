"""Restarts: stopped mid-burst and started again, the bot answers every question exactly once."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path

from tests.conftest import ANSWERED, REFUSED
from tests.telegram_fakes import FakeTelegram, private_message

BURST = 100


def askers(n: int = BURST) -> list[dict]:
    """One person per question, so each reply's chat says which question it answers."""
    return [{"id": 20_000 + i, "is_bot": False, "first_name": f"Asker {i}"} for i in range(n)]


def burst(people: list[dict]) -> list[dict]:
    return [private_message(ANSWERED if i % 2 else REFUSED, sender=p) for i, p in enumerate(people)]


def replies_per_chat(telegram: FakeTelegram) -> Counter:
    return Counter(c.params["chat_id"] for c in telegram.api.calls_to("sendMessage") if c.status == 200)


def logged_questions(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "events.db") as db:
        return db.execute("SELECT count(*) FROM questions").fetchone()[0]


def stop_mid_burst(bot, telegram: FakeTelegram, updates: list[dict], *, signals: int = 1) -> int:
    """Push 60 updates, SIGTERM once some are answered, push the rest while it stops; return replies so far."""
    telegram.push(*updates[:60])
    telegram.api.wait_for_count("sendMessage", 10, timeout=20)
    bot.process.send_signal(signal.SIGTERM)
    # PTB's line once polling has stopped and the offset is confirmed: the updates in hand are
    # being answered now, the moment a second signal would do harm.
    bot.wait_until(lambda: "Application is stopping" in bot.log, what="the bot to start stopping")
    for _ in range(signals - 1):
        bot.process.send_signal(signal.SIGTERM)
        time.sleep(0.1)
    telegram.push(*updates[60:])  # the rest of the burst arrives while the bot stops and is down
    assert bot.process.wait(15) == 0
    return len(telegram.api.calls_to("sendMessage"))


def test_a_bot_stopped_during_a_burst_of_100_and_restarted_answers_each_question_exactly_once(
    start_bot, fake_telegram, tmp_path
):
    people = askers()
    data_dir = tmp_path / "data"
    first = start_bot(data_dir=str(data_dir))
    answered_by_first = stop_mid_burst(first, fake_telegram, burst(people))
    assert 10 <= answered_by_first < BURST, "the stop did not land mid-burst"
    assert "Got SIGTERM: answering the updates in hand" in first.log and "Stopped; event log closed." in first.log
    assert "while stopping" not in first.log  # one signal, as systemd and Docker send

    second = start_bot(data_dir=str(data_dir))
    fake_telegram.api.wait_for_count("sendMessage", BURST, timeout=30)
    # Stopping answers whatever the second bot had fetched, so a duplicate would show by now.
    assert second.stop() == 0

    assert replies_per_chat(fake_telegram) == {p["id"]: 1 for p in people}
    assert logged_questions(data_dir) == BURST
    # One log line per question across both runs, without the question's text.
    lines = [line for bot in (first, second) for line in bot.log.splitlines() if " question update=" in line]
    assert len(lines) == BURST
    assert not any(ANSWERED in line or REFUSED in line for line in lines)


def test_a_second_sigterm_while_stopping_does_not_abandon_the_updates_in_hand(start_bot, fake_telegram, tmp_path):
    people = askers()
    data_dir = tmp_path / "data"
    first = start_bot(data_dir=str(data_dir))
    stop_mid_burst(first, fake_telegram, burst(people), signals=2)
    assert "while stopping: still answering the updates in hand" in first.log

    second = start_bot(data_dir=str(data_dir))
    fake_telegram.api.wait_for_count("sendMessage", BURST, timeout=30)
    assert second.stop() == 0
    assert replies_per_chat(fake_telegram) == {p["id"]: 1 for p in people}


def test_updates_sent_while_the_bot_was_down_are_answered_unless_dropping_is_configured(start_bot, fake_telegram):
    people = askers(6)
    fake_telegram.push(*burst(people[:3]))  # sent before the bot ever started
    bot = start_bot()
    fake_telegram.api.wait_for_count("sendMessage", 3)
    assert bot.stop() == 0

    fake_telegram.push(*burst(people[3:]))
    dropping = start_bot(drop_pending_updates="true")
    [delete] = [c for c in fake_telegram.api.calls_to("deleteWebhook") if c.params.get("drop_pending_updates")]
    assert dropping.stop() == 0
    assert set(replies_per_chat(fake_telegram)) == {p["id"] for p in people[:3]}
