"""Telegram in and out, thin: parse the update, call ``knowledge``, render.

``register(app)`` is the one ordered list of handlers. Order matters: within a group,
the first handler whose filter matches an update handles it and the rest never see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telegram import BotCommand
    from telegram.ext import Application

# The updates the bot asks Telegram for; anything else is never sent to it.
ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "chosen_inline_result"]


def commands() -> list[BotCommand]:
    """The command menu everyone sees (registered with setMyCommands at start-up)."""
    from telegram import BotCommand

    return [
        BotCommand("ask", "Ask a question (in groups: /ask your question)"),
        BotCommand("topics", "What I can answer, by source and tag"),
        BotCommand("sources", "The documents my claims come from"),
        BotCommand("claim", "Show one claim by its id"),
        BotCommand("help", "How to ask me"),
    ]


def register(app: Application) -> None:
    """Add every handler to ``app``, in the order they must be tried."""
    # Imported here so `groundbot ask` and the other offline commands load no Telegram code.
    from telegram.ext import (
        CallbackQueryHandler,
        ChosenInlineResultHandler,
        CommandHandler,
        InlineQueryHandler,
        MessageHandler,
        filters,
    )

    from handlers import access, activity, ask, basics, buttons, drafting, errors, inline, moderation
    from handlers.state import SETTINGS

    settings = app.bot_data.get(SETTINGS)
    # Every update, even one the allow-lists turn away, is activity for the health
    # endpoint's "last update" (group -2: before anything can stop it).
    app.add_handler(activity.handler(), group=-2)
    # Allow-lists before everything (group -1): outsiders get one polite line, or silence
    # in groups, and ApplicationHandlerStop keeps every other handler from seeing them.
    app.add_handler(access.gate(access.Access.from_settings(settings)), group=-1)
    text_message = filters.UpdateType.MESSAGE & filters.TEXT  # edits are not questions
    app.add_handlers([
        # Commands first, in private and groups alike (`/cmd@other_bot` is left to that bot).
        CommandHandler("start", basics.start),
        CommandHandler("help", basics.help_command),
        CommandHandler("topics", basics.topics),
        CommandHandler("sources", basics.sources),
        CommandHandler("claim", basics.claim),
        CommandHandler("ask", ask.ask_command),
        # Moderator commands (/reload, /unanswered, /stats), then "moderators only" for the
        # rest; before the unknown-command catch-all below.
        *moderation.handlers(settings),
        *drafting.handlers(settings),  # /draft, /publish and the article a moderator sends after /draft
        # Private chat: any other command is unknown, any text is a question, anything
        # else (stickers, photos…) gets a hint.
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND,
                       ask.unknown_command),
        MessageHandler(filters.ChatType.PRIVATE & text_message, ask.private_question),
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, ask.not_text),
        # Groups: a command named for this bot (/cmd@this_bot) that it does not have gets
        # the pointer to /help; a bare /cmd may be another bot's and is left alone.
        MessageHandler(filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & access.COMMAND_TO_THIS_BOT,
                       ask.unknown_command),
        # Groups: only a mention of the bot or a reply to it; other chatter is ignored.
        MessageHandler(filters.ChatType.GROUPS & text_message & ~filters.COMMAND & ask.ADDRESSED_TO_BOT,
                       ask.group_question),
        # Buttons: "Did you mean…" picks, 👍/👎, and anything else (old or garbled data).
        CallbackQueryHandler(buttons.pick, pattern=r"^pick:"),
        CallbackQueryHandler(buttons.feedback, pattern=r"^fb:"),
        CallbackQueryHandler(buttons.expired),
        # Inline mode: @bot words, in any chat; and a card posted from its results.
        InlineQueryHandler(inline.inline_query),
        ChosenInlineResultHandler(inline.chosen),
    ])
    app.add_error_handler(errors.on_error)
