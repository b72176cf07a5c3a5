"""`groundbot run` as a real process, long-polling a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest

from tests.conftest import AMBIGUOUS, ANSWERED, REFUSED
from tests.telegram_fakes import (
    ALICE,
    BOB,
    BOT_USERNAME,
    TEAM_GROUP,
    TOKEN,
    bot_message,
    callback,
    chat_of,
    chosen_inline_result,
    group_message,
    inline_query,
    private_message,
)


def feedback_rows(data_dir) -> list[tuple]:
    with sqlite3.connect(data_dir / "events.db") as db:
        return db.execute("SELECT event_id, claim_id, value FROM feedback ORDER BY id").fetchall()


def inline_questions(data_dir, timeout: float = 10.0) -> list[tuple]:
    """The logged inline questions, once there is one (the bot sends Telegram nothing to wait for)."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(data_dir / "events.db") as db:
            rows = db.execute("SELECT question, status, claim_id FROM questions WHERE chat_type = 'inline'").fetchall()
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_the_bot_answers_asks_back_refuses_records_feedback_lists_inline_then_stops_cleanly(start_bot, fake_telegram):
    api = fake_telegram.api
    bot = start_bot()
    assert api.calls_to("getMe") and api.calls_to("deleteWebhook") and api.calls_to("setMyCommands")

    # A private question: the card, with feedback buttons.
    fake_telegram.push(private_message(ANSWERED))
    card = api.wait_for("sendMessage", lambda c: c.params["chat_id"] == ALICE["id"])
    assert card.text.startswith("<b>The army fires 50,000 shells per day.</b>\n— according to General Alpha")
    assert card.params["parse_mode"] == "HTML"

    # A group mention: answered in the group, quoting the question.
    mark = api.mark()
    fake_telegram.push(group_message(f"@{BOT_USERNAME} {ANSWERED}", sender=BOB))
    in_group = api.wait_for("sendMessage", after=mark)
    assert in_group.params["chat_id"] == TEAM_GROUP["id"]
    assert in_group.params["reply_parameters"]["message_id"]

    # A refusal.
    mark = api.mark()
    fake_telegram.push(private_message(REFUSED))
    refusal = api.wait_for("sendMessage", after=mark)
    assert "no sourced answer" in refusal.text and not refusal.buttons

    # A "Did you mean…" and a tap on its second option.
    mark = api.mark()
    fake_telegram.push(private_message(AMBIGUOUS))
    question = api.wait_for("sendMessage", after=mark)
    assert "Did you mean…" in question.text
    shown = bot_message(question.text, chat=chat_of(ALICE))
    mark = api.mark()
    fake_telegram.push(callback(question.callback_data[1], shown))
    api.wait_for("answerCallbackQuery", after=mark)
    edit = api.wait_for("editMessageText", after=mark)
    assert edit.params["message_id"] == shown["message_id"]
    assert "The defence budget will" in edit.text

    # A 👎 on the picked claim, and a 👍 on the first card.
    mark = api.mark()
    fake_telegram.push(callback(edit.callback_data[1], shown), callback(card.callback_data[0], shown))
    thanks = api.wait_for_count("answerCallbackQuery", 2, after=mark)
    assert all("Thanks" in c.params["text"] for c in thanks)

    # Inline mode: @bot words lists the matching claim.
    mark = api.mark()
    fake_telegram.push(inline_query(ANSWERED))
    listed = api.wait_for("answerInlineQuery", after=mark)
    assert [r["title"] for r in listed.params["results"]] == ["The army fires 50,000 shells per day."]
    # Posting it is logged (Telegram sends chosen results when inline feedback is on).
    assert "chosen_inline_result" in api.calls_to("getUpdates")[-1].params["allowed_updates"]
    fake_telegram.push(chosen_inline_result(listed.params["results"][0]["id"], ANSWERED))
    assert inline_questions(bot.data_dir) == [(ANSWERED, "answered", "army-daily-shells")]

    assert bot.stop(signal.SIGTERM) == 0
    assert "Stopped; event log closed." in bot.log
    values = sorted(v for _, _, v in feedback_rows(bot.data_dir))
    assert values == [-1, 1]
    assert TOKEN not in bot.log and TOKEN.split(":")[1] not in bot.log


def test_sigint_stops_the_bot_cleanly(start_bot):
    bot = start_bot()
    assert bot.stop(signal.SIGINT) == 0
    assert "Stopped; event log closed." in bot.log


def test_a_500_a_429_and_a_time_out_from_the_bot_api_do_not_stop_the_bot(start_bot, fake_telegram):
    api = fake_telegram.api
    bot = start_bot(request_timeout="1")

    api.fail("sendMessage", 500)
    fake_telegram.push(private_message(REFUSED))
    api.wait_for("sendMessage", lambda c: c.status == 200)  # tried again after a pause (issue 26)

    mark = api.mark()
    api.flood("sendMessage", retry_after=1)
    fake_telegram.push(private_message(ANSWERED))
    retried = api.wait_for("sendMessage", lambda c: c.status == 200, after=mark)
    assert [c.status for c in api.calls_to("sendMessage")] == [500, 200, 429, 200]
    assert retried.text.startswith("<b>The army fires")

    # Alice's reply hangs; Bob is answered meanwhile, and the bot carries on after the time-out.
    api.stall("sendMessage", 3)
    mark = api.mark()
    fake_telegram.push(private_message(ANSWERED))
    api.wait_for("sendMessage", after=mark)
    fake_telegram.push(private_message(ANSWERED, sender=BOB))
    api.wait_for("sendMessage", lambda c: c.params["chat_id"] == BOB["id"], after=mark, timeout=2.5)
    bot.wait_until(lambda: "TimedOut" in bot.log, timeout=10, what="the time-out to be logged")
    mark = api.mark()
    fake_telegram.push(private_message(ANSWERED))
    api.wait_for("sendMessage", after=mark)

    assert bot.stop() == 0
    assert TOKEN not in bot.log


def test_a_token_telegram_rejects_stops_start_up_with_one_clear_line(start_bot):
    bot = start_bot(ready=False, token="987654321:AAWrongTokenWrongTokenWrongToken123")
    bot.process.wait(15)
    assert bot.process.returncode == 2
    assert "GROUNDBOT_TOKEN: Telegram rejected the token." in bot.log
    assert "AAWrongToken" not in bot.log


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        ({"token": ""}, "GROUNDBOT_TOKEN: required but not set"),
        ({"port": "eighty"}, "GROUNDBOT_PORT: must be an integer"),
    ],
)
def test_a_missing_or_malformed_setting_stops_start_up_naming_the_variable(start_bot, settings, line):
    bot = start_bot(ready=False, **settings)
    bot.process.wait(15)
    assert bot.process.returncode == 2
    [only_line] = bot.log.strip().splitlines()
    assert only_line.startswith(f"groundbot: {line}")


def test_broken_knowledge_stops_start_up_listing_each_problem(start_bot, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("source:\n  id: x\n  outlet: X\nclaims:\n  - id: a\n    statement: S\n")
    bot = start_bot(ready=False, knowledge=str(broken))
    bot.process.wait(15)
    assert bot.process.returncode == 1
    assert "broken.yaml:5:5: missing required field 'claims[0].questions'" in bot.log
    assert bot.log.strip().splitlines()[-1] == "groundbot: the knowledge has problems; not starting."
