"""Moderator commands: /reload, /unanswered [days] and /stats [days]; and telling moderators of reloads.

Only moderators (``GROUNDBOT_MODERATORS``) reach these callbacks; everyone else gets
``access.moderators_only`` (``bot/app.py`` registers both). The reports are built in
``knowledge.activity.reports`` and rendered to HTML in ``handlers.render``.

The reports quote what people asked, often in private: they are sent only in the
moderator's private chat. Asked for in a group, the group gets "I'll send that to you
privately" and the report goes to the moderator's private chat; if they never started
the bot (Telegram then refuses the message), the group is told so, with no question text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence

from telegram import Bot, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from handlers import render
from handlers.state import Context
from knowledge.activity.reports import stats_text, unanswered_text

logger = logging.getLogger(__name__)

COMMANDS = ("reload", "unanswered", "stats")
DEFAULT_DAYS = 7
USAGE = "Usage: /{command} [days], e.g. /{command} 30 (default {default}; 0 or all: all time)."
PRIVATELY = "I'll send that to you privately."
START_ME_FIRST = (
    "I can't message you privately until you start a chat with me: open a private chat "
    "with @{username}, press Start, then ask again."
)


async def reload(update: Update, context: Context) -> None:
    """/reload: re-read the knowledge and swap it in only if it all loads."""
    live = context.bot_data.live
    assert live is not None  # post_init loads it before any update
    outcome = await live.reload()
    for text in render.reload_messages(outcome):
        await update.effective_message.reply_text(text)


async def tell_moderators(bot: Bot, moderators: Iterable[int], texts: Sequence[str]) -> None:
    """Send ``texts`` to each moderator's private chat; one who never started the bot is skipped."""
    for user_id in moderators:
        for text in texts:
            try:
                await bot.send_message(user_id, text)
            except TelegramError as err:
                logger.warning("Could not tell moderator %s about a reload: %s", user_id, type(err).__name__)
                break


class BadPeriod(ValueError):
    """The days argument of /unanswered or /stats is not a number of days, 0 or "all"."""


def period_days(args: list[str] | None) -> int | None:
    """The period asked for: a number of days, or None for all time. Raises BadPeriod."""
    if not args:
        return DEFAULT_DAYS
    word = args[0].strip().lower()
    if word in ("all", "0"):
        return None
    # ASCII digits only: str.isdigit() also takes "²" and "①", which int() then rejects.
    if word.isascii() and word.isdigit() and 0 < int(word) <= 36500:
        return int(word)
    raise BadPeriod(word)


async def unanswered(update: Update, context: Context) -> None:
    """/unanswered [days]: refused and 👎 questions, grouped, most asked first, with the nearest claim."""
    try:
        days = period_days(context.args)
    except BadPeriod:
        await update.effective_message.reply_text(USAGE.format(command="unanswered", default=DEFAULT_DAYS))
        return
    # Grouping is CPU work over the whole period: keep it off the event loop.
    groups = await asyncio.to_thread(context.bot_data.events.unanswered, days)
    # Statements are looked up here, on the event loop, where a reload never closes the
    # store under a reader; the worker thread only formats.
    kb = context.bot_data.knowledge
    statements: dict[str, str] = {}
    for claim_id in {g.claim_id for g in groups if g.claim_id}:
        claim = kb.claim(claim_id)
        if claim is not None:
            statements[claim_id] = claim.statement
    text = await asyncio.to_thread(unanswered_text, groups, days, statements.get)
    await send_privately(update, context, render.report(text))


async def stats(update: Update, context: Context) -> None:
    """/stats [days]: questions, answered / ambiguous / refused shares, picks, top claims, feedback."""
    try:
        days = period_days(context.args)
    except BadPeriod:
        await update.effective_message.reply_text(USAGE.format(command="stats", default=DEFAULT_DAYS))
        return
    result = await asyncio.to_thread(context.bot_data.events.stats, days)
    await send_privately(update, context, render.report(stats_text(result, days)))


async def send_privately(update: Update, context: Context, text: str) -> None:
    """Reply with a report in a private chat; asked in a group, send it to the moderator's private chat instead."""
    message = update.effective_message
    if message.chat.type == ChatType.PRIVATE:
        await message.reply_text(text)
        return
    await message.reply_text(PRIVATELY, do_quote=True)
    try:
        await context.bot.send_message(update.effective_user.id, text)
    except (Forbidden, BadRequest) as err:  # never started the bot, or blocked it
        logger.info("Could not send a report privately: %s", type(err).__name__)
        await message.reply_text(START_ME_FIRST.format(username=context.bot.username), do_quote=True)
