"""Activity: when the bot last heard from Telegram, for the health endpoint's "last update"."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

LAST_UPDATE = "last_update"  # bot_data key: time.time() of the latest update received
UPDATES_SEEN = "updates_seen"  # bot_data key: updates received since start-up


async def seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Note the time of every update, whatever happens to it next."""
    context.bot_data[LAST_UPDATE] = time.time()
    context.bot_data[UPDATES_SEEN] = context.bot_data.get(UPDATES_SEEN, 0) + 1


def handler() -> TypeHandler:
    """A handler that sees every update and lets it through to the next group."""
    return TypeHandler(Update, seen)
