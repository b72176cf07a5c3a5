"""Inline buttons: "Did you mean…" picks and 👍/👎 feedback.

Callback data never carries a claim id (ids run to 100 characters, callback data to 64
bytes). It names the logged question and an index into that question's candidates:

    pick:<event id>:<n>          answer candidate n of question <event id> in place
    fb:<event id>:<n>:<+|->      👍 or 👎 on candidate n shown for question <event id>

The claim is looked up afresh on every tap, so a button from before a /reload still
works, or says plainly that its claim is gone. Anything unparseable "has expired".

Event ids count from 1, so anyone could type the data of someone else's button: a tap
counts only from the person who asked (their id, hashed as the log stores it, is compared
with the asker's). Anyone else gets "That button is not yours" and nothing is written.
"""

from __future__ import annotations

import logging
import re

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from handlers import render
from handlers.state import Context
from knowledge import Answer

logger = logging.getLogger(__name__)

PICK = re.compile(r"pick:(\d{1,18}):(\d{1,2})", re.ASCII)
FEEDBACK = re.compile(r"fb:(\d{1,18}):(\d{1,2}):([+-])", re.ASCII)
EXPIRED = "That button has expired. Ask your question again."
NOT_YOURS = "That button is not yours: only the person who asked can use it."


def feedback_keyboard(event_id: int, n: int) -> InlineKeyboardMarkup:
    """👍/👎 under the answer to question ``event_id`` showing its candidate ``n``."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("👍", callback_data=f"fb:{event_id}:{n}:+"),
                InlineKeyboardButton("👎", callback_data=f"fb:{event_id}:{n}:-"),
            ]
        ]
    )


def options_keyboard(event_id: int, answer: Answer) -> InlineKeyboardMarkup:
    """One button per "Did you mean…" option, in the order the message numbers them."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(render.option_label(n + 1, option.claim), callback_data=f"pick:{event_id}:{n}")]
            for n, option in enumerate(answer.options)
        ]
    )


async def _candidate_id(query: CallbackQuery, context: Context, event_id: str, n: str) -> str | None:
    """The claim id behind (event, index) if the presser asked that question; else answers the tap and returns None."""
    events = context.bot_data.events
    event = events.question_event(int(event_id))
    if event is None:
        await query.answer(EXPIRED)
        return None
    if not events.asked_by(event, query.from_user.id):
        await query.answer(NOT_YOURS)
        return None
    claim_id = event.candidate(int(n))
    if claim_id is None:
        await query.answer(EXPIRED)
    return claim_id


async def pick(update: Update, context: Context) -> None:
    """A "Did you mean…" tap by the asker: replace the question with the card of the claim picked."""
    query = update.callback_query
    assert query is not None  # registered for callback queries only
    found = PICK.fullmatch(query.data or "")
    if not found:
        await query.answer(EXPIRED)
        return
    claim_id = await _candidate_id(query, context, *found.groups())
    if claim_id is None:
        return
    claim = context.bot_data.knowledge.claim(claim_id)
    if claim is None:
        await query.answer(render.gone(claim_id), show_alert=True)
        return
    event_id, n = found.groups()
    context.bot_data.events.pick(int(event_id), claim_id=claim_id, user_id=query.from_user.id)
    await query.answer()
    try:
        await query.edit_message_text(render.card(claim), reply_markup=feedback_keyboard(int(event_id), int(n)))
    except BadRequest as err:
        # A double tap edits twice; the second finds the card already there.
        if "not modified" not in err.message.lower():
            raise


async def feedback(update: Update, context: Context) -> None:
    """A 👍/👎 tap by the asker: record it against the question and the claim shown."""
    query = update.callback_query
    assert query is not None  # registered for callback queries only
    found = FEEDBACK.fullmatch(query.data or "")
    if not found:
        await query.answer(EXPIRED)
        return
    claim_id = await _candidate_id(query, context, *found.groups()[:2])
    if claim_id is None:
        return
    event_id, _n, sign = found.groups()
    context.bot_data.events.feedback(
        int(event_id), claim_id=claim_id, value=1 if sign == "+" else -1, user_id=query.from_user.id
    )
    await query.answer(
        "Thanks! Noted for the moderators." if sign == "+" else "Thanks. The moderators will look at this answer."
    )


async def expired(update: Update, context: Context) -> None:
    """Any other button data: old, garbled or not ours."""
    await update.callback_query.answer(EXPIRED)
