"""Forged buttons: feedback and "Did you mean…" presses count only from the person who asked.

Event ids count from 1, so anyone can type ``fb:<id>:0:-`` or ``pick:<id>:1``: such a press
from anyone but the asker gets "That button is not yours" and writes nothing; garbage gets
"expired". Through the real Application and the recording Bot API.
"""

from __future__ import annotations

import pytest

from handlers.buttons import EXPIRED, NOT_YOURS
from tests.conftest import AMBIGUOUS, ANSWERED, REFUSED
from tests.telegram_fakes import (
    ALICE,
    BOB,
    TEAM_GROUP,
    bot_message,
    callback,
    chat_of,
    group_message,
    private_message,
    running_bot,
)

MALLORY = {"id": 6660666, "is_bot": False, "first_name": "Mallory"}


def toast(calls) -> str | None:
    """The text of the one answerCallbackQuery among ``calls``."""
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    return answer.params.get("text")


def written(bot) -> tuple[int, int]:
    """How many feedback and pick rows the log holds."""
    return bot.events.db["feedback"].count, bot.events.db["picks"].count


@pytest.fixture
def moderated(bot_settings):
    return bot_settings.model_copy(update={"moderators": frozenset({ALICE["id"]})})


async def test_feedback_forged_by_another_user_on_someone_elses_question_is_refused_and_writes_nothing(
    recording_bot,
):
    card = await recording_bot.reply_to(private_message(ANSWERED, BOB))
    event_id = int(card.callback_data[0].split(":")[1])
    # Mallory never saw Bob's private chat; she types the data of its 👎 with the id guessed.
    for data in (f"fb:{event_id}:0:-", f"fb:{event_id}:0:+", f"fb:{event_id}:1:-"):
        calls = await recording_bot.send(callback(data, sender=MALLORY))
        assert toast(calls) == NOT_YOURS
        assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert written(recording_bot) == (0, 0)


async def test_a_private_question_never_reaches_unanswered_through_a_forged_thumbs_down(moderated):
    async with running_bot(moderated) as bot:
        card = await bot.reply_to(private_message(ANSWERED, BOB))
        event_id = int(card.callback_data[0].split(":")[1])
        await bot.send(callback(f"fb:{event_id}:0:-", sender=MALLORY))
        report = await bot.reply_to(private_message("/unanswered"))
        assert ANSWERED not in report.text


async def test_a_did_you_mean_pick_pressed_by_another_group_member_is_refused_and_edits_nothing(recording_bot):
    asked = await recording_bot.reply_to(group_message(f"/ask {AMBIGUOUS}", ALICE))
    shown = bot_message(asked.text, chat=TEAM_GROUP)
    shown["reply_markup"] = asked.params["reply_markup"]
    calls = await recording_bot.send(callback(asked.callback_data[0], shown, sender=BOB))
    assert toast(calls) == NOT_YOURS
    assert "editMessageText" not in [c.method for c in calls]
    assert written(recording_bot) == (0, 0)

    # The asker's own press still works, once.
    calls = await recording_bot.send(callback(asked.callback_data[0], shown, sender=ALICE))
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    assert written(recording_bot) == (0, 1)


async def test_replayed_button_data_counts_once_for_the_asker_and_never_for_anyone_else(recording_bot):
    card = await recording_bot.reply_to(private_message(ANSWERED, ALICE))
    shown = bot_message(card.text, chat=chat_of(ALICE))
    thumbs_down = card.callback_data[1]
    for _ in range(5):  # the asker's press replayed: one vote, changed rather than added
        assert "Thanks" in toast(await recording_bot.send(callback(thumbs_down, shown, sender=ALICE)))
    for sender in (BOB, MALLORY):
        assert toast(await recording_bot.send(callback(thumbs_down, shown, sender=sender))) == NOT_YOURS
    assert written(recording_bot) == (1, 0)

    # Alice's own other question's id in her old button data is still hers; Bob's is not.
    bobs = await recording_bot.reply_to(private_message(REFUSED, BOB))
    assert bobs.callback_data == []  # a refusal has no buttons, but its event id can be guessed
    bobs_id = recording_bot.events.db.execute("SELECT max(id) FROM questions").fetchone()[0]
    assert toast(await recording_bot.send(callback(f"fb:{bobs_id}:0:-", shown, sender=ALICE))) == NOT_YOURS
    assert written(recording_bot) == (1, 0)


@pytest.mark.parametrize(
    "data",
    ["fb:999999:0:-", "pick:999999:0", "fb:1:0:x", "fb:-1:0:-", "pick:1", "fb:" + "9" * 40 + ":0:-", "\x00\xff", ""],
)
async def test_garbage_or_unknown_button_data_expires_and_writes_nothing(recording_bot, data):
    await recording_bot.reply_to(private_message(ANSWERED, ALICE))  # event 1 exists
    assert toast(await recording_bot.send(callback(data, sender=MALLORY))) == EXPIRED
    assert written(recording_bot) == (0, 0)


async def test_a_button_index_past_the_candidates_expires_even_for_the_asker(recording_bot):
    card = await recording_bot.reply_to(private_message(ANSWERED, ALICE))
    event_id = int(card.callback_data[0].split(":")[1])
    assert toast(await recording_bot.send(callback(f"fb:{event_id}:99:-", sender=ALICE))) == EXPIRED
    assert written(recording_bot) == (0, 0)
