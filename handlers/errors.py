"""The error handler: log what went wrong, tell the user briefly, never show internals.

Bot API trouble (time-outs, 5xx, flood control) is logged as a warning and not retried
here: the request layer already retried it (bot/sending.py). Its update is noted in
``BotState.unsent``, so the shell leaves it unfinished and it is answered after a restart;
every other chat carries on. Bugs are logged with their traceback and the user gets a
short apology. Nothing from the exception reaches a chat: its text may hold a URL, and
URLs to the Bot API hold the token.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from handlers.state import Context

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side while answering. Please try again."


def _describe(update: object) -> str:
    if isinstance(update, Update):
        kind = next(
            (
                k
                for k in ("message", "callback_query", "inline_query", "edited_message")
                if getattr(update, k) is not None
            ),
            "update",
        )
        return f"update {update.update_id} ({kind})"
    return "a job" if update is None else type(update).__name__


def transient(error: BaseException | None) -> bool:
    """A failure that may pass (network, time-out, 5xx, flood control), not a refusal such as 400 or 403."""
    return isinstance(error, (NetworkError, RetryAfter)) and not isinstance(error, BadRequest)


async def on_error(update: object, context: Context) -> None:
    """Log the error; apologise in the chat when it was our bug and the chat can be reached."""
    error = context.error
    if transient(error) and isinstance(update, Update):
        context.bot_data.unsent.add(update.update_id)  # see the module docstring
    if isinstance(error, (NetworkError, RetryAfter, Forbidden)):
        # Telegram or the network failed us, or the user blocked the bot: nothing to say to anyone.
        logger.warning("Bot API trouble handling %s: %s: %s", _describe(update), type(error).__name__, error)
        return
    logger.error("Error handling %s", _describe(update), exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(SORRY)
        elif update.effective_message is not None and update.effective_chat is not None:
            await update.effective_message.reply_text(SORRY)
    except TelegramError as err:
        logger.warning("Could not apologise for %s: %s", _describe(update), type(err).__name__)
