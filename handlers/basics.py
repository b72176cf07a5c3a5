"""/start, /help, /topics, /sources and /claim ID: what the bot is and what it knows."""

from __future__ import annotations

from telegram import Update

from handlers import render
from handlers.state import Context


async def start(update: Update, context: Context) -> None:
    """/start (also from inline mode's buttons: /start topics, /start help)."""
    if context.args and context.args[0] == "topics":
        await update.effective_message.reply_text(render.command_reply(context.bot_data.knowledge, "topics"))
        return
    await update.effective_message.reply_text(render.welcome(context.bot.username))


async def help_command(update: Update, context: Context) -> None:
    """/help: every way to ask, and the commands."""
    await update.effective_message.reply_text(render.welcome(context.bot.username))


async def topics(update: Update, context: Context) -> None:
    """/topics: what the store covers, by source and by tag; /topics TAG: that tag's claims."""
    tag = " ".join(context.args or [])
    await update.effective_message.reply_text(render.command_reply(context.bot_data.knowledge, "topics", tag))


async def sources(update: Update, context: Context) -> None:
    """/sources: the documents the claims come from."""
    await update.effective_message.reply_text(render.command_reply(context.bot_data.knowledge, "sources"))


async def claim(update: Update, context: Context) -> None:
    """/claim ID: one claim's card, by id."""
    claim_id = context.args[0] if context.args else ""
    await update.effective_message.reply_text(render.command_reply(context.bot_data.knowledge, "claim", claim_id))
