"""Did-you-mean picks and 👍/👎 feedback: callback queries through the real Application."""

from __future__ import annotations

import pytest

from handlers import render
from tests.conftest import AMBIGUOUS, ANSWERED
from tests.telegram_fakes import ALICE, bot_message, callback, chat_of, private_message, running_bot


async def did_you_mean(bot) -> tuple[dict, list[str]]:
    """Ask the ambiguous question; return the bot's message (as Telegram stored it) and its button data."""
    reply = await bot.reply_to(private_message(AMBIGUOUS))
    sent = bot_message(reply.text, chat=chat_of(ALICE))
    sent["reply_markup"] = reply.params["reply_markup"]
    return sent, reply.callback_data


@pytest.fixture
async def moderated_bot(bot_settings, bot_api):
    """The bot with Alice as a moderator, so she can /reload."""
    settings = bot_settings.model_copy(update={"moderators": frozenset({ALICE["id"]})})
    async with running_bot(settings, bot_api) as bot:
        yield bot


async def reload(bot) -> None:
    """A moderator's /reload, through the real command."""
    reply = await bot.reply_to(private_message("/reload"))
    assert reply.text.startswith("✅ Reloaded"), reply.text


async def test_tapping_a_did_you_mean_option_answers_that_claim_in_place(recording_bot):
    sent, data = await did_you_mean(recording_bot)
    chosen = recording_bot.events.question_event(int(data[1].split(":")[1])).candidate_ids[1]

    calls = await recording_bot.send(callback(data[1], sent))

    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    edit = calls[1]
    assert edit.params["message_id"] == sent["message_id"]
    assert edit.params["chat_id"] == ALICE["id"]
    assert edit.params["parse_mode"] == "HTML"
    claim = recording_bot.knowledge.claim(chosen)
    assert edit.text.startswith(f"<b>{claim.statement}</b>\n— {render.attribution(claim)}")
    event_id = data[1].split(":")[1]
    assert edit.callback_data == [f"fb:{event_id}:1:+", f"fb:{event_id}:1:-"]


async def test_a_did_you_mean_tap_is_logged_as_a_pick_of_that_claim(recording_bot):
    sent, data = await did_you_mean(recording_bot)
    event_id = int(data[-1].split(":")[1])
    chosen = recording_bot.events.question_event(event_id).candidate_ids[len(data) - 1]

    await recording_bot.send(callback(data[-1], sent))
    await recording_bot.send(callback(data[-1], sent))  # a double tap is one pick

    rows = list(recording_bot.events.db["picks"].rows)
    assert [(r["event_id"], r["claim_id"]) for r in rows] == [(event_id, chosen)]


async def test_a_double_tap_on_an_option_is_harmless(recording_bot, bot_api):
    sent, data = await did_you_mean(recording_bot)
    await recording_bot.send(callback(data[0], sent))
    bot_api.fail(
        "editMessageText",
        400,
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same",
    )
    calls = await recording_bot.send(callback(data[0], sent))
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    assert [c.method for c in calls if c.method == "sendMessage"] == []  # no apology: nothing went wrong


async def test_a_feedback_tap_is_recorded_with_the_question_and_the_claim(recording_bot):
    reply = await recording_bot.reply_to(private_message(ANSWERED))
    sent = bot_message(reply.text, chat=chat_of(ALICE))

    calls = await recording_bot.send(callback(reply.callback_data[0], sent))

    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert "Thanks" in calls[0].params["text"]
    rows = list(recording_bot.events.db["feedback"].rows)
    assert [(r["event_id"], r["claim_id"], r["value"]) for r in rows] == [(1, "army-daily-shells", 1)]


async def test_a_thumbs_down_on_a_picked_claim_is_recorded_against_that_claim(recording_bot):
    sent, data = await did_you_mean(recording_bot)
    edit = (await recording_bot.send(callback(data[1], sent)))[1]
    picked = recording_bot.events.question_event(1).candidate_ids[1]

    await recording_bot.send(callback(edit.callback_data[1], sent))

    rows = list(recording_bot.events.db["feedback"].rows)
    assert [(r["event_id"], r["claim_id"], r["value"]) for r in rows] == [(1, picked, -1)]


async def test_a_button_from_before_a_reload_still_answers_its_claim(moderated_bot, seed_kb):
    sent, data = await did_you_mean(moderated_bot)
    (seed_kb / "more.yaml").write_text(
        "source: {id: more, outlet: Other}\n"
        "claims:\n  - {id: new-claim, statement: New., attributed_to: X, questions: [Is this new?]}\n"
    )
    await reload(moderated_bot)
    assert moderated_bot.knowledge.claim("new-claim")

    calls = await moderated_bot.send(callback(data[0], sent))

    assert calls[-1].method == "editMessageText"
    assert "The defence budget will" in calls[-1].text


async def test_a_button_whose_claim_a_reload_removed_says_plainly_the_claim_is_gone(moderated_bot, seed_kb):
    sent, data = await did_you_mean(moderated_bot)
    gone = moderated_bot.events.question_event(1).candidate_ids[0]
    text = (seed_kb / "team.yaml").read_text()
    (seed_kb / "team.yaml").write_text(text.replace(f"id: {gone}", "id: renamed-claim"))
    await reload(moderated_bot)

    calls = await moderated_bot.send(callback(data[0], sent))

    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == f"That claim ({gone}) is no longer in the knowledge base."
    assert calls[0].params["show_alert"] is True


@pytest.mark.parametrize(
    "data",
    [
        "",
        "pick:",
        "pick:abc:0",
        "pick:999:0",
        "pick:1:7",
        "pick:1:0:extra",
        "fb:999:0:+",
        "fb:1:0:?",
        "fb:1:9:-",
        "x" * 64,
        "pick:-1:0",
        "pick:1:0\n",
        "a:b:c:d:e",
        "👍",
    ],
)
async def test_unknown_garbled_or_old_button_data_expires_politely(recording_bot, data):
    sent, _ = await did_you_mean(recording_bot)

    calls = await recording_bot.send(callback(data, sent))

    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == "That button has expired. Ask your question again."
    assert list(recording_bot.events.db["feedback"].rows) == []


async def test_button_data_never_carries_a_claim_id_and_fits_telegrams_64_bytes(recording_bot):
    _, picks = await did_you_mean(recording_bot)
    answered = await recording_bot.reply_to(private_message(ANSWERED))
    for data in [*picks, *answered.callback_data]:
        assert len(data.encode()) <= 64
        assert not any(c.id in data for c in recording_bot.knowledge.claims())
