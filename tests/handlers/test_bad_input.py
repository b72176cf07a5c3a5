"""Bad input and a misbehaving Bot API: a clear reply or silence, never a crash, and the next question answered."""

from __future__ import annotations

import logging
import time

import pytest

from tests.conftest import ANSWERED, REFUSED
from tests.telegram_fakes import (
    BOB,
    TEAM_GROUP,
    TOKEN,
    edited_message,
    message,
    photo_message,
    private_message,
    sticker_message,
    update,
)


async def assert_still_answers(bot) -> None:
    reply = await bot.reply_to(private_message(ANSWERED, sender=BOB))
    assert reply.text.startswith("<b>The army fires 50,000 shells per day.</b>")


async def test_a_4096_character_question_gets_an_answer_within_the_limit(recording_bot):
    question = (ANSWERED + " ") * (4096 // (len(ANSWERED) + 1))
    question += "x" * (4096 - len(question))
    started = time.perf_counter()
    reply = await recording_bot.reply_to(private_message(question))
    assert time.perf_counter() - started < 2
    assert len(reply.text) < 4096
    assert recording_bot.events.question_event(1).question == question[:1000]  # the log keeps 1,000 characters


@pytest.mark.parametrize(
    "question",
    [
        "<script>alert('x')</script>",
        "Tom & Jerry <b>bold</b> &amp;",
        "<script>How many shells does the army fire per day?</script> & more",
    ],
)
async def test_markup_in_a_question_never_reaches_the_reply_unescaped(recording_bot, question):
    reply = await recording_bot.reply_to(private_message(question))
    assert "<script>" not in reply.text and "&amp;amp;" not in reply.text
    assert recording_bot.events.question_event(1).question == question[:1000]  # the log keeps 1,000 characters


async def test_a_sticker_or_photo_in_private_gets_a_hint(recording_bot):
    for sent in (sticker_message(), photo_message(caption="How many shells?")):
        reply = await recording_bot.reply_to(sent)
        assert "only answer questions written as text" in reply.text
    assert list(recording_bot.events.db["questions"].rows) == []


async def test_a_sticker_in_a_group_is_ignored(recording_bot):
    assert await recording_bot.send(sticker_message(chat=TEAM_GROUP)) == []


async def test_an_edited_message_is_not_answered_again(recording_bot):
    assert await recording_bot.send(edited_message(ANSWERED)) == []
    assert list(recording_bot.events.db["questions"].rows) == []


async def test_a_message_with_neither_text_nor_sender_does_not_break_anything(recording_bot):
    bare = message(None)
    del bare["from"]
    bare["new_chat_title"] = "Renamed"
    await recording_bot.send(update(message=dict(bare, chat=TEAM_GROUP)))
    await assert_still_answers(recording_bot)


async def test_flood_control_429_is_waited_out_and_the_answer_still_delivered(recording_bot, bot_api):
    bot_api.flood("sendMessage", retry_after=1)
    started = time.perf_counter()
    calls = await recording_bot.send(private_message(ANSWERED))
    assert [(c.method, c.status) for c in calls] == [("sendMessage", 429), ("sendMessage", 200)]
    assert time.perf_counter() - started >= 1
    assert calls[1].text.startswith("<b>The army fires")


async def test_a_500_from_the_bot_api_is_logged_and_the_next_question_answered(recording_bot, bot_api, caplog):
    bot_api.fail("sendMessage", 500, "Internal Server Error", times=4)  # every attempt (GROUNDBOT_SEND_ATTEMPTS)
    with caplog.at_level(logging.WARNING):
        calls = await recording_bot.send(private_message(REFUSED))
    assert [(c.method, c.status) for c in calls] == [("sendMessage", 500)] * 4
    assert "Bot API trouble" in caplog.text
    await assert_still_answers(recording_bot)
    # The question was logged before the reply failed: nothing is lost.
    assert recording_bot.events.question_event(1).question == REFUSED


async def test_a_bot_api_time_out_is_logged_and_the_next_question_answered(recording_bot, bot_api, caplog):
    bot_api.stall("sendMessage", 30)
    with caplog.at_level(logging.WARNING):
        await recording_bot.send(private_message(ANSWERED))
    assert "TimedOut" in caplog.text
    await assert_still_answers(recording_bot)


async def test_a_failure_of_our_own_gets_an_apology_and_a_logged_traceback_without_the_token(recording_bot, caplog):
    recording_bot.knowledge.close()  # a store that can no longer be read: every answer raises
    with caplog.at_level(logging.ERROR):
        reply = await recording_bot.reply_to(private_message(ANSWERED))
    assert reply.text == "Sorry, something went wrong on my side while answering. Please try again."
    assert "Traceback" in caplog.text or caplog.records[-1].exc_info
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in reply.text


async def test_a_failing_button_gets_an_apology_in_the_callback_answer(recording_bot, bot_api):
    from tests.telegram_fakes import callback

    recording_bot.events.close()  # the event log is gone: the tap cannot be looked up
    calls = await recording_bot.send(callback("pick:1:0"))
    assert calls[-1].method == "answerCallbackQuery"
    assert "something went wrong" in calls[-1].params["text"]


def test_any_text_in_private_gets_exactly_one_well_formed_reply(bot_settings):
    import asyncio

    from hypothesis import HealthCheck, assume, given, settings
    from hypothesis import strategies as st

    from handlers.render import LIMIT, units
    from tests.handlers.test_render import well_formed
    from tests.telegram_fakes import running_bot

    loop = asyncio.new_event_loop()
    started = running_bot(bot_settings)
    bot = loop.run_until_complete(started.__aenter__())
    try:

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=4096)
            | st.sampled_from(["/", "/ask", "/claim", "/claim <b>", "@", "&amp;", "\u202e", "🏳️‍🌈" * 500])
        )
        def check(text: str) -> None:
            assume(text.strip() and units(text) <= 4096)  # Telegram delivers nothing else
            reply = loop.run_until_complete(bot.reply_to(private_message(text)))
            assert reply.params["parse_mode"] == "HTML"
            assert units(reply.text) <= LIMIT
            well_formed(reply.text)

        check()
    finally:
        loop.run_until_complete(started.__aexit__(None, None, None))
        loop.close()
