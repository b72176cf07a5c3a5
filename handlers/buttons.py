"""Inline buttons: "Did you mean…" picks and 👍/👎 feedback.

Callback data never carries a claim id (ids run to 100 characters, callback data to 64
bytes). It names the logged question and an index into that question's candidates:

    pick:<event id>:<n>          answer candidate n of question <event id> in place
    fb:<event id>:<n>:<+|->      👍 or 👎 on candidate n shown for question <event id>

The claim is looked up afresh on every tap, so a button from before a /reload still
works, or says plainly that its claim is gone. Anything unparseable "has expired".
"""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from handlers import render
from handlers.state import Context
from knowledge import Answer

logger = logging.getLogger(__name__)

PICK = re.compile(r"pick:(\d{1,18}):(\d{1,2})", re.ASCII)
FEEDBACK = re.compile(r"fb:(\d{1,18}):(\d{1,2}):([+-])", re.ASCII)
EXPIRED = "That button has expired. Ask your question again."


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


def _candidate_id(context: Context, event_id: str, n: str) -> str | None:
    """The claim id behind (event, index), or None if the event or index is unknown."""
    event = context.bot_data.events.question_event(int(event_id))
    if event is None or int(n) >= len(event.candidate_ids):
        return None
    return event.candidate_ids[int(n)]


async def pick(update: Update, context: Context) -> None:
    """A "Did you mean…" tap: replace the question with the card of the claim picked."""
    query = update.callback_query
    found = PICK.fullmatch(query.data or "")
    claim_id = _candidate_id(context, *found.groups()) if found else None
    if claim_id is None:
        await query.answer(EXPIRED)
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
    """A 👍/👎 tap: record it against the question and the claim shown."""
    query = update.callback_query
    found = FEEDBACK.fullmatch(query.data or "")
    claim_id = _candidate_id(context, *found.groups()[:2]) if found else None
    if claim_id is None:
        await query.answer(EXPIRED)
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
