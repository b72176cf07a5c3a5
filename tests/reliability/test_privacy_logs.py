"""No log level logs question text or names unless GROUNDBOT_LOG_QUESTIONS is on: a real `groundbot run` at DEBUG."""

from __future__ import annotations

import logging

from bot.logs import PrivacyFilter
from tests.telegram_fakes import TEAM_GROUP, group_message, private_message

SECRET = "What did Quorblewick say about the Zyxwvut budget?"
ASKER = {"id": 4242, "is_bot": False, "first_name": "Philomena", "last_name": "Grisewold", "username": "phgrise"}


def ask_twice_at_debug(start_bot, fake_telegram, **settings: str) -> str:
    """Run the bot at DEBUG, ask SECRET in private and in a group, stop it; its whole log."""
    api = fake_telegram.api
    bot = start_bot(log_level="DEBUG", **settings)
    mark = api.mark()
    fake_telegram.push(private_message(SECRET, sender=ASKER))
    fake_telegram.push(group_message(f"/ask {SECRET}", sender=ASKER, chat=TEAM_GROUP))
    api.wait_for_count("sendMessage", 2, after=mark, timeout=15)
    bot.stop()
    return bot.log


def test_at_debug_the_log_has_no_question_text_and_no_names(start_bot, fake_telegram):
    log = ask_twice_at_debug(start_bot, fake_telegram)
    assert "DEBUG telegram" in log  # the level really was DEBUG: the library's own lines are there
    assert "Calling Bot API endpoint" in log
    for personal in ("Quorblewick", "Zyxwvut", "Philomena", "Grisewold", "phgrise"):
        assert personal not in log


def test_with_log_questions_on_debug_logs_do_carry_them(start_bot, fake_telegram):
    # The same run with the setting on: shows the test above would see a leak.
    log = ask_twice_at_debug(start_bot, fake_telegram, log_questions="true")
    assert "Quorblewick" in log and "Philomena" in log


def test_the_filter_keeps_a_library_lines_wording_and_drops_its_arguments():
    record = logging.LogRecord(
        "telegram.ext.ExtBot",
        logging.DEBUG,
        __file__,
        1,
        "Calling Bot API endpoint `%s` with parameters `%s`",
        ("sendMessage", {"text": SECRET}),
        None,
    )
    assert PrivacyFilter().filter(record)
    assert record.getMessage() == "Calling Bot API endpoint `[redacted]` with parameters `[redacted]`"


def test_the_filter_leaves_groundbot_lines_and_library_warnings_alone():
    ours = logging.LogRecord("groundbot.questions", logging.DEBUG, __file__, 1, "question %s", ("x",), None)
    warning = logging.LogRecord("telegram.ext.Updater", logging.WARNING, __file__, 1, "Error: %s", ("timeout",), None)
    assert PrivacyFilter().filter(ours) and PrivacyFilter().filter(warning)
    assert ours.getMessage() == "question x" and warning.getMessage() == "Error: timeout"
