"""One INFO line per question for the operator: outcome, claim id, score, latency; text only if allowed."""

from __future__ import annotations

import logging
import re

import pytest

from tests.conftest import AMBIGUOUS, ANSWERED, REFUSED
from tests.telegram_fakes import BOT_USERNAME, group_message, private_message, running_bot

LINE = re.compile(
    r"^question update=\d+ chat=(private|supergroup) outcome=(answered|ambiguous|refused) "
    r"claim=(\S+) score=\d+\.\d latency_ms=\d+\.\d( text=.*)?$"
)


def question_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "groundbot.questions"]


async def test_each_question_logs_one_info_line_without_its_text(recording_bot, caplog):
    caplog.set_level(logging.INFO)
    await recording_bot.send(private_message(ANSWERED))
    await recording_bot.send(private_message(REFUSED))
    await recording_bot.send(private_message(AMBIGUOUS))
    await recording_bot.send(group_message(f"@{BOT_USERNAME} {ANSWERED}"))
    await recording_bot.send(private_message("/help"))  # not a question: no line

    records = question_lines(caplog)
    assert [r.levelno for r in records] == [logging.INFO] * 4
    matches = [LINE.match(r.getMessage()) for r in records]
    assert all(matches), [r.getMessage() for r in records]
    assert [(m[1], m[2], m[3]) for m in matches] == [
        ("private", "answered", "army-daily-shells"),
        ("private", "refused", "-"),
        ("private", "ambiguous", "-"),
        ("supergroup", "answered", "army-daily-shells"),
    ]
    assert not any(m[4] for m in matches)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert ANSWERED not in logged and REFUSED not in logged and "defence budget" not in logged


async def test_with_log_questions_on_the_text_is_in_the_line_quoted_so_it_stays_one_line(bot_settings, caplog):
    caplog.set_level(logging.INFO)
    async with running_bot(bot_settings.model_copy(update={"log_questions": True})) as bot:
        await bot.send(private_message('What is the capital\nof "France"?'))
    [record] = question_lines(caplog)
    message = record.getMessage()
    assert "\n" not in message
    assert message.endswith(' text="What is the capital\\nof \\"France\\"?"')
    assert LINE.match(message)
