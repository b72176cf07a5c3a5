"""Questions in chats: any text in private, and in groups /ask, a mention, or a reply to the bot."""

from __future__ import annotations

import json
import logging
import time

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import filters

from handlers import render
from handlers.buttons import feedback_keyboard, options_keyboard
from handlers.state import Context
from knowledge import Answer

# One INFO line per question, for operators: `grep groundbot.questions` is the traffic.
question_log = logging.getLogger("groundbot.questions")


class AddressedToBot(filters.MessageFilter):
    """A group message that mentions this bot or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        return bool(_mentions(message))


def _mentions(message: Message) -> list[str]:
    """The exact substrings of ``message.text`` that mention this bot."""
    bot = message.get_bot()
    name = f"@{bot.username}".casefold() if bot.username else None
    found = []
    for entity, text in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.MENTION and name and text.casefold() == name:
            found.append(text)
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            found.append(text)
    return found


ADDRESSED_TO_BOT = AddressedToBot(name="AddressedToBot")


async def answer(update: Update, context: Context, question: str) -> None:
    """Match ``question``, log it, and reply with a card, a "Did you mean…", or a refusal."""
    message = update.effective_message
    assert message is not None  # every caller is a message handler
    started = time.perf_counter()
    result = await context.bot_data.answer(question)
    latency_ms = (time.perf_counter() - started) * 1000
    event_id = record_question(
        update, context, result, latency_ms, chat_type=message.chat.type, chat_id=message.chat.id
    )
    # In a busy group the answer quotes its question; in private the context is obvious.
    quote = message.chat.type != ChatType.PRIVATE
    if result.status == "answered" and result.claim is not None:
        n = next((i for i, c in enumerate(result.candidates) if c.claim.id == result.claim.id), None)
        # No event id (the event log failed): the answer goes out without buttons.
        markup = feedback_keyboard(event_id, n) if n is not None and event_id is not None else None
        await message.reply_text(render.card(result.claim, result.also), reply_markup=markup, do_quote=quote)
    elif result.status == "ambiguous" and result.options:
        markup = options_keyboard(event_id, result) if event_id is not None else None
        await message.reply_text(render.did_you_mean(result), reply_markup=markup, do_quote=quote)
    else:
        await message.reply_text(render.refusal(result), do_quote=quote)


def record_question(
    update: Update,
    context: Context,
    result: Answer,
    latency_ms: float,
    *,
    chat_type: str,
    chat_id: int | None = None,
) -> int | None:
    """Log a matched question in the event log, and one line for operators; returns its event id (None: not logged).

    The line has the outcome, claim id, score and latency; the question's text only if the
    settings allow it. The outcome and latency are counted for /metrics too, logged or not.
    """
    context.bot_data.on_question(result.status, latency_ms / 1000)
    user = update.effective_user
    event_id = context.bot_data.events.question(
        result, chat_type=chat_type, user_id=user.id if user else None, chat_id=chat_id, latency_ms=latency_ms
    )
    # The text is what people typed: personal data, so it is off unless GROUNDBOT_LOG_QUESTIONS is on.
    # JSON-quoted, so a question with a newline is still one line.
    text = f" text={json.dumps(result.question, ensure_ascii=False)}" if context.bot_data.settings.log_questions else ""
    question_log.info(
        "question update=%d chat=%s outcome=%s claim=%s score=%.1f latency_ms=%.1f%s",
        update.update_id,
        chat_type,
        result.status,
        result.claim.id if result.claim else "-",
        result.score,
        latency_ms,
        text,
    )
    return event_id


async def private_question(update: Update, context: Context) -> None:
    """Any text in a private chat is a question."""
    text = update.effective_message.text
    assert text is not None  # registered for text messages only
    await answer(update, context, text)


async def group_question(update: Update, context: Context) -> None:
    """A group message that mentions the bot or replies to it: the rest of the text is the question."""
    message = update.effective_message
    assert message is not None and message.text is not None  # registered for text messages only
    question = message.text
    for mention in _mentions(message):
        question = question.replace(mention, " ")
    question = " ".join(question.split())
    if not question:
        await message.reply_text(
            f"Ask me a question after the mention, e.g. @{message.get_bot().username} who said what?",
            do_quote=True,
        )
        return
    await answer(update, context, question)


async def ask_command(update: Update, context: Context) -> None:
    """/ask <question>; or /ask in reply to a message, to ask that message's text."""
    message = update.effective_message
    question = " ".join(context.args or [])
    replied = message.reply_to_message
    # A captioned photo, video or document asks its caption: the words people read with it.
    replied_words = (replied.text or replied.caption) if replied is not None else None
    if (
        not question
        and replied is not None
        and replied_words
        and replied.from_user
        and replied.from_user.id != context.bot.id
    ):
        question = replied_words
    if not question.strip():
        await message.reply_text(
            "Write your question after the command, e.g. /ask How many shells does Russia fire per day?",
            do_quote=message.chat.type != ChatType.PRIVATE,
        )
        return
    await answer(update, context, question)


async def not_text(update: Update, context: Context) -> None:
    """A sticker, photo or other non-text message in private: say what the bot can read."""
    await update.effective_message.reply_text(
        "I can only answer questions written as text. Send me your question in words, or /help."
    )


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have, in private."""
    await update.effective_message.reply_text(render.UNKNOWN_COMMAND)
