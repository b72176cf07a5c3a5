"""Webhook mode, issue 26: a body that is not an update gets 400 (never a 5xx), any header value is survived,
and 200 is never said before the update is kept in the spool."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from tests.conftest import ANSWERED
from tests.e2e.test_webhook import SECRET, post
from tests.reliability.test_webhook_limits import raw_post, webhook  # noqa: F401 (the fixture)
from tests.telegram_fakes import private_message


def hook(port: int) -> str:
    return f"http://127.0.0.1:{port}/telegram/hook"


def still_answers(port: int, fake_telegram) -> None:
    update = private_message(ANSWERED)
    assert post(hook(port), update, SECRET) == 200
    fake_telegram.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == update["message"]["chat"]["id"])


def with_from(value: object) -> dict:
    data = private_message(ANSWERED)
    data["message"]["from"] = value
    return data


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(dict(private_message(ANSWERED), message="a string"), id="message-a-string"),
        pytest.param(with_from("mallory"), id="from-a-string"),
        pytest.param({"update_id": 5, "message": {"message_id": "x"}}, id="message-missing-fields"),
        pytest.param({"update_id": "5"}, id="update_id-a-string"),
        pytest.param([1, 2], id="a-list"),
    ],
)
def test_a_body_that_is_not_an_update_gets_400_and_the_bot_carries_on(webhook, fake_telegram, body):  # noqa: F811
    bot, port = webhook
    assert post(hook(port), body, SECRET) == 400
    assert "Traceback" not in bot.log and "mallory" not in bot.log
    still_answers(port, fake_telegram)


def test_a_body_that_is_not_json_gets_400(webhook, fake_telegram):  # noqa: F811
    _, port = webhook
    body = b"\xff{not json"
    status, _ = raw_post(
        port,
        {
            "X-Telegram-Bot-Api-Secret-Token": SECRET,
            "Content-Length": str(len(body)),
            "Content-Type": "application/json",
        },
        body,
    )
    assert status == 400
    still_answers(port, fake_telegram)


@pytest.mark.parametrize("length", ["²", "-1", "1e3", "12abc", "٣"])
def test_any_content_length_is_survived_with_a_4xx(webhook, fake_telegram, length):  # noqa: F811
    bot, port = webhook
    status, _ = raw_post(
        port, {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Length": length, "Content-Type": "application/json"}
    )
    assert 400 <= status < 500
    assert "Traceback" not in bot.log
    still_answers(port, fake_telegram)


def test_a_poison_body_is_counted_as_dropped(webhook, fake_telegram):  # noqa: F811
    bot, port = webhook
    bad = with_from("mallory")
    assert post(hook(port), bad, SECRET) == 400
    assert f"Dropped update {bad['update_id']} unanswered" in bot.log
    with sqlite3.connect(bot.data_dir / "events.db") as db:
        assert db.execute("SELECT reason FROM dropped_updates").fetchall() == [("unreadable",)]


def test_200_comes_only_once_the_update_is_in_the_spool(webhook, fake_telegram):  # noqa: F811
    bot, port = webhook
    fake_telegram.api.stall("sendMessage", 2)  # the answer is still on its way when 200 is said
    update = private_message(ANSWERED)
    assert post(hook(port), update, SECRET) == 200
    with sqlite3.connect(bot.data_dir / "events.db") as db:
        kept = db.execute("SELECT body FROM pending_updates WHERE update_id = ?", [update["update_id"]]).fetchone()
    assert kept is not None and json.loads(kept[0]) == update


def test_while_the_spool_cannot_keep_it_200_waits_for_the_answer(webhook, fake_telegram):  # noqa: F811
    bot, port = webhook
    # Another connection holds the write lock: keeping fails after GROUNDBOT_EVENTS_TIMEOUT.
    locker = sqlite3.connect(bot.data_dir / "events.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        update = private_message(ANSWERED)
        assert post(hook(port), update, SECRET) == 200
        answered_by = time.monotonic()
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    reply = fake_telegram.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == update["message"]["chat"]["id"])
    assert reply.at < answered_by  # answered before Telegram was told it arrived
