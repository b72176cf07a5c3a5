"""Activity: when the bot last heard from Telegram, for the health endpoint's "last update"."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import TypeHandler

from handlers.state import Context


async def seen(update: Update, context: Context) -> None:
    """Note the time of every update, whatever happens to it next."""
    context.bot_data.last_update = time.time()
    context.bot_data.updates_seen += 1


def handler() -> TypeHandler:
    """A handler that sees every update and lets it through to the next group."""
    return TypeHandler(Update, seen)
